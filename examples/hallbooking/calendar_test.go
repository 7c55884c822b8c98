package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func TestCalendarCache(t *testing.T)         { testCalendarCache(t, "") }
func TestCalendarCachePostgres(t *testing.T) { testCalendarCache(t, postgrestest.URL(t)) }

// testCalendarCache: the calendar of a visitor who is not logged in comes
// from App.weeks, shows a hold the moment it is made, and never holds a
// logged-in party's forms; a logged-in party never gets the cached page.
func testCalendarCache(t *testing.T, databaseURL string) {
	app, base := serveDB(t, databaseURL)
	slots, err := app.Bookings.Availability(context.Background(), "storhallen", app.Config.Now().Add(72*time.Hour), app.Config.Now().Add(10*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatal(slots, err)
	}
	path := "/hall/storhallen?uke=" + civil.DateOf(slots[0].Start.In(civil.Oslo)).String()
	anonymous := func() string {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return string(b)
	}
	free := func(page string) int { return strings.Count(page, "ds-week__cell--free") }
	before := anonymous()
	if again := anonymous(); again != before || free(before) == 0 {
		t.Fatalf("two anonymous pages differ, or none is free (%d free)", free(before))
	}
	b := login(t, base, registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	if _, mine := b.Do("GET", path, nil); !strings.Contains(mine, "data-start=") || !strings.Contains(mine, "csrf_token") {
		t.Fatal("the logged-in calendar has no forms: it came from the anonymous cache")
	}
	holdFreeSlot(t, app, b) // the same week's first free slot
	after := anonymous()
	if free(after) != free(before)-1 {
		t.Errorf("after a hold the anonymous calendar has %d free cells, want %d", free(after), free(before)-1)
	}
	if strings.Contains(after, "data-start=") || strings.Contains(after, "csrf_token") || strings.Contains(after, "SESAM") {
		t.Error("the anonymous calendar shows a logged-in party's forms")
	}
}
