package site

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/i18n"
)

// Letter is a municipal letter in the standard layout: the sender's lines,
// the recipient's, the date and reference, a heading and the blocks of the
// body. PDF renders it with the fonts embedded (NewPDF). Text from citizens
// goes in as it is: what the font cannot draw (emoji, control characters)
// prints as PDFMissing and never stops the letter.
//
//	pdf, err := site.Letter{Title: "Vedtak", From: []string{"Eksempelkommune"},
//		Date: at, Reference: "2026/17", Blocks: []site.Block{
//			site.Heading("Vedtak"), site.Text("Søknaden er innvilget.")}}.PDF()
type Letter struct {
	Title          string    // the document's title (metadata); required
	Creator        string    // the producing system, e.g. "grunnmur skjenkebevilling"
	From           []string  // the sender's lines: municipality, unit
	To             []string  // the recipient's lines, if any (name, address)
	Date           time.Time // the letter's date, also its creation date; required
	Reference      string    // the case or booking reference, if any
	ReferenceLabel string    // the reference's label; default "Referanse" ("Reference" in English)
	Lang           i18n.Lang // the letter's language; the zero Lang is bokmål
	Blocks         []Block   // the body, in order
}

// Block is one part of a letter's body: make it with Heading, Text, Small,
// List or Table.
type Block struct {
	size  float64
	style string
	text  string
	items []string
	rows  [][2]string
}

// Heading is a heading in the body of a letter.
func Heading(s string) Block { return Block{size: 16, style: "B", text: s} }

// Subheading is a section heading, such as "Klagerett".
func Subheading(s string) Block { return Block{size: 12, style: "B", text: s} }

// Text is a paragraph of body text; "\n" breaks the line.
func Text(s string) Block { return Block{size: 11, text: s} }

// Small is a paragraph in small print, such as the closing "Brevet er
// godkjent elektronisk".
func Small(s string) Block { return Block{size: 10, text: s} }

// List is a bulleted list.
func List(items ...string) Block { return Block{size: 11, items: items} }

// Table is a two-column table of label and value rows, such as a form's
// answers.
func Table(rows ...[2]string) Block { return Block{size: 10, rows: rows} }

// ErrLetter is wrapped by Letter.PDF for a letter that lacks its title or
// date.
var ErrLetter = errors.New("site: letter incomplete")

// PDF renders the letter.
func (l Letter) PDF() ([]byte, error) {
	p, err := l.render()
	if err != nil {
		return nil, err
	}
	return p.Bytes()
}

func (l Letter) render() (*PDF, error) {
	if strings.TrimSpace(l.Title) == "" || l.Date.IsZero() {
		return nil, fmt.Errorf("%w: title and date are required", ErrLetter)
	}
	p, err := NewPDF(l.Title, l.Creator, l.Date)
	if err != nil {
		return nil, err
	}
	if l.Lang == i18n.EN {
		p.SetLang("en")
	} else if l.Lang == i18n.NN {
		p.SetLang("nn-NO")
	}
	if len(l.From) > 0 {
		p.Paragraph(10, "", strings.Join(l.From, "\n"))
		p.Ln(4)
	}
	if len(l.To) > 0 {
		p.Paragraph(11, "", strings.Join(l.To, "\n"))
		p.Ln(4)
	}
	p.Paragraph(10, "", l.dateLines())
	p.Ln(4)
	for _, b := range l.Blocks {
		b.draw(p)
	}
	return p, nil
}

func (l Letter) dateLines() string {
	date, ref := "Dato", "Referanse"
	if l.Lang == i18n.EN {
		date, ref = "Date", "Reference"
	}
	if l.ReferenceLabel != "" {
		ref = l.ReferenceLabel
	}
	s := date + ": " + l.Lang.DateOf(l.Date)
	if l.Reference != "" {
		s = ref + ": " + l.Reference + "\n" + s
	}
	return s
}

func (b Block) draw(p *PDF) {
	switch {
	case b.items != nil:
		for _, it := range b.items {
			p.Paragraph(b.size, "", "• "+it)
		}
	case b.rows != nil:
		p.SetFont(PDFFont, "", b.size)
		for _, r := range b.rows {
			p.SetFont(PDFFont, "B", b.size)
			p.MultiCell(0, b.size*0.5, r[0], "", "L", false)
			p.SetFont(PDFFont, "", b.size)
			p.MultiCell(0, b.size*0.5, r[1], "", "L", false)
			p.Ln(1)
		}
		p.Ln(1)
	default:
		p.Paragraph(b.size, b.style, b.text)
	}
}
