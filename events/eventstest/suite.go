package eventstest

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
)

// TestOutbox runs the conformance suite: open returns a fresh, empty outbox
// for each subtest and the Appender that writes to it as a store does.
func TestOutbox(t *testing.T, open func(t *testing.T) (events.Outbox, Appender)) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, open) })
	t.Run("ClaimInOrder", func(t *testing.T) { testClaimInOrder(t, open) })
	t.Run("FinishMarks", func(t *testing.T) { testFinishMarks(t, open) })
	t.Run("SubjectHeldElsewhere", func(t *testing.T) { testHeldElsewhere(t, open) })
	t.Run("LaterHeldElsewhere", func(t *testing.T) { testLaterHeldElsewhere(t, open) })
	t.Run("RacingRelays", func(t *testing.T) { testRacingRelays(t, open) })
}

func appendAll(t *testing.T, add Appender, evs ...events.Event) {
	t.Helper()
	if err := add(context.Background(), evs...); err != nil {
		t.Fatal(err)
	}
}

func claim(t *testing.T, o events.Outbox, max int) events.Claim {
	t.Helper()
	c, err := o.Claim(context.Background(), max)
	if err != nil {
		t.Fatal(err)
	}
	// A test that stops early leaves no claim open (on PostgreSQL, an open
	// transaction that the pool's Close would wait for); finishing a
	// finished claim only returns an error.
	t.Cleanup(func() { _ = c.Finish(context.Background(), nil) })
	return c
}

func ids(evs []events.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func sameIDs(t *testing.T, what string, got, want []events.Event) {
	t.Helper()
	if fmt.Sprint(ids(got)) != fmt.Sprint(ids(want)) {
		t.Errorf("%s: %v, want %v", what, ids(got), ids(want))
	}
}

func finish(t *testing.T, c events.Claim, relayed ...events.Event) {
	t.Helper()
	if err := c.Finish(context.Background(), ids(relayed)); err != nil {
		t.Fatal(err)
	}
}

func testEmpty(t *testing.T, open func(t *testing.T) (events.Outbox, Appender)) {
	o, _ := open(t)
	c := claim(t, o, 10)
	if len(c.Events()) != 0 {
		t.Errorf("an empty outbox claimed %d events", len(c.Events()))
	}
	finish(t, c)
	if l, err := o.Lag(context.Background()); err != nil || l.Pending != 0 || !l.Oldest.IsZero() {
		t.Errorf("Lag = %+v, %v", l, err)
	}
}

func testClaimInOrder(t *testing.T, open func(t *testing.T) (events.Outbox, Appender)) {
	o, add := open(t)
	a0, b0, a1 := Event(t, "a", 2), Event(t, "b", 0), Event(t, "a", 3)
	appendAll(t, add, a0, b0)
	appendAll(t, add, a1)
	all, err := o.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "Events", all, []events.Event{a0, b0, a1})
	if len(all) == 3 && (string(all[0].Data) != string(a0.Data) || !all[0].Time.Equal(a0.Time) || all[0].Source != a0.Source ||
		all[0].Type != a0.Type || all[0].Subject != a0.Subject || all[0].DataContentType != a0.DataContentType) {
		t.Errorf("stored %+v, appended %+v", all[0], a0)
	}
	if l, err := o.Lag(context.Background()); err != nil || l.Pending != 3 || !l.Oldest.Equal(b0.Time) {
		t.Errorf("Lag = %+v, %v; want 3 pending, the oldest at %v", l, err, b0.Time)
	}
	c := claim(t, o, 2)
	sameIDs(t, "Claim(2)", c.Events(), []events.Event{a0, b0})
	finish(t, c, a0, b0)
	if err := c.Finish(context.Background(), nil); err == nil {
		t.Error("a claim finished twice")
	}
	c = claim(t, o, 2)
	sameIDs(t, "the next claim", c.Events(), []events.Event{a1})
	finish(t, c, a1)
	if l, _ := o.Lag(context.Background()); l.Pending != 0 {
		t.Errorf("Lag after relaying everything: %+v", l)
	}
}

func testFinishMarks(t *testing.T, open func(t *testing.T) (events.Outbox, Appender)) {
	o, add := open(t)
	a0, b0, c0 := Event(t, "a", 0), Event(t, "b", 1), Event(t, "c", 2)
	appendAll(t, add, a0, b0, c0)
	c := claim(t, o, 10)
	finish(t, c, b0) // a0 and c0 failed: given back
	c = claim(t, o, 10)
	sameIDs(t, "after a partial finish", c.Events(), []events.Event{a0, c0})
	finish(t, c)
	if l, _ := o.Lag(context.Background()); l.Pending != 2 {
		t.Errorf("Lag = %+v, want 2 pending", l)
	}
}

// testHeldElsewhere: while one claim holds a subject's first event, no
// other claim takes that subject's later events.
func testHeldElsewhere(t *testing.T, open func(t *testing.T) (events.Outbox, Appender)) {
	o, add := open(t)
	a0, a1, b0, a2 := Event(t, "a", 0), Event(t, "a", 1), Event(t, "b", 2), Event(t, "a", 3)
	appendAll(t, add, a0, a1, b0, a2)
	first := claim(t, o, 1)
	sameIDs(t, "the first claim", first.Events(), []events.Event{a0})
	second := claim(t, o, 10)
	sameIDs(t, "a claim beside it", second.Events(), []events.Event{b0})
	finish(t, second, b0)
	finish(t, first) // nothing relayed: a0 is given back
	c := claim(t, o, 10)
	sameIDs(t, "once released", c.Events(), []events.Event{a0, a1, a2})
	finish(t, c, a0, a1, a2)
}

// testLaterHeldElsewhere: a subject's first event, given back by its claim
// while another claim may still hold a later event of the subject (a
// PostgreSQL claim locks the rows up to its limit, also those that wait), is
// relayed by the next claim: only an earlier event held elsewhere makes an
// event wait, not a later one. Were it to wait too, the two claims could
// keep blocking each other.
func testLaterHeldElsewhere(t *testing.T, open func(t *testing.T) (events.Outbox, Appender)) {
	o, add := open(t)
	a0, b0, a1, c0 := Event(t, "a", 0), Event(t, "b", 1), Event(t, "a", 2), Event(t, "c", 3)
	appendAll(t, add, a0, b0, a1, c0)
	first := claim(t, o, 1)
	sameIDs(t, "the first claim", first.Events(), []events.Event{a0})
	second := claim(t, o, 2) // b0; a1 waits for a0
	if evs := second.Events(); len(evs) == 0 || evs[0].ID != b0.ID || slices.ContainsFunc(evs, func(e events.Event) bool { return e.ID == a1.ID }) {
		t.Fatalf("a claim beside the first: %v, want b0 first and not a1", ids(evs))
	}
	finish(t, first) // a0 given back while second is open
	third := claim(t, o, 10)
	if evs := third.Events(); len(evs) == 0 || evs[0].ID != a0.ID {
		t.Fatalf("the claim after a0 was given back: %v, want a0 first", ids(evs))
	}
	seen := map[string]int{}
	relay := func(c events.Claim) {
		for _, e := range c.Events() {
			seen[e.ID]++
		}
		finish(t, c, c.Events()...)
	}
	relay(third)
	relay(second)
	for range 10 { // 4 events: a claim at a time, each relays at least one
		c := claim(t, o, 10)
		relay(c)
		if len(c.Events()) == 0 {
			break
		}
	}
	for _, e := range []events.Event{a0, b0, a1, c0} {
		if seen[e.ID] != 1 {
			t.Errorf("%s claimed %d times, want once: %v", e.ID, seen[e.ID], seen)
		}
	}
}

// testRacingRelays runs relays on one outbox while writers append, with
// publishes failing now and then: every event is accepted exactly once and
// each subject in order.
func testRacingRelays(t *testing.T, open func(t *testing.T) (events.Outbox, Appender)) {
	o, add := open(t)
	const writers, perWriter, relays = 4, 150, 6
	rec := &Recorder{Fail: func(e events.Event) bool { return flaky(e.ID) }}
	ctx := context.Background()
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				// Each writer owns its subjects, as a store's row lock makes
				// it own an aggregate while it appends.
				e := Event(t, fmt.Sprintf("w%d-%d", w, i%7), i)
				if err := add(ctx, e); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var rg sync.WaitGroup
	for range relays {
		rg.Add(1)
		go func() {
			defer rg.Done()
			r := &events.Relay{Outbox: o, Publisher: rec, Batch: 16}
			for {
				_ = r.RunOnce(ctx) // a failed publish is retried on the next pass
				time.Sleep(time.Millisecond)
				select {
				case <-done:
					if l, err := o.Lag(ctx); err == nil && l.Pending == 0 {
						return
					}
				default:
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	rg.Wait()
	all, err := o.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*perWriter {
		t.Fatalf("the outbox holds %d events, want %d", len(all), writers*perWriter)
	}
	CheckOnceInOrder(t, all, rec.Accepted())
}

// flaky fails about one publish in eight, on the event's first tries.
var flakyTries sync.Map

func flaky(id string) bool {
	n, _ := flakyTries.LoadOrStore(id, new(int))
	h := fnv.New32a()
	h.Write([]byte(id))
	p := n.(*int)
	flakyMu.Lock()
	defer flakyMu.Unlock()
	*p++
	return h.Sum32()%8 == 0 && *p < 3
}

var flakyMu sync.Mutex
