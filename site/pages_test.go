package site_test

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chromedp/chromedp"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/browsertest"
	"github.com/grunnmur/grunnmur/internal/vnu"
	"github.com/grunnmur/grunnmur/site"
)

var testMessages = site.Messages{
	"service": {"nb": "Hundeskatt", "nn": "Hundeskatt", "en": "Dog tax"},
	"start":   {"nb": "Søk om fritak", "nn": "Søk om fritak", "en": "Apply for exemption"},
	"start.lead": {"nb": "Her søker du om fritak fra hundeskatt.", "nn": "Her søkjer du om fritak frå hundeskatt.",
		"en": "Here you apply for exemption from the dog tax."},
	"nav.mine": {"nb": "Mine saker", "nn": "Mine saker", "en": "My cases"},
}

// pagesServer serves the layout with a page (logged in, with a menu) at /
// and the error pages at /feil/{status}, as a service would.
func pagesServer(t *testing.T) *httptest.Server {
	fsys := fstest.MapFS{"templates/start.html": {Data: []byte(`{{define "content"}}<h1 class="ds-heading ds-heading--lg">{{.Title}}</h1>
<p class="ds-paragraph">{{call .T "start.lead"}}</p>{{end}}`)}}
	pages, err := site.Templates(fsys, nil, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	errs := site.ErrorPages{Templates: pages, Messages: testMessages}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/site.css", site.Static("text/css; charset=utf-8", site.CSS()))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		p := site.NewPage(r, testMessages, "start", nil)
		p.Nav = []site.NavLink{{Href: "/", Text: p.T("nav.mine"), Current: true}}
		p.LoggedIn, p.Logout, p.CSRF = true, "/auth/logout", template.HTML(`<input type="hidden" name="csrf" value="x">`)
		site.Render(w, nil, pages, "start", http.StatusOK, p)
	})
	mux.HandleFunc("GET /feil/401", func(w http.ResponseWriter, r *http.Request) { errs.Show(w, r, http.StatusUnauthorized) })
	mux.HandleFunc("GET /feil/500", func(w http.ResponseWriter, r *http.Request) { errs.Show(w, r, http.StatusInternalServerError) })
	mux.Handle("/", errs.NotFoundHandler())
	srv := httptest.NewServer(site.Headers{}.Secure(site.Log(nil, site.RememberLang(mux))))
	t.Cleanup(srv.Close)
	return srv
}

var pagePaths = map[string]int{"/": 200, "/feil/401": 401, "/finnes-ikke": 404, "/feil/500": 500}

// TestPagesAreValidHTML: the layout with a page, and each error page, in
// nb, nn and en, is valid HTML by the Nu Html Checker, in the language asked
// for, and worded in it.
func TestPagesAreValidHTML(t *testing.T) {
	srv := pagesServer(t)
	var checked []vnu.Page
	for _, l := range i18n.All {
		for path, status := range pagePaths {
			res, err := srv.Client().Get(srv.URL + path + "?lang=" + string(l))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != status {
				t.Errorf("%s %s: status %d, want %d", l, path, res.StatusCode, status)
			}
			html := string(body)
			if !strings.Contains(html, `<html lang="`+string(l)+`">`) || !strings.Contains(html, testMessages.T(l, "service")) {
				t.Errorf("%s %s: not in %s:\n%s", l, path, l, html)
			}
			if status != 200 {
				key := site.ErrorKey(testMessages, status)
				if !strings.Contains(html, template.HTMLEscapeString(testMessages.T(l, key+".text"))) {
					t.Errorf("%s %s: no %s text", l, path, key)
				}
			}
			checked = append(checked, vnu.Page{Name: fmt.Sprintf("%s%s", l, path), HTML: body})
		}
	}
	vnu.Require(t, checked)
}

// TestPagesAxe: the same pages pass axe-core's WCAG 2.1 A/AA rules in
// Chromium, with the site's stylesheet and its Content-Security-Policy.
func TestPagesAxe(t *testing.T) {
	srv := pagesServer(t)
	ctx := browsertest.New(t)
	for _, l := range i18n.All {
		for path := range pagePaths {
			url := srv.URL + path + "?lang=" + string(l)
			if _, err := chromedp.Run(ctx, chromedp.Navigate(url)); err != nil {
				t.Fatalf("%s: %v", url, err)
			}
			t.Run(string(l)+path, func(t *testing.T) { browsertest.Axe(t, ctx) })
		}
	}
}
