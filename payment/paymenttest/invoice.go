package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/badkey"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// TestInvoiceStore runs the conformance suite of a payment.InvoiceStore: the
// store's contract, then payment.Invoicing on the store, with many
// goroutines (on two Invoicing values, as two processes would be) issuing
// and booking the same invoices at once. newStore must return an empty
// store for each subtest.
func TestInvoiceStore(t *testing.T, newStore func(t *testing.T) payment.InvoiceStore) {
	t.Run("CreateGetRoundTrip", func(t *testing.T) { testInvoiceRoundTrip(t, newStore(t)) })
	t.Run("CreateDuplicate", func(t *testing.T) { testInvoiceDuplicate(t, newStore(t)) })
	t.Run("Unknown", func(t *testing.T) { testInvoiceUnknown(t, newStore(t)) })
	t.Run("BadBytesNotFound", func(t *testing.T) { testInvoiceBadKeys(t, newStore(t)) })
	t.Run("Text", func(t *testing.T) { testInvoiceText(t, newStore(t)) })
	t.Run("NextNumberConcurrentUnique", func(t *testing.T) { testInvoiceNumbers(t, newStore(t)) })
	t.Run("UpdateConcurrentNoLostUpdate", func(t *testing.T) { testInvoiceUpdateConcurrent(t, newStore(t)) })
	t.Run("UpdateErrorStoresNothing", func(t *testing.T) { testInvoiceUpdateError(t, newStore(t)) })
	t.Run("AnswerKeyOnOneInvoice", func(t *testing.T) { testInvoiceAnswers(t, newStore(t)) })
	t.Run("Invoicing", func(t *testing.T) {
		t.Run("RestartKeepsInvoices", func(t *testing.T) { testInvoicingRestart(t, newStore(t)) })
		t.Run("ConcurrentCreateOneInvoice", func(t *testing.T) { testInvoicingConcurrentCreate(t, newStore(t)) })
		t.Run("ConcurrentRegisterCountsOnce", func(t *testing.T) { testInvoicingConcurrentRegister(t, newStore(t)) })
		t.Run("ConcurrentRefundAndCancelOnce", func(t *testing.T) { testInvoicingConcurrentKeys(t, newStore(t)) })
		t.Run("NextNumberOverride", func(t *testing.T) { testInvoicingNextNumber(t, newStore(t)) })
	})
}

func newInvoice(t *testing.T, n int64) *payment.Invoice {
	t.Helper()
	kid, err := ident.NewKID(fmt.Sprintf("9%08d", n), ident.MOD10)
	if err != nil {
		t.Fatal(err)
	}
	return &payment.Invoice{
		Reference: payment.Reference("inv", fmt.Sprintf("%s#%d", t.Name(), n), 1), KID: kid, Amount: money.Kroner(1500),
		DueDate: civil.NewDate(2026, 11, 8), Created: t0, State: payment.Created,
		Events: []payment.Event{{Name: payment.EventCreated, PSPReference: "invoice-" + string(kid), Amount: money.Kroner(1500), Success: true, Time: t0, IdempotencyKey: "create-x"}},
	}
}

func sameInvoice(a, b *payment.Invoice) string {
	switch {
	case a.Reference != b.Reference, a.KID != b.KID:
		return "identity"
	case a.Amount != b.Amount, a.DueDate != b.DueDate, !a.Created.Equal(b.Created):
		return "amount or dates"
	case a.State != b.State, a.Aggregate != b.Aggregate:
		return "state or aggregate"
	case !slices.Equal(a.BankReferences, b.BankReferences):
		return "bank references"
	case len(a.Answers) != len(b.Answers):
		return "answers"
	case len(a.Events) != len(b.Events):
		return "events"
	}
	for k, v := range a.Answers {
		if w, ok := b.Answers[k]; !ok || v != w {
			return "answer " + k
		}
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

// testInvoiceText: text that is not UTF-8 or holds a NUL is refused with
// ErrInvalidText on create and update, never a driver error, and nothing
// changes; other text comes back exactly.
func testInvoiceText(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	n := int64(1)
	for _, v := range badkey.Texts() {
		inv := newInvoice(t, n)
		n++
		inv.BankReferences = []string{v}
		if err := s.Create(ctx, inv); err != nil {
			t.Fatalf("Create with %q: %v", v, err)
		}
		if got, err := s.Get(ctx, inv.Reference); err != nil || got.BankReferences[0] != v {
			t.Errorf("%q came back as %+v, %v", v, got, err)
		}
	}
	stored := newInvoice(t, n)
	n++
	if err := s.Create(ctx, stored); err != nil {
		t.Fatal(err)
	}
	for _, v := range badkey.Keys() {
		inv := newInvoice(t, n)
		n++
		inv.Events[0].PSPReference = v
		if err := s.Create(ctx, inv); !errors.Is(err, payment.ErrInvalidText) || !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("Create with %q: %v, want ErrInvalidText", v, err)
		} else if _, err := s.Get(ctx, inv.Reference); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("a refused invoice was stored: %v", err)
		}
		if _, err := s.Update(ctx, stored.Reference, func(inv *payment.Invoice) error {
			inv.BankReferences = append(inv.BankReferences, v)
			return nil
		}); !errors.Is(err, payment.ErrInvalidText) {
			t.Errorf("Update with %q: %v, want ErrInvalidText", v, err)
		}
	}
	if got, err := s.Get(ctx, stored.Reference); err != nil || len(got.BankReferences) != 0 {
		t.Errorf("the invoice after refused updates: %+v, %v", got, err)
	}
}

func testInvoiceRoundTrip(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	inv := newInvoice(t, 1)
	inv.State, inv.Aggregate = payment.Authorized, payment.Aggregate{Authorized: money.Kroner(1500), Captured: money.Kroner(500)}
	inv.BankReferences = []string{"20261024-000000700-0000001"}
	inv.Answers = map[string]payment.InvoiceAnswer{"refund-a": {State: payment.Authorized, Aggregate: inv.Aggregate}}
	inv.Events = append(inv.Events, payment.Event{Name: payment.EventCaptured, PSPReference: "bank-æøå «x»", Amount: money.Kroner(500), Success: true, Time: t0.Add(time.Hour)})
	if err := s.Create(ctx, inv); err != nil {
		t.Fatal(err)
	}
	for name, get := range map[string]func() (*payment.Invoice, error){
		"Get":      func() (*payment.Invoice, error) { return s.Get(ctx, inv.Reference) },
		"ByKID":    func() (*payment.Invoice, error) { return s.ByKID(ctx, inv.KID) },
		"Answered": func() (*payment.Invoice, error) { return s.Answered(ctx, "refund-a") },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := sameInvoice(got, inv); d != "" {
			t.Fatalf("%s: %s differs: %+v", name, d, got)
		}
	}
	// What the store hands out is a copy.
	got, _ := s.Get(ctx, inv.Reference)
	got.Events[0].Amount, got.BankReferences[0], got.Answers["refund-a"] = 1, "changed", payment.InvoiceAnswer{}
	if again, _ := s.Get(ctx, inv.Reference); sameInvoice(again, inv) != "" {
		t.Fatal("changing a returned invoice changed the stored one")
	}
	upd, err := s.Update(ctx, inv.Reference, func(i *payment.Invoice) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	upd.Events[0].Amount = 1
	if again, _ := s.Get(ctx, inv.Reference); sameInvoice(again, inv) != "" {
		t.Fatal("changing what Update returned changed the stored invoice")
	}
}

func testInvoiceDuplicate(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	a := newInvoice(t, 1)
	a.Answers = map[string]payment.InvoiceAnswer{"cancel-a": {State: payment.Terminated}}
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	sameRef := newInvoice(t, 2)
	sameRef.Reference = a.Reference
	sameKID := newInvoice(t, 3)
	sameKID.KID = a.KID
	sameKey := newInvoice(t, 4)
	sameKey.Answers = map[string]payment.InvoiceAnswer{"cancel-a": {State: payment.Terminated}}
	for name, inv := range map[string]*payment.Invoice{"reference": sameRef, "KID": sameKID, "answered key": sameKey} {
		if err := s.Create(ctx, inv); !errors.Is(err, payment.ErrConflict) {
			t.Errorf("same %s: %v, want ErrConflict", name, err)
		}
	}
	if _, err := s.ByKID(ctx, sameRef.KID); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("a refused invoice was stored: %v", err)
	}
	for _, inv := range []*payment.Invoice{sameKID, sameKey} {
		if _, err := s.Get(ctx, inv.Reference); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("a refused invoice was stored: %v", err)
		}
	}
	if got, _ := s.Get(ctx, a.Reference); sameInvoice(got, a) != "" {
		t.Error("a refused create changed the stored invoice")
	}
	if got, err := s.Answered(ctx, "cancel-a"); err != nil || got.Reference != a.Reference {
		t.Errorf("the key's invoice after a refused create: %v", err)
	}
	if err := s.Create(ctx, &payment.Invoice{Reference: "", KID: "18"}); !errors.Is(err, payment.ErrInvalid) {
		t.Errorf("no reference: %v", err)
	}
}

func testInvoiceUnknown(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "inv-unknown-1"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("Get: %v", err)
	}
	if _, err := s.ByKID(ctx, "000000018"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("ByKID: %v", err)
	}
	if _, err := s.Answered(ctx, "refund-x"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("Answered: %v", err)
	}
	called := false
	if _, err := s.Update(ctx, "inv-unknown-1", func(*payment.Invoice) error { called = true; return nil }); !errors.Is(err, payment.ErrNotFound) || called {
		t.Errorf("Update: %v (change called: %v)", err, called)
	}
}

// testInvoiceBadKeys: a reference, KID or key that is not UTF-8 or holds a
// NUL names no invoice: ErrNotFound, and the store still works.
func testInvoiceBadKeys(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	inv := newInvoice(t, 9)
	if err := s.Create(ctx, inv); err != nil {
		t.Fatal(err)
	}
	for _, k := range badkey.Keys() {
		if _, err := s.Get(ctx, k); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Get(%q): %v", k, err)
		}
		if _, err := s.ByKID(ctx, ident.KID(k)); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("ByKID(%q): %v", k, err)
		}
		if _, err := s.Answered(ctx, k); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Answered(%q): %v", k, err)
		}
		called := false
		if _, err := s.Update(ctx, k, func(*payment.Invoice) error { called = true; return nil }); !errors.Is(err, payment.ErrNotFound) || called {
			t.Errorf("Update(%q): %v (change called: %v)", k, err, called)
		}
	}
	if _, err := s.Get(ctx, inv.Reference); err != nil {
		t.Fatalf("the store after bad keys: %v", err)
	}
}

func testInvoiceNumbers(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 10 {
				n, err := s.NextNumber(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if n <= 0 || seen[n] {
					t.Errorf("number %d handed out twice or not positive", n)
				}
				seen[n] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 160 {
		t.Fatalf("%d numbers, want 160", len(seen))
	}
}

func testInvoiceUpdateConcurrent(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	inv := newInvoice(t, 1)
	if err := s.Create(ctx, inv); err != nil {
		t.Fatal(err)
	}
	const n = 32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := s.Update(ctx, inv.Reference, func(v *payment.Invoice) error {
				v.Aggregate.Captured++
				v.BankReferences = append(v.BankReferences, fmt.Sprintf("B%d", i))
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.Get(ctx, inv.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if got.Aggregate.Captured != n || len(got.BankReferences) != n {
		t.Fatalf("after %d concurrent updates: captured %d, %d bank references (lost updates)", n, got.Aggregate.Captured, len(got.BankReferences))
	}
}

func testInvoiceUpdateError(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	inv := newInvoice(t, 1)
	if err := s.Create(ctx, inv); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("paymenttest: change refused")
	if _, err := s.Update(ctx, inv.Reference, func(v *payment.Invoice) error {
		v.State = payment.Terminated
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update with a failing change: %v, want the change's error", err)
	}
	for name, change := range map[string]func(v *payment.Invoice){
		"KID":       func(v *payment.Invoice) { v.KID = "000000026"; v.State = payment.Terminated },
		"reference": func(v *payment.Invoice) { v.Reference = "inv-other-1"; v.State = payment.Terminated },
	} {
		if _, err := s.Update(ctx, inv.Reference, func(v *payment.Invoice) error { change(v); return nil }); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("a change of the %s: %v, want ErrInvalid", name, err)
		}
	}
	if got, _ := s.Get(ctx, inv.Reference); sameInvoice(got, inv) != "" {
		t.Fatal("a refused update changed the invoice")
	}
	if _, err := s.ByKID(ctx, "000000026"); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("a refused KID change is findable: %v", err)
	}
}

func testInvoiceAnswers(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	a, b := newInvoice(t, 1), newInvoice(t, 2)
	for _, inv := range []*payment.Invoice{a, b} {
		if err := s.Create(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	answer := func(key string) func(v *payment.Invoice) error {
		return func(v *payment.Invoice) error {
			if v.Answers == nil {
				v.Answers = map[string]payment.InvoiceAnswer{}
			}
			v.Answers[key] = payment.InvoiceAnswer{State: v.State, Aggregate: v.Aggregate}
			v.Events = append(v.Events, payment.Event{Name: payment.EventRefunded, PSPReference: "refund-" + key, Amount: 1, Success: true, Time: t0})
			return nil
		}
	}
	if _, err := s.Update(ctx, a.Reference, answer("k1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, a.Reference, answer("k1")); err != nil {
		t.Fatalf("an invoice answering its own key again: %v", err)
	}
	if _, err := s.Update(ctx, b.Reference, answer("k1")); !errors.Is(err, payment.ErrConflict) {
		t.Fatalf("another invoice answering k1: %v, want ErrConflict", err)
	}
	if got, _ := s.Get(ctx, b.Reference); sameInvoice(got, b) != "" {
		t.Fatal("a refused answer changed the invoice")
	}
	if got, err := s.Answered(ctx, "k1"); err != nil || got.Reference != a.Reference {
		t.Fatalf("Answered(k1): %v", err)
	}
	// Both invoices race to answer one key: one gets it, the other nothing.
	var wg sync.WaitGroup
	for i := range 16 {
		ref := []string{a.Reference, b.Reference}[i%2]
		wg.Go(func() {
			if _, err := s.Update(ctx, ref, answer("k2")); err != nil && !errors.Is(err, payment.ErrConflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	owner, err := s.Answered(ctx, "k2")
	if err != nil {
		t.Fatal(err)
	}
	other := a.Reference
	if owner.Reference == a.Reference {
		other = b.Reference
	}
	if got, _ := s.Get(ctx, other); got.Answers["k2"] != (payment.InvoiceAnswer{}) {
		t.Fatal("two invoices hold the same key")
	}
}

func invoicingOn(s payment.InvoiceStore) *payment.Invoicing {
	return &payment.Invoicing{Store: s, Prefix: "77", Now: func() time.Time { return t0 }}
}

func testInvoicingRestart(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	before := invoicingOn(s)
	r1, r2 := payment.Reference("hallf", "2026-000900/leie", 1), payment.Reference("hallf", "2026-000901/leie", 1)
	c1, err := before.Create(ctx, payment.CreateRequest{Reference: r1, Amount: money.Kroner(800), IdempotencyKey: "create-1"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := before.Create(ctx, payment.CreateRequest{Reference: r2, Amount: money.Kroner(200), IdempotencyKey: "create-2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := before.Register(ctx, payment.IncomingPayment{KID: c1.KID, Amount: money.Kroner(500), BankReference: "OCR-1"}); err != nil {
		t.Fatal(err)
	}

	after := invoicingOn(s) // the process restarted
	if again, err := after.Create(ctx, payment.CreateRequest{Reference: r1, Amount: money.Kroner(800)}); err != nil || again.KID != c1.KID || again.DueDate != c1.DueDate {
		t.Fatalf("the same invoice after a restart: %+v %v, want %+v", again, err, c1)
	}
	if _, err := after.Create(ctx, payment.CreateRequest{Reference: r1, Amount: money.Kroner(900)}); !errors.Is(err, payment.ErrRejected) {
		t.Fatalf("the same reference with another amount: %v", err)
	}
	snap, err := after.Get(ctx, r1)
	if err != nil || snap.State != payment.Authorized || snap.Aggregate.Captured != money.Kroner(500) || snap.PSPReference != c1.KID {
		t.Fatalf("Get after a restart: %+v %v", snap, err)
	}
	if evs, err := after.Events(ctx, r1); err != nil || len(evs) != 3 || evs[0].IdempotencyKey != "create-1" {
		t.Fatalf("Events after a restart: %+v %v", evs, err)
	}
	// The bank file read again after the restart books nothing twice.
	if ref, err := after.Register(ctx, payment.IncomingPayment{KID: c1.KID, Amount: money.Kroner(500), BankReference: "OCR-1"}); err != nil || ref != r1 {
		t.Fatalf("the same line again: %q %v", ref, err)
	}
	if _, err := after.Register(ctx, payment.IncomingPayment{KID: c1.KID, Amount: money.Kroner(500), BankReference: "OCR-2"}); err != nil {
		t.Fatal(err)
	}
	if snap, _ := after.Get(ctx, r1); snap.Aggregate.Captured != money.Kroner(800) {
		t.Fatalf("captured %s after paying the rest, want 800", snap.Aggregate.Captured)
	}
	if snap, err := after.Cancel(ctx, r2, "cancel-2"); err != nil || snap.State != payment.Terminated {
		t.Fatalf("Cancel after a restart: %+v %v", snap, err)
	}
	if _, err := after.Register(ctx, payment.IncomingPayment{KID: c2.KID, Amount: 100, BankReference: "OCR-3"}); !errors.Is(err, payment.ErrConflict) {
		t.Fatalf("paying a cancelled invoice: %v", err)
	}
	if _, err := after.Capture(ctx, r1, 1, "capture-1"); !errors.Is(err, payment.ErrNotSupported) {
		t.Fatalf("Capture: %v", err)
	}
	c3, err := after.Create(ctx, payment.CreateRequest{Reference: payment.Reference("hallf", "2026-000902/leie", 1), Amount: 100})
	if err != nil {
		t.Fatal(err)
	}
	if c3.KID == c1.KID || c3.KID == c2.KID {
		t.Fatalf("KID %s reused after a restart", c3.KID)
	}
	if _, err := after.Get(ctx, payment.Reference("hallf", "2026-000903/leie", 1)); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("an invoice never issued: %v", err)
	}
}

func testInvoicingConcurrentCreate(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	procs := [2]*payment.Invoicing{invoicingOn(s), invoicingOn(s)}
	ref := payment.Reference("hallf", "2026-000910/leie", 1)
	kids := make([]string, 32)
	var wg sync.WaitGroup
	for i := range kids {
		wg.Go(func() {
			c, err := procs[i%2].Create(ctx, payment.CreateRequest{Reference: ref, Amount: money.Kroner(300), IdempotencyKey: "create-10"})
			if err != nil {
				t.Error(err)
				return
			}
			kids[i] = c.KID
		})
	}
	wg.Wait()
	for _, k := range kids {
		if k != kids[0] {
			t.Fatalf("one reference, several KIDs: %v", kids)
		}
	}
	inv, err := s.ByKID(ctx, ident.KID(kids[0]))
	if err != nil || inv.Reference != ref {
		t.Fatalf("ByKID: %v", err)
	}
	if evs, _ := procs[0].Events(ctx, ref); len(evs) != 1 {
		t.Fatalf("%d events, want one CREATED", len(evs))
	}
}

func testInvoicingConcurrentRegister(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	procs := [2]*payment.Invoicing{invoicingOn(s), invoicingOn(s)}
	ref := payment.Reference("hallf", "2026-000920/leie", 1)
	c, err := procs[0].Create(ctx, payment.CreateRequest{Reference: ref, Amount: money.Kroner(1000)})
	if err != nil {
		t.Fatal(err)
	}
	register := func(in payment.IncomingPayment, n int) {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				p := in
				if p.BankReference == "" {
					p.BankReference = fmt.Sprintf("OCR-%d", i)
				}
				if got, err := procs[i%2].Register(ctx, p); err != nil || got != ref {
					t.Errorf("Register: %q %v", got, err)
				}
			})
		}
		wg.Wait()
	}
	// One bank line, read by many at once: booked once.
	register(payment.IncomingPayment{KID: c.KID, Amount: money.Kroner(300), BankReference: "OCR-same"}, 32)
	snap, err := procs[0].Get(ctx, ref)
	if err != nil || snap.Aggregate.Captured != money.Kroner(300) || snap.State != payment.Authorized {
		t.Fatalf("one bank line registered 32 times at once: %+v %v, want 300 kr captured once", snap, err)
	}
	// Many lines at once: each booked, up to what is owed.
	register(payment.IncomingPayment{KID: c.KID, Amount: money.Kroner(50)}, 32)
	snap, _ = procs[0].Get(ctx, ref)
	if snap.Aggregate.Captured != money.Kroner(1000) {
		t.Fatalf("captured %s, want 1000 kr", snap.Aggregate.Captured)
	}
	evs, _ := procs[1].Events(ctx, ref)
	var captured money.Amount
	auth := 0
	for _, e := range evs {
		switch e.Name {
		case payment.EventCaptured:
			captured += e.Amount
		case payment.EventAuthorized:
			auth++
		}
	}
	if captured != money.Kroner(1000) || auth != 1 {
		t.Fatalf("events book %s in captures and %d authorizations, want 1000 kr and 1", captured, auth)
	}
	inv, _ := s.Get(ctx, ref)
	if len(inv.BankReferences) != 33 {
		t.Fatalf("%d bank references kept, want 33", len(inv.BankReferences))
	}
}

func testInvoicingConcurrentKeys(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	procs := [2]*payment.Invoicing{invoicingOn(s), invoicingOn(s)}
	paid, unpaid := payment.Reference("hallf", "2026-000930/leie", 1), payment.Reference("hallf", "2026-000931/leie", 1)
	c, err := procs[0].Create(ctx, payment.CreateRequest{Reference: paid, Amount: money.Kroner(500)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := procs[0].Create(ctx, payment.CreateRequest{Reference: unpaid, Amount: money.Kroner(500)}); err != nil {
		t.Fatal(err)
	}
	if _, err := procs[0].Register(ctx, payment.IncomingPayment{KID: c.KID, Amount: money.Kroner(500), BankReference: "OCR-1"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			var snap *payment.Snapshot
			var err error
			if i%2 == 0 {
				snap, err = procs[i/2%2].Refund(ctx, paid, money.Kroner(100), "refund-1")
				if err == nil && (snap.Reference != paid || snap.Aggregate.Refunded != money.Kroner(100)) {
					t.Errorf("refund answer %+v", snap)
				}
			} else {
				snap, err = procs[i/2%2].Cancel(ctx, unpaid, "cancel-1")
				if err == nil && snap.State != payment.Terminated {
					t.Errorf("cancel answer %+v", snap)
				}
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for ref, want := range map[string]payment.EventName{paid: payment.EventRefunded, unpaid: payment.EventTerminated} {
		evs, _ := procs[0].Events(ctx, ref)
		n := 0
		for _, e := range evs {
			if e.Name == want {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d %s events, want 1", ref, n, want)
		}
	}
	if snap, _ := procs[1].Get(ctx, paid); snap.Aggregate.Refunded != money.Kroner(100) {
		t.Fatalf("refunded %s, want 100 kr once", snap.Aggregate.Refunded)
	}
	// A key is one request: used again for another invoice, it gets the
	// first answer and changes nothing.
	if snap, err := procs[1].Refund(ctx, unpaid, money.Kroner(100), "refund-1"); err != nil || snap.Reference != paid {
		t.Fatalf("a key reused on another invoice: %+v %v", snap, err)
	}
	if _, err := procs[1].Refund(ctx, paid, money.Kroner(500), "refund-2"); !errors.Is(err, payment.ErrRejected) {
		t.Fatalf("a refund beyond what is paid: %v", err)
	}
	if _, err := procs[1].Refund(ctx, "hallf-unknown-1", 1, "refund-3"); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("a refund of an unknown invoice: %v", err)
	}
}

func testInvoicingNextNumber(t *testing.T, s payment.InvoiceStore) {
	ctx := context.Background()
	var mu sync.Mutex
	next := int64(41)
	v := invoicingOn(s)
	v.Prefix = ""
	v.NextNumber = func(context.Context) (int64, error) {
		mu.Lock()
		defer mu.Unlock()
		return next, nil
	}
	c, err := v.Create(ctx, payment.CreateRequest{Reference: payment.Reference("hallf", "2026-000940/leie", 1), Amount: 100})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := ident.NewKID("00000041", ident.MOD10); c.KID != string(want) {
		t.Fatalf("KID %s, want %s from NextNumber", c.KID, want)
	}
	// A NextNumber that repeats itself is caught by the store's KID index.
	if _, err := v.Create(ctx, payment.CreateRequest{Reference: payment.Reference("hallf", "2026-000941/leie", 1), Amount: 100}); !errors.Is(err, payment.ErrConflict) {
		t.Fatalf("a repeated number: %v, want ErrConflict", err)
	}
	boom := errors.New("paymenttest: sequence down")
	v.NextNumber = func(context.Context) (int64, error) { return 0, boom }
	if _, err := v.Create(ctx, payment.CreateRequest{Reference: payment.Reference("hallf", "2026-000942/leie", 1), Amount: 100}); !errors.Is(err, boom) {
		t.Fatalf("a failing NextNumber: %v", err)
	}
}
