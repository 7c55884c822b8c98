package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/svarut"
)

// payView is what the booking and the series pages show of the payment.
type payView struct {
	Path                string // where the pay and cancel forms post
	Price, HoldUntil    string
	Held, Club          bool
	Invoice             *payment.Payment
	InvoiceAccount, Due string
	PayFailed, Paid     bool
	Refunded            string
	Letter              string
	Confirmed           bool
	// Party names the club the booking is for, on the booking and on the
	// invoice; "" for a person booking for themselves.
	Party string
	// LetterFate says, once everything is cancelled, what became of the
	// confirmation letter (letter.fate.*).
	LetterFate string
}

// payState settles the bill and describes its payment, sending the
// confirmation letter once it is confirmed.
func (a *App) payState(r *http.Request, b *bill, cl *club) (payView, error) {
	ctx, lang := r.Context(), site.Lang(r)
	p, err := a.settle(ctx, b)
	if err != nil {
		return payView{}, err
	}
	a.ensureLetter(r, b, cl)
	now := a.now()
	held := b.held(now)
	v := payView{Path: b.Path, Held: len(held) > 0, Club: cl != nil, Confirmed: b.confirmed()}
	if v.Held {
		v.Price = i18n.Lang(lang).Amount(booking.Total(held))
		v.HoldUntil = i18n.Lang(lang).Time(held[0].HoldExpires)
	} else {
		v.Price = i18n.Lang(lang).Amount(booking.Owed(b.RS))
	}
	var refunded money.Amount
	if p != nil {
		v.Paid = p.Aggregate.Captured > p.Aggregate.Refunded
		v.PayFailed = p.State.Ended() && p.Aggregate.Captured == 0 && v.Held
		refunded = p.Aggregate.Refunded
	}
	if inv, err := a.invoice.Latest(ctx, b.invoiceKey()); err == nil && (inv.State != payment.Terminated || inv.Aggregate.Captured > 0) {
		v.Invoice = inv
		v.InvoiceAccount = a.invoice.Provider.(*payment.Invoicing).Account.Format()
		v.Due = i18n.Lang(lang).Date(inv.DueDate)
		refunded += inv.Aggregate.Refunded
	}
	if refunded > 0 {
		v.Refunded = i18n.Lang(lang).Amount(refunded)
	}
	if cl != nil {
		v.Party = cl.Name + " (" + messages.T(lang, "club.orgnr") + " " + string(cl.Orgnr) + ")"
	}
	fate := "none"
	e, err := a.letters.Get(ctx, b.letterID())
	if err == nil && e.State == svarut.EntryWithdrawn {
		if again, err := a.letters.Get(ctx, resentID(b)); err == nil {
			e = again
		}
	}
	if err == nil {
		fate = string(e.State)
		if e.Held {
			fate = "held"
		} else if e.State != svarut.EntryWithdrawn {
			v.Letter = messages.T(lang, "letter.state."+string(e.State))
		}
	}
	if b.allCancelled() {
		v.LetterFate = messages.T(lang, "letter.fate."+fate)
	}
	return v, nil
}

type bookingView struct {
	R                  *booking.Reservation
	Pay                payView
	Hall               string
	When, Price, State string
	Confirmed          bool
	Cancelled, Charged bool
	Deadline           string
	Late, Active       bool
	SeriesPath         string
}

func (a *App) bookingPage(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), site.Lang(r)
	b, cl, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	pv, err := a.payState(r, b, cl)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	var res *booking.Reservation
	for _, x := range b.RS {
		if x.ID == r.PathValue("id") {
			res = x
		}
	}
	if res == nil { // moved out of its series meanwhile
		a.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	h, err := a.book.Resource(ctx, res.ResourceID)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	now := a.now()
	st := res.StateAt(now)
	v := bookingView{R: res, Pay: pv, Hall: h.Name, When: i18n.Lang(lang).Time(res.Start), Price: i18n.Lang(lang).Amount(res.Price),
		State: messages.T(lang, "state."+string(st)), Confirmed: st == booking.Confirmed, Cancelled: st == booking.Cancelled, Charged: res.Charged,
		Deadline: i18n.Lang(lang).Time(res.Start.Add(-h.CancelDeadline)), Late: now.After(res.Start.Add(-h.CancelDeadline)),
		Active: st == booking.Confirmed && res.Start.After(now)}
	if b.Series {
		v.SeriesPath = b.Path
	}
	a.Render(w, r, "booking", http.StatusOK, a.Page(r, "booking.title", v))
}

// payVipps sends the payer to Vipps for what the bill holds.
func (a *App) payVipps(w http.ResponseWriter, r *http.Request) {
	b, cl, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	held := b.held(a.now())
	if len(held) == 0 {
		http.Redirect(w, r, b.Path, http.StatusSeeOther)
		return
	}
	p, err := a.vipps.Start(r.Context(), payment.Order{BusinessKey: b.vippsKey(), Amount: booking.Total(held),
		Description: b.description(site.Lang(r)), ReturnURL: a.public + b.Path, Metadata: b.meta()})
	if errors.Is(err, payment.ErrConflict) {
		// A payment for more is under way (a held week was cancelled
		// since): finish that one; reprice pays the difference back.
		p, err = a.vipps.Latest(r.Context(), b.vippsKey())
		if err == nil && (p.State != payment.Created || p.RedirectURL == "") {
			http.Redirect(w, r, b.Path, http.StatusSeeOther)
			return
		}
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	a.prepareLetter(r, b, cl)
	if p.RedirectURL == "" {
		http.Redirect(w, r, b.Path, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
}

// payInvoice issues an invoice with a KID to a club and confirms what it
// holds: the club pays by bank transfer before the due date. Not while a
// Vipps payment for the bill is authorised or paid: that one settles it.
func (a *App) payInvoice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, cl, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	held := b.held(a.now())
	if cl == nil || len(held) == 0 || a.paidWithVipps(ctx, b) {
		http.Redirect(w, r, b.Path, http.StatusSeeOther)
		return
	}
	p, err := a.invoice.Start(ctx, payment.Order{BusinessKey: b.invoiceKey(), Amount: booking.Total(held),
		Description: b.description(site.Lang(r))})
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if err := a.confirm(ctx, b, "confirm/"+p.Reference); err != nil {
		a.Fail(w, r, err)
		return
	}
	a.reprice(ctx, b) // if some holds ran out: invoice only what was confirmed
	a.ensureLetter(r, b, cl)
	http.Redirect(w, r, b.Path, http.StatusSeeOther)
}

// cancel cancels under the hall's rules, once confirmed on cancelPage: a
// booking from /booking/{id}, or from /serie/{id} every occurrence not yet
// begun. Before the deadline an
// occurrence is free, after it the rent is charged; reprice then pays back
// (or credits the invoice) what is no longer owed.
func (a *App) cancel(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, _, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	// The way back is built from the bill looked up, never from the raw path.
	back := b.Path
	if !strings.HasPrefix(r.URL.Path, "/serie/") {
		for _, res := range b.RS {
			if res.ID == r.PathValue("id") {
				back = "/booking/" + res.ID // the stored id, never the request's
			}
		}
	}
	if r.PostFormValue("confirm") != "yes" { // not from the confirmation page
		http.Redirect(w, r, back+"/avbestill", http.StatusSeeOther)
		return
	}
	now := a.now()
	for i, res := range b.RS {
		if !strings.HasPrefix(r.URL.Path, "/serie/") && res.ID != r.PathValue("id") {
			continue
		}
		if st := res.StateAt(now); (st != booking.Held && st != booking.Confirmed) || !res.Start.After(now) {
			continue
		}
		c, err := a.book.Cancel(ctx, res.ID, "cancel/"+res.ID)
		if err != nil {
			a.Fail(w, r, err)
			return
		}
		b.RS[i] = c
	}
	// settle, not just reprice: an authorised Vipps payment for what is no
	// longer held is released too.
	if _, err := a.settle(ctx, b); err != nil {
		a.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// ics is the party's booking as an iCalendar file.
func (a *App) ics(w http.ResponseWriter, r *http.Request) {
	owner, _, err := a.party(r)
	if err == nil {
		var b []byte
		if b, err = a.book.OwnReservationICS(r.Context(), owner, r.PathValue("id")); err == nil {
			site.ServeICS(w, "booking.ics", b)
			return
		}
	}
	a.Fail(w, r, err)
}

type minSideView struct {
	Bookings []bookingRow
	Party    string
	FeedURL  string
	FeedOff  bool // the feed URLs were just turned off
}

type bookingRow struct {
	ID, Hall, When, State string
}

func rowOf(res *booking.Reservation, lang i18n.Lang, now time.Time) bookingRow {
	return bookingRow{ID: res.ID, Hall: res.Title, When: i18n.Lang(lang).Time(res.Start), State: messages.T(lang, "state."+string(res.StateAt(now)))}
}

// minSide lists the party's bookings. A post to /min-side/kalender makes a
// personal calendar feed and shows its URL once: any earlier URL of the
// party stops working, so a citizen who has shared or lost one renews it
// here. A post to /min-side/kalender/stopp turns the feed URLs off.
func (a *App) minSide(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), site.Lang(r)
	owner, cl, err := a.party(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	var v minSideView
	switch r.URL.Path {
	case "/min-side/kalender":
		var tok booking.FeedToken
		_, tok, err = a.book.RenewFeed(ctx, owner, "")
		v.FeedURL = booking.FeedURL(a.public+"/kalender/", tok)
	case "/min-side/kalender/stopp":
		_, err = a.book.RevokeFeeds(ctx, owner, "")
		v.FeedOff = true
	}
	rs, err2 := a.book.Reservations(ctx, booking.Query{Owner: owner})
	if err = errors.Join(err, err2); err != nil {
		a.Fail(w, r, err)
		return
	}
	if cl != nil {
		v.Party = cl.Name
	}
	now := a.now()
	for _, res := range rs {
		v.Bookings = append(v.Bookings, rowOf(res, lang, now))
	}
	a.Render(w, r, "minside", http.StatusOK, a.Page(r, "minside.title", v))
}

// paidWithVipps reports whether the bill's Vipps payment is authorised or
// captured.
func (a *App) paidWithVipps(ctx context.Context, b *bill) bool {
	p, err := a.vipps.Latest(ctx, b.vippsKey())
	return err == nil && (p.State == payment.Authorized || p.Aggregate.Captured > 0)
}
