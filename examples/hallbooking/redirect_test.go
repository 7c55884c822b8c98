package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestNoOpenRedirect: the login's return parameter and the booking and
// series pages that Vipps returns to never send a browser off the site,
// whatever their path holds; the redirects after paying or cancelling are
// built from the stored booking or series, not from the request.
func TestNoOpenRedirect(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	b := sitetest.NewBrowser(t)
	_, picker := b.Do("GET", base+"/auth/login?return="+url.QueryEscape(`/a/../\evil.example`), nil)
	res, _ := b.Pick(picker, registrytest.Persons()[registrytest.NilsFjeld].FNR.Reveal())
	if res.StatusCode != 200 || res.Request.URL.Path != "/" {
		t.Errorf("after the login: %d at %s", res.StatusCode, res.Request.URL)
	}
	_, page := b.Do("GET", base+"/min-side", nil)
	token := b.CSRF(page)
	for _, p := range []string{"/booking/..%2F..%2F%5Cevil.example", "/serie/..%2F..%2F%5Cevil.example"} {
		if res, _ := b.NoFollow("GET", base+p, nil); res.StatusCode != http.StatusNotFound || res.Header.Get("Location") != "" {
			t.Errorf("GET %s: %d, Location %q", p, res.StatusCode, res.Header.Get("Location"))
		}
		for _, action := range []string{"/avbestill", "/vipps", "/faktura"} {
			res, _ := b.NoFollow("POST", base+p+action, url.Values{"csrf_token": {token}})
			if res.StatusCode != http.StatusNotFound || res.Header.Get("Location") != "" {
				t.Errorf("POST %s%s: %d, Location %q", p, action, res.StatusCode, res.Header.Get("Location"))
			}
		}
	}
	for _, loc := range b.Locations {
		if strings.ContainsAny(loc, "\\\t\n\r") || strings.HasPrefix(loc, "//") ||
			strings.Contains(loc, "://") && !strings.HasPrefix(loc, base) && !strings.HasPrefix(loc, app.Externals.Fakes.IDPortenURL) {
			t.Errorf("the citizen was sent to %q", loc)
		}
	}
}
