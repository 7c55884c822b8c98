package main

import (
	"errors"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/i18n"
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

// payState loads the request's bill (billFor), settles it and describes
// its payment, sending the confirmation letter once it is confirmed.
func (a *App) payState(r *http.Request) (*bill, payView, error) {
	ctx, lang := r.Context(), site.Lang(r)
	b, cl, err := a.billFor(r)
	if err != nil {
		return nil, payView{}, err
	}
	st, err := a.co.Settle(ctx, b)
	if err != nil {
		return nil, payView{}, err
	}
	a.ensureLetter(r, b, cl)
	held := b.Held(a.Config.Now())
	v := payView{Path: billPath(b), Held: len(held) > 0, Club: cl != nil, Confirmed: len(b.Confirmed()) > 0,
		Paid: st.Paid, PayFailed: st.Failed, Invoice: st.Invoice, Price: lang.Amount(booking.Owed(b.Reservations))}
	if v.Held {
		v.Price, v.HoldUntil = lang.Amount(booking.Total(held)), lang.Time(held[0].HoldExpires)
	}
	if st.Invoice != nil {
		v.InvoiceAccount, v.Due = a.Invoices.Provider.(*payment.Invoicing).Account.Format(), lang.Date(st.Invoice.DueDate)
	}
	if st.Refunded > 0 {
		v.Refunded = lang.Amount(st.Refunded)
	}
	if cl != nil {
		v.Party = cl.Name + " (" + messages.T(lang, "club.orgnr") + " " + string(cl.Orgnr) + ")"
	}
	fate := "none"
	if e, err := a.mail.State(ctx, b); err == nil {
		fate = string(e.State)
		if e.Held {
			fate = "held"
		} else if e.State != svarut.EntryWithdrawn {
			v.Letter = messages.T(lang, "letter.state."+string(e.State))
		}
	}
	if b.Cancelled() {
		v.LetterFate = messages.T(lang, "letter.fate."+fate)
	}
	return b, v, nil
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
	b, pv, err := a.payState(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	res := b.Reservation(r.PathValue("id"))
	if res == nil { // moved out of its series meanwhile
		a.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	h, err := a.Bookings.Resource(ctx, res.ResourceID)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	now := a.Config.Now()
	st := res.StateAt(now)
	v := bookingView{R: res, Pay: pv, Hall: h.Name, When: i18n.Lang(lang).Time(res.Start), Price: i18n.Lang(lang).Amount(res.Price),
		State: messages.T(lang, "state."+string(st)), Confirmed: st == booking.Confirmed, Cancelled: st == booking.Cancelled, Charged: res.Charged,
		Deadline: i18n.Lang(lang).Time(res.Start.Add(-h.CancelDeadline)), Late: h.PastDeadline(res, now),
		Active: st == booking.Confirmed && res.Start.After(now)}
	if b.Series {
		v.SeriesPath = billPath(b)
	}
	a.Render(w, r, "booking", http.StatusOK, a.Page(r, "booking.title", v))
}

// payVipps sends the payer to Vipps for what the bill holds. A payment
// for more under way (a held week was cancelled since) is finished
// instead: the checkout pays the difference back.
func (a *App) payVipps(w http.ResponseWriter, r *http.Request) {
	b, cl, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	p, err := a.co.Pay(r.Context(), b, payment.Order{Description: description(b, site.Lang(r)), ReturnURL: a.Config.PublicURL + billPath(b)})
	switch {
	case errors.Is(err, checkout.ErrNothingHeld):
	case err != nil:
		a.Fail(w, r, err)
		return
	case p.State == payment.Created && p.RedirectURL != "":
		a.prepareLetter(r, b, cl)
		http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, billPath(b), http.StatusSeeOther)
}

// payInvoice issues an invoice with a KID to a club and confirms what it
// holds: the club pays by bank transfer before the due date. Not while a
// Vipps payment for the bill is authorised or paid: that one settles it.
func (a *App) payInvoice(w http.ResponseWriter, r *http.Request) {
	b, cl, err := a.billFor(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if cl != nil {
		_, err = a.co.Invoice(r.Context(), b, payment.Order{Description: description(b, site.Lang(r))})
	}
	if err != nil && !errors.Is(err, checkout.ErrNothingHeld) && !errors.Is(err, checkout.ErrPaid) {
		a.Fail(w, r, err)
		return
	}
	a.ensureLetter(r, b, cl)
	http.Redirect(w, r, billPath(b), http.StatusSeeOther)
}

type minSideView struct {
	Channel  *site.ChannelChoice // e-mail or SMS for the booking notices
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
	// The party's bookings come from Min side, kept from the booking
	// events, not from a query of the bookings store.
	mine, err := a.MinSidePage(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	v := minSideView{Channel: mine.Channel}
	switch r.URL.Path {
	case "/min-side/kalender":
		var tok booking.FeedToken
		_, tok, err = a.Bookings.RenewFeed(ctx, mine.Owner, "")
		v.FeedURL = booking.FeedURL(a.Config.PublicURL+"/kalender/", tok)
	case "/min-side/kalender/stopp":
		_, err = a.Bookings.RevokeFeeds(ctx, mine.Owner, "")
		v.FeedOff = true
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if mine.Org != nil {
		v.Party = mine.Org.Name
	}
	for _, b := range mine.Bookings { // the events name the hall by its id
		v.Bookings = append(v.Bookings, bookingRow{ID: b.ID, Hall: mine.Resources[b.Resource], When: lang.Time(b.Start), State: messages.T(lang, "state."+string(b.State))})
	}
	a.Render(w, r, "minside", http.StatusOK, a.Page(r, "minside.title", v))
}
