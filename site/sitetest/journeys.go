package sitetest

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/site"
)

// A JourneyFunc walks a service's browser journey once: with every store
// in the PostgreSQL database at databaseURL ("" for memory) and the
// service's clock starting at at.
type JourneyFunc func(t *testing.T, databaseURL string, at time.Time)

// JourneyFirstEdge walks journey on memory stores from the first of Edges,
// a Sunday at 23:30: the journey of a service's TestJourney, which runs
// under -short too.
func JourneyFirstEdge(t *testing.T, journey JourneyFunc) {
	t.Helper()
	journey(t, "", Oslo(t, Edges()[0].At))
}

// JourneyOtherEdges walks journey on memory stores from each of the other
// Edges (the DST changes, New Year's Eve, Easter Monday), one at a time: in
// parallel on a busy machine the browsers run out of Timeout. Skipped under
// -short.
func JourneyOtherEdges(t *testing.T, journey JourneyFunc) {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser journeys are long")
	}
	for _, e := range Edges()[1:] {
		t.Run(e.Name, func(t *testing.T) { journey(t, "", Oslo(t, e.At)) })
	}
}

// JourneyPostgres walks journey with every store in a fresh PostgreSQL
// schema (postgrestest.URL: skipped without GRUNNMUR_TEST_DATABASE_URL,
// failed under GRUNNMUR_REQUIRE_PEERS), from New Year's Eve at 23:50.
// Skipped under -short.
func JourneyPostgres(t *testing.T, journey JourneyFunc) {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser journey is long")
	}
	journey(t, postgrestest.URL(t), EdgeAt(t, "new-years-eve-2350"))
}

// MessagesComplete fails t when a service's texts did not load (err from
// site.LoadMessages), when a text lacks one of nb, nn and en, or when one
// words a site.Common key apart from the other services.
func MessagesComplete(t testing.TB, m site.Messages, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if missing := m.Missing(); len(missing) > 0 {
		t.Errorf("texts missing a language: %v", missing)
	}
	if shadowed := m.Shadowed(); len(shadowed) > 0 {
		t.Errorf("texts worded apart from the other services (site.Common): %v", shadowed)
	}
}

// A Site is what a service built on site.New serves: a *site.Service, or a
// service's own type that embeds one.
type Site interface {
	Handler() http.Handler
	RunJobs(ctx context.Context)
	Close()
}

// StartSite runs the service that newSite builds in process on a free
// loopback port (StartService), with every outside service faked (no
// GRUNNMUR_* variable is set but GRUNNMUR_DEV_AMQP_URL, from
// GRUNNMUR_TEST_AMQP_URL, for the sandbox's Fiks IO and archive), its stores in the PostgreSQL database at
// databaseURL ("" for memory) and its clock now. It returns the service,
// its base URL and its logs.
func StartSite[S Site](t *testing.T, databaseURL string, now func() time.Time, newSite func(context.Context, site.Config) (S, error)) (S, string, *Logs) {
	t.Helper()
	var s S
	base, logs := StartService(t, func(ctx context.Context, public string, log *slog.Logger) (*Started, error) {
		var err error
		cfg := site.Config{PublicURL: public, DatabaseURL: databaseURL, Getenv: devEnv, Logger: log, Now: now}
		if s, err = newSite(ctx, cfg); err != nil {
			return nil, err
		}
		return &Started{Handler: s.Handler(), Run: s.RunJobs, Close: s.Close}, nil
	})
	return s, base, logs
}

// devEnv is a journey's environment: nothing but the sandbox's broker.
func devEnv(k string) string {
	if k == "GRUNNMUR_DEV_AMQP_URL" {
		return os.Getenv("GRUNNMUR_TEST_AMQP_URL")
	}
	return ""
}
