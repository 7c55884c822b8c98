package main

import (
	"net/http"
	"testing"

	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

func TestBadBytesInIDs(t *testing.T)         { testBadBytesInIDs(t, "") }
func TestBadBytesInIDsPostgres(t *testing.T) { testBadBytesInIDs(t, postgrestest.URL(t)) }

// testBadBytesInIDs: an id in a URL that is not UTF-8 or holds a NUL names
// nothing, so it is a 404 for the citizen and the officer alike, not a 500
// from the database.
func testBadBytesInIDs(t *testing.T, databaseURL string) {
	app, base, _ := startApp(t, databaseURL, pinned(t))
	citizen := loginAt(t, base, "/min-side", registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	officer := loginAt(t, base, "/ansatt", app.Fakes.Officer.PID.Reveal())
	for _, id := range []string{"%00", "%ff", "a%00b", "%c3%28", "%ed%a0%80"} {
		for _, c := range []struct {
			who  *sitetest.Browser
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
			if res, _ := c.who.Do("GET", base+c.path, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", c.path, res.StatusCode)
			}
		}
	}
}
