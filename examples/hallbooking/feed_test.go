package main

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

func TestFeedRenewAndRevoke(t *testing.T)         { testFeedRenewAndRevoke(t, "") }
func TestFeedRenewAndRevokePostgres(t *testing.T) { testFeedRenewAndRevoke(t, postgrestest.URL(t)) }

// testFeedRenewAndRevoke: a citizen makes a calendar feed URL on Min side,
// renews it (the old URL then 404s) and turns it off (the new one 404s
// too), each a POST with the CSRF token; no token reaches the request log.
func testFeedRenewAndRevoke(t *testing.T, databaseURL string) {
	var logs sitetest.Logs
	_, base := serveLog(t, databaseURL, slog.New(slog.NewJSONHandler(&logs, nil)))
	c := login(t, base, registrytest.Persons()[registrytest.OlaBakken].FNR.Reveal())
	feedURL := func() string {
		t.Helper()
		res, page := post(c, "/min-side/kalender", url.Values{})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("new feed: %d", res.StatusCode)
		}
		return sitetest.Match(t, `id="feed" href="([^"]+)"`, page)
	}
	status := func(u string) int {
		t.Helper()
		res, _ := c.Do("GET", u, nil)
		return res.StatusCode
	}
	first := feedURL()
	if !strings.HasPrefix(first, base+"/kalender/") || status(first) != http.StatusOK {
		t.Fatalf("the first feed URL %q does not work", first)
	}
	second := feedURL()
	if second == first || status(second) != http.StatusOK {
		t.Fatalf("the renewed feed URL %q does not work", second)
	}
	if code := status(first); code != http.StatusNotFound {
		t.Errorf("the old feed URL after renewal: %d, want 404", code)
	}
	// Without the CSRF token nothing changes.
	if res, _ := c.Do("POST", "/min-side/kalender/stopp", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("turning off without CSRF: %d, want 403", res.StatusCode)
	}
	if status(second) != http.StatusOK {
		t.Fatal("a POST without CSRF turned the feed off")
	}
	res, page := post(c, "/min-side/kalender/stopp?lang=nn", url.Values{})
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="feed-off"`) || !strings.Contains(page, "Kalenderlenkja er slått av") {
		t.Fatalf("turning off: %d %.300s", res.StatusCode, page)
	}
	if code := status(second); code != http.StatusNotFound {
		t.Errorf("the feed URL after turning off: %d, want 404", code)
	}
	log := logs.String()
	for _, u := range []string{first, second} {
		if tok := strings.TrimSuffix(strings.TrimPrefix(u, base+"/kalender/"), ".ics"); strings.Contains(log, tok) {
			t.Errorf("a feed token reached the log")
		}
	}
	if !strings.Contains(log, `"path":"/kalender/`+site.Redacted+`"`) {
		t.Errorf("the feed requests are not in the log, redacted:\n%.2000s", log)
	}
}
