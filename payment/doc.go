// Package payment is the provider-neutral core of fee payment: Amount in øre,
// Payment and its state machine, the Provider interface, and a Service that keeps
// local payment records in a Store and reconciles them with the provider, so that
// nothing is charged twice and no payment is lost.
//
//	client, _ := vipps.New(vipps.Config{...})           // or &payment.Invoicing{...}
//	svc := &payment.Service{Provider: client, Store: postgres.NewPaymentStore(db)}
//
//	p, err := svc.Start(ctx, payment.Order{
//		BusinessKey: "2026-000123/gebyr",                // case number + purpose
//		Amount:      money.Kroner(1500),
//		Description: "Gebyr for skjenkebevilling",
//		ReturnURL:   "https://kommune.example/betaling/ferdig",
//	})
//	// redirect the payer to p.RedirectURL; webhooks (vipps.WebhookHandler with
//	// vipps.ApplyTo(svc)) and svc.Poll move p to AUTHORIZED
//	p, err = svc.Capture(ctx, "2026-000123/gebyr", payment.Modification{})
//
// # Never twice, never lost
//
// A business key (what the payment is for) has attempts; each attempt has a
// reference derived from the key and the attempt number, so a retry of the
// same attempt can never create a second payment. A new attempt starts only
// after the last one ended ABORTED, EXPIRED or TERMINATED.
//
// Every mutating call first claims a durable Operation in the Store. Its key
// is the Idempotency-Key sent to the provider, derived from the reference and
// the kind of operation. Only the caller holding the claim calls the provider;
// concurrent callers get ErrInProgress, later ones the finished result. When
// the provider's answer is lost (a timeout or a 5xx: ErrUncertain), the
// operation stays pending; the next attempt reads the provider's event log for
// its key and sends again only if it is not there, with the same key.
//
// Provider events (webhooks, the event log) fold into the record as a set:
// each is applied once, in any order, and the totals only grow. A change the
// state machine forbids (ABORTED to CAPTURED, say) is a *TransitionError and
// changes nothing.
//
// # Amounts
//
// Amount is an integer number of øre. Display formats it for a citizen:
// "1 500,00 kr" in nb and nn, "NOK 1,500.00" in en.
package payment
