package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/internal/badkey"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// TestStore runs the conformance suite. newStore must return an empty store
// for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) payment.Store) {
	t.Run("CreateGetRoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("CreateDuplicate", func(t *testing.T) { testDuplicate(t, newStore(t)) })
	t.Run("GetAndLatestUnknown", func(t *testing.T) { testUnknown(t, newStore(t)) })
	t.Run("BadBytesNotFound", func(t *testing.T) { testBadKeys(t, newStore(t)) })
	t.Run("Text", func(t *testing.T) { testText(t, newStore(t)) })
	t.Run("LatestAttempt", func(t *testing.T) { testLatest(t, newStore(t)) })
	t.Run("UpdateOptimisticLocking", func(t *testing.T) { testOptimistic(t, newStore(t)) })
	t.Run("ReturnedPaymentsAreCopies", func(t *testing.T) { testCopies(t, newStore(t)) })
	t.Run("ListFilters", func(t *testing.T) { testList(t, newStore(t)) })
	t.Run("ClaimConcurrentExactlyOne", func(t *testing.T) { testClaimConcurrent(t, newStore(t)) })
	t.Run("ClaimLeaseAndOutcomes", func(t *testing.T) { testClaimLease(t, newStore(t)) })
	t.Run("FinishAndStalePending", func(t *testing.T) { testFinish(t, newStore(t)) })
	t.Run("Service", func(t *testing.T) { testService(t, newStore) })
}

var t0 = time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC) // the autumn DST day, on purpose

var seq atomic.Int64

func newPayment(bk string, attempt int, created time.Time) *payment.Payment {
	ref := payment.Reference("test", fmt.Sprintf("%s#%d", bk, seq.Add(1)), attempt)
	return &payment.Payment{
		Reference: ref, BusinessKey: bk, Attempt: attempt, Provider: "vipps",
		Description: "Gebyr for skjenkebevilling – «Kafé Ærlig & Søt»", Amount: money.Kroner(1500),
		State: payment.Created, RedirectURL: "https://landing.example/?token=abc",
		KID: "0000123455", DueDate: civil.NewDate(2026, 11, 8),
		Metadata: map[string]string{"kind": "booking", "id": "r-«1»"},
		Events:   []payment.Event{{Name: payment.EventCreated, PSPReference: "psp-1", Amount: money.Kroner(1500), Success: true, Time: created, IdempotencyKey: "create-x"}},
		Created:  created, Updated: created,
	}
}

func same(a, b *payment.Payment) string {
	switch {
	case a.Reference != b.Reference, a.BusinessKey != b.BusinessKey, a.Attempt != b.Attempt, a.Provider != b.Provider:
		return "identity"
	case a.Description != b.Description:
		return "description"
	case a.Amount != b.Amount, a.State != b.State, a.Aggregate != b.Aggregate:
		return "amount, state or aggregate"
	case a.PSPReference != b.PSPReference, a.RedirectURL != b.RedirectURL, a.KID != b.KID, a.DueDate != b.DueDate:
		return "provider fields"
	case !a.Created.Equal(b.Created), !a.Updated.Equal(b.Updated):
		return "times"
	case !maps.Equal(a.Metadata, b.Metadata):
		return "metadata"
	case a.Version != b.Version:
		return fmt.Sprintf("version %d != %d", a.Version, b.Version)
	case len(a.Events) != len(b.Events):
		return "events"
	}
	for i := range a.Events {
		x, y := a.Events[i], b.Events[i]
		if x.Name != y.Name || x.PSPReference != y.PSPReference || x.Amount != y.Amount || x.Success != y.Success ||
			!x.Time.Equal(y.Time) || x.IdempotencyKey != y.IdempotencyKey {
			return fmt.Sprintf("event %d", i)
		}
	}
	return ""
}

func testRoundTrip(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := newPayment("2026-000001/gebyr", 1, t0)
	if err := s.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	if p.Version != 1 {
		t.Fatalf("Create set Version %d, want 1", p.Version)
	}
	got, err := s.Get(ctx, p.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if d := same(p, got); d != "" {
		t.Fatalf("round trip changed the payment: %s", d)
	}
}

func testDuplicate(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := newPayment("2026-000002/gebyr", 1, t0)
	if err := s.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	again := newPayment("2026-000003/gebyr", 1, t0)
	again.Reference = p.Reference
	if err := s.Create(ctx, again); !errors.Is(err, payment.ErrConflict) {
		t.Fatalf("same reference: %v, want ErrConflict", err)
	}
	sameAttempt := newPayment("2026-000002/gebyr", 1, t0)
	if err := s.Create(ctx, sameAttempt); !errors.Is(err, payment.ErrConflict) {
		t.Fatalf("same business key and attempt: %v, want ErrConflict", err)
	}
}

func testUnknown(t *testing.T, s payment.Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "test-unknown-1"); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("Get unknown: %v", err)
	}
	if _, err := s.Latest(ctx, "nothing"); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("Latest unknown: %v", err)
	}
	p := newPayment("x", 1, t0)
	if err := s.Update(ctx, p); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("Update unknown: %v", err)
	}
}

// testBadKeys: a reference or key that is not UTF-8 or holds a NUL names
// nothing: ErrNotFound, or nothing listed, and the store still works.
// testText: a payment's description comes back exactly as it was saved; a
// string no store can keep (not UTF-8, or holding a NUL) is refused with
// ErrInvalidText, never a driver error, and nothing changes.
func testText(t *testing.T, s payment.Store) {
	ctx := context.Background()
	for i, v := range badkey.Texts() {
		p := newPayment(fmt.Sprint("text-", i), 1, t0)
		p.Description, p.Events[0].PSPReference = v, v
		if err := s.Create(ctx, p); err != nil {
			t.Fatalf("Create with %q: %v", v, err)
		}
		if got, err := s.Get(ctx, p.Reference); err != nil || got.Description != v || got.Events[0].PSPReference != v {
			t.Errorf("%q came back as %+v, %v", v, got, err)
		}
	}
	stored := newPayment("text-stored", 1, t0)
	if err := s.Create(ctx, stored); err != nil {
		t.Fatal(err)
	}
	for _, v := range badkey.Keys() {
		for i, set := range []func(p *payment.Payment){
			func(p *payment.Payment) { p.Description = v },
			func(p *payment.Payment) { p.Events[0].PSPReference = v },
		} {
			p := newPayment("text-bad", 1, t0)
			set(p)
			if err := s.Create(ctx, p); !errors.Is(err, payment.ErrInvalidText) || !errors.Is(err, payment.ErrInvalid) {
				t.Errorf("Create with %q (%d): %v, want ErrInvalidText", v, i, err)
			}
			u, err := s.Get(ctx, stored.Reference)
			if err != nil {
				t.Fatal(err)
			}
			set(u)
			if err := s.Update(ctx, u); !errors.Is(err, payment.ErrInvalidText) {
				t.Errorf("Update with %q (%d): %v, want ErrInvalidText", v, i, err)
			}
		}
	}
	if _, err := s.Latest(ctx, "text-bad"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("a refused payment was stored: %v", err)
	}
	if got, err := s.Get(ctx, stored.Reference); err != nil || got.Version != 1 || got.Description != stored.Description {
		t.Errorf("the payment after refused updates: %+v, %v", got, err)
	}
}

func testBadKeys(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := newPayment("2026-000009/gebyr", 1, t0)
	if err := s.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, k := range badkey.Keys() {
		if _, err := s.Get(ctx, k); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Get(%q): %v, want ErrNotFound", k, err)
		}
		if _, err := s.Latest(ctx, k); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Latest(%q): %v, want ErrNotFound", k, err)
		}
		u := newPayment("x", 1, t0)
		u.Reference, u.Version = k, 1
		if err := s.Update(ctx, u); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Update(%q): %v, want ErrNotFound", k, err)
		}
		for _, f := range []payment.Filter{{BusinessKey: k}, {Provider: k, States: []payment.State{payment.Created}}} {
			if got, err := s.List(ctx, f); err != nil || len(got) != 0 {
				t.Errorf("List(%+v): %v, %d payments", f, err, len(got))
			}
		}
		if ops, err := s.Operations(ctx, k); err != nil || len(ops) != 0 {
			t.Errorf("Operations(%q): %v, %d", k, err, len(ops))
		}
		if err := s.Finish(ctx, k, payment.OpDone, "", t0); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Finish(%q): %v, want ErrNotFound", k, err)
		}
	}
	if _, err := s.Get(ctx, p.Reference); err != nil {
		t.Fatalf("the store after bad keys: %v", err)
	}
}

func testLatest(t *testing.T, s payment.Store) {
	ctx := context.Background()
	for _, a := range []int{1, 3, 2} {
		if err := s.Create(ctx, newPayment("2026-000004/gebyr", a, t0.Add(time.Duration(a)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, newPayment("other", 7, t0)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Latest(ctx, "2026-000004/gebyr")
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempt != 3 {
		t.Fatalf("Latest attempt %d, want 3", got.Attempt)
	}
}

func testOptimistic(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := newPayment("2026-000005/gebyr", 1, t0)
	if err := s.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Get(ctx, p.Reference)
	b, _ := s.Get(ctx, p.Reference)
	a.State, a.Aggregate.Authorized = payment.Authorized, a.Amount
	if err := s.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Version != 2 {
		t.Fatalf("Update set Version %d, want 2", a.Version)
	}
	b.State = payment.Aborted
	if err := s.Update(ctx, b); !errors.Is(err, payment.ErrConflict) {
		t.Fatalf("stale update: %v, want ErrConflict", err)
	}
	got, _ := s.Get(ctx, p.Reference)
	if got.State != payment.Authorized || got.Version != 2 {
		t.Fatalf("after the stale update: %s v%d", got.State, got.Version)
	}
	// Concurrent updaters: exactly one wins each round.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			q, err := s.Get(ctx, p.Reference)
			if err != nil {
				t.Error(err)
				return
			}
			if q.Version != 2 {
				return
			}
			q.Aggregate.Captured = q.Amount
			q.State = payment.Captured
			if err := s.Update(ctx, q); err == nil {
				wins.Add(1)
			} else if !errors.Is(err, payment.ErrConflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d concurrent updates of version 2 won, want 1", wins.Load())
	}
}

func testCopies(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := newPayment("2026-000006/gebyr", 1, t0)
	if err := s.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Events[0].Amount = 1 // the caller's copy, after Create
	got, _ := s.Get(ctx, p.Reference)
	if got.Events[0].Amount != money.Kroner(1500) {
		t.Fatal("Create kept the caller's slice")
	}
	got.Events[0].Amount = 2
	again, _ := s.Get(ctx, p.Reference)
	if again.Events[0].Amount != money.Kroner(1500) {
		t.Fatal("Get returned the stored slice")
	}
}

func testList(t *testing.T, s payment.Store) {
	ctx := context.Background()
	states := []payment.State{payment.Created, payment.Authorized, payment.Captured, payment.Aborted}
	for i, st := range states {
		p := newPayment(fmt.Sprintf("list-%d", i%2), i+1, t0.Add(time.Duration(len(states)-i)*time.Hour))
		p.State = st
		if i == 1 || i == 2 {
			p.Provider = "invoice"
		}
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.List(ctx, payment.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("List all: %d", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Created.Before(all[i-1].Created) {
			t.Fatal("List is not oldest first")
		}
	}
	open, _ := s.List(ctx, payment.Filter{States: []payment.State{payment.Created, payment.Authorized}})
	if len(open) != 2 {
		t.Fatalf("List by state: %d, want 2", len(open))
	}
	byKey, _ := s.List(ctx, payment.Filter{BusinessKey: "list-1"})
	if len(byKey) != 2 {
		t.Fatalf("List by key: %d, want 2", len(byKey))
	}
	limited, _ := s.List(ctx, payment.Filter{Limit: 3})
	if len(limited) != 3 {
		t.Fatalf("List limit: %d, want 3", len(limited))
	}
	invoices, _ := s.List(ctx, payment.Filter{Provider: "invoice"})
	if len(invoices) != 2 || invoices[0].Reference != all[1].Reference || invoices[1].Reference != all[2].Reference {
		t.Fatalf("List by provider: %d, want the 2nd and 3rd oldest", len(invoices))
	}
	openVipps, _ := s.List(ctx, payment.Filter{Provider: "vipps", States: []payment.State{payment.Created, payment.Authorized}})
	if len(openVipps) != 1 || openVipps[0].Provider != "vipps" || openVipps[0].State != payment.Created {
		t.Fatalf("List by provider and state: %d, want 1", len(openVipps))
	}
	if first, _ := s.List(ctx, payment.Filter{Provider: "invoice", Limit: 1}); len(first) != 1 || first[0].Reference != all[1].Reference {
		t.Fatalf("List by provider with a limit: %d", len(first))
	}
	if none, _ := s.List(ctx, payment.Filter{Provider: "none"}); len(none) != 0 {
		t.Fatalf("List by an unknown provider: %d", len(none))
	}
}

func testClaimConcurrent(t *testing.T, s payment.Store) {
	ctx := context.Background()
	var claimed atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			_, ok, err := s.Claim(ctx, payment.Operation{Key: "capture-same", Reference: "ref-claim-1", Kind: payment.OpCapture, Amount: 100}, t0, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				claimed.Add(1)
			}
		})
	}
	wg.Wait()
	if claimed.Load() != 1 {
		t.Fatalf("%d of 100 concurrent claims succeeded, want exactly 1", claimed.Load())
	}
}

func testClaimLease(t *testing.T, s payment.Store) {
	ctx := context.Background()
	op := payment.Operation{Key: "capture-lease", Reference: "ref-lease-1", Kind: payment.OpCapture, Amount: 15000}
	got, ok, err := s.Claim(ctx, op, t0, time.Minute)
	if err != nil || !ok || got.Attempts != 1 || got.Status != payment.OpPending || !got.LeaseUntil.Equal(t0.Add(time.Minute)) {
		t.Fatalf("first claim: %+v %v %v", got, ok, err)
	}
	if _, ok, _ := s.Claim(ctx, op, t0.Add(30*time.Second), time.Minute); ok {
		t.Fatal("claimed under another caller's lease")
	}
	// The lease ran out: take over, keeping the amount.
	op2 := op
	op2.Amount = 99
	got, ok, err = s.Claim(ctx, op2, t0.Add(2*time.Minute), time.Minute)
	if err != nil || !ok || got.Attempts != 2 || got.Amount != 15000 {
		t.Fatalf("takeover: %+v %v %v", got, ok, err)
	}
	if err := s.Finish(ctx, op.Key, payment.OpFailed, "refused", t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A refusal did nothing: the next claim starts afresh, with its own amount.
	op3 := op
	op3.Amount = 12000
	got, ok, _ = s.Claim(ctx, op3, t0.Add(2*time.Minute), time.Minute)
	if !ok || got.Attempts != 1 || got.Amount != 12000 {
		t.Fatalf("claim after failure: %+v %v", got, ok)
	}
	if err := s.Finish(ctx, op.Key, payment.OpDone, "", t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, ok, _ = s.Claim(ctx, op, t0.Add(time.Hour), time.Minute)
	if ok || got.Status != payment.OpDone {
		t.Fatalf("claim of a done operation: %+v %v", got, ok)
	}
	// Done is final.
	if err := s.Finish(ctx, op.Key, payment.OpFailed, "late", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ops, err := s.Operations(ctx, "ref-lease-1")
	if err != nil || len(ops) != 1 || ops[0].Status != payment.OpDone {
		t.Fatalf("operations: %+v %v", ops, err)
	}
}

func testFinish(t *testing.T, s payment.Store) {
	ctx := context.Background()
	if err := s.Finish(ctx, "nope", payment.OpDone, "", t0); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("Finish unknown: %v", err)
	}
	for i, k := range []string{"op-a", "op-b", "op-c"} {
		if _, _, err := s.Claim(ctx, payment.Operation{Key: k, Reference: "ref-fin-1", Kind: payment.OpRefund, Amount: 10}, t0.Add(time.Duration(i)*time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := s.StalePending(ctx, t0.Add(30*time.Second), 0); len(st) != 0 {
		t.Fatalf("stale under lease: %d", len(st))
	}
	// Releasing the lease (outcome unknown) makes it stale at once.
	if err := s.Finish(ctx, "op-b", payment.OpPending, "timeout", t0.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	st, err := s.StalePending(ctx, t0.Add(10*time.Second), 0)
	if err != nil || len(st) != 1 || st[0].Key != "op-b" || st[0].Detail != "timeout" {
		t.Fatalf("stale after release: %+v %v", st, err)
	}
	if err := s.Finish(ctx, "op-a", payment.OpDone, "", t0.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	st, _ = s.StalePending(ctx, t0.Add(time.Hour), 0)
	if len(st) != 2 || st[0].Key != "op-b" || st[1].Key != "op-c" {
		t.Fatalf("stale after the leases ran out: %+v", st)
	}
	if st, _ := s.StalePending(ctx, t0.Add(time.Hour), 1); len(st) != 1 {
		t.Fatalf("stale with limit: %d", len(st))
	}
}
