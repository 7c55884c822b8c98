package bookingtest

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/emittest"
)

// TestEvents runs the conformance suite of the events a Store records with
// its changes (see booking.ReservationHeld): every change records exactly
// its events; a replayed key, a no-op and a change that fails (a taken
// slot, a limit, an expired hold, text the store refuses, an event it
// cannot record) record none, and change nothing. newStore returns an empty
// store and a function that reads every event its outbox holds, oldest
// first; it is called inside a testing/synctest bubble, as for TestStore.
func TestEvents(t *testing.T, newStore func(t *testing.T) (booking.Store, events.Outbox)) {
	tests := []struct {
		name string
		f    func(*env, *emittest.Log)
	}{
		{"Lifecycle", testEventLifecycle},
		{"WaitlistAndSeries", testEventWaitlist},
		{"FailuresRecordNothing", testNoGhosts},
		{"RaceOneHoldOneEvent", testEventRace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, read := newStore(t)
				tc.f(newEnv(t, s), &emittest.Log{Outbox: read, Forbidden: []string{"Møterom", "Ærlig", "Trening"}})
			})
		})
	}
}

func want(id string, types ...*events.Type[booking.ReservationData]) []emittest.Want {
	out := make([]emittest.Want, len(types))
	for i, typ := range types {
		out[i] = emittest.Want{Type: typ.Name(), Subject: id}
	}
	return out
}

func decode(t *testing.T, e events.Event) booking.ReservationData {
	t.Helper()
	var d booking.ReservationData
	for _, typ := range []*events.Type[booking.ReservationData]{booking.ReservationHeld, booking.ReservationConfirmed,
		booking.ReservationCancelled, booking.ReservationRescheduled, booking.ReservationPromoted} {
		if typ.Is(e) {
			var err error
			if d, err = typ.Decode(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	return d
}

func testEventLifecycle(e *env, log *emittest.Log) {
	t := e.t
	r := e.put(Room(1))
	start := local(2026, 3, 24, 10, 0)
	h, err := e.hold(r, "citizen-a", start, "hold-1")
	if err != nil {
		t.Fatal(err)
	}
	evs := log.Expect(t, "hold", want(h.ID, booking.ReservationHeld)...)
	if d := decode(t, evs[0]); d != (booking.ReservationData{Reservation: h.ID, State: booking.Held, Resource: r.ID, Owner: "citizen-a",
		Start: h.Start, End: h.End, Seats: 1, HoldExpires: h.HoldExpires, Price: r.Price}) {
		t.Fatalf("held: %+v", d)
	}
	if _, err := e.hold(r, "citizen-a", start, "hold-1"); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "the same hold again")
	steps := []struct {
		what string
		do   func() error
		want []*events.Type[booking.ReservationData]
	}{
		{"confirm", func() error { _, err := e.svc.Confirm(e.ctx, h.ID, "confirm-1"); return err }, []*events.Type[booking.ReservationData]{booking.ReservationConfirmed}},
		{"confirm again, same key", func() error { _, err := e.svc.Confirm(e.ctx, h.ID, "confirm-1"); return err }, nil},
		{"confirm again, no key", func() error { _, err := e.svc.Confirm(e.ctx, h.ID, ""); return err }, nil},
		{"reschedule", func() error {
			_, err := e.svc.Reschedule(e.ctx, h.ID, local(2026, 3, 24, 12, 0), "move-1")
			return err
		}, []*events.Type[booking.ReservationData]{booking.ReservationRescheduled}},
		{"reschedule again, same key", func() error {
			_, err := e.svc.Reschedule(e.ctx, h.ID, local(2026, 3, 24, 12, 0), "move-1")
			return err
		}, nil},
		{"cancel", func() error { _, err := e.svc.Cancel(e.ctx, h.ID, "cancel-1"); return err }, []*events.Type[booking.ReservationData]{booking.ReservationCancelled}},
		{"cancel again", func() error { _, err := e.svc.Cancel(e.ctx, h.ID, ""); return err }, nil},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		for _, ev := range log.Expect(t, st.what, want(h.ID, st.want...)...) {
			d := decode(t, ev)
			switch {
			case booking.ReservationConfirmed.Is(ev) && d.State != booking.Confirmed,
				booking.ReservationRescheduled.Is(ev) && !d.Start.Equal(local(2026, 3, 24, 12, 0)),
				booking.ReservationCancelled.Is(ev) && (d.State != booking.Cancelled || d.Owner != "citizen-a"):
				t.Fatalf("%s: %+v", st.what, d)
			}
		}
	}
}

// testEventWaitlist: a cancellation that promotes a waiter records the
// cancellation, the waiter's hold and the promotion; a series refused
// whole records its holds and their release.
func testEventWaitlist(e *env, log *emittest.Log) {
	t := e.t
	r := e.put(Room(1))
	start := local(2026, 3, 24, 10, 0)
	a, err := e.svc.Book(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "book", want(a.ID, booking.ReservationHeld, booking.ReservationConfirmed)...)
	w, err := e.svc.JoinWaitlist(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "w1", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "join the waitlist")
	if _, err := e.svc.Cancel(e.ctx, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	evs := log.New(t)
	if len(evs) != 3 || evs[0].Subject != a.ID || !booking.ReservationCancelled.Is(evs[0]) ||
		!booking.ReservationHeld.Is(evs[1]) || !booking.ReservationPromoted.Is(evs[2]) || evs[1].Subject != evs[2].Subject {
		t.Fatalf("cancel with a waiter: %v", emittest.Types(evs))
	}
	if d := decode(t, evs[2]); d.Waiter != w.ID || d.Owner != "w1" || d.State != booking.Held {
		t.Fatalf("promoted: %+v", d)
	}
	// A series that collides on its third date: refused whole.
	in := booking.SeriesInput{
		HoldInput: booking.HoldInput{ResourceID: r.ID, Owner: "club", Start: local(2026, 3, 31, 10, 0), Title: "Trening"},
		Rule:      booking.Recurrence{Freq: booking.Weekly, Count: 3, ByDay: []time.Weekday{time.Tuesday}},
	}
	if _, err := e.svc.Book(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "b", Start: local(2026, 4, 14, 10, 0)}); err != nil {
		t.Fatal(err)
	}
	log.New(t)
	var se *booking.SeriesError
	if _, err := e.svc.HoldSeries(e.ctx, in); !errors.As(err, &se) {
		t.Fatalf("colliding series: %v", err)
	}
	evs = log.New(t)
	if len(evs) != 4 || !booking.ReservationHeld.Is(evs[0]) || !booking.ReservationHeld.Is(evs[1]) ||
		!booking.ReservationCancelled.Is(evs[2]) || !booking.ReservationCancelled.Is(evs[3]) {
		t.Fatalf("a series refused whole: %v", emittest.Types(evs))
	}
}

// testNoGhosts: every way a change can fail records no event, and leaves
// the slot as it was.
func testNoGhosts(e *env, log *emittest.Log) {
	t := e.t
	one, three := e.put(Room(1)), e.put(Room(3))
	limited := Room(5)
	limited.PerDay = 1
	e.put(limited)
	start := local(2026, 3, 24, 10, 0)
	h := e.mustHold(one, "a", start)
	e.mustHold(limited, "l", start)
	for i := range 3 {
		e.mustHold(three, "t"+string(rune('1'+i)), local(2026, 3, 25, 10, 0))
	}
	for i := range 3 { // the most open holds an owner may have
		e.mustHold(one, "o", local(2026, 3, 27, 10+i, 0))
	}
	log.New(t)
	good, bad, fresh := e.anEvent, e.unrecordable, e.ghostHold
	free := local(2026, 3, 26, 10, 0)
	failures := []struct {
		what string
		do   func() error
		want error
	}{
		{"a taken slot", func() error { _, err := e.hold(one, "b", start, ""); return err }, booking.ErrSlotTaken},
		{"a full slot", func() error { _, err := e.hold(three, "b", local(2026, 3, 25, 10, 0), ""); return err }, booking.ErrSlotTaken},
		{"a limit", func() error { _, err := e.hold(limited, "l", local(2026, 3, 24, 12, 0), ""); return err }, booking.ErrLimitReached},
		{"too many open holds", func() error { _, err := e.hold(one, "o", local(2026, 3, 27, 14, 0), ""); return err }, booking.ErrTooManyHolds},
		{"bad text", func() error {
			_, err := e.svc.Hold(e.ctx, booking.HoldInput{ResourceID: one.ID, Owner: "a\x00", Start: free})
			return err
		}, booking.ErrInvalidText},
		{"a hold it cannot record, one seat", func() error {
			x := fresh(one, free)
			_, err := e.store.Hold(e.ctx, booking.HoldRequest{Reservation: x, Capacity: 1, At: e.now()}, bad(x.ID))
			return err
		}, events.ErrInvalid},
		{"a hold it cannot record, shared seats", func() error {
			x := fresh(three, free)
			_, err := e.store.Hold(e.ctx, booking.HoldRequest{Reservation: x, Capacity: 3, At: e.now()}, bad(x.ID))
			return err
		}, events.ErrInvalid},
		{"a confirmation it cannot record", func() error { _, err := e.store.Confirm(e.ctx, h.ID, "", e.now(), bad(h.ID)); return err }, events.ErrInvalid},
		{"a cancellation it cannot record", func() error { _, err := e.store.Cancel(e.ctx, h.ID, "", e.now(), false, bad(h.ID)); return err }, events.ErrInvalid},
		{"a move it cannot record", func() error {
			_, err := e.store.Reschedule(e.ctx, booking.RescheduleRequest{ID: h.ID, Start: free, End: free.Add(time.Hour),
				BlockStart: free, BlockEnd: free.Add(time.Hour), Capacity: 1, At: e.now()}, bad(h.ID))
			return err
		}, events.ErrInvalid},
		{"a move to a taken slot", func() error { _, err := e.svc.Reschedule(e.ctx, h.ID, local(2026, 3, 27, 10, 0), ""); return err }, booking.ErrSlotTaken},
		{"an unknown waiter", func() error { return e.store.SetWaiter(e.ctx, "no-such", booking.Promoted, h.ID, e.now(), good(h.ID)) }, booking.ErrNotFound},
		{"a confirmation of an expired hold", func() error {
			time.Sleep(11 * time.Minute)
			_, err := e.svc.Confirm(e.ctx, h.ID, "")
			return err
		}, booking.ErrHoldExpired},
		{"a cancellation of an expired hold", func() error { _, err := e.svc.Cancel(e.ctx, h.ID, ""); return err }, booking.ErrHoldExpired},
	}
	for _, f := range failures {
		if err := f.do(); !errors.Is(err, f.want) {
			t.Fatalf("%s: %v, want %v", f.what, err, f.want)
		}
		log.Expect(t, f.what)
	}
	for _, r := range []*booking.Resource{one, three} {
		if _, err := e.store.Reservation(e.ctx, fresh(r, free).ID); !errors.Is(err, booking.ErrNotFound) {
			t.Fatalf("a hold whose event failed was stored: %v", err)
		}
	}
	if got, _ := e.store.Reservation(e.ctx, h.ID); got.State != booking.Held || !got.Start.Equal(start) {
		t.Fatalf("after the failed changes: %s at %s", got.State, got.Start)
	}
}

// anEvent is a valid event about reservation id.
func (e *env) anEvent(id string) events.Event {
	ev, err := booking.ReservationHeld.New(id, e.now(), booking.ReservationData{Reservation: id})
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

// unrecordable is an event about id that no Type makes: no store can
// record it.
func (e *env) unrecordable(id string) events.Event {
	ev := e.anEvent(id)
	ev.Source = "/grunnmur/other"
	return ev
}

// ghostHold is a new hold on r at at, for the store itself.
func (e *env) ghostHold(r *booking.Resource, at time.Time) *booking.Reservation {
	return &booking.Reservation{ID: "ghost-" + r.ID + at.Format("1504"), ResourceID: r.ID, Owner: "g", Start: at, End: at.Add(time.Hour),
		BlockStart: at, BlockEnd: at.Add(time.Hour), Seats: 1, State: booking.Held, HoldExpires: e.now().Add(time.Hour), Created: e.now(), Updated: e.now()}
}

// testEventRace: 20 citizens race for one seat: one hold, one event.
func testEventRace(e *env, log *emittest.Log) {
	t := e.t
	r := e.put(Room(1))
	start := local(2026, 3, 24, 10, 0)
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		won []string
	)
	for i := range 20 {
		wg.Go(func() {
			h, err := e.hold(r, "racer-"+string(rune('a'+i)), start, "")
			if err == nil {
				if _, err = e.svc.Confirm(e.ctx, h.ID, ""); err == nil {
					mu.Lock()
					won = append(won, h.ID)
					mu.Unlock()
				}
			}
			if err != nil && !errors.Is(err, booking.ErrSlotTaken) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("%d holds won one seat", len(won))
	}
	log.Expect(t, "20 racing holds", want(won[0], booking.ReservationHeld, booking.ReservationConfirmed)...)
}
