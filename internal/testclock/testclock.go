// Package testclock pins a test's clock to an instant without stopping it: a
// service's sessions, holds, tokens and letters still need time to pass in a
// live browser journey, so the clock starts at the pinned instant and moves
// on with the real elapsed time. The examples' tests inject it into the app
// and every in-process fake, so that they agree on the time, and run their
// journeys at the instants in Edges.
//
//	app, err := New(ctx, Config{PublicURL: public, Now: testclock.At(t, "2026-03-29T01:30:00+01:00")})
package testclock

import (
	"github.com/grunnmur/grunnmur/civil"
	"testing"
	"time"
)

// Advancing returns a clock that reads at when it is made and then moves on
// with the real (monotonic) time elapsed since. Its readings are in the
// machine's zone, as time.Now's are, so that a service that forgets to show
// Oslo time still fails under another TZ.
func Advancing(at time.Time) func() time.Time {
	start := time.Now()
	return func() time.Time { return at.Add(time.Since(start)).In(time.Local) }
}

// At is Advancing from the Oslo instant s (see Oslo).
func At(t testing.TB, s string) func() time.Time {
	t.Helper()
	return Advancing(Oslo(t, s))
}

var oslo = civil.Oslo

// Oslo parses an RFC 3339 instant and gives it in Europe/Oslo. The offset in
// s says which of a DST-end day's two 02:30s is meant; a mismatch between s
// and Oslo's offset at that instant fails t, so a typo cannot pin the wrong
// hour.
func Oslo(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("testclock: %v", err)
	}
	_, want := at.Zone()
	if _, got := at.In(oslo).Zone(); got != want {
		t.Fatalf("testclock: %s is not Oslo time (Oslo's offset then is %+d s)", s, got)
	}
	return at.In(oslo)
}

// Edge is an instant a service's tests run at.
type Edge struct {
	Name string
	At   string // RFC 3339 with Oslo's offset then
}

// EdgeAt is the instant of the edge called name, in Oslo; an unknown name
// fails t.
func EdgeAt(t testing.TB, name string) time.Time {
	t.Helper()
	for _, e := range Edges {
		if e.Name == name {
			return Oslo(t, e.At)
		}
	}
	t.Fatalf("testclock: no edge %q", name)
	return time.Time{}
}

// Edges are the instants where a calendar goes wrong: the end of a week and
// of a day, the 23- and the 25-hour day, the end of the year (and of the
// 53-week ISO year 2026) and a public holiday on a Monday. The examples'
// TestJourney and their other tests run at the first, TestJourneyPostgres at
// New Year's Eve, and TestJourneyAt at each but the first.
var Edges = []Edge{
	{"sunday-2330", "2026-12-06T23:30:00+01:00"},
	// 02:00 becomes 03:00 20 s later, while a journey runs: the day has
	// 23 hours.
	{"dst-start-0159", "2026-03-29T01:59:40+01:00"},
	// 03:00 becomes 02:00 20 s later, while a journey runs: the day has 25
	// hours, and the hour from 02:00 comes twice.
	{"dst-end-0259", "2026-10-25T02:59:40+02:00"},
	{"new-years-eve-2350", "2026-12-31T23:50:00+01:00"},
	// 2. påskedag.
	{"easter-monday-1700", "2026-04-06T17:00:00+02:00"},
}
