package archive

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

// scanAll runs the scanner with the verifier's nesting check and returns the
// tokens as a canonical string: text merged between tags.
func scanAll(r io.Reader) (string, error) {
	s := newXMLScanner(r)
	var out strings.Builder
	var stack []xml.Name
	var text []byte
	flush := func() {
		if len(text) > 0 {
			out.WriteString("T(" + string(text) + ")")
			text = text[:0]
		}
	}
	for {
		tok, err := s.RawToken()
		if err == io.EOF {
			flush()
			return out.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			stack = append(stack, t.Name)
			out.WriteString("S(" + t.Name.Space + ":" + t.Name.Local + ")")
		case xml.EndElement:
			flush()
			if len(stack) == 0 || stack[len(stack)-1] != t.Name {
				return "", io.ErrUnexpectedEOF
			}
			stack = stack[:len(stack)-1]
			out.WriteString("E")
		case xml.CharData:
			if s.ink != (len(bytes.TrimSpace(t)) > 0) {
				return "", fmt.Errorf("ink %v for the text %q", s.ink, t)
			}
			if len(stack) > 0 {
				text = append(text, t...)
			}
		}
	}
}

// stdAll is the same with encoding/xml, the oracle.
func stdAll(r io.Reader) (string, error) {
	d := xml.NewDecoder(r)
	d.Strict = true
	var out strings.Builder
	var text []byte
	depth, roots := 0, 0
	flush := func() {
		if len(text) > 0 {
			out.WriteString("T(" + string(text) + ")")
			text = text[:0]
		}
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if depth != 0 || roots == 0 {
				return "", io.ErrUnexpectedEOF
			}
			flush()
			return out.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			if depth == 0 {
				roots++
			}
			depth++
			out.WriteString("S(" + t.Name.Space + ":" + t.Name.Local + ")")
		case xml.EndElement:
			flush()
			depth--
			out.WriteString("E")
		case xml.CharData:
			if depth > 0 {
				text = append(text, t...)
			}
		}
	}
}

// xmlDecl10 is VersionInfo with version 1.0, after "<?xml".
var xmlDecl10 = regexp.MustCompile(`^[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*("1\.0"|'1\.0')`)

func scannerSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(`<?xml version="1.0" encoding="utf-8"?><a x="1" y='&lt;2&#x41;'><b>t&amp;x&#229;</b><c/><!-- c --><![CDATA[<raw>]]></a>`),
		[]byte("\xef\xbb\xbf<a>æøå 🍺</a>\n"),
		[]byte(`<n5:a xmlns:n5="u"><n5:b xsi:type="saksmappe">v</n5:b></n5:a>`),
	}
	for _, name := range []string{FileArkivstruktur, FileLoependeJournal, FileEndringslogg, FileArkivuttrekk} {
		b, err := os.ReadFile(filepath.Join(sampleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

func TestXMLScannerMatchesEncodingXML(t *testing.T) {
	bad := []string{
		"", "<a>", "<a></b>", "<a><b></a></b>", "<a/><b/>", "text<a/>", "<a>&bogus;</a>", "<a>&#0;</a>",
		"<a>\x01</a>", "<a>\xff</a>", `<a x="1" x="2"/>`, `<a x=1/>`, `<a x="<"/>`, "<!DOCTYPE a><a/>",
		`<?xml version="1.0" encoding="latin1"?><a/>`, "<a><!-- unterminated", "<1a/>", "</a>",
		`<?xml version="1.0?><a/>`, "<a>]]></a>", "<a>x]]]></a>", "<a>]]&amp;]]></a>",
	}
	for _, in := range bad {
		if got, err := scanAll(strings.NewReader(in)); err == nil {
			t.Errorf("%q accepted: %s", in, got)
		}
	}
	// "]]>" is refused in text only: escaped, split by markup or in CDATA it is fine.
	for _, in := range []string{"<a>]]&gt;</a>", "<a>]]<b/>></a>", "<a>]></a>", "<a><![CDATA[]]]]><![CDATA[>]]></a>", "<a>]]</a>"} {
		if _, err := scanAll(strings.NewReader(in)); err != nil {
			t.Errorf("%q refused: %v", in, err)
		}
	}
	for _, seed := range scannerSeeds(t) {
		want, err := stdAll(bytes.NewReader(seed))
		if err != nil {
			t.Fatalf("oracle refuses a seed: %v", err)
		}
		for name, r := range map[string]io.Reader{
			"whole":    bytes.NewReader(seed),
			"one byte": iotest.OneByteReader(bytes.NewReader(seed)),
			"half":     iotest.HalfReader(bytes.NewReader(seed)),
		} {
			got, err := scanAll(r)
			if err != nil || got != want {
				t.Errorf("%s: %v\n got %.300s\nwant %.300s", name, err, got, want)
			}
		}
	}
}

// TestXMLDeclaration holds the scanner to XML 1.0's XMLDecl production, and
// to version 1.0 only (see checkXMLDecl for why not 1.1).
func TestXMLDeclaration(t *testing.T) {
	good := []string{
		`<?xml version="1.0"?><a/>`,
		`<?xml version='1.0' encoding='UTF-8' standalone='yes'?><a/>`,
		"\xef\xbb\xbf<?xml version = \"1.0\"\tencoding=\"utf-8\" ?>\n<a/>",
		`<?xml version="1.0" standalone="no"?><!-- c --><?pi x?><a/>`,
		`<a/>`,
	}
	for _, in := range good {
		for name, r := range map[string]io.Reader{"whole": strings.NewReader(in), "one byte": iotest.OneByteReader(strings.NewReader(in))} {
			if _, err := scanAll(r); err != nil {
				t.Errorf("%s %q: %v", name, in, err)
			}
		}
	}
	bad := []string{
		`<?xml version="0"?><a/>`,
		`<?xml version="1.1"?><a/>`,
		`<?xml version="2.0"?><a/>`,
		`<?xml version="1."?><a/>`,
		`<?xml version=""?><a/>`,
		`<?xml version="1.0 "?><a/>`,
		`<?xml version="1.0"encoding="UTF-8"?><a/>`,
		`<?xml version=1.0?><a/>`,
		`<?xml?><a/>`,
		`<?xml ?><a/>`,
		`<?xml encoding="UTF-8"?><a/>`,
		`<?xml encoding="UTF-8" version="1.0"?><a/>`,
		`<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>`,
		`<?xml version="1.0" version="1.0"?><a/>`,
		`<?xml version="1.0" foo="bar"?><a/>`,
		`<?xml version="1.0" encoding="latin1"?><a/>`,
		`<?xml version="1.0" encoding="8bit"?><a/>`,
		`<?xml version="1.0" standalone="maybe"?><a/>`,
		`<?XML version="1.0"?><a/>`,
		` <?xml version="1.0"?><a/>`,
		`<!-- c --><?xml version="1.0"?><a/>`,
		`<?xml version="1.0"?><?xml version="1.0"?><a/>`,
		`<a><?xml version="1.0"?></a>`,
		`<a/><?xMl version="1.0"?>`,
	}
	for _, in := range bad {
		for name, r := range map[string]io.Reader{"whole": strings.NewReader(in), "one byte": iotest.OneByteReader(strings.NewReader(in))} {
			if _, err := scanAll(r); !errors.Is(err, ErrXMLDecl) {
				t.Errorf("%s %q: %v, want ErrXMLDecl", name, in, err)
			}
		}
	}
}

// FuzzXMLScanner compares the scanner with encoding/xml: what the scanner
// accepts, encoding/xml must accept with the same tokens, whole or read a
// byte at a time. (The scanner may refuse more: a DOCTYPE, text outside the
// root, a non-UTF-8 encoding.)
func FuzzXMLScanner(f *testing.F) {
	for _, s := range scannerSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("<?xml version='1.1' standalone=\"yes\" ?>\n<a/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := scanAll(bytes.NewReader(data))
		slow, err2 := scanAll(iotest.OneByteReader(bytes.NewReader(data)))
		if (err == nil) != (err2 == nil) || got != slow {
			t.Fatalf("buffering changes the result: %v / %v\n%q\n%q", err, err2, got, slow)
		}
		if err != nil {
			var se *xml.SyntaxError
			if !errors.As(err, &se) && !errors.Is(err, ErrXMLDecl) && err != errTokenTooLarge && err != io.ErrUnexpectedEOF { // the last: scanAll's nesting check
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// Whatever is accepted declares XML 1.0, or nothing.
		if d, ok := bytes.CutPrefix(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), []byte("<?xml")); ok && len(d) > 0 && (isSpace(d[0]) || d[0] == '?') {
			if !xmlDecl10.Match(d) {
				t.Fatalf("accepted a declaration of another version: %q", data)
			}
		}
		want, werr := stdAll(bytes.NewReader(data))
		if werr != nil {
			if bytes.ContainsFunc(data, func(r rune) bool { return r >= 0x80 }) {
				return // the scanner accepts any non-ASCII name character
			}
			t.Fatalf("scanner accepts what encoding/xml refuses (%v): %q", werr, data)
		}
		if got != want {
			t.Fatalf("tokens differ\n got %q\nwant %q", got, want)
		}
	})
}
