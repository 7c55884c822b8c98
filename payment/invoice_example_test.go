package payment_test

import (
	"context"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// A restarted process finds its invoices in the store it shares with the
// one before; here an in-memory store stands in for
// postgres.NewInvoiceStore(db).
func ExampleInvoicing_Store() {
	ctx := context.Background()
	store := payment.NewMemoryInvoiceStore()
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

	before := &payment.Invoicing{Store: store, Now: now}
	inv, _ := before.Create(ctx, payment.CreateRequest{Reference: "gm-invoice-0001", Amount: money.Kroner(1500)})
	fmt.Println(inv.KID, inv.DueDate)

	after := &payment.Invoicing{Store: store, Now: now} // the process restarted
	after.Register(ctx, payment.IncomingPayment{KID: inv.KID, Amount: money.Kroner(1500), BankReference: "OCR-1"})
	after.Register(ctx, payment.IncomingPayment{KID: inv.KID, Amount: money.Kroner(1500), BankReference: "OCR-1"}) // the same line again
	snap, _ := after.Get(ctx, "gm-invoice-0001")
	fmt.Println(snap.State, snap.Aggregate.Captured)
	next, _ := after.Create(ctx, payment.CreateRequest{Reference: "gm-invoice-0002", Amount: money.Kroner(200)})
	fmt.Println(next.KID)
	// Output:
	// 000000018 2026-03-15
	// AUTHORIZED 1 500,00 kr
	// 000000026
}
