package svaruttest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/internal/emittest"
	"github.com/grunnmur/grunnmur/svarut"
)

// TestEvents runs the conformance suite of the events a Store records with
// the Outbox's changes (see svarut.LetterSent): a letter's sending,
// delivery, reading and failure record exactly their events, however many
// workers race and however often SvarUT fails; a write that fails (a
// conflict, text the store refuses, an event it cannot record) records
// none. newStore returns an empty store and its outbox (events.Memory,
// postgres.EventOutbox); it is called inside a testing/synctest bubble, as
// for TestOutbox.
func TestEvents(t *testing.T, newStore func(t *testing.T) (svarut.Store, events.Outbox)) {
	tests := []struct {
		name string
		f    func(t *testing.T, s svarut.Store, log *emittest.Log)
	}{
		{"SentDeliveredRead", testEventLifecycle},
		{"Failures", testEventFailures},
		{"FailuresRecordNothing", testNoGhosts},
		{"ConcurrentWorkersOneEvent", testEventWorkers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, out := newStore(t)
				tc.f(t, s, &emittest.Log{Outbox: out, Forbidden: []string{TestFodselsnummer, "Kari", "Nordmann", "Storgata", "Vedtak", "vedtak.pdf"}})
			})
		})
	}
}

func letter(id string, types ...*events.Type[svarut.LetterData]) []emittest.Want {
	out := make([]emittest.Want, len(types))
	for i, typ := range types {
		out[i] = emittest.Want{Type: typ.Name(), Subject: id}
	}
	return out
}

func testEventLifecycle(t *testing.T, store svarut.Store, log *emittest.Log) {
	e := newOutboxEnv(t, store)
	o := e.outbox()
	en := e.enqueue(t, o, "")
	log.Expect(t, "enqueue")
	if err := o.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs := log.Expect(t, "send", letter(en.ID, svarut.LetterSent)...)
	sent := e.entry(t, en.ID)
	if d, err := svarut.LetterSent.Decode(evs[0]); err != nil || d.Shipment != sent.ShipmentID || d.State != svarut.EntrySent {
		t.Fatalf("sent: %+v %v", d, err)
	}
	if _, err := e.fake.Advance(sent.ShipmentID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Minute)
	if err := o.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "AKSEPTERT")
	if _, err := e.fake.Complete(sent.ShipmentID); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, o, func() bool { return e.entry(t, en.ID).Reported })
	for range 3 {
		time.Sleep(time.Hour)
		if err := o.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	evs = log.Expect(t, "read", letter(en.ID, svarut.LetterDelivered, svarut.LetterRead)...)
	if d, err := svarut.LetterRead.Decode(evs[1]); err != nil || d.Status != svarut.StatusLest || d.State != svarut.EntryDone {
		t.Fatalf("read: %+v %v", d, err)
	}
}

// testEventFailures: SvarUT refusing the shipment, and a letter it could
// not deliver or handled by hand, each record one LetterFailed.
func testEventFailures(t *testing.T, store svarut.Store, log *emittest.Log) {
	e := newOutboxEnv(t, store)
	o := e.outbox()
	rejected := e.enqueue(t, o, "")
	e.fake.Inject(fake.Fault{Match: sendPattern, Status: 400})
	e.runUntil(t, o, func() bool { return e.entry(t, rejected.ID).Reported })
	log.Expect(t, "rejected", letter(rejected.ID, svarut.LetterFailed)...)
	manual := e.enqueue(t, o, "")
	if err := o.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "send", letter(manual.ID, svarut.LetterSent)...)
	if err := e.fake.SetStatus(e.entry(t, manual.ID).ShipmentID, svarut.StatusManueltHandtert); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, o, func() bool { return e.entry(t, manual.ID).Reported })
	evs := log.Expect(t, "handled by hand", letter(manual.ID, svarut.LetterFailed)...)
	if d, _ := svarut.LetterFailed.Decode(evs[0]); d.Status != svarut.StatusManueltHandtert {
		t.Fatalf("failed: %+v", d)
	}
}

// testNoGhosts: every way a store write can fail records no event and
// changes nothing.
func testNoGhosts(t *testing.T, s svarut.Store, log *emittest.Log) {
	ctx := context.Background()
	en := newEntry("", t0)
	if err := s.Create(ctx, en); err != nil {
		t.Fatal(err)
	}
	good := func(id string) events.Event {
		ev, err := svarut.LetterSent.New(id, t0, svarut.LetterData{Entry: id})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	bad := good(en.ID)
	bad.Source = "/grunnmur/other" // no Type makes it: the store cannot record it
	get := func(change func(*svarut.Entry)) *svarut.Entry {
		got, err := s.Get(ctx, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		change(got)
		return got
	}
	failures := []struct {
		what string
		do   func() error
		want error
	}{
		{"create with a taken id", func() error { return s.Create(ctx, get(func(*svarut.Entry) {}), good(en.ID)) }, svarut.ErrConflict},
		{"create with bad text", func() error {
			x := newEntry("", t0)
			x.Shipment.Title = "\xff"
			return s.Create(ctx, x, good(x.ID))
		}, svarut.ErrInvalidText},
		{"create with an event it cannot record", func() error { x := newEntry("", t0); return s.Create(ctx, x, bad) }, events.ErrInvalid},
		{"update of a stale version", func() error { return s.Update(ctx, get(func(x *svarut.Entry) { x.Version-- }), good(en.ID)) }, svarut.ErrConflict},
		{"update with bad text", func() error {
			return s.Update(ctx, get(func(x *svarut.Entry) { x.LastError = "a\x00b" }), good(en.ID))
		}, svarut.ErrInvalidText},
		{"update of an unknown entry", func() error { x := newEntry("", t0); return s.Update(ctx, x, good(x.ID)) }, svarut.ErrNotFound},
		{"update with an event it cannot record", func() error {
			return s.Update(ctx, get(func(x *svarut.Entry) { x.State = svarut.EntrySent }), bad)
		}, events.ErrInvalid},
	}
	for _, f := range failures {
		if err := f.do(); !errors.Is(err, f.want) {
			t.Fatalf("%s: %v, want %v", f.what, err, f.want)
		}
		log.Expect(t, f.what)
	}
	if got, _ := s.Get(ctx, en.ID); got.State != svarut.EntryPending || got.Version != 1 {
		t.Fatalf("after the failed updates: %s v%d", got.State, got.Version)
	}
}

// testEventWorkers: six workers at once, SvarUT dropping connections after
// accepting and failing with 503s: each letter goes once, one LetterSent.
func testEventWorkers(t *testing.T, store svarut.Store, log *emittest.Log) {
	e := newOutboxEnv(t, store)
	var ids []string
	for range 8 {
		ids = append(ids, e.enqueue(t, e.outbox(), "").ID)
	}
	e.fake.Inject(fake.Fault{Match: sendPattern, Drop: true, AfterEffect: true, Times: 3})
	e.fake.Inject(fake.Fault{Status: 503, Times: 3})
	for range 40 {
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				if err := e.outbox().RunOnce(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		time.Sleep(15 * time.Minute)
	}
	evs := log.New(t)
	for _, id := range ids {
		e.exactlyOne(t, id)
		if n := emittest.Count(evs, svarut.LetterSent.Name(), id); n != 1 {
			t.Fatalf("%s: %d LetterSent", id, n)
		}
	}
	if len(evs) != len(ids) {
		t.Fatalf("%d events for %d letters sent: %v", len(evs), len(ids), emittest.Types(evs))
	}
}
