package payment_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

func TestStateMachine(t *testing.T) {
	ok := [][2]payment.State{
		{payment.Created, payment.Authorized}, {payment.Created, payment.Aborted}, {payment.Created, payment.Expired},
		{payment.Created, payment.Terminated}, {payment.Authorized, payment.Captured}, {payment.Authorized, payment.PartiallyCaptured},
		{payment.PartiallyCaptured, payment.Captured}, {payment.Captured, payment.PartiallyRefunded}, {payment.Captured, payment.Refunded},
		{payment.PartiallyRefunded, payment.Refunded}, {payment.Authorized, payment.Terminated},
		{payment.Created, payment.Refunded}, // a poll may skip states
	}
	bad := [][2]payment.State{
		{payment.Aborted, payment.Authorized}, {payment.Expired, payment.Captured}, {payment.Terminated, payment.Captured},
		{payment.Captured, payment.Authorized}, {payment.Refunded, payment.Captured}, {payment.Captured, payment.Terminated},
		{payment.Authorized, payment.Aborted}, {payment.Authorized, payment.Created}, {payment.PartiallyRefunded, payment.Captured},
		{payment.Refunded, payment.PartiallyRefunded},
	}
	for _, c := range ok {
		if !c[0].CanTransition(c[1]) {
			t.Errorf("%s -> %s refused", c[0], c[1])
		}
	}
	for _, c := range bad {
		if c[0].CanTransition(c[1]) {
			t.Errorf("%s -> %s allowed", c[0], c[1])
		}
	}
	for _, s := range payment.States {
		if !s.Valid() || !s.CanTransition(s) {
			t.Errorf("%s", s)
		}
	}
	if payment.State("PAID").Valid() {
		t.Error("PAID is not a state")
	}
}

func TestApplyRefusesImpossible(t *testing.T) {
	now := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
	p := &payment.Payment{Reference: "ref-apply-1", Amount: 1000, State: payment.Created}
	if _, err := p.ApplyEvent(payment.Event{Name: payment.EventAborted, PSPReference: "1", Amount: 1000, Success: true}, now); err != nil {
		t.Fatal(err)
	}
	_, err := p.ApplySnapshot(payment.Snapshot{State: payment.Authorized, Aggregate: payment.Aggregate{Authorized: 1000, Captured: 1000}}, now)
	var te *payment.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, payment.ErrInvalidTransition) || te.From != payment.Aborted {
		t.Fatalf("ABORTED then captured: %v", err)
	}
	if p.State != payment.Aborted || p.Aggregate.Captured != 0 {
		t.Fatalf("a refused change changed the record: %+v", p)
	}
	if _, err := p.ApplyEvent(payment.Event{Name: "PAID", PSPReference: "2"}, now); !errors.Is(err, payment.ErrInvalid) {
		t.Fatalf("unknown event: %v", err)
	}
	// A failed event is recorded but moves no money.
	q := &payment.Payment{Reference: "ref-apply-2", Amount: 1000, State: payment.Authorized, Aggregate: payment.Aggregate{Authorized: 1000}}
	changed, err := q.ApplyEvent(payment.Event{Name: payment.EventCaptured, PSPReference: "3", Amount: 1000, Success: false}, now)
	if err != nil || !changed || q.State != payment.Authorized || q.Aggregate.Captured != 0 {
		t.Fatalf("failed capture event: %v %v %+v", changed, err, q)
	}
	// A stale snapshot (totals lower than known) changes nothing.
	q.Aggregate.Captured, q.State = 1000, payment.Captured
	if changed, err := q.ApplySnapshot(payment.Snapshot{State: payment.Authorized, Aggregate: payment.Aggregate{Authorized: 1000}}, now); err != nil || changed || q.State != payment.Captured {
		t.Fatalf("stale snapshot: %v %v %s", changed, err, q.State)
	}
}

func TestReferenceAndKeys(t *testing.T) {
	r1 := payment.Reference("", "2026-000123/gebyr", 1)
	if r1 != payment.Reference("", "2026-000123/gebyr", 1) || !payment.ValidReference(r1) {
		t.Fatalf("reference %q not stable or not valid", r1)
	}
	if r1 == payment.Reference("", "2026-000123/gebyr", 2) || r1 == payment.Reference("", "2026-000124/gebyr", 1) {
		t.Fatal("attempts or keys share a reference")
	}
	k := payment.IdempotencyKey(r1, payment.OpCapture, "")
	if len(k) > 50 || k != payment.IdempotencyKey(r1, payment.OpCapture, "") || k == payment.IdempotencyKey(r1, payment.OpCapture, "2") || k == payment.IdempotencyKey(r1, payment.OpRefund, "") {
		t.Fatalf("idempotency key %q", k)
	}
}

func TestServiceValidation(t *testing.T) {
	ctx := context.Background()
	s := &payment.Service{Provider: &payment.Invoicing{}}
	for name, o := range map[string]payment.Order{
		"no key":    {Amount: 100},
		"no amount": {BusinessKey: "x"},
		"bad flow":  {BusinessKey: "x", Amount: 100, Flow: "FAX"},
	} {
		if _, err := s.Start(ctx, o); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := (&payment.Service{}).Start(ctx, payment.Order{BusinessKey: "x", Amount: 1}); !errors.Is(err, payment.ErrInvalid) {
		t.Errorf("no provider: %v", err)
	}
	if _, err := s.Capture(ctx, "nothing", payment.Modification{}); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("capture unknown: %v", err)
	}
}

func TestInvoiceFlow(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 10, 11, 22, 30, 0, 0, time.UTC) // 00:30 on the 12th in Oslo
	inv := &payment.Invoicing{Algorithm: ident.MOD11, Prefix: "301", Now: func() time.Time { return now }}
	svc := &payment.Service{Provider: inv, Now: func() time.Time { return now }}
	p, err := svc.Start(ctx, payment.Order{BusinessKey: "2026-000300/gebyr", Amount: money.Kroner(4300), Description: "Gebyr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, alg, err := ident.ParseKID(p.KID); err != nil || alg&ident.MOD11 == 0 || p.KID[:3] != "301" {
		t.Fatalf("KID %q: %v %v", p.KID, alg, err)
	}
	if want := civil.NewDate(2026, 10, 26); p.DueDate != want {
		t.Fatalf("due %s, want %s (14 days from the Oslo date)", p.DueDate, want)
	}
	if p.Overdue(now.Add(14*24*time.Hour)) || !p.Overdue(now.Add(15*24*time.Hour+2*time.Hour)) {
		t.Fatal("Overdue")
	}
	// The same business key again: the same invoice.
	again, _ := svc.Start(ctx, payment.Order{BusinessKey: "2026-000300/gebyr", Amount: money.Kroner(4300), Description: "Gebyr"})
	if again.KID != p.KID {
		t.Fatal("a second KID for the same attempt")
	}
	bad := p.KID[:len(p.KID)-1] + string("0123456789"[(int(p.KID[len(p.KID)-1]-'0')+1)%10])
	if _, err := inv.Register(ctx, payment.IncomingPayment{KID: bad, Amount: 100, BankReference: "x"}); !errors.Is(err, payment.ErrInvalid) {
		t.Fatalf("wrong check digit: %v", err)
	}
	if _, err := inv.Register(ctx, payment.IncomingPayment{KID: p.KID, Amount: money.Kroner(1000), BankReference: "A1"}); err != nil {
		t.Fatal(err)
	}
	if p, _ = svc.Reconcile(ctx, p.Reference); p.State != payment.PartiallyCaptured {
		t.Fatalf("after a part payment: %s", p.State)
	}
	inv.Register(ctx, payment.IncomingPayment{KID: p.KID, Amount: money.Kroner(1000), BankReference: "A1"}) // the same line twice
	if _, err := inv.Register(ctx, payment.IncomingPayment{KID: p.KID, Amount: money.Kroner(5000), BankReference: "A2"}); err != nil {
		t.Fatal(err)
	}
	if p, _ = svc.Reconcile(ctx, p.Reference); p.State != payment.Captured || p.Aggregate.Captured != money.Kroner(4300) {
		t.Fatalf("paid in full: %s %+v", p.State, p.Aggregate)
	}
	if p, err = svc.Refund(ctx, "2026-000300/gebyr", payment.Modification{Amount: money.Kroner(300)}); err != nil || p.State != payment.PartiallyRefunded {
		t.Fatalf("refund: %v %v", p, err)
	}
	// An unpaid invoice can be cancelled; the next attempt gets a new KID.
	q1, _ := svc.Start(ctx, payment.Order{BusinessKey: "2026-000301/gebyr", Amount: 100, Description: "Gebyr"})
	q, err := svc.Cancel(ctx, "2026-000301/gebyr")
	if err != nil || q.State != payment.Terminated || q.KID != q1.KID {
		t.Fatalf("cancel: %v %v", q, err)
	}
	q2, _ := svc.Start(ctx, payment.Order{BusinessKey: "2026-000301/gebyr", Amount: 100, Description: "Gebyr"})
	if q2.Attempt != 2 || q2.KID == q.KID {
		t.Fatalf("new attempt after cancel: %+v", q2)
	}
}

// TestRunSettlesInvoices runs the reconciliation job on a fake clock: a payment booked
// at the bank shows up at the next poll, without a webhook.
func TestRunSettlesInvoices(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		inv := &payment.Invoicing{}
		svc := &payment.Service{Provider: inv}
		p, err := svc.Start(ctx, payment.Order{BusinessKey: "2026-000400/gebyr", Amount: 5000, Description: "Gebyr"})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- svc.Run(ctx, time.Minute) }()
		synctest.Wait()
		if _, err := inv.Register(ctx, payment.IncomingPayment{KID: p.KID, Amount: 5000, BankReference: "B1"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(59 * time.Second)
		synctest.Wait()
		if got, _ := svc.Get(ctx, p.Reference); got.State != payment.Created {
			t.Fatalf("polled early: %s", got.State)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got, _ := svc.Get(ctx, p.Reference); got.State != payment.Captured {
			t.Fatalf("after the poll: %s", got.State)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run after its context ended: %v, want nil", err)
		}
	})
}

func TestRunRefusesNonPositiveInterval(t *testing.T) {
	svc := &payment.Service{Provider: &payment.Invoicing{}}
	for _, every := range []time.Duration{0, -time.Second} {
		if err := svc.Run(context.Background(), every); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("Run(ctx, %v): %v, want ErrInvalid at once", every, err)
		}
	}
}

func ExampleService() {
	ctx := context.Background()
	invoices := &payment.Invoicing{Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }}
	svc := &payment.Service{Provider: invoices} // in-memory store by default

	p, _ := svc.Start(ctx, payment.Order{BusinessKey: "2026-000123/gebyr", Amount: money.Kroner(1500), Description: "Gebyr"})
	fmt.Println(p.State, p.KID, p.DueDate)

	invoices.Register(ctx, payment.IncomingPayment{KID: p.KID, Amount: money.Kroner(1500), BankReference: "OCR-1"})
	p, _ = svc.Reconcile(ctx, p.Reference)
	fmt.Println(p.State, p.Aggregate.Captured)
	// Output:
	// CREATED 000000018 2026-03-15
	// CAPTURED 1 500,00 kr
}
