package main

import (
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/i18n"
)

// A bill is what one payment pays for: a single booking, or a weekly series
// paid at once. checkout.Checkout takes its payment: Vipps, or an invoice
// with a KID for a club; it confirms the holds once paid, and pays back
// what a cancellation in time no longer owes.
type bill = checkout.Bill

// setupCheckout wires the checkout and its letters, once the payment
// services are made.
func (a *App) setupCheckout() {
	a.mail = &checkout.Letters{Outbox: a.Letters, ID: letterID, SendAtOnce: true, Now: a.Config.Now, Logger: a.Config.Logger}
	a.co.Bookings, a.co.Payments, a.co.Invoices = a.Bookings, a.Payments, a.Invoices
	a.co.Now, a.co.Logger, a.co.AfterSettle = a.Config.Now, a.Config.Logger, a.mail.Settle
}

// billFor loads the bill of the request's /booking/{id} or /serie/{id},
// if the party owns it. A booking that is part of a series is paid with
// the series.
func (a *App) billFor(r *http.Request) (*bill, *club, error) {
	owner, cl, err := a.Party(r)
	if err != nil {
		return nil, nil, err
	}
	var b *bill
	if strings.HasPrefix(r.URL.Path, "/serie/") {
		b, err = a.co.SeriesBill(r.Context(), owner, r.PathValue("id"))
	} else {
		b, err = a.co.Bill(r.Context(), owner, r.PathValue("id"))
	}
	return b, cl, err
}

// billPath is the bill's page: /booking/ID or /serie/ID.
func billPath(b *bill) string {
	if b.Series {
		return "/serie/" + b.ID
	}
	return "/booking/" + b.ID
}

// description names the bill to the payer (in Vipps, on the invoice).
func description(b *bill, lang i18n.Lang) string {
	key := "pay.desc"
	if b.Series {
		key = "series.desc"
	}
	return messages.T(lang, key) + " " + b.Title()
}
