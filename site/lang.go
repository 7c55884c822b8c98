package site

import (
	"net/http"
	"slices"
	"strings"

	"github.com/grunnmur/grunnmur/i18n"
)

// LangCookie is the cookie that remembers the citizen's choice of language
// (see RememberLang).
const LangCookie = "lang"

// Lang returns the request's language: the lang query parameter, else the
// LangCookie cookie, else the first of the Accept-Language header's tags
// that is bokmål, nynorsk or English ("no" counts as bokmål), else
// i18n.NB. It always returns one of i18n.All.
func Lang(r *http.Request) i18n.Lang {
	if l := i18n.Lang(r.URL.Query().Get("lang")); slices.Contains(i18n.All, l) {
		return l
	}
	if c, err := r.Cookie(LangCookie); err == nil && slices.Contains(i18n.All, i18n.Lang(c.Value)) {
		return i18n.Lang(c.Value)
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(part, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		switch {
		case tag == "nn" || strings.HasPrefix(tag, "nn-"):
			return i18n.NN
		case tag == "nb" || tag == "no" || strings.HasPrefix(tag, "nb-") || strings.HasPrefix(tag, "no-"):
			return i18n.NB
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return i18n.EN
		}
	}
	return i18n.NB
}

// RememberLang stores a lang query parameter naming one of i18n.All in the
// LangCookie cookie, so that the choice holds on the next pages and after
// the login. The language switch (Page.LangLinks) links with that
// parameter.
func RememberLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := i18n.Lang(r.URL.Query().Get("lang")); slices.Contains(i18n.All, l) {
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		next.ServeHTTP(w, r)
	})
}

// Messages are a service's texts: key, then language. Write them as a
// literal:
//
//	var messages = site.Messages{
//		"service": {"nb": "Skjenkebevilling", "nn": "Skjenkeløyve", "en": "Liquor licence"},
//	}
//
// A test should require Missing and Shadowed to be empty.
type Messages map[string]map[i18n.Lang]string

// T returns the text of key in lang. A key m lacks is looked up in Common;
// a language the text lacks falls back to bokmål; an unknown key is
// returned as it is, so that a missing text shows rather than hides.
func (m Messages) T(lang i18n.Lang, key string) string {
	t, ok := m[key]
	if !ok {
		t, ok = Common[key]
	}
	if !ok {
		return key
	}
	if s, ok := t[lang]; ok {
		return s
	}
	return t[i18n.NB]
}

// Has reports whether key has a text, in m or in Common.
func (m Messages) Has(key string) bool {
	_, ok := m[key]
	_, common := Common[key]
	return ok || common
}

// Missing lists the texts that lack a language, as "key/lang", sorted: a
// test fails on any, since nb, nn and en are equals.
func (m Messages) Missing() []string {
	var out []string
	for k, t := range m {
		for _, l := range i18n.All {
			if t[l] == "" {
				out = append(out, k+"/"+string(l))
			}
		}
	}
	slices.Sort(out)
	return out
}

// Shadowed lists the keys of m that Common has too, sorted: a service that
// words the skip link or the error summary its own way breaks "one wording
// in every service", so a test fails on any.
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
