package forms

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/browsertest"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/internal/vnu"
)

// TestAccessibility loads every component type, pages with errors and the
// check-your-answers and receipt pages in headless Chromium and fails on any WCAG 2.1 A/AA
// violation axe-core finds.
func TestAccessibility(t *testing.T) {
	testenv.AxeJS(t)
	pages := renderedPages(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		render, ok := pages[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		var b bytes.Buffer
		if err := render(&b); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		b.WriteTo(w)
	}))
	defer srv.Close()
	ctx := browsertest.New(t)
	for path := range pages {
		t.Run(path, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
				t.Fatal(err)
			}
			browsertest.Axe(t, ctx)
			// The error summary takes focus, so screen readers read it first.
			focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
			if err != nil {
				t.Fatal(err)
			}
			hasErrors, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(".ds-error-summary") !== null`))
			if err != nil {
				t.Fatal(err)
			}
			if hasErrors && focused != "ds-error-summary" {
				t.Errorf("focus is on %q, want the error summary", focused)
			}
		})
	}
}

// TestValidHTML checks the same pages with the Nu Html Checker, in one run.
func TestValidHTML(t *testing.T) {
	rendered := renderedPages(t)
	var pages []vnu.Page
	for _, path := range slices.Sorted(maps.Keys(rendered)) {
		var b bytes.Buffer
		if err := rendered[path](&b); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		pages = append(pages, vnu.Page{Name: path, HTML: b.Bytes()})
	}
	vnu.Require(t, pages)
}

// renderedPages renders every component type (nb, nn, en), with and without
// errors, each page of the skjenkebevilling form, and the check-your-answers
// and receipt pages, by path.
func renderedPages(t *testing.T) map[string]func(*bytes.Buffer) error {
	skj := loadSkjenk(t)
	all := loadDef(t, "alltypes.json")
	valid := loadData(t, "skjenkebevilling-valid.json")
	allData := loadData(t, "alltypes-data.json")
	bad := Data{"antall": "0", "dato": "2026-02-30", "epost": "x", "fnr": "123", "adresse": map[string]any{"adresse": "x"}, "rader": []any{map[string]any{}}}
	sub := submitted(t, skj, "skjenkebevilling-valid.json")
	r := &Renderer{BasePath: "/f"} // the built-in inline CSS, as a citizen sees it
	pages := map[string]func(*bytes.Buffer) error{}
	for _, lang := range i18n.All {
		pages["/alltypes/"+string(lang)] = func(b *bytes.Buffer) error { return r.RenderPage(b, all, "alt", allData, nil, lang) }
		pages["/alltypes-errors/"+string(lang)] = func(b *bytes.Buffer) error {
			return r.RenderPage(b, all, "alt", bad, all.Validate(bad, Options{Lang: lang}), lang)
		}
		pages["/receipt/"+string(lang)] = func(b *bytes.Buffer) error { return r.RenderReceipt(b, skj, sub, lang) }
		pages["/check/"+string(lang)] = func(b *bytes.Buffer) error {
			return r.RenderCheck(b, skj, skj.Validate(valid, Options{Lang: lang}).Data, lang)
		}
	}
	for _, p := range skj.Pages {
		pages["/skjenk/"+p.ID] = func(b *bytes.Buffer) error { return r.RenderPage(b, skj, p.ID, valid, nil, "nb") }
		pages["/skjenk-errors/"+p.ID] = func(b *bytes.Buffer) error {
			return r.RenderPage(b, skj, p.ID, Data{}, skj.Validate(Data{}, Options{Pages: []string{p.ID}}), "nb")
		}
	}
	return pages
}
