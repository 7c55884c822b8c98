package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/paymenttest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestInvoiceStore(t *testing.T) {
	paymenttest.TestInvoiceStore(t, func(t *testing.T) payment.InvoiceStore {
		return postgres.NewInvoiceStore(postgrestest.Open(t))
	})
}

// TestInvoiceStoreTwoPools runs the suite through two independent pools, so
// that only the database keeps concurrent issuers and bookers apart.
func TestInvoiceStoreTwoPools(t *testing.T) {
	paymenttest.TestInvoiceStore(t, func(t *testing.T) payment.InvoiceStore {
		u := postgrestest.URL(t)
		a := postgres.NewInvoiceStore(postgrestest.OpenURL(t, u, true))
		b := postgres.NewInvoiceStore(postgrestest.OpenURL(t, u, false))
		return &alternatingInvoices{stores: [2]payment.InvoiceStore{a, b}}
	})
}

type alternatingInvoices struct {
	stores [2]payment.InvoiceStore
	n      atomic.Uint64
}

func (a *alternatingInvoices) next() payment.InvoiceStore { return a.stores[a.n.Add(1)%2] }

func (a *alternatingInvoices) NextNumber(ctx context.Context) (int64, error) {
	return a.next().NextNumber(ctx)
}
func (a *alternatingInvoices) Create(ctx context.Context, inv *payment.Invoice) error {
	return a.next().Create(ctx, inv)
}
func (a *alternatingInvoices) Get(ctx context.Context, ref string) (*payment.Invoice, error) {
	return a.next().Get(ctx, ref)
}
func (a *alternatingInvoices) ByKID(ctx context.Context, kid ident.KID) (*payment.Invoice, error) {
	return a.next().ByKID(ctx, kid)
}
func (a *alternatingInvoices) Answered(ctx context.Context, key string) (*payment.Invoice, error) {
	return a.next().Answered(ctx, key)
}
func (a *alternatingInvoices) Update(ctx context.Context, ref string, change func(*payment.Invoice) error) (*payment.Invoice, error) {
	return a.next().Update(ctx, ref, change)
}

// TestInvoiceStoreRestart issues invoices through one pool, closes it (the
// process ends), and books, cancels and issues through a new one: every
// invoice is still there, and no KID comes twice.
func TestInvoiceStoreRestart(t *testing.T) {
	ctx := context.Background()
	u := postgrestest.URL(t)
	now := func() time.Time { return time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC) } // the night before DST
	first := postgrestest.OpenURL(t, u, true)
	before := &payment.Service{Provider: &payment.Invoicing{Store: postgres.NewInvoiceStore(first), Now: now}, Store: postgres.NewPaymentStore(first), Now: now}
	p1, err := before.Start(ctx, payment.Order{BusinessKey: "2026-000950/gebyr", Amount: money.Kroner(1500), Description: "Gebyr"})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := before.Start(ctx, payment.Order{BusinessKey: "2026-000951/gebyr", Amount: money.Kroner(200), Description: "Gebyr"})
	if err != nil {
		t.Fatal(err)
	}
	first.Close()

	second := postgrestest.OpenURL(t, u, false)
	invoices := &payment.Invoicing{Store: postgres.NewInvoiceStore(second), Now: now}
	after := &payment.Service{Provider: invoices, Store: postgres.NewPaymentStore(second), Now: now}
	if again, err := after.Start(ctx, payment.Order{BusinessKey: "2026-000950/gebyr", Amount: money.Kroner(1500), Description: "Gebyr"}); err != nil || again.KID != p1.KID {
		t.Fatalf("the same order after a restart: %+v %v", again, err)
	}
	if _, err := invoices.Register(ctx, payment.IncomingPayment{KID: p1.KID, Amount: money.Kroner(1500), BankReference: "OCR-950"}); err != nil {
		t.Fatal(err)
	}
	if err := after.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce after a restart: %v", err)
	}
	if p, _ := after.Get(ctx, p1.Reference); p.State != payment.Captured {
		t.Fatalf("paid after a restart: %s", p.State)
	}
	if p, err := after.Cancel(ctx, "2026-000951/gebyr"); err != nil || p.State != payment.Terminated {
		t.Fatalf("cancel after a restart: %+v %v", p, err)
	}
	p3, err := after.Start(ctx, payment.Order{BusinessKey: "2026-000951/gebyr", Amount: money.Kroner(200), Description: "Gebyr"})
	if err != nil {
		t.Fatal(err)
	}
	if p3.KID == p1.KID || p3.KID == p2.KID || p3.Attempt != 2 {
		t.Fatalf("a new invoice after a restart: KID %s (earlier %s, %s), attempt %d", p3.KID, p1.KID, p2.KID, p3.Attempt)
	}
	if p3.DueDate != civil.NewDate(2026, 4, 12) {
		t.Fatalf("due %s, want 14 Oslo days from 2026-03-29", p3.DueDate)
	}
}
