package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// serveDB serves the app's handler on a loopback port, on PostgreSQL when
// databaseURL is set, without its background work.
func serveDB(t *testing.T, databaseURL string) (*App, string) {
	t.Helper()
	return serveLog(t, databaseURL, nil)
}

// serveLog is serveDB with the service's log going to log, and each of
// adjust applied to the app before it serves.
func serveLog(t *testing.T, databaseURL string, log *slog.Logger, adjust ...func(*App)) (*App, string) {
	t.Helper()
	var app *App
	public := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		var err error
		if app, err = New(context.Background(), site.Config{PublicURL: public, DatabaseURL: databaseURL, Getenv: func(string) string { return "" }, Logger: log, Now: pinned(t)}); err != nil {
			return nil, nil, err
		}
		for _, f := range adjust {
			f(app)
		}
		return app.Handler(), app.Close, nil
	})
	return app, public
}

// login logs in through the fake ID-porten's test-user picker as the
// person with fødselsnummer pid, from base's "/min-side".
func login(t *testing.T, base string, pid string) *sitetest.Browser {
	t.Helper()
	b := sitetest.NewBrowser(t)
	b.Base = base
	res, page := b.Login("/min-side", pid)
	if res.StatusCode != 200 || res.Request.URL.Path != "/min-side" {
		t.Fatalf("login: %d at %s %.500s", res.StatusCode, res.Request.URL, page)
	}
	return b
}

// post sends a form with the session's CSRF token, without following a
// redirect.
func post(b *sitetest.Browser, path string, form url.Values) (*http.Response, string) {
	b.T.Helper()
	_, page := b.Do("GET", "/min-side", nil)
	form.Set(auth.CSRFFieldName, b.CSRF(page))
	return b.NoFollow("POST", path, form)
}

func TestHoldBurst(t *testing.T)         { testHoldBurst(t, "") }
func TestHoldBurstPostgres(t *testing.T) { testHoldBurst(t, postgrestest.URL(t)) }

// testHoldBurst replays issue 15's abuse: one citizen posts a series for
// every weekly slot of the meeting room and a hold for every slot in the
// next weeks. Open holds are capped, the hall's per-day and per-week limits
// apply and the login is rate limited, so a second citizen can still book
// in those weeks.
func testHoldBurst(t *testing.T, databaseURL string) {
	// The rate limiter's clock stands still: no token comes back however
	// slow the machine, so the test depends on no timing.
	at := sitetest.EdgeAt(t, "sunday-2330")
	app, base := serveLog(t, databaseURL, nil, func(a *App) { a.holdRate.Now = func() time.Time { return at } })
	ctx := context.Background()
	now := app.Config.Now()
	free, err := app.Bookings.Availability(ctx, "moterom", now, now.Add(14*24*time.Hour))
	if err != nil || len(free) < 40 {
		t.Fatalf("%d free slots, %v", len(free), err)
	}
	greedy := login(t, base, registrytest.Persons()[registrytest.OlaBakken].FNR.Reveal())
	limited := 0
	for i, s := range free {
		start := s.Start.UTC().Format(time.RFC3339)
		path := "/hall/moterom/serie"
		if i%2 == 1 {
			path = "/hall/moterom/hold"
		}
		res, _ := post(greedy, path, url.Values{"start": {start}, "key": {rand.Text()}})
		switch res.StatusCode {
		case http.StatusTooManyRequests:
			limited++
		case http.StatusSeeOther, http.StatusConflict, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("POST %s %s: %d", path, start, res.StatusCode)
		}
	}
	if limited == 0 {
		t.Error("no request of the burst was refused with 429")
	}
	left, err := app.Bookings.Availability(ctx, "moterom", now, now.Add(14*24*time.Hour))
	if err != nil || len(left) < len(free)-10 {
		t.Fatalf("after the burst %d of %d slots are free (%v)", len(left), len(free), err)
	}
	other := login(t, base, registrytest.Persons()[registrytest.IngridSolberg].FNR.Reveal())
	res, page := post(other, "/hall/moterom/hold", url.Values{"start": {left[0].Start.UTC().Format(time.RFC3339)}, "key": {rand.Text()}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/booking/") {
		t.Fatalf("the second citizen cannot hold a slot: %d %.500s", res.StatusCode, page)
	}
	// The burst spent the login's tokens; the refusal is said in the
	// citizen's language.
	res, page = post(greedy, "/hall/moterom/hold?lang=en", url.Values{"start": {left[1].Start.UTC().Format(time.RFC3339)}, "key": {rand.Text()}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "Wait a moment") {
		t.Errorf("rate-limited hold: %d, no English message", res.StatusCode)
	}
}

func TestBadBytesInIDs(t *testing.T)         { testBadBytesInIDs(t, "") }
func TestBadBytesInIDsPostgres(t *testing.T) { testBadBytesInIDs(t, postgrestest.URL(t)) }

// testBadBytesInIDs: an id in a URL that is not UTF-8 or holds a NUL names
// nothing: 404, not a 500 from the database.
func testBadBytesInIDs(t *testing.T, databaseURL string) {
	app, base := serveDB(t, databaseURL)
	c := login(t, base, registrytest.Persons()[registrytest.OlaBakken].FNR.Reveal())
	admin := login(t, base, app.Externals.Fakes.Officer.PID.Reveal())
	for _, id := range []string{"%00", "%ff", "a%00b", "%c3%28", "%ed%a0%80"} {
		paths := []string{"/hall/" + id, "/booking/" + id, "/booking/" + id + "/brev.pdf", "/booking/" + id + "/ics",
			"/serie/" + id, "/serie/" + id + "/brev.pdf", "/kalender/" + id + ".ics", "/kalender/" + id}
		for _, p := range paths {
			if res, _ := c.Do("GET", p, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
			}
		}
		if res, _ := admin.Do("GET", "/admin/hall/"+id, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET /admin/hall/%s: %d, want 404", id, res.StatusCode)
		}
	}
}
