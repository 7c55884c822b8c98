package site

import (
	"testing"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/internal/testenv"
)

// FuzzPDFString: whatever string goes in, every character PDFString leaves
// is a line break or one both faces of the font draw, which is all fpdf
// needs not to fail (FuzzPDFText runs the whole letter, far slower).
func FuzzPDFString(f *testing.F) {
	for _, c := range testenv.Texts {
		f.Add(c.Text)
	}
	g, err := pdfGlyphs()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := PDFString(s)
		if !utf8.ValidString(out) {
			t.Fatalf("PDFString(%+q) is not UTF-8", s)
		}
		for _, r := range out {
			if r != '\n' && r != ' ' && !g.has(r) {
				t.Fatalf("PDFString(%+q) keeps %U, which the font cannot draw", s, r)
			}
			if r < 0x20 && r != '\n' {
				t.Fatalf("PDFString(%+q) keeps control %U", s, r)
			}
		}
		if utf8.RuneCountInString(out) > len(s) {
			t.Fatalf("PDFString(%+q) grew to %+q", s, out)
		}
	})
}
