package forms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/grunnmur/grunnmur/i18n"
)

// PDFPrinter prints a self-contained HTML page to PDF.
type PDFPrinter interface {
	PrintPDF(ctx context.Context, html []byte) ([]byte, error)
}

// ChromiumPrinter prints with a headless Chromium (--print-to-pdf), which
// writes tagged PDFs: a structure tree, the page's language and its headings,
// so that the receipt is as accessible as the page.
type ChromiumPrinter struct {
	Path      string        // default "chromium"
	NoSandbox bool          // needed when running as root, as in containers
	Timeout   time.Duration // default 30 s
}

// ErrPrint is wrapped by ChromiumPrinter errors.
var ErrPrint = errors.New("forms: printing to PDF failed")

// PrintPDF implements PDFPrinter. The page is loaded from a private temporary
// directory with networking off, so it must carry its own CSS (the zero
// Renderer inlines it).
func (p ChromiumPrinter) PrintPDF(ctx context.Context, html []byte) ([]byte, error) {
	path := p.Path
	if path == "" {
		path = "chromium"
	}
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "grunnmur-pdf-")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPrint, err)
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "page.html"), filepath.Join(dir, "page.pdf")
	if err := os.WriteFile(in, html, 0o600); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPrint, err)
	}
	args := []string{
		"--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--no-pdf-header-footer",
		"--proxy-server=127.0.0.1:9", // nothing leaves the machine
		"--print-to-pdf=" + out,
	}
	if p.NoSandbox {
		args = append(args, "--no-sandbox")
	}
	cmd := exec.CommandContext(ctx, path, append(args, "file://"+in)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %v: %s", ErrPrint, err, lastLine(stderr.String()))
	}
	pdf, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, fmt.Errorf("%w: no PDF written: %s", ErrPrint, lastLine(stderr.String()))
	}
	return pdf, nil
}

func lastLine(s string) string {
	s = string(bytes.TrimSpace([]byte(s)))
	if i := bytes.LastIndexByte([]byte(s), '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// ReceiptPDF prints the receipt page to PDF.
func (r *Renderer) ReceiptPDF(ctx context.Context, p PDFPrinter, def *Definition, sub *Submission, lang i18n.Lang) ([]byte, error) {
	rr := *r
	rr.Stylesheet = "" // the printer loads nothing from outside
	var b bytes.Buffer
	if err := rr.RenderReceipt(&b, def, sub, lang); err != nil {
		return nil, err
	}
	return p.PrintPDF(ctx, b.Bytes())
}
