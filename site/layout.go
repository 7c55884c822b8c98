package site

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/defaults"
)

//go:embed layout.html site.css error.html actfor.html notifychoice.html
var files embed.FS

// CSS returns the layout's stylesheet, written in the class names of
// Designsystemet (ds-*), the Norwegian public sector's design system. The
// layout links it as /static/site.css: serve it there with Static.
func CSS() []byte {
	b, _ := files.ReadFile("site.css")
	return b
}

// NavLink is one entry of the header's menu or of the language switch.
type NavLink struct {
	Href, Text string
	// Lang is the language a language-switch link leads to; "" in the
	// menu.
	Lang i18n.Lang
	// Current marks the page shown (aria-current).
	Current bool
}

// Page is what the layout shows around a service's page template.
type Page struct {
	// Lang is the page's language (html lang), usually Lang(r).
	Lang i18n.Lang
	// Title is the page's heading and, with Service, its title.
	Title, Service string
	// Path is the current path, which the language switch links to.
	Path string
	// Nav is the header's menu.
	Nav []NavLink
	// LoggedIn shows the logout button, which posts to Logout with the
	// CSRF field (auth.Manager's CSRFField).
	LoggedIn bool
	Logout   string
	CSRF     template.HTML
	// T returns the text of a key in the page's language: the layout calls
	// it for its own texts (see Common); NewPage sets it.
	T func(key string) string
	// Data is the service's own, for its template.
	Data any
	// Stylesheets are linked after the site's own (forms.css, say).
	Stylesheets []string
}

// NewPage is a Page in r's language (Lang) for the current path, worded by
// m: Service is m's text "service", Title is m's text titleKey.
func NewPage(r *http.Request, m Messages, titleKey string, data any) *Page {
	lang := Lang(r)
	return &Page{Lang: lang, Path: r.URL.Path, Title: m.T(lang, titleKey), Service: m.T(lang, "service"), Data: data,
		T: func(k string) string { return m.T(lang, k) }}
}

// langNames are the language switch's words, each in its own language.
var langNames = map[i18n.Lang]string{i18n.NB: "Bokmål", i18n.NN: "Nynorsk", i18n.EN: "English"}

// Refused marks p as a form shown again with an error: its title starts
// with the word "Feil" (Common's "error") in its language, which a screen
// reader then says first, and it returns the text of key for the page to
// show. Render p with 422 Unprocessable Entity.
func (p *Page) Refused(key string) string {
	p.Title = p.T("error") + ": " + p.Title
	return p.T(key)
}

// LangLinks are the language switch: a link to the current page in each
// language (Path?lang=xx), the page's own marked Current.
func (p *Page) LangLinks() []NavLink {
	var out []NavLink
	for _, l := range i18n.All {
		out = append(out, NavLink{Href: p.Path + "?lang=" + string(l), Text: langNames[l], Lang: l, Current: l == p.Lang})
	}
	return out
}

// Templates parses the layout with a service's page templates: one template
// set per page file matched by patterns in fsys, keyed by its base name
// without ".html". A page file defines "content", which the layout shows in
// its main element, with the *Page as dot.
//
// Files whose name starts with "_" are partials: they define templates that
// every page may call, and are no page themselves. A service without its
// own "error" page gets the site's, which ErrorPage renders, and likewise
// "actfor" (Service.ActForPage).
func Templates(fsys fs.FS, funcs template.FuncMap, patterns ...string) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "layout.html", "notifychoice.html")
	if err != nil {
		return nil, err
	}
	var pages []string
	for _, pat := range patterns {
		names, err := fs.Glob(fsys, pat)
		if err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
		for _, n := range names {
			if !strings.HasPrefix(path.Base(n), "_") {
				pages = append(pages, n)
				continue
			}
			if _, err := base.ParseFS(fsys, n); err != nil {
				return nil, fmt.Errorf("site: %s: %w", n, err)
			}
		}
	}
	out := map[string]*template.Template{}
	add := func(name string, fsys fs.FS, file string) error {
		t, err := base.Clone()
		if err == nil {
			out[name], err = t.ParseFS(fsys, file)
		}
		if err != nil {
			return fmt.Errorf("site: %s: %w", file, err)
		}
		return nil
	}
	for _, n := range pages {
		if err := add(strings.TrimSuffix(path.Base(n), ".html"), fsys, n); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"error", "actfor"} {
		if _, ok := out[name]; !ok {
			if err := add(name, files, name+".html"); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Render writes the page template name (from Templates) in the layout with
// p, with status. It renders into a buffer first, so that a template error
// becomes a clean 500 (logged to log; nil discards) and never half a page.
func Render(w http.ResponseWriter, log *slog.Logger, tmpl map[string]*template.Template, name string, status int, p *Page) {
	log = defaults.Logger(log)
	t, ok := tmpl[name]
	if !ok {
		log.Error("site: no template", "name", name)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", p); err != nil {
		log.Error("site: template", "name", name, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, b.String())
}

// Static serves b with content type ct, cached for an hour: the layout's
// stylesheet, say.
//
//	mux.HandleFunc("GET /static/site.css", site.Static("text/css; charset=utf-8", site.CSS()))
func Static(ct string, b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(b)
	}
}
