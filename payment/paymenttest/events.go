package paymenttest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/emittest"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// TestEvents runs the conformance suite of the events a Store records with
// its changes (see payment.PaymentCreated): every change records exactly
// its events, and a change that fails (a conflict, text the store refuses,
// an event it cannot record) records none. newStore returns an empty store
// and a its outbox (events.Memory, postgres.EventOutbox).
func TestEvents(t *testing.T, newStore func(t *testing.T) (payment.Store, events.Outbox)) {
	t.Run("Lifecycle", func(t *testing.T) { testEventLifecycle(t, newStore) })
	t.Run("Failures", func(t *testing.T) { testEventFailures(t, newStore) })
	t.Run("FailuresRecordNothing", func(t *testing.T) { testNoGhosts(t, newStore) })
	t.Run("ConcurrentCapturesOneEvent", func(t *testing.T) { testConcurrentCaptureEvents(t, newStore) })
}

func eventEnv(t *testing.T, newStore func(t *testing.T) (payment.Store, events.Outbox)) (*Env, *emittest.Log) {
	s, read := newStore(t)
	return NewEnv(t, s, EnvOptions{}), &emittest.Log{Outbox: read, Forbidden: []string{"Gebyr for", "Kafé", "4791234567"}}
}

func want(ref string, types ...*events.Type[payment.PaymentData]) []emittest.Want {
	out := make([]emittest.Want, len(types))
	for i, typ := range types {
		out[i] = emittest.Want{Type: typ.Name(), Subject: ref}
	}
	return out
}

// checkAmounts checks the payloads' amounts, in order, and that each
// carries the payment's business key and the state it is in after the step.
func checkAmounts(t *testing.T, evs []events.Event, bk string, state payment.State, amounts ...money.Amount) {
	t.Helper()
	for i, e := range evs {
		var d payment.PaymentData // every payment event's payload
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatalf("%s: %v", e.Type, err)
		}
		if d.BusinessKey != bk || d.State != state || d.Amount != amounts[i] {
			t.Fatalf("%s: %+v, want %s in state %s for %s", e.Type, d, bk, state, amounts[i])
		}
	}
}

func testEventLifecycle(t *testing.T, newStore func(t *testing.T) (payment.Store, events.Outbox)) {
	e, log := eventEnv(t, newStore)
	ctx := context.Background()
	bk := "2026-000300/gebyr"
	o := order(bk, money.Kroner(1500))
	o.PhoneNumber, o.Metadata = "4791234567", map[string]string{"kind": "fee", "case": "c-1"}
	p, err := e.Service.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	evs := log.Expect(t, "start", want(p.Reference, payment.PaymentCreated)...)
	checkAmounts(t, evs, bk, payment.Created, money.Kroner(1500))
	if d, _ := payment.PaymentCreated.Decode(evs[0]); d.Metadata["case"] != "c-1" || d.Attempt != 1 || d.Provider != "vipps" {
		t.Fatalf("created: %+v", d)
	}
	if _, err := e.Service.Start(ctx, o); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "start again")
	if err := e.Fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Reconcile(ctx, p.Reference); err != nil {
		t.Fatal(err)
	}
	checkAmounts(t, log.Expect(t, "approved", want(p.Reference, payment.PaymentAuthorized)...), bk, payment.Authorized, money.Kroner(1500))
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{Amount: money.Kroner(500), Label: "first"}); err != nil {
		t.Fatal(err)
	}
	checkAmounts(t, log.Expect(t, "capture", want(p.Reference, payment.PaymentCaptured)...), bk, payment.PartiallyCaptured, money.Kroner(500))
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{Amount: money.Kroner(500), Label: "first"}); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "the same capture again")
	if _, err := e.Service.Refund(ctx, bk, payment.Modification{Amount: money.Kroner(200)}); err != nil {
		t.Fatal(err)
	}
	checkAmounts(t, log.Expect(t, "refund", want(p.Reference, payment.PaymentRefunded)...), bk, payment.PartiallyRefunded, money.Kroner(200))
	if _, err := e.Service.Reconcile(ctx, p.Reference); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "a reconcile that finds nothing new")
	// Cancelled before approval.
	bk2 := "2026-000301/gebyr"
	p2, err := e.Service.Start(ctx, order(bk2, money.Kroner(100)))
	if err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "start 2", want(p2.Reference, payment.PaymentCreated)...)
	if _, err := e.Service.Cancel(ctx, bk2); err != nil {
		t.Fatal(err)
	}
	checkAmounts(t, log.Expect(t, "cancel", want(p2.Reference, payment.PaymentCancelled)...), bk2, payment.Terminated, 0)
}

// testEventFailures: a payer who says no, or does nothing, fails the
// attempt; the next attempt is a new payment.
func testEventFailures(t *testing.T, newStore func(t *testing.T) (payment.Store, events.Outbox)) {
	e, log := eventEnv(t, newStore)
	ctx := context.Background()
	bk := "2026-000302/gebyr"
	p1, err := e.Service.Start(ctx, order(bk, money.Kroner(300)))
	if err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "start", want(p1.Reference, payment.PaymentCreated)...)
	if err := e.Fake.Reject(p1.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Reconcile(ctx, p1.Reference); err != nil {
		t.Fatal(err)
	}
	checkAmounts(t, log.Expect(t, "rejected", want(p1.Reference, payment.PaymentFailed)...), bk, payment.Aborted, 0)
	p2, err := e.Service.Start(ctx, order(bk, money.Kroner(300)))
	if err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "second attempt", want(p2.Reference, payment.PaymentCreated)...)
	if err := e.Fake.Expire(p2.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); !errors.Is(err, payment.ErrInvalidTransition) {
		t.Fatalf("capture of an expired payment: %v", err)
	}
	log.Expect(t, "a refused capture")
	if _, err := e.Service.Reconcile(ctx, p2.Reference); err != nil {
		t.Fatal(err)
	}
	checkAmounts(t, log.Expect(t, "expired", want(p2.Reference, payment.PaymentFailed)...), bk, payment.Expired, 0)
}

// testNoGhosts: every way a store write can fail records no event and
// changes nothing.
func testNoGhosts(t *testing.T, newStore func(t *testing.T) (payment.Store, events.Outbox)) {
	s, read := newStore(t)
	log := &emittest.Log{Outbox: read}
	ctx := context.Background()
	p := newPayment("2026-000303/gebyr", 1, t0)
	ev := func(ref string) events.Event {
		e, err := payment.PaymentCaptured.New(ref, t0, payment.PaymentData{Reference: ref})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	if err := s.Create(ctx, p, ev(p.Reference)); err != nil {
		t.Fatal(err)
	}
	log.Expect(t, "create", emittest.Want{Type: payment.PaymentCaptured.Name(), Subject: p.Reference})
	bad := ev(p.Reference)
	bad.Source = "/grunnmur/other"
	get := func(change func(q *payment.Payment)) *payment.Payment {
		q, err := s.Get(ctx, p.Reference)
		if err != nil {
			t.Fatal(err)
		}
		change(q)
		return q
	}
	fresh := func(bk string, change func(q *payment.Payment)) *payment.Payment {
		q := newPayment(bk, 1, t0)
		change(q)
		return q
	}
	failures := []struct {
		what string
		do   func() error
		want error
	}{
		{"create with a taken reference", func() error { return s.Create(ctx, get(func(*payment.Payment) {}), ev(p.Reference)) }, payment.ErrConflict},
		{"create of a taken attempt", func() error {
			return s.Create(ctx, fresh(p.BusinessKey, func(*payment.Payment) {}), ev("other"))
		}, payment.ErrConflict},
		{"create with bad text", func() error {
			q := fresh("2026-000304/gebyr", func(q *payment.Payment) { q.Description = "\xff" })
			return s.Create(ctx, q, ev(q.Reference))
		}, payment.ErrInvalidText},
		{"create with an event it cannot record", func() error {
			return s.Create(ctx, fresh("2026-000305/gebyr", func(*payment.Payment) {}), bad)
		}, events.ErrInvalid},
		{"update of a stale version", func() error { return s.Update(ctx, get(func(q *payment.Payment) { q.Version-- }), ev(p.Reference)) }, payment.ErrConflict},
		{"update with bad text", func() error {
			return s.Update(ctx, get(func(q *payment.Payment) { q.Description = "a\x00b" }), ev(p.Reference))
		}, payment.ErrInvalidText},
		{"update of an unknown payment", func() error {
			q := fresh("2026-000306/gebyr", func(*payment.Payment) {})
			return s.Update(ctx, q, ev(q.Reference))
		}, payment.ErrNotFound},
		{"update with an event it cannot record", func() error {
			return s.Update(ctx, get(func(q *payment.Payment) { q.State = payment.Authorized }), bad)
		}, events.ErrInvalid},
	}
	for _, f := range failures {
		if err := f.do(); !errors.Is(err, f.want) {
			t.Fatalf("%s: %v, want %v", f.what, err, f.want)
		}
		log.Expect(t, f.what)
	}
	if got, _ := s.Get(ctx, p.Reference); got.State != payment.Created || got.Version != 1 {
		t.Fatalf("after the failed updates: %s v%d", got.State, got.Version)
	}
	for _, bk := range []string{"2026-000304/gebyr", "2026-000305/gebyr"} {
		if _, err := s.Latest(ctx, bk); !errors.Is(err, payment.ErrNotFound) {
			t.Fatalf("%s was stored after a failed create: %v", bk, err)
		}
	}
}

// testConcurrentCaptureEvents races captures of one payment: one capture
// reaches the provider and one PaymentCaptured is recorded.
func testConcurrentCaptureEvents(t *testing.T, newStore func(t *testing.T) (payment.Store, events.Outbox)) {
	e, log := eventEnv(t, newStore)
	e.Fake.SetIdempotencyReplay(false)
	bk := "2026-000307/gebyr"
	p := e.authorized(t, bk, money.Kroner(1500))
	log.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, err := e.Service.Capture(ctx, bk, payment.Modification{})
			if err != nil && !errors.Is(err, payment.ErrInProgress) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	log.Expect(t, "50 captures", want(p.Reference, payment.PaymentCaptured)...)
}
