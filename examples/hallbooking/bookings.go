package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/payment"
)

func payKey(id string) string { return "booking/" + id }

// mine returns the reservation in the path if the party owns it.
func (a *App) mine(r *http.Request) (*booking.Reservation, *club, error) {
	owner, cl, err := a.party(r)
	if err != nil {
		return nil, nil, err
	}
	res, err := a.book.Reservation(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	if res.Owner != owner {
		return nil, nil, errNotYours
	}
	return res, cl, nil
}

type bookingView struct {
	R                   *booking.Reservation
	Hall                string
	When, Price, State  string
	HoldUntil           string
	Held, Confirmed     bool
	Cancelled, Charged  bool
	Club                bool
	Invoice             *payment.Payment
	InvoiceAccount, Due string
	PayFailed, Paid     bool
	Deadline            string
	Late                bool
	Letter              string
}

// settle brings the booking's Vipps payment up to date: it asks the
// provider, captures an authorised payment and confirms the hold.
func (a *App) settle(ctx context.Context, res *booking.Reservation) (*booking.Reservation, *payment.Payment, error) {
	p, err := a.vipps.Latest(ctx, payKey(res.ID))
	if errors.Is(err, payment.ErrNotFound) {
		return res, nil, nil
	}
	if err != nil {
		return res, nil, err
	}
	if !p.State.Final() && !p.State.Ended() {
		if q, err := a.vipps.Reconcile(ctx, p.Reference); err == nil {
			p = q
		}
	}
	if p.State == payment.Authorized && res.StateAt(a.now()) == booking.Held {
		if q, err := a.vipps.Capture(ctx, payKey(res.ID), payment.Modification{}); err == nil {
			p = q
		} else {
			a.log.WarnContext(ctx, "payment capture", "reference", p.Reference, "error", err)
		}
	}
	if p.State == payment.Authorized && res.StateAt(a.now()) != booking.Held && res.State != booking.Confirmed {
		// The hold ran out (or was cancelled) before the payment came
		// through: release the reserved money.
		if q, err := a.vipps.Cancel(ctx, payKey(res.ID)); err == nil {
			p = q
		} else {
			a.log.WarnContext(ctx, "payment cancel", "reference", p.Reference, "error", err)
		}
	}
	if p.Aggregate.Captured >= p.Amount && res.State == booking.Held {
		nr, err := a.book.Confirm(ctx, res.ID, "confirm/"+p.Reference)
		if errors.Is(err, booking.ErrHoldExpired) {
			// Captured, but the hold ran out in between: pay it back.
			if q, rerr := a.vipps.Refund(ctx, payKey(res.ID), payment.Modification{}); rerr == nil {
				p = q
			} else {
				a.log.WarnContext(ctx, "refund after expiry", "reference", p.Reference, "error", rerr)
			}
		}
		if err != nil {
			return res, p, err
		}
		res = nr
	}
	return res, p, nil
}

func (a *App) bookingPage(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), site.Lang(r)
	res, cl, err := a.mine(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	was := res.State
	res, p, err := a.settle(ctx, res)
	if err != nil && !errors.Is(err, booking.ErrHoldExpired) {
		a.fail(w, r, err)
		return
	}
	if was == booking.Held && res.State == booking.Confirmed {
		a.sendLetter(r, res, cl)
	}
	h, err := a.book.Resource(ctx, res.ResourceID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := a.now()
	st := res.StateAt(now)
	v := bookingView{R: res, Hall: h.Name, When: site.Time(res.Start, lang), Price: payment.Amount(res.PriceOre).Display(lang),
		State: messages.T(lang, "state."+string(st)), Held: st == booking.Held, Confirmed: st == booking.Confirmed,
		Cancelled: st == booking.Cancelled, Charged: res.Charged, Club: cl != nil,
		Deadline: site.Time(res.Start.Add(-h.CancelDeadline), lang), Late: now.After(res.Start.Add(-h.CancelDeadline))}
	if e, err := a.letters.Get(ctx, letterID(res)); err == nil {
		v.Letter = messages.T(lang, "letter.state."+string(e.State))
	}
	if v.Held {
		v.HoldUntil = site.Time(res.HoldExpires, lang)
	}
	if p != nil {
		v.Paid = p.Aggregate.Captured >= p.Amount
		v.PayFailed = p.State.Ended() && p.Aggregate.Captured == 0
	}
	if inv, err := a.invoice.Latest(ctx, payKey(res.ID)); err == nil {
		v.Invoice = inv
		v.InvoiceAccount = a.invoice.Provider.(*payment.Invoicing).Account.Format()
		v.Due = site.Date(inv.DueDate, lang)
	}
	a.render(w, r, "booking", http.StatusOK, a.page(r, "booking.title", v))
}

// payVipps sends the payer to Vipps for the held booking.
func (a *App) payVipps(w http.ResponseWriter, r *http.Request) {
	res, _, err := a.mine(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if res.StateAt(a.now()) != booking.Held {
		http.Redirect(w, r, "/booking/"+res.ID, http.StatusSeeOther)
		return
	}
	p, err := a.vipps.Start(r.Context(), payment.Order{BusinessKey: payKey(res.ID), Amount: payment.Amount(res.PriceOre),
		Description: messages.T(site.Lang(r), "pay.desc") + " " + res.Title, ReturnURL: a.public + "/booking/" + res.ID + "/betalt"})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if p.RedirectURL == "" {
		http.Redirect(w, r, "/booking/"+res.ID, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
}

func (a *App) paid(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/booking/"+r.PathValue("id"), http.StatusSeeOther)
}

// payInvoice issues an invoice with a KID to a club and confirms the
// booking: the club pays by bank transfer before the due date.
func (a *App) payInvoice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	res, cl, err := a.mine(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if cl == nil || res.StateAt(a.now()) != booking.Held {
		http.Redirect(w, r, "/booking/"+res.ID, http.StatusSeeOther)
		return
	}
	p, err := a.invoice.Start(ctx, payment.Order{BusinessKey: payKey(res.ID), Amount: payment.Amount(res.PriceOre),
		Description: messages.T(site.Lang(r), "pay.desc") + " " + res.Title})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	conf, err := a.book.Confirm(ctx, res.ID, "confirm/"+p.Reference)
	if err != nil && !errors.Is(err, booking.ErrHoldExpired) {
		a.fail(w, r, err)
		return
	}
	if err == nil {
		a.sendLetter(r, conf, cl)
	}
	http.Redirect(w, r, "/booking/"+res.ID, http.StatusSeeOther)
}

// cancel cancels under the hall's rules: before the deadline the rent is
// refunded (or the invoice cancelled); after it the booking is cancelled
// and charged.
func (a *App) cancel(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	res, _, err := a.mine(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err = a.book.Cancel(ctx, res.ID, "cancel/"+res.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !res.Charged {
		if p, err := a.vipps.Latest(ctx, payKey(res.ID)); err == nil && p.Refundable() > 0 {
			if _, err := a.vipps.Refund(ctx, payKey(res.ID), payment.Modification{}); err != nil {
				a.log.WarnContext(ctx, "refund", "reference", p.Reference, "error", err)
			}
		}
		if p, err := a.invoice.Latest(ctx, payKey(res.ID)); err == nil && !p.State.Ended() {
			if _, err := a.invoice.Cancel(ctx, payKey(res.ID)); err != nil {
				a.log.WarnContext(ctx, "invoice cancel", "reference", p.Reference, "error", err)
			}
		}
	}
	http.Redirect(w, r, "/booking/"+res.ID, http.StatusSeeOther)
}

func (a *App) ics(w http.ResponseWriter, r *http.Request) {
	res, _, err := a.mine(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	b, err := a.book.ReservationICS(r.Context(), res.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	site.ServeICS(w, "booking.ics", b)
}

type minSideView struct {
	Bookings []bookingRow
	Party    string
	FeedURL  string
}

type bookingRow struct {
	ID, Hall, When, State string
}

func (a *App) minSide(w http.ResponseWriter, r *http.Request) {
	a.renderMinSide(w, r, "")
}

func (a *App) renderMinSide(w http.ResponseWriter, r *http.Request, feed string) {
	ctx, lang := r.Context(), site.Lang(r)
	owner, cl, err := a.party(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rs, err := a.book.Reservations(ctx, booking.Query{Owner: owner})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v := minSideView{FeedURL: feed}
	if cl != nil {
		v.Party = cl.Name
	}
	now := a.now()
	for _, res := range rs {
		v.Bookings = append(v.Bookings, bookingRow{ID: res.ID, Hall: res.Title, When: site.Time(res.Start, lang),
			State: messages.T(lang, "state."+string(res.StateAt(now)))})
	}
	a.render(w, r, "minside", http.StatusOK, a.page(r, "minside.title", v))
}

// newFeed makes a personal calendar feed and shows its URL once.
func (a *App) newFeed(w http.ResponseWriter, r *http.Request) {
	owner, _, err := a.party(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	_, tok, err := a.book.NewFeed(r.Context(), owner, "")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.renderMinSide(w, r, booking.FeedURL(a.public+"/kalender/", tok))
}
