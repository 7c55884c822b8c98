package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func TestBadBytesInIDs(t *testing.T)         { testBadBytesInIDs(t, "") }
func TestBadBytesInIDsPostgres(t *testing.T) { testBadBytesInIDs(t, postgrestest.URL(t)) }

// testBadBytesInIDs: an id in a URL that is not UTF-8 or holds a NUL names
// nothing, so it is a 404 for the citizen and the officer alike, not a 500
// from the database.
func testBadBytesInIDs(t *testing.T, databaseURL string) {
	app, base, _ := startApp(t, databaseURL, pinned(t))
	citizen := loginAt(t, base, "/min-side", registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	jar, _ := cookiejar.New(nil)
	officer := &client{t: t, c: &http.Client{Jar: jar}}
	_, picker := officer.do("GET", base+"/ansatt", nil)
	if res, page := officer.do("POST", find(t, `<form method="post" action="([^"]+)"`, picker), url.Values{
		"request": {find(t, `name="request" value="([^"]+)"`, picker)},
		"pid":     {app.Fakes.Officer.PID.Reveal()}, "acr": {"idporten-loa-substantial"},
	}); res.StatusCode != 200 {
		t.Fatalf("officer login: %d %s", res.StatusCode, page)
	}
	for _, id := range []string{"%00", "%ff", "a%00b", "%c3%28", "%ed%a0%80"} {
		for _, c := range []struct {
			who  *client
			path string
		}{
			{citizen, "/sak/" + id},
			{citizen, "/sak/" + id + "/befaring"},
			{citizen, "/sak/" + id + "/befaring/" + id},
			{citizen, "/sak/" + id + "/brev.pdf"},
			{citizen, "/sak/" + id + "/vedlegg/" + id},
			{citizen, "/soknad/" + id + "/soker"},
			{citizen, "/kvittering/" + id},
			{officer, "/ansatt/sak/" + id},
			{officer, "/ansatt/sak/" + id + "/brev.pdf"},
			{officer, "/ansatt/sak/" + id + "/vedlegg/" + id},
		} {
			if res, _ := c.who.do("GET", base+c.path, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", c.path, res.StatusCode)
			}
		}
	}
}
