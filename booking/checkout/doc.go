// Package checkout takes payment for reservations: what any booking
// service that charges for its slots needs between booking and payment.
//
// A Bill is what one payment pays for: one reservation, or every occurrence
// of a series paid at once. The payment carries the bill in its Metadata,
// so webhooks and the reconciliation job find it again, and the Checkout's
// hooks settle it:
//
//   - Wanted captures an authorised payment while the bill still holds its
//     reservations (and no invoice was taken meanwhile), and releases it
//     otherwise;
//   - OnSettled confirms the held reservations once the payment is paid,
//     once per payment, even if the payer never comes back;
//   - Cancel and Settle pay back what is no longer owed (a reservation
//     cancelled before the resource's deadline), one refund per
//     reservation, so that callers racing in one process or several pay
//     each back exactly once; an unpaid invoice is credited and issued again
//     for what is owed.
//
// Wiring, with a Vipps provider and the invoice alternative:
//
//	co := &checkout.Checkout{Bookings: bookings}
//	co.Payments = &payment.Service{Provider: vipps, Store: store, Wanted: co.Wanted, OnSettled: co.OnSettled}
//	co.Invoices = &payment.Service{Provider: &payment.Invoicing{Account: account}, Store: store, ReferencePrefix: "inv"}
//
//	b, err := co.Bill(ctx, owner, reservationID) // owner-checked
//	p, err := co.Pay(ctx, b, payment.Order{Description: "Leie av Storhallen", ReturnURL: page})
//	// ... the payer approves; on the return, the webhook or the job:
//	st, err := co.Settle(ctx, b) // captured, confirmed: st.Paid
//	st, err = co.Cancel(ctx, b, "") // free before the deadline: st.Refunded
package checkout
