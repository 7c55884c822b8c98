package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

func TestSessionsStayWithTheirLogin(t *testing.T) { testSessionsStay(t, "") }
func TestSessionsStayWithTheirLoginPostgres(t *testing.T) {
	testSessionsStay(t, postgrestest.URL(t))
}

// testSessionsStay: the officer logs in twice, at /min-side with ID-porten
// and at /ansatt with Ansattporten; each session token placed in the other
// login's cookie opens nothing. (On PostgreSQL both logins share one table:
// the ID-porten session opened /ansatt, and the Ansattporten one /min-side.)
func testSessionsStay(t *testing.T, databaseURL string) {
	app, base, _ := startApp(t, databaseURL, pinned(t))
	officer := app.Fakes.Officer.PID.Reveal()
	citizen, staff := sitetest.NewBrowser(t), sitetest.NewBrowser(t)
	if res, page := citizen.Login(base+"/min-side", officer); res.StatusCode != 200 || res.Request.URL.Path != "/min-side" {
		t.Fatalf("ID-porten login: %d at %s: %.300s", res.StatusCode, res.Request.URL, page)
	}
	if res, page := staff.Login(base+"/ansatt", officer); res.StatusCode != 200 || res.Request.URL.Path != "/ansatt" {
		t.Fatalf("Ansattporten login: %d at %s: %.300s", res.StatusCode, res.Request.URL, page)
	}
	u, _ := url.Parse(base)
	token := func(b *sitetest.Browser, name string) string {
		for _, c := range b.C.Jar.Cookies(u) {
			if c.Name == name {
				return c.Value
			}
		}
		t.Fatalf("no cookie %s", name)
		return ""
	}
	idporten, ansatt := token(citizen, "grunnmur_session"), token(staff, "grunnmur_officer")
	for _, c := range []struct{ path, cookie, token string }{
		{"/ansatt", "grunnmur_officer", idporten},
		{"/ansatt/uttrekk", "grunnmur_officer", idporten},
		{"/min-side", "grunnmur_session", ansatt},
	} {
		req, _ := http.NewRequest("GET", base+c.path, nil)
		req.AddCookie(&http.Cookie{Name: c.cookie, Value: c.token})
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/auth/login") {
			t.Errorf("%s with the other login's session in %s: %d %s", c.path, c.cookie, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// Both sessions still work where they belong.
	if res, _ := citizen.Do("GET", base+"/min-side", nil); res.StatusCode != 200 || res.Request.URL.Path != "/min-side" {
		t.Errorf("/min-side after the swap: %d at %s", res.StatusCode, res.Request.URL)
	}
	if res, _ := staff.Do("GET", base+"/ansatt", nil); res.StatusCode != 200 || res.Request.URL.Path != "/ansatt" {
		t.Errorf("/ansatt after the swap: %d at %s", res.StatusCode, res.Request.URL)
	}
}
