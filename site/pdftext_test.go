package site_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/site"
)

func TestPDFString(t *testing.T) {
	const m = string(site.PDFMissing)
	for _, c := range []struct{ in, want string }{
		{"Bar 🍺", "Bar " + m},
		{"Blåbærsyltetøy ÆØÅ", "Blåbærsyltetøy ÆØÅ"},
		{"Sámi: Čáhcesuolu, Ŧ ŋ đ ž", "Sámi: Čáhcesuolu, Ŧ ŋ đ ž"},
		{"北京", m + m},
		{"שלום", "שלום"},
		{"e\u0301", "e\u0301"},
		{"👨\u200d👩", m + m},        // the joiner goes
		{"\u2764\ufe0f", "\u2764"}, // the variation selector goes
		{"a\x00b\x1bc\x7fd", "abcd"},
		{"a\r\nb\rc\u0085d\u2028e\u2029f\tg", "a\nb\nc\nd\ne\nf g"},
		{"\u202Eevil\u202C\u2066x\u2069\u200F", "evilx"},
		{"a\xffb\xc3", "a" + m + "b" + m},
		{"\U0010FFFF\uE000", m + m},
		{"", ""},
	} {
		if got := site.PDFString(c.in); got != c.want {
			t.Errorf("PDFString(%+q) = %+q, want %+q", c.in, got, c.want)
		}
	}
}

// letterText writes s as the letters do, in both faces, as a title and in
// cells, and returns the PDF uncompressed.
func letterText(t testing.TB, s string) []byte {
	pdf, err := site.NewPDF("Vedtak "+s, "grunnmur "+s, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	pdf.SetCompression(false)
	text := pdf.Paragraph
	text(11, "", s)
	text(16, "B", s)
	pdf.CellFormat(40, 5, s, "", 1, "R", false, 0, "")
	pdf.Write(5, s)
	b, err := pdf.Bytes()
	if err != nil {
		t.Fatalf("%+q: %v", s, err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Fatalf("%+q: not a PDF", s)
	}
	return b
}

// utf16be is how fpdf writes text into the page: UTF-16BE, with the
// characters PDF strings escape escaped.
func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		for _, c := range []byte{byte(u >> 8), byte(u)} {
			if c == '\\' || c == '(' || c == ')' || c == '\r' {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
	}
	return b
}

// TestLetterText: every kind of text a citizen can type makes a letter,
// and what the font cannot draw shows as the marker, where it was.
func TestLetterText(t *testing.T) {
	for _, c := range testenv.Texts {
		t.Run(c.Name, func(t *testing.T) {
			letterText(t, c.Text)
		})
	}
	b := letterText(t, "Bar 🍺")
	if !bytes.Contains(b, utf16be("Bar \uFFFD")) {
		t.Error(`"Bar 🍺" does not print as "Bar �"`)
	}
	// What the letter had before stays: its language, its title, and its
	// fonts embedded.
	for _, want := range [][]byte{[]byte("/Lang (nb-NO)"), []byte("/Title (\376\377"), []byte("/FontFile2")} {
		if !bytes.Contains(b, want) {
			t.Errorf("the letter lacks %s", want)
		}
	}
}

// FuzzPDFText: whatever string goes in, a PDF comes out, and PDFString
// leaves valid UTF-8 with no control character but the line break.
func FuzzPDFText(f *testing.F) {
	for _, c := range testenv.Texts {
		f.Add(c.Text)
	}
	f.Add("(\\)\r")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return // a letter's paragraph; long text is TestLetterText's
		}
		got := site.PDFString(s)
		if !utf8.ValidString(got) {
			t.Fatalf("PDFString(%+q) is not UTF-8", s)
		}
		if i := strings.IndexFunc(got, func(r rune) bool { return r != '\n' && (r < 0x20 || (r >= 0x7f && r < 0xa0)) }); i >= 0 {
			t.Fatalf("PDFString(%+q) = %+q keeps a control character", s, got)
		}
		letterText(t, s)
	})
}
