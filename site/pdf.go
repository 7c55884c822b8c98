package site

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

//go:embed fonts/*.ttf
var fontFS embed.FS

// PDFFont is the font family NewPDF embeds: DejaVu Sans Condensed, regular
// ("") and bold ("B").
const PDFFont = "DejaVu"

// pdfFontFiles are the embedded faces: regular, then bold.
var pdfFontFiles = []string{"fonts/DejaVuSansCondensed.ttf", "fonts/DejaVuSansCondensed-Bold.ttf"}

// PDF is a letter being written. Its text methods take any string and pass
// it through PDFString first, so that no text a citizen typed can stop a
// letter; use them, not the embedded *fpdf.Fpdf's, for text.
type PDF struct{ *fpdf.Fpdf }

// MultiCell writes text (see fpdf.Fpdf.MultiCell) made drawable by
// PDFString.
func (p *PDF) MultiCell(w, h float64, text, border, align string, fill bool) {
	p.Fpdf.MultiCell(w, h, PDFString(text), border, align, fill)
}

// CellFormat writes one cell (see fpdf.Fpdf.CellFormat) with its text made
// drawable by PDFString.
func (p *PDF) CellFormat(w, h float64, text, border string, ln int, align string, fill bool, link int, linkStr string) {
	p.Fpdf.CellFormat(w, h, strings.ReplaceAll(PDFString(text), "\n", " "), border, ln, align, fill, link, linkStr)
}

// Cell writes one cell (see fpdf.Fpdf.Cell) with its text made drawable.
func (p *PDF) Cell(w, h float64, text string) { p.CellFormat(w, h, text, "", 0, "L", false, 0, "") }

// Write writes flowing text (see fpdf.Fpdf.Write) made drawable.
func (p *PDF) Write(h float64, text string) { p.Fpdf.Write(h, PDFString(text)) }

// SetTitle sets the document's title, made safe for the information
// dictionary.
func (p *PDF) SetTitle(title string, isUTF8 bool) { p.Fpdf.SetTitle(pdfInfoString(title), isUTF8) }

// SetAuthor sets the document's author (the agency), made safe for the
// information dictionary.
func (p *PDF) SetAuthor(author string, isUTF8 bool) { p.Fpdf.SetAuthor(pdfInfoString(author), isUTF8) }

// NewPDF starts an A4 letter titled title, made by creator (the service)
// at at, with DejaVu Sans embedded (subset), so that æ,
// ø and å print and the document shows the same everywhere. What the font
// cannot draw prints as PDFMissing (see PDFString): DejaVu covers Norwegian
// and Sámi, Latin, Greek, Cyrillic, Hebrew and Arabic letters, but neither
// CJK nor emoji, and fpdf cannot draw past U+FFFF (emoji) in any font.
//
// How far PDF/A goes: every font is embedded, there is no JavaScript,
// encryption or transparency, the document language (Lang) and the
// information dictionary are set, and the creation date is at, so the bytes
// are deterministic. fpdf writes no PDF/A identification (XMP pdfaid), no
// OutputIntent with an ICC profile and no structure tree, so the file is not
// PDF/A-conformant; an archive converts it (e.g. with veraPDF-checked
// Ghostscript -dPDFA=2) before deposit.
//
// The letter's language is bokmål (nb-NO) and it has no author: set them
// with SetLang and SetAuthor. Write it with Paragraph (or the cell
// methods) and finish it with Bytes.
func NewPDF(title, creator string, at time.Time) (*PDF, error) {
	if _, err := pdfGlyphs(); err != nil {
		return nil, err
	}
	pdf := &PDF{fpdf.New("P", "mm", "A4", "")}
	for i, style := range []string{"", "B"} {
		b, err := fontFS.ReadFile(pdfFontFiles[i])
		if err != nil {
			return nil, err
		}
		pdf.AddUTF8FontFromBytes(PDFFont, style, b)
	}
	pdf.SetTitle(title, true)
	pdf.SetCreator(pdfInfoString(creator), true)
	pdf.SetLang("nb-NO")
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetMargins(25, 25, 25)
	pdf.AddPage()
	return pdf, nil
}

// Bytes finishes the document and returns it.
func (p *PDF) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		return nil, fmt.Errorf("site: pdf: %w", err)
	}
	return b.Bytes(), nil
}

// Paragraph writes s as a paragraph across the page in PDFFont: size in
// points, style "" (regular) or "B" (bold). Lines break at the margin and
// at "\n".
func (p *PDF) Paragraph(size float64, style, s string) {
	p.SetFont(PDFFont, style, size)
	p.MultiCell(0, size*0.5, s, "", "L", false)
	p.Ln(2)
}
