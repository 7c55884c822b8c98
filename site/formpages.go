package site

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/grunnmur/grunnmur/i18n"
)

// formHeader is the site's header as the forms pages show it, in one
// language: the service's name, the citizen's menu, the logout button
// (hidden marks where the form's CSRF field goes) and the language switch.
var formHeader = template.Must(template.New("header").Parse(`<header class="ds-header">
<p class="ds-header__title"><a class="ds-link" href="/">{{.Service}}</a></p>
<nav class="ds-header__nav" aria-label="{{.Main}}">
<ul class="ds-list--inline">
{{range .Nav}}<li><a class="ds-link" href="{{.Href}}">{{.Text}}</a></li>
{{end}}{{.Logout}}</ul>
</nav>
<nav class="ds-lang" aria-label="{{.LangNav}}">
<ul class="ds-list--inline">
{{range .Langs}}<li>{{if .Current}}<span aria-current="true">{{.Text}}</span>{{else}}<a class="ds-link" href="?lang={{.Lang}}" hreflang="{{.Lang}}" lang="{{.Lang}}">{{.Text}}</a>{{end}}</li>
{{end}}</ul>
</nav>
</header>`))

// The delimiters of the templates FormPages writes: a service's texts may
// hold "{{", never these.
const formLeft, formRight = "\x00[[", "]]\x00"

// FormPages are template overrides for a forms.Renderer (Renderer.Templates)
// that put the site's header on a form's pages, in the page's language: the
// service's name (message "service"), the citizen's menu as ServiceConfig.Menu
// gives it for prefix (the form's path), the logout button and the language
// switch, with the site's stylesheet after the forms'. The templates in
// fsys matched by patterns, if any, are added: a service's own overrides of
// the forms templates ("receipt", say), parsed with the forms package's
// function msg.
func (s *Service) FormPages(prefix string, fsys fs.FS, patterns ...string) (*template.Template, error) {
	act := func(a string) string { return formLeft + a + formRight }
	var b strings.Builder
	b.WriteString(act(`define "head"`) + `<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + act(".Title") + `</title>
` + act("if .Stylesheet") + `<link rel="stylesheet" href="` + act(".Stylesheet") + `">` + act("else") + `<style>` + act(".CSS") + `</style>` + act("end") + `
<link rel="stylesheet" href="/static/site.css">` + act("end") + act(`define "header"`))
	for i, lang := range i18n.All {
		h, err := s.formHeader(prefix, lang)
		if err != nil {
			return nil, err
		}
		switch {
		case i == 0:
			b.WriteString(act(`if eq (print .Lang) "` + string(lang) + `"`))
		case i < len(i18n.All)-1:
			b.WriteString(act(`else if eq (print .Lang) "` + string(lang) + `"`))
		default:
			b.WriteString(act("else"))
		}
		b.WriteString(h)
	}
	b.WriteString(act("end") + act("end"))
	src := b.String()
	t, err := template.New("site-form-pages").Delims(formLeft, formRight).Parse(src)
	if err != nil {
		return nil, fmt.Errorf("site: form pages: %w", err)
	}
	if len(patterns) == 0 {
		return t, nil
	}
	t = t.Delims("{{", "}}").Funcs(template.FuncMap{"msg": func(string, i18n.Lang) string { return "" }})
	if t, err = t.ParseFS(fsys, patterns...); err != nil {
		return nil, fmt.Errorf("site: form pages: %w", err)
	}
	return t, nil
}

// formHeader is the header in lang, with the logout button as a template
// action in FormPages' delimiters: it posts the forms page's CSRF field,
// and shows only when there is one (a login). Escaping turns a NUL in a
// text into U+FFFD, so no text can hold the delimiters or the marker.
func (s *Service) formHeader(prefix string, lang i18n.Lang) (string, error) {
	const marker = "\x00logout\x00"
	d := struct {
		Service, Main, LangNav string
		Nav, Langs             []NavLink
		Logout                 template.HTML
	}{Service: s.Messages.T(lang, "service"), Main: s.Messages.T(lang, "nav.main"), LangNav: s.Messages.T(lang, "nav.lang"), Logout: marker}
	if s.menu != nil {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: prefix}, Header: http.Header{}}
		for _, l := range s.menu(r, false) {
			d.Nav = append(d.Nav, NavLink{Href: l.Href, Text: s.Messages.T(lang, l.Text)})
		}
	}
	for _, l := range i18n.All {
		d.Langs = append(d.Langs, NavLink{Text: langNames[l], Lang: l, Current: l == lang})
	}
	var b bytes.Buffer
	if err := formHeader.Execute(&b, d); err != nil {
		return "", err
	}
	logout := formLeft + "if .Hidden" + formRight + `<li><form method="post" action="` + template.HTMLEscapeString(s.Citizen.Prefix+"/logout") +
		`" class="ds-inline-form">` + formLeft + ".Hidden" + formRight + `<button class="ds-button ds-button--tertiary" type="submit">` +
		template.HTMLEscapeString(s.Messages.T(lang, "logout")) + `</button></form></li>` + formLeft + "end" + formRight
	return strings.Replace(b.String(), marker, logout, 1), nil
}
