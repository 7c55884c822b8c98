// Package site holds what every example service shares: the configuration of
// the outside services (Setup: real ones through GRUNNMUR_*, the rest from
// the in-process devenv sandbox, read through one getenv), the Vipps webhook
// (registered at start-up, verified at WebhookPath), the language of the
// request (nb, nn, en), security headers, request logs without personal data,
// the page layout with a skip link, a language switch and the login menu,
// Oslo dates in three languages, health endpoints and graceful shutdown. It is
// internal to the examples: an agency would keep its own.
package site

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// Langs are the languages every page is offered in.
var Langs = []string{"nb", "nn", "en"}

// LangCookie remembers the citizen's choice.
const LangCookie = "lang"

// Lang returns the request's language: the lang query parameter, else the
// cookie, else the Accept-Language header's first supported tag, else nb.
func Lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(Langs, l) {
		return l
	}
	if c, err := r.Cookie(LangCookie); err == nil && slices.Contains(Langs, c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "nn" || strings.HasPrefix(tag, "nn-"):
			return "nn"
		case tag == "nb" || tag == "no" || strings.HasPrefix(tag, "nb-") || strings.HasPrefix(tag, "no-"):
			return "nb"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		}
	}
	return "nb"
}

// Messages are a service's texts: key, then language.
type Messages map[string]map[string]string

// T returns the text of key in lang, falling back to nb, then to Common,
// then the key.
func (m Messages) T(lang, key string) string {
	t, ok := m[key]
	if !ok {
		t, ok = Common[key]
	}
	if ok {
		if s, ok := t[lang]; ok {
			return s
		}
		return t["nb"]
	}
	return key
}

// Has reports whether key has a text, here or in Common.
func (m Messages) Has(key string) bool {
	_, ok := m[key]
	_, common := Common[key]
	return ok || common
}

// Missing lists the keys that lack a language, for a test.
func (m Messages) Missing() []string {
	var out []string
	for k, t := range m {
		for _, l := range Langs {
			if t[l] == "" {
				out = append(out, k+"/"+l)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Shadowed lists the service's keys that Common has too, for a test: a
// service that words the skip link or the error summary its own way breaks
// "one wording in every service".
func (m Messages) Shadowed() []string {
	var out []string
	for k := range m {
		if _, ok := Common[k]; ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// Headers configures the security headers.
type Headers struct {
	// FrameAncestors may frame FramePath (ID-porten's front-channel logout
	// iframe): the identity provider's origins.
	FrameAncestors []string
	FramePath      []string
	// FormAction are origins a form post may be redirected to besides
	// 'self' (ID-porten's end_session_endpoint, the payment provider).
	FormAction []string
	// TrustProxy takes X-Forwarded-Proto: https as TLS, for HSTS behind a
	// proxy that ends TLS.
	TrustProxy bool
}

// Secure adds the security headers: a Content-Security-Policy without
// inline script or style, HSTS when the request came over TLS, and the
// usual nosniff, referrer and permissions policies.
func (h Headers) Secure(next http.Handler) http.Handler {
	origins := func(list []string) string {
		var out []string
		for _, o := range list {
			if u, err := url.Parse(o); err == nil && u.Host != "" {
				out = append(out, u.Scheme+"://"+u.Host)
			}
		}
		slices.Sort(out)
		return strings.Join(slices.Compact(out), " ")
	}
	frame, action := origins(h.FrameAncestors), origins(h.FormAction)
	base := "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
	if action != "" {
		base += " " + action
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		fa := "'none'"
		if frame != "" && slices.Contains(h.FramePath, r.URL.Path) {
			fa = frame
		} else {
			hd.Set("X-Frame-Options", "DENY")
		}
		hd.Set("Content-Security-Policy", base+"; frame-ancestors "+fa)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil || (h.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
			hd.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// RememberLang stores a lang query parameter in a cookie, so that the choice
// holds on the next pages and after the login.
func RememberLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := r.URL.Query().Get("lang"); slices.Contains(Langs, l) {
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Log writes one line per request: method, route, path, status and
// duration; never the query, which can carry codes and tokens.
//
// The path is written as far as the route that served it names it (see
// LoggedPath): the ids its wildcards match are the services' own opaque
// ids, but what lies below a subtree route such as "GET /kalender/" is read
// by a handler mounted there, and may be a secret (a calendar feed's
// token), so it is redacted. Log must wrap the ServeMux, which records the
// route on the request.
func Log(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		l.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", r.Pattern), slog.String("path", LoggedPath(r)),
			slog.Int("status", sw.status), slog.Duration("took", time.Since(start)))
	})
}

// Redacted stands for the part of a path that Log leaves out.
const Redacted = "[redacted]"

// LoggedPath returns r's escaped path with what its route pattern does not
// name replaced by Redacted: the rest below a subtree pattern ("/kalender/",
// "/", "/static/{f...}"), or all of it when no route was matched.
func LoggedPath(r *http.Request) string {
	p := r.URL.EscapedPath()
	pat := ""
	if i := strings.IndexByte(r.Pattern, '/'); i >= 0 {
		pat = r.Pattern[i:] // without the method and host
	}
	var keep int // the leading segments the pattern names
	switch {
	case pat == "":
		keep = 0
	case strings.HasSuffix(pat, "/"), strings.HasSuffix(pat, "...}"):
		keep = strings.Count(pat, "/") - 1
	default:
		return p // every segment is a literal or a single wildcard
	}
	segs := strings.SplitN(p, "/", keep+2)
	if len(segs) < keep+2 || segs[keep+1] == "" {
		return p
	}
	return strings.Join(segs[:keep+1], "/") + "/" + Redacted
}

//go:embed layout.html site.css error.html
var files embed.FS

// CSS is the stylesheet of the layout, in Designsystemet's ds-* names.
func CSS() []byte {
	b, _ := files.ReadFile("site.css")
	return b
}

// NavLink is one entry of the header menu.
type NavLink struct {
	Href, Text string
	Lang       string // the language of a language-switch link
	Current    bool
}

// Page is what the layout gets; Data is the service's own.
type Page struct {
	Lang, Title, Service string
	// Path is the current path (for the language switch links).
	Path string
	Nav  []NavLink
	// LoggedIn shows the logout button, which posts Logout with CSRF.
	LoggedIn bool
	Logout   string
	CSRF     template.HTML
	T        func(key string) string
	Data     any
	// Stylesheets to link after the site's own.
	Stylesheets []string
}

// LangLinks are the language switch: each other language's link to the
// current page.
func (p *Page) LangLinks() []NavLink {
	names := map[string]string{"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
	var out []NavLink
	for _, l := range Langs {
		out = append(out, NavLink{Href: p.Path + "?lang=" + l, Text: names[l], Lang: l, Current: l == p.Lang})
	}
	return out
}

// Templates parses the layout with a service's page templates (each defines
// "content"): one template set per page file, keyed by its base name. Files
// whose name starts with "_" are partials: they define templates that every
// page may call, and are no page themselves. A
// service without its own "error" page gets the site's (its Data is the key
// of the message to show).
func Templates(fsys fs.FS, funcs template.FuncMap, patterns ...string) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "layout.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	var pages []string
	for _, pat := range patterns {
		names, err := fs.Glob(fsys, pat)
		if err != nil {
			return nil, err
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
	for _, n := range pages {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(fsys, n); err != nil {
			return nil, fmt.Errorf("site: %s: %w", n, err)
		}
		out[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	if _, ok := out["error"]; !ok {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if out["error"], err = t.ParseFS(files, "error.html"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Serve runs srv on ln until ctx ends, then shuts it down gracefully,
// waiting up to grace for requests in flight.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// Health serves /healthz (the process runs) and /readyz (ready checks its
// dependencies, such as the database).
func Health(mux *http.ServeMux, ready func(ctx context.Context) error) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if ready != nil {
			if err := ready(ctx); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "not ready")
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
}
