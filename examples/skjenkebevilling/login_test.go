package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestCannotActFor logs in (through the test-user picker, without a
// browser) as someone with no role in the applicant company: the service
// refuses, in the citizen's language.
func TestCannotActFor(t *testing.T) {
	_, base, _ := startApp(t, "", pinned(t))
	c := sitetest.NewBrowser(t)
	res, page := c.Login(base+"/soknad/ny?lang=nn", registrytest.Persons()[registrytest.NilsFjeld].FNR.Reveal())
	if res.StatusCode != 200 || !strings.HasSuffix(res.Request.URL.Path, "/soknad/ny") || !strings.Contains(page, `<html lang="nn">`) {
		t.Fatalf("after login: %d %s %s", res.StatusCode, res.Request.URL, page)
	}
	csrf := c.CSRF(page)
	res, page = c.Do("POST", base+"/soknad/ny", url.Values{"orgnr": {registrytest.ApplicantOrgnr}, "csrf_token": {csrf}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Du har ikkje ei rolle") {
		t.Fatalf("acting for a company without a role: %d %s", res.StatusCode, page)
	}
	// Without the CSRF token the post is refused outright.
	if res, _ := c.Do("POST", base+"/soknad/ny", url.Values{"orgnr": {registrytest.ApplicantOrgnr}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("post without CSRF: %d", res.StatusCode)
	}
	// An invalid number never reaches the register.
	if res, page := c.Do("POST", base+"/soknad/ny", url.Values{"orgnr": {"123"}, "csrf_token": {csrf}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "9 siffer") {
		t.Errorf("invalid orgnr: %d %s", res.StatusCode, page)
	}
}

// TestOfficerAllowList lets only GRUNNMUR_OFFICERS into the officers' view,
// whoever Ansattporten logs in.
func TestOfficerAllowList(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	login := func(pid string) (*http.Response, string) {
		return sitetest.NewBrowser(t).Login(base+"/ansatt?lang=en", pid)
	}
	if res, page := login(registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal()); res.StatusCode != http.StatusForbidden || !strings.Contains(page, "not on the list of case officers") {
		t.Errorf("a citizen in the officers' view: %d %s", res.StatusCode, page)
	}
	if res, page := login(app.Fakes.Officer.PID.Reveal()); res.StatusCode != 200 || !strings.Contains(page, `id="extract"`) {
		t.Errorf("the officer: %d %s", res.StatusCode, page)
	}
}
