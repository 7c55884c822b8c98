package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/registry/registrytest"
)

type client struct {
	t *testing.T
	c *http.Client
}

func (c *client) do(method, u string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func find(t *testing.T, re, body string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in %s", re, body)
	}
	return m[1]
}

// TestCannotActFor logs in (through the test-user picker, without a
// browser) as someone with no role in the applicant company: the service
// refuses, in the citizen's language.
func TestCannotActFor(t *testing.T) {
	_, base, _ := startApp(t, "", pinned(t))
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, c: &http.Client{Jar: jar}}
	_, picker := c.do("GET", base+"/soknad/ny?lang=nn", nil)
	nils := registrytest.Persons()[registrytest.NilsFjeld].FNR.Reveal()
	res, page := c.do("POST", find(t, `<form method="post" action="([^"]+)"`, picker), url.Values{
		"request": {find(t, `name="request" value="([^"]+)"`, picker)},
		"pid":     {nils}, "acr": {"idporten-loa-substantial"},
	})
	if res.StatusCode != 200 || !strings.HasSuffix(res.Request.URL.Path, "/soknad/ny") || !strings.Contains(page, `<html lang="nn">`) {
		t.Fatalf("after login: %d %s %s", res.StatusCode, res.Request.URL, page)
	}
	csrf := find(t, `name="csrf_token" value="([^"]+)"`, page)
	res, page = c.do("POST", base+"/soknad/ny", url.Values{"orgnr": {registrytest.ApplicantOrgnr}, "csrf_token": {csrf}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Du har ikkje ei rolle") {
		t.Fatalf("acting for a company without a role: %d %s", res.StatusCode, page)
	}
	// Without the CSRF token the post is refused outright.
	if res, _ := c.do("POST", base+"/soknad/ny", url.Values{"orgnr": {registrytest.ApplicantOrgnr}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("post without CSRF: %d", res.StatusCode)
	}
	// An invalid number never reaches the register.
	if res, page := c.do("POST", base+"/soknad/ny", url.Values{"orgnr": {"123"}, "csrf_token": {csrf}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "9 siffer") {
		t.Errorf("invalid orgnr: %d %s", res.StatusCode, page)
	}
}

// TestOfficerAllowList lets only GRUNNMUR_OFFICERS into the officers' view,
// whoever Ansattporten logs in.
func TestOfficerAllowList(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	login := func(pid string) (*http.Response, string) {
		jar, _ := cookiejar.New(nil)
		c := &client{t: t, c: &http.Client{Jar: jar}}
		_, picker := c.do("GET", base+"/ansatt?lang=en", nil)
		return c.do("POST", find(t, `<form method="post" action="([^"]+)"`, picker), url.Values{
			"request": {find(t, `name="request" value="([^"]+)"`, picker)},
			"pid":     {pid}, "acr": {"idporten-loa-substantial"},
		})
	}
	if res, page := login(registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal()); res.StatusCode != http.StatusForbidden || !strings.Contains(page, "not on the list of case officers") {
		t.Errorf("a citizen in the officers' view: %d %s", res.StatusCode, page)
	}
	if res, page := login(app.Fakes.Officer.PID.Reveal()); res.StatusCode != 200 || !strings.Contains(page, `id="extract"`) {
		t.Errorf("the officer: %d %s", res.StatusCode, page)
	}
}
