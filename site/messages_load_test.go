package site_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/site"
)

func ExampleLoadMessages() {
	fsys := fstest.MapFS{"messages.json": {Data: []byte(`{
  "service": {"nb": "Skjenkebevilling", "nn": "Skjenkeløyve", "en": "Liquor licence"}
}`)}}
	messages, err := site.LoadMessages(fsys, "messages.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(messages.T(i18n.NN, "service"))
	fmt.Println(messages.T(i18n.EN, "logout")) // from site.Common

	fsys["bad.json"] = &fstest.MapFile{Data: []byte(`{"service": {"nb": "Skjenkebevilling", "nn": "Skjenkeløyve"}}`)}
	_, err = site.LoadMessages(fsys, "bad.json")
	fmt.Println(errors.Is(err, site.ErrMessages), err)
	// Output:
	// Skjenkeløyve
	// Log out
	// true site: messages bad.json: key "service": no text in en
}

func TestLoadMessagesRejects(t *testing.T) {
	const ok = `{"nb": "a", "nn": "b", "en": "c"}`
	for name, tc := range map[string]struct{ json, key, problem string }{
		"not json":          {`{"a": `, "a", "EOF"},
		"bad syntax":        {`{1: {}}`, "", "invalid"},
		"not an object":     {`["a"]`, "", "want {"},
		"texts not object":  {`{"a": "x"}`, "a", "want {"},
		"text not a string": {`{"a": {"nb": 1, "nn": "b", "en": "c"}}`, "a", "language nb"},
		"unknown language":  {`{"a": {"nb": "a", "nn": "b", "en": "c", "se": "d"}}`, "a", `unknown language "se"`},
		"regional code":     {`{"a": {"nb-NO": "a", "nn": "b", "en": "c"}}`, "a", "unknown language"},
		"missing language":  {`{"a": {"nb": "a", "en": "c"}}`, "a", "no text in nn"},
		"empty text":        {`{"a": {"nb": "a", "nn": "", "en": "c"}}`, "a", "no text in nn"},
		"duplicate key":     {`{"a": ` + ok + `, "b": ` + ok + `, "a": ` + ok + `}`, "a", "twice"},
		"duplicate lang":    {`{"a": {"nb": "a", "nn": "b", "en": "c", "nb": "d"}}`, "a", "language nb appears twice"},
		"shadows Common":    {`{"logout": ` + ok + `}`, "logout", "Common"},
		"trailing data":     {`{"a": ` + ok + `} {}`, "", "after the object"},
		"empty file":        {``, "", "EOF"},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := site.LoadMessages(fstest.MapFS{"m.json": {Data: []byte(tc.json)}}, "m.json")
			var me *site.MessagesError
			if !errors.Is(err, site.ErrMessages) || !errors.As(err, &me) || m != nil {
				t.Fatalf("LoadMessages = %v, %v; want a *MessagesError", m, err)
			}
			if me.Key != tc.key || me.File != "m.json" || !strings.Contains(me.Problem, tc.problem) {
				t.Errorf("error %+v, want key %q, problem containing %q", me, tc.key, tc.problem)
			}
		})
	}
	if _, err := site.LoadMessages(fstest.MapFS{}, "none.json"); !errors.Is(err, site.ErrMessages) {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadMessagesReadsAll(t *testing.T) {
	m, err := site.LoadMessages(fstest.MapFS{"m.json": {Data: []byte(
		`{"a": {"en": "A", "nb": "Á \"q\" <b>", "nn": "Å"}, "b": {"nb": "1", "nn": "2", "en": "3"}}`)}}, "m.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || m.T(i18n.NB, "a") != `Á "q" <b>` || m.T(i18n.NN, "a") != "Å" || m.T(i18n.EN, "b") != "3" {
		t.Errorf("LoadMessages = %v", m)
	}
}

// The examples' real files load, and any input gives texts or an
// ErrMessages, never a panic; loaded texts are complete and shadow nothing.
func FuzzLoadMessages(f *testing.F) {
	for _, p := range []string{"../examples/skjenkebevilling/messages.json", "../examples/hallbooking/messages.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := site.LoadMessages(fstest.MapFS{"m.json": {Data: b}}, "m.json"); err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"a": {"nb": "a", "nn": "b", "en": "c"}, "a": {}}`))
	f.Add([]byte(`{"skip": {"nb": "a", "nn": "b", "en": "c"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := site.LoadMessages(fstest.MapFS{"m.json": {Data: b}}, "m.json")
		if err != nil {
			if !errors.Is(err, site.ErrMessages) {
				t.Fatalf("error %v is not ErrMessages", err)
			}
			return
		}
		if len(m.Missing()) > 0 || len(m.Shadowed()) > 0 {
			t.Fatalf("loaded %v: missing %v, shadowed %v", m, m.Missing(), m.Shadowed())
		}
	})
}
