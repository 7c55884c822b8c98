// Package payment is the provider-neutral core of fee payment: Payment and its
// state machine, the Provider interface, and a Service that keeps local
// payment records in a Store and reconciles them with the provider, so that
// nothing is charged twice and no payment is lost. Sums are money.Amount
// (whole øre).
//
//	client, _ := vipps.New(cfg)                          // or &payment.Invoicing{...}
//	svc := &payment.Service{Provider: client, Store: postgres.NewPaymentStore(db)}
//	go svc.Run(ctx, 30*time.Second)                      // the reconciliation job
//
//	p, err := svc.Start(ctx, payment.Order{
//		BusinessKey: "2026-000123/gebyr",                // case number + purpose
//		Amount:      money.Kroner(1500),
//		Description: "Gebyr for skjenkebevilling",
//		ReturnURL:   "https://kommune.example/betaling/ferdig",
//	})
//	// redirect the payer to p.RedirectURL; webhooks (vipps.WebhookHandler with
//	// vipps.ApplyTo(svc)) and svc.Run move p to AUTHORIZED
//	p, err = svc.Capture(ctx, "2026-000123/gebyr", payment.Modification{})
//	if err != nil {
//		status, code := payment.HTTPStatus(err) // 409 "in_progress", 503 "outcome_uncertain", ...
//	}
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
// # Settling
//
// Service.Settle does the whole pay → capture → confirm sequence in one
// call, and the page the payer returns to, the webhook (SettleEvent) and
// the reconciliation job may all run it at once:
//
//	svc := &payment.Service{Provider: client, Store: store,
//		// capture only while the booking is still held; else release
//		Wanted: func(ctx context.Context, p *payment.Payment) (bool, error) {
//			return bookings.StillHeld(ctx, p.Metadata["id"])
//		},
//		// once per outcome; retried by the job until it succeeds
//		OnSettled: func(ctx context.Context, p *payment.Payment) error {
//			if p.Outcome() != payment.OutcomePaid {
//				return nil
//			}
//			return bookings.Confirm(ctx, p.Metadata["id"], "confirm/"+p.Reference)
//		},
//	}
//	p, err := svc.Start(ctx, payment.Order{..., Metadata: map[string]string{"kind": "booking", "id": id}})
//	...
//	p, err = svc.Settle(ctx, p.Reference) // on the return page
//
// Order.Metadata is kept with the payment and never sent to the provider;
// hooks and webhooks route by it. A caller that finds a capture or the hook
// in progress in the same Service sleeps until it finishes (no polling,
// bounded by Service.Wait and ctx); one that finds it held by another
// instance sharing the Store returns the payment as it is at once: that
// instance finishes the step, and if it dies the lease runs out and the
// job takes over. OnSettled runs once per payment and outcome, one caller
// at a time, as a claimed Operation (OpSettle); a failure leaves it pending
// for the next Settle or RunOnce.
//
// # The reconciliation job
//
// Webhooks can be lost, so Service.Run(ctx, every) reconciles every open
// payment, and every operation whose outcome is unknown, at once and then
// every interval until ctx ends; Service.RunOnce is one such pass. Each
// Service acts only on the payments of its own provider.
//
// # Errors
//
// Callers branch on the sentinels with errors.Is. HTTPStatus maps them to a
// status and a stable code for an HTTP handler: ErrInvalid 400 "invalid",
// ErrNotFound 404 "not_found", ErrConflict, ErrInProgress and a
// *TransitionError 409, ErrRejected 422, ErrUncertain 503; anything else is
// 500 "internal".
//
// # Glossary
//
// Terms of the Norwegian payment systems, kept in identifiers as the banks
// and Vipps name them:
//
//   - KID (kundeidentifikasjon): the payment reference on an invoice, with a
//     MOD10 or MOD11 check digit (ident.KID).
//   - OCR Giro: Nets' file of incoming payments with KID, read by ParseOCR.
//   - PSP reference: the payment service provider's own id for an event.
package payment
