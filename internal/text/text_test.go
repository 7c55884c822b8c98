package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"Bar 🍺":                  "Bar 🍺",
		"a\x00b":                 "ab",
		"\x00":                   "",
		"\xff\xfe":               "\uFFFD\uFFFD",
		"\xc3\x28":               "\uFFFD(",
		"\xe2\x82":               "\uFFFD\uFFFD",
		"\xed\xa0\x80":           "\uFFFD\uFFFD\uFFFD", // an encoded surrogate
		"linje\u2028skille":      "linje\u2028skille",
		"\u202eabc\u202c":        "\u202eabc\u202c",
		"tab\tny\nlinje\x01\x1b": "tab\tny\nlinje\x01\x1b",
		"Ærlig\x00AS\xff":        "ÆrligAS\uFFFD",
		"\uFFFD":                 "\uFFFD",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
		if Valid(in) != (in == want) {
			t.Errorf("Valid(%q) = %v", in, Valid(in))
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abc", 2, "ab"}, {"æøå", 3, "æ"}, {"æøå", 4, "æø"}, {"🍺🍺", 7, "🍺"}, {"🍺", 3, ""}, {"x", 0, ""}, {"x", -1, ""}} {
		if got := Truncate(c.in, c.n); got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestValidValue(t *testing.T) {
	type inner struct {
		Name   string
		hidden string
		Raw    []byte
	}
	type rec struct {
		Title string
		Tags  []string
		In    *inner
		Any   any
		Map   map[string]any
		Arr   [2]string
	}
	good := rec{Title: "Bar 🍺", Tags: []string{"\u202e"}, In: &inner{Name: "ok", hidden: "\x00", Raw: []byte{0, 0xff}},
		Any: []any{"x", 1.5, nil}, Map: map[string]any{"a": map[string]any{"b": "c"}}}
	if !ValidValue(good) || !ValidValue(&good) || !ValidValue(nil) {
		t.Error("valid record refused")
	}
	for name, bad := range map[string]rec{
		"title":  {Title: "a\x00b"},
		"slice":  {Tags: []string{"ok", "\xff"}},
		"ptr":    {In: &inner{Name: "\x00"}},
		"any":    {Any: []any{map[string]any{"x": "\xfe"}}},
		"mapkey": {Map: map[string]any{"\x00": "v"}},
		"mapval": {Map: map[string]any{"k": []any{"\xc3\x28"}}},
		"array":  {Arr: [2]string{"", "\x00"}},
	} {
		if ValidValue(bad) || ValidValue(&bad) {
			t.Errorf("%s: invalid record accepted", name)
		}
	}
	type loop struct{ Next *loop }
	l := &loop{}
	l.Next = l
	if !ValidValue(l) {
		t.Error("cycle")
	}
}

// FuzzClean holds Clean to its promise: the result is Valid, valid text is
// unchanged, cleaning twice changes nothing, and only NUL is dropped.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "Bar 🍺", "a\x00b", "\xff\xfe", "\xed\xa0\x80", "\u2028\u202e", "\xf4\x90\x80\x80", "\xc0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !Valid(c) {
			t.Fatalf("Clean(%q) = %q, not valid", s, c)
		}
		if Valid(s) && c != s {
			t.Fatalf("Clean changed valid %q to %q", s, c)
		}
		if Clean(c) != c {
			t.Fatalf("Clean not idempotent on %q", s)
		}
		for _, n := range []int{0, 1, 2, 3, len(c) / 2, len(c) - 1} {
			if tr := Truncate(c, n); !Valid(tr) || len(tr) > max(n, 0) || !strings.HasPrefix(c, tr) || len(c)-len(tr) > max(0, len(c)-n)+utf8.UTFMax-1 {
				t.Fatalf("Truncate(%q, %d) = %q", c, n, tr)
			}
		}
		kept := utf8.RuneCountInString(c)
		if want := utf8.RuneCountInString(s) - strings.Count(s, "\x00"); kept != want {
			t.Fatalf("Clean(%q) kept %d runes, want %d", s, kept, want)
		}
	})
}
