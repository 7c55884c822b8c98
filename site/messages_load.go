package site

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/grunnmur/grunnmur/i18n"
)

// ErrMessages is wrapped by every error of LoadMessages: a messages file
// that is not JSON, or whose texts are incomplete, doubled or in an unknown
// language.
var ErrMessages = errors.New("site: bad messages file")

// MessagesError is a LoadMessages failure: the file, the key at fault (""
// when the file fails before any key) and what is wrong. It matches
// ErrMessages with errors.Is.
type MessagesError struct {
	File, Key, Problem string
}

func (e *MessagesError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("site: messages %s: %s", e.File, e.Problem)
	}
	return fmt.Sprintf("site: messages %s: key %q: %s", e.File, e.Key, e.Problem)
}

// Is reports whether target is ErrMessages.
func (e *MessagesError) Is(target error) bool { return target == ErrMessages }

// LoadMessages reads a service's texts from the JSON file name in fsys, so
// that translators edit data rather than Go. The file is one object, key
// then language:
//
//	{"service": {"nb": "Skjenkebevilling", "nn": "Skjenkeløyve", "en": "Liquor licence"}}
//
// It is strict: a key must have a non-empty text in each of nb, nn and en
// and no other language, appear once (in the file and in each key's
// languages) and not be one of Common's. Any fault is a *MessagesError
// naming the key, matching ErrMessages.
func LoadMessages(fsys fs.FS, name string) (Messages, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, &MessagesError{File: name, Problem: err.Error()}
	}
	m, merr := decodeMessages(b)
	if merr != nil {
		merr.File = name
		return nil, merr
	}
	return m, nil
}

// decodeMessages reads the object of LoadMessages token by token, since
// json.Unmarshal keeps the last of two equal keys silently.
func decodeMessages(b []byte) (Messages, *MessagesError) {
	d := json.NewDecoder(bytes.NewReader(b))
	if err := expectDelim(d, '{'); err != nil {
		return nil, &MessagesError{Problem: err.Error()}
	}
	m := Messages{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, &MessagesError{Problem: err.Error()}
		}
		key, _ := tok.(string)
		if _, dup := m[key]; dup {
			return nil, &MessagesError{Key: key, Problem: "key appears twice"}
		}
		if _, common := Common[key]; common {
			return nil, &MessagesError{Key: key, Problem: "key is one of site.Common's"}
		}
		t, err := decodeTexts(d)
		if err != nil {
			return nil, &MessagesError{Key: key, Problem: err.Error()}
		}
		m[key] = t
	}
	if _, err := d.Token(); err != nil {
		return nil, &MessagesError{Problem: err.Error()}
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &MessagesError{Problem: "data after the object"}
	}
	return m, nil
}

// decodeTexts reads one key's {"nb": ..., "nn": ..., "en": ...}.
func decodeTexts(d *json.Decoder) (map[i18n.Lang]string, error) {
	if err := expectDelim(d, '{'); err != nil {
		return nil, err
	}
	t := map[i18n.Lang]string{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		code, _ := tok.(string)
		l := i18n.Lang(code)
		if !slices.Contains(i18n.All, l) {
			return nil, fmt.Errorf("unknown language %q (want nb, nn, en)", string(l))
		}
		if _, dup := t[l]; dup {
			return nil, fmt.Errorf("language %s appears twice", l)
		}
		var s string
		if err := d.Decode(&s); err != nil {
			return nil, fmt.Errorf("language %s: %v", l, err)
		}
		t[l] = s
	}
	if _, err := d.Token(); err != nil {
		return nil, err
	}
	for _, l := range i18n.All {
		if t[l] == "" {
			return nil, fmt.Errorf("no text in %s", l)
		}
	}
	return t, nil
}

// expectDelim reads the next token, which must be delim.
func expectDelim(d *json.Decoder, delim json.Delim) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	if tok != delim {
		return fmt.Errorf("want %s, got %v", delim, tok)
	}
	return nil
}
