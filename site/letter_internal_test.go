package site

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/i18n"
)

func TestLetterPDF(t *testing.T) {
	at := time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC)
	body := []Block{Heading("Vedtak"), Text("Søknaden er innvilget."),
		List("én", "to"), Table([2]string{"Navn", "Kari"}, [2]string{"Sted", "Bø"}),
		Subheading("Klagerett"), Small("Brevet er godkjent elektronisk.")}
	for _, tc := range []struct {
		name string
		l    Letter
		err  error
	}{
		{"full", Letter{Title: "Vedtak", From: []string{"Eksempelkommune"}, To: []string{"Kari Nordmann"},
			Date: at, Reference: "2026/17", Blocks: body}, nil},
		{"english", Letter{Title: "Decision", Lang: i18n.EN, Date: at, Blocks: body}, nil},
		{"citizen text", Letter{Title: "Vedtak 🍓\x00", Date: at, To: []string{"שלום \u202e عربي \x07\x1b 😀"},
			Blocks: []Block{Text("emoji 😀😀 \u200f rtl مرحبا \x00\x01 ctl"), List("\x7f", ""), Table([2]string{"", "🍓"})}}, nil},
		{"no title", Letter{Date: at}, ErrLetter},
		{"no date", Letter{Title: "Vedtak"}, ErrLetter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.l.render()
			if !errors.Is(err, tc.err) {
				t.Fatalf("render: %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			p.SetCompression(false)
			b, err := p.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !strings.HasSuffix(strings.TrimSpace(string(b)), "%%EOF") {
				t.Fatalf("not a PDF: %.20q…", b)
			}
			// Each paragraph line is a text object in the uncompressed content.
			if n, want := bytes.Count(b, []byte("Tj")), len(tc.l.Blocks)+1; n < want {
				t.Errorf("%d text runs, want at least %d", n, want)
			}
			if !bytes.Contains(b, []byte("/FontFile2")) {
				t.Error("font not embedded")
			}
		})
	}
}

func TestLetterDateLines(t *testing.T) {
	at := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC) // 7 December in Oslo
	for _, tc := range []struct {
		l    Letter
		want string
	}{
		{Letter{Date: at}, "Dato: mandag 7. desember 2026"},
		{Letter{Date: at, Reference: "B-1"}, "Referanse: B-1\nDato: mandag 7. desember 2026"},
		{Letter{Date: at, Reference: "2026/3", ReferenceLabel: "Saksnummer"}, "Saksnummer: 2026/3\nDato: mandag 7. desember 2026"},
		{Letter{Date: at, Lang: i18n.EN, Reference: "B-1"}, "Reference: B-1\nDate: Monday 7 December 2026"},
	} {
		if got := tc.l.dateLines(); got != tc.want {
			t.Errorf("dateLines = %q, want %q", got, tc.want)
		}
	}
}
