package payment_test

import (
	"context"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// A handler answers a payment error with the status and code HTTPStatus
// gives it.
func ExampleHTTPStatus() {
	ctx := context.Background()
	svc := &payment.Service{Provider: &payment.Invoicing{}}

	_, err := svc.Capture(ctx, "2026-000999/gebyr", payment.Modification{})
	fmt.Println(payment.HTTPStatus(err))
	_, err = svc.Start(ctx, payment.Order{BusinessKey: "2026-000999/gebyr", Amount: -100, Description: "Gebyr"})
	fmt.Println(payment.HTTPStatus(err))
	// Output:
	// 404 not_found
	// 400 invalid
}

// One pass of the reconciliation job finds an invoice paid at the bank; the
// service runs it every interval with Run.
func ExampleService_RunOnce() {
	ctx := context.Background()
	invoices := &payment.Invoicing{Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }}
	svc := &payment.Service{Provider: invoices}

	p, _ := svc.Start(ctx, payment.Order{BusinessKey: "2026-000124/gebyr", Amount: money.Kroner(750), Description: "Gebyr"})
	invoices.Register(ctx, payment.IncomingPayment{KID: p.KID, Amount: money.Kroner(750), BankReference: "OCR-2"})

	if err := svc.RunOnce(ctx); err != nil {
		fmt.Println(err)
	}
	p, _ = svc.Get(ctx, p.Reference)
	fmt.Println(p.State, i18n.EN.Amount(p.Aggregate.Captured))
	// Output:
	// CAPTURED NOK 750.00
}

// Settle takes a payment to its outcome and runs OnSettled once, routed
// by the order's metadata; here an invoice paid at the bank.
func ExampleService_Settle() {
	ctx := context.Background()
	invoices := &payment.Invoicing{Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }}
	svc := &payment.Service{Provider: invoices,
		OnSettled: func(ctx context.Context, p *payment.Payment) error {
			fmt.Println("settled:", p.Outcome(), p.Metadata["kind"], p.Metadata["case"])
			return nil
		}}

	p, _ := svc.Start(ctx, payment.Order{BusinessKey: "2026-000125/gebyr", Amount: money.Kroner(750), Description: "Gebyr",
		Metadata: map[string]string{"kind": "fee", "case": "2026-000125"}})
	invoices.Register(ctx, payment.IncomingPayment{KID: p.KID, Amount: money.Kroner(750), BankReference: "OCR-3"})

	for range 2 { // the page and the webhook: the hook runs once
		p, _ = svc.Settle(ctx, p.Reference)
	}
	fmt.Println(p.State)
	// Output:
	// settled: paid fee 2026-000125
	// CAPTURED
}
