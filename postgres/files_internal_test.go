package postgres

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/internal/text"
)

// FuzzCopyText checks the escaping of outside text (a browser's file name)
// into a COPY text row: no raw separator survives, and COPY's unescaping
// gives back the text exactly. Put refuses text that is not UTF-8 or holds
// a NUL before it gets here.
func FuzzCopyText(f *testing.F) {
	for _, s := range []string{"a.pdf", "tab\there", "line\r\n", `back\slash`, `\.`, `\N`, "nul\x00", "\xff\xfe", "æøå"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !text.Valid(s) {
			return
		}
		e := copyText(s)
		if strings.ContainsAny(e, "\t\n\r\x00") || !utf8.ValidString(e) {
			t.Fatalf("copyText(%q) = %q", s, e)
		}
		if got := uncopy(t, e); got != s {
			t.Errorf("copyText(%q) = %q, read back as %q", s, e, got)
		}
	})
}

// uncopy reads a field as COPY's text format does (only the escapes
// copyText writes).
func uncopy(t *testing.T, e string) string {
	var b strings.Builder
	for i := 0; i < len(e); i++ {
		if e[i] != '\\' {
			b.WriteByte(e[i])
			continue
		}
		i++
		if i == len(e) {
			t.Fatalf("%q ends in a lone backslash", e)
		}
		switch e[i] {
		case '\\':
			b.WriteByte('\\')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			t.Fatalf("%q has an escape \\%c", e, e[i])
		}
	}
	return b.String()
}
