// Package eventstest is the conformance suite every events.Outbox passes,
// in the style of testing/fstest, and a recording Publisher for tests:
//
//	func TestOutbox(t *testing.T) {
//		eventstest.TestOutbox(t, func(t *testing.T) (events.Outbox, eventstest.Appender) {
//			m := &events.Memory{}
//			return m, func(_ context.Context, evs ...events.Event) error { m.Append(evs...); return nil }
//		})
//	}
package eventstest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
)

// Appender appends events to an outbox as a store does: all of them in one
// transaction (or under one lock), after earlier calls.
type Appender func(ctx context.Context, evs ...events.Event) error

// Changed is the event type the suite appends: a thing with an id changed
// to a state.
type ChangedData struct {
	ThingID string `json:"thingId"`
	State   int    `json:"state"`
}

// Changed is the suite's event type.
var Changed = events.Define[ChangedData]("no.grunnmur.eventstest.thing.changed.v1")

// Event returns the n-th change of thing at 2026-03-29T00:00Z plus n
// seconds (the night of the switch to summer time).
func Event(t testing.TB, thing string, n int) events.Event {
	t.Helper()
	at := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second)
	e, err := Changed.New(thing, at, ChangedData{ThingID: thing, State: n})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Recorder is a Publisher that records what it accepted, for tests. Fail,
// if set, decides whether a publish fails (it is then not recorded).
type Recorder struct {
	Fail func(e events.Event) bool

	mu       sync.Mutex
	accepted []events.Event
	attempts int
}

// Publish records evs; see events.Publisher.
func (r *Recorder) Publish(_ context.Context, evs []events.Event) []error {
	errs := make([]error, len(evs))
	seen := map[string]bool{}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, e := range evs {
		r.attempts++
		if seen[e.Subject] {
			errs[i] = fmt.Errorf("eventstest: two events of subject %s in one Publish", e.Subject)
			continue
		}
		seen[e.Subject] = true
		if r.Fail != nil && r.Fail(e) {
			errs[i] = fmt.Errorf("eventstest: publish of %s failed on purpose", e.ID)
			continue
		}
		r.accepted = append(r.accepted, e)
	}
	return errs
}

// Accepted returns the events accepted, in the order they were.
func (r *Recorder) Accepted() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]events.Event(nil), r.accepted...)
}

// CheckOnceInOrder fails t unless got holds every event of want exactly
// once and, per subject, in want's order.
func CheckOnceInOrder(t testing.TB, want, got []events.Event) {
	t.Helper()
	count := map[string]int{}
	for _, e := range got {
		count[e.ID]++
	}
	missing, twice := 0, 0
	for _, e := range want {
		switch count[e.ID] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing > 0 || twice > 0 || len(got) != len(want) {
		t.Errorf("%d events, %d got: %d missing, %d more than once", len(want), len(got), missing, twice)
	}
	pos := map[string]int{}
	for i, e := range want {
		pos[e.ID] = i
	}
	last := map[string]int{}
	disorder := 0
	for _, e := range got {
		p, ok := pos[e.ID]
		if !ok {
			continue
		}
		if l, seen := last[e.Subject]; seen && p < l {
			disorder++
		}
		last[e.Subject] = p
	}
	if disorder > 0 {
		t.Errorf("%d events came before an earlier event of their subject", disorder)
	}
}
