package auth_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/auth"
)

// browserOrigin resolves a Location header value against base as a browser
// does (the WHATWG URL Standard's basic URL parser, only as far as the
// origin goes) and returns the origin it lands on, "" for an opaque one or a
// failure. The steps it follows:
//   - leading and trailing C0 controls and spaces are stripped, and every
//     ASCII tab, LF and CR is removed;
//   - a scheme is letters, digits, "+", "-", "." up to ":", starting with a
//     letter; the base's own special scheme without "//" stays relative
//     ("http:x"), another special scheme always has an authority, a
//     non-special one ("javascript:") is opaque;
//   - in a special scheme "\" counts as "/": a relative reference that
//     starts with two of them ("//", "/\", "\\", "\/") names a host, and all
//     further slashes and backslashes before the host are skipped;
//   - the host ends at "/", "\", "?" or "#"; userinfo ends at the last "@".
//
// It is stricter than a browser in one way: any host it finds counts as
// another origin unless it is byte-for-byte the base's.
func browserOrigin(base *url.URL, loc string) string {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= 0x20 })
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(loc)
	slash := func(c byte) bool { return c == '/' || c == '\\' }
	special := map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true, "file": true}
	scheme, rest := base.Scheme, loc
	if i := strings.IndexByte(loc, ':'); i > 0 && isAlpha(loc[0]) && strings.IndexFunc(loc[:i], func(r rune) bool {
		return !(r < utf8.RuneSelf && (isAlpha(byte(r)) || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'))
	}) < 0 {
		scheme, rest = strings.ToLower(loc[:i]), loc[i+1:]
		switch {
		case !special[scheme]:
			return "" // opaque: never the service's origin
		case scheme != base.Scheme:
			return authority(scheme, strings.TrimLeft(rest, "/\\"))
		case len(rest) >= 2 && rest[0] == '/' && rest[1] == '/':
			return authority(scheme, strings.TrimLeft(rest, "/\\"))
		}
	}
	// The relative state: two leading slashes of either kind name a host.
	if len(rest) >= 2 && slash(rest[0]) && slash(rest[1]) {
		return authority(scheme, strings.TrimLeft(rest, "/\\"))
	}
	return scheme + "://" + base.Host
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func authority(scheme, s string) string {
	if i := strings.IndexAny(s, "/\\?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "" // a special URL without a host fails to parse
	}
	return scheme + "://" + strings.ToLower(s)
}

// The resolver itself must see the attacks, or the property below proves
// nothing.
func TestBrowserOrigin(t *testing.T) {
	base, _ := url.Parse("http://kommune.example:8080/auth/callback")
	same := "http://kommune.example:8080"
	for loc, want := range map[string]string{
		"/min-side":                 same,
		"/":                         same,
		"min-side":                  same,
		"?x=//evil.example":         same,
		"/a/..%2F%5Cevil.example":   same,
		"http:min-side":             same,
		"/\\evil.example":           "http://evil.example",
		"//evil.example":            "http://evil.example",
		"\\\\evil.example":          "http://evil.example",
		"/\t/evil.example":          "http://evil.example",
		" \x00//evil.example/x":     "http://evil.example",
		"/\r\n/evil.example":        "http://evil.example",
		"http:\\\\evil.example":     "http://evil.example",
		"http://user@evil.example/": "http://evil.example",
		"https:evil.example":        "https://evil.example",
		"HTTPS:/\\evil.example":     "https://evil.example",
		"javascript:alert(1)":       "",
		"///\\\\\\evil.example":     "http://evil.example",
	} {
		if got := browserOrigin(base, loc); got != want {
			t.Errorf("browserOrigin(%q) = %q, want %q", loc, got, want)
		}
	}
}

// location is the Location header a handler sends for a return path, as
// the Manager's callback sends it, with the newline replacement that
// net/http's header writer makes.
func location(p string) string {
	w := httptest.NewRecorder()
	http.Redirect(w, httptest.NewRequest("GET", "http://kommune.example/auth/callback?code=x", nil), p, http.StatusSeeOther)
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(w.Header().Get("Location"))
}

func TestSafeReturnPath(t *testing.T) {
	for in, want := range map[string]string{
		"/min-side?tab=1":                       "/min-side?tab=1",
		"/soknad/abc/side-2?lang=nn":            "/soknad/abc/side-2?lang=nn",
		"/a/b/":                                 "/a/b/",
		"/søknad?steg=2&navn=Ærlig":             "/s%C3%B8knad?steg=2&navn=%C3%86rlig",
		"/a/./b/../c":                           "/a/c",
		"/min-side#top":                         "/min-side",
		"/a?return=//evil.example":              "/a?return=//evil.example",
		"/a/../%5Cevil.example":                 "/", // no backslash to a browser, but one to a handler that decodes it
		"/a/../\\evil.example":                  "/",
		"/sak/..%2F..%2F%5Cevil.example/betalt": "/",
		"/sak/%2e%2e/%2e%2e/x":                  "/",
		"/a%2F%2Fb":                             "/",
		"/a%09b":                                "/",
		"//evil.example":                        "/",
		"/\\evil.example":                       "/",
		"/\t/evil.example":                      "/",
		"/ /evil.example":                       "/",
		"https://evil.example":                  "/",
		"evil.example":                          "/",
		"":                                      "/",
		"/%zz":                                  "/",
		"/a\xffb":                               "/",
		"/.//evil.example":                      "/evil.example", // cleaned: a path on this site
		"/..//evil.example":                     "/evil.example",
	} {
		got := auth.SafeReturnPath(in)
		if got != want {
			t.Errorf("SafeReturnPath(%q) = %q, want %q", in, got, want)
		}
		if loc := location(got); loc != got {
			t.Errorf("http.Redirect changes %q into %q", got, loc)
		}
	}
}

// FuzzSafeReturnPath: whatever the return parameter holds, the Location
// the Manager sends resolves, as a browser resolves it, to the service's
// own origin; http.Redirect leaves it as it is; and its decoded path holds
// nothing a handler could redirect off the site with.
func FuzzSafeReturnPath(f *testing.F) {
	for _, s := range []string{
		"/min-side?tab=1", "/a/../\\evil.example", "/a/../%5Cevil.example", "//evil.example", "/\\evil.example",
		"/\t/evil.example", "/sak/..%2F..%2F%5Cevil.example/betalt", "http:\\\\evil.example", "/.//x", "/a/..//evil",
		"/%2F/evil", "/søknad?x=æ#frag", "\x00/\\x", "/a?b\\c", "/%5c%5cevil", "/./\\/evil",
	} {
		f.Add(s)
	}
	base, _ := url.Parse("http://kommune.example/auth/callback")
	f.Fuzz(func(t *testing.T, raw string) {
		p := auth.SafeReturnPath(raw)
		loc := location(p)
		if loc != p {
			t.Fatalf("SafeReturnPath(%q) = %q, but http.Redirect sends %q", raw, p, loc)
		}
		if o := browserOrigin(base, loc); o != "http://kommune.example" {
			t.Fatalf("SafeReturnPath(%q): Location %q takes the browser to %q", raw, loc, o)
		}
		for i := 0; i < len(loc); i++ {
			if loc[i] <= 0x20 || loc[i] >= 0x7f {
				t.Fatalf("SafeReturnPath(%q) = %q holds byte %#x", raw, loc, loc[i])
			}
		}
		if q := auth.SafeReturnPath(p); q != p {
			t.Fatalf("not idempotent: %q, then %q", p, q)
		}
		pathPart, _, _ := strings.Cut(p, "?")
		dec, err := url.PathUnescape(pathPart)
		if err != nil || strings.ContainsAny(dec, "\\\t\n\r") || strings.Contains(dec, "//") || strings.Contains(dec, "/../") || strings.HasSuffix(dec, "/..") {
			t.Fatalf("SafeReturnPath(%q) = %q decodes to %q", raw, p, dec)
		}
	})
}

// TestLoginReturnStaysOnSite runs the whole handler path, login, the fake
// ID-porten, callback, and resolves the callback's Location as a browser
// would: a return parameter never takes the citizen off the site.
func TestLoginReturnStaysOnSite(t *testing.T) {
	for ret, want := range map[string]string{
		"/a/../\\evil.example":                  "/",
		"/a/../%5Cevil.example":                 "/",
		"/sak/..%2F..%2F%5Cevil.example/betalt": "/",
		"//evil.example/x":                      "/",
		"/\t/evil.example":                      "/",
		"https://evil.example/":                 "/",
		"/min-side?tab=1":                       "/min-side?tab=1",
	} {
		s := newSite(t, false)
		noFollow := &http.Client{Jar: s.browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		next := s.rp.URL + "/auth/login?return=" + url.QueryEscape(ret)
		var loc string
		for range 5 {
			resp, err := noFollow.Get(next)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc = resp.Header.Get("Location")
			if strings.HasPrefix(resp.Request.URL.Path, "/auth/callback") {
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("return %q: callback answers %d", ret, resp.StatusCode)
				}
				break
			}
			u, err := resp.Request.URL.Parse(loc)
			if err != nil {
				t.Fatal(err)
			}
			next = u.String()
		}
		base, _ := url.Parse(s.rp.URL + "/auth/callback")
		if o := browserOrigin(base, loc); o != s.rp.URL || loc != want {
			t.Errorf("return %q: the callback sends the browser to %q (origin %q), want %q", ret, loc, o, want)
		}
	}
}
