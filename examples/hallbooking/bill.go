package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/site"
)

// A bill is what one payment pays for: a single booking, or a weekly series
// paid at once. checkout.Checkout takes its payment: Vipps, or an invoice
// with a KID for a club; it confirms the holds once paid, and pays back
// what a cancellation in time no longer owes.
type bill = checkout.Bill

// setupInvoices makes the invoice payments to GRUNNMUR_INVOICE_ACCOUNT,
// their records kept with the Vipps payments', and wires the checkout.
func (a *App) setupInvoices() error {
	account, err := ident.ParseKontonummer(or(a.Config.Getenv("GRUNNMUR_INVOICE_ACCOUNT"), "1503.10.12349"))
	if err != nil {
		return fmt.Errorf("%w: GRUNNMUR_INVOICE_ACCOUNT: %v", site.ErrConfig, err)
	}
	var store payment.InvoiceStore // nil: payment.Invoicing's own memory
	if a.DB != nil {
		store = postgres.NewInvoiceStore(a.DB)
	}
	a.invoice = &payment.Service{Provider: &payment.Invoicing{Account: account, Prefix: "77", Store: store, Now: a.now},
		Store: a.vipps.Store, Now: a.now, Logger: a.log, ReferencePrefix: "hallf"}
	a.co.Bookings, a.co.Payments, a.co.Invoices = a.book, a.vipps, a.invoice
	a.mail = &checkout.Letters{Outbox: a.outbox, ID: letterID, SendAtOnce: true, Now: a.now, Logger: a.log}
	a.co.Now, a.co.Logger, a.co.AfterSettle = a.now, a.log, a.mail.Settle
	return nil
}

// billFor loads the bill of the request's /booking/{id} or /serie/{id},
// if the party owns it. A booking that is part of a series is paid with
// the series.
func (a *App) billFor(r *http.Request) (*bill, *club, error) {
	owner, cl, err := a.party(r)
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
