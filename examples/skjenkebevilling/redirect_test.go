package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// offSite reports whether a browser would leave base for loc: a backslash
// is a slash to a browser, so "/\evil.example" is //evil.example.
func offSite(base, loc string) bool {
	if strings.ContainsAny(loc, "\\\t\n\r") {
		return true
	}
	u, err := url.Parse(loc)
	if err != nil {
		return true
	}
	b, _ := url.Parse(base)
	return u.Host != "" && u.Host != b.Host
}

// TestNoOpenRedirect: neither the return from payment nor the return
// parameter of the citizens' or the officers' login sends a browser off
// the site (GET /sak/..%2F..%2F%5Cevil.example/betalt answered
// Location: /\evil.example).
func TestNoOpenRedirect(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	evil := base + "/sak/..%2F..%2F%5Cevil.example/betalt"

	// Logged out: the page asks for a login, and the login returns to the
	// start page, not to the crafted path.
	b := sitetest.NewBrowser(t)
	_, picker := b.Do("GET", evil, nil)
	res, _ := b.Pick(picker, registrytest.Persons()[registrytest.NilsFjeld].FNR.Reveal())
	if res.StatusCode != 200 || res.Request.URL.Path != "/" {
		t.Errorf("after the login: %d at %s", res.StatusCode, res.Request.URL)
	}
	// Logged in: no case has that id.
	if res, _ := b.NoFollow("GET", evil, nil); res.StatusCode != http.StatusNotFound || res.Header.Get("Location") != "" {
		t.Errorf("logged in: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, loc := range b.Locations {
		if offSite(base, loc) && !strings.HasPrefix(loc, app.Fakes.IDPortenURL) {
			t.Errorf("the citizen was sent to %q", loc)
		}
	}

	// The officers' login, with the return parameter of the report.
	o := sitetest.NewBrowser(t)
	_, picker = o.Do("GET", base+"/ansatt/auth/login?return="+url.QueryEscape(`/a/../\evil.example`), nil)
	if res, _ := o.Pick(picker, app.Fakes.Officer.PID.Reveal()); res.StatusCode != 200 || res.Request.URL.Path != "/" {
		t.Errorf("after the officer's login: %d at %s", res.StatusCode, res.Request.URL)
	}
	for _, loc := range o.Locations {
		if offSite(base, loc) && !strings.HasPrefix(loc, app.Fakes.IDPortenURL) {
			t.Errorf("the officer was sent to %q", loc)
		}
	}
}
