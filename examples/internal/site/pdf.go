package site

import (
	"bytes"
	"embed"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

//go:embed fonts/*.ttf
var fontFS embed.FS

// PDFFont is the font family NewPDF embeds: DejaVu Sans Condensed, regular
// ("") and bold ("B").
const PDFFont = "DejaVu"

// NewPDF starts an A4 letter with DejaVu Sans embedded (subset), so that æ,
// ø and å print and the document shows the same everywhere.
//
// How far PDF/A goes: every font is embedded, there is no JavaScript,
// encryption or transparency, the document language (Lang) and the
// information dictionary are set, and the creation date is at, so the bytes
// are deterministic. fpdf writes no PDF/A identification (XMP pdfaid), no
// OutputIntent with an ICC profile and no structure tree, so the file is not
// PDF/A-conformant; an archive converts it (e.g. with veraPDF-checked
// Ghostscript -dPDFA=2) before deposit.
func NewPDF(title, creator string, at time.Time) (*fpdf.Fpdf, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	for _, f := range []struct{ style, file string }{{"", "fonts/DejaVuSansCondensed.ttf"}, {"B", "fonts/DejaVuSansCondensed-Bold.ttf"}} {
		b, err := fontFS.ReadFile(f.file)
		if err != nil {
			return nil, err
		}
		pdf.AddUTF8FontFromBytes(PDFFont, f.style, b)
	}
	pdf.SetTitle(title, true)
	pdf.SetAuthor("Eksempelkommune", true)
	pdf.SetCreator(creator, true)
	pdf.SetLang("nb-NO")
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetMargins(25, 25, 25)
	pdf.AddPage()
	return pdf, nil
}

// PDFBytes finishes the document.
func PDFBytes(pdf *fpdf.Fpdf) ([]byte, error) {
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("site: pdf: %w", err)
	}
	return b.Bytes(), nil
}

// PDFText returns a writer of paragraphs: size in points, style "" or "B".
func PDFText(pdf *fpdf.Fpdf) func(size float64, style, s string) {
	return func(size float64, style, s string) {
		pdf.SetFont(PDFFont, style, size)
		pdf.MultiCell(0, size*0.5, s, "", "L", false)
		pdf.Ln(2)
	}
}
