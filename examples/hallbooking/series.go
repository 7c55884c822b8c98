package main

import (
	"errors"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/payment"
)

// seasonEnd is the last day of the season a series starting at start runs
// in: the spring season ends 15 June, the autumn season 15 December.
func seasonEnd(start time.Time) time.Time {
	t := start.In(site.Oslo())
	y, m := t.Year(), time.June
	if t.Month() > time.June {
		m = time.December
	}
	if t.Month() == m && t.Day() > 15 {
		if m == time.June {
			m = time.December
		} else {
			y, m = y+1, time.June
		}
	}
	return time.Date(y, m, 15, 23, 59, 0, 0, site.Oslo())
}

type conflict struct {
	Start, When, Why string
}

type seriesView struct {
	Hall      *booking.Resource
	Start     string
	Key       string
	Until     string
	Conflicts []conflict
	Count     int
}

// whyKey names an occurrence's failure for the citizen.
func whyKey(err error) string {
	switch {
	case errors.Is(err, booking.ErrSlotTaken):
		return "series.why.taken"
	case errors.Is(err, booking.ErrOutsideHours):
		return "series.why.closed"
	case errors.Is(err, booking.ErrTooFar):
		return "series.why.far"
	default:
		return "series.why.other"
	}
}

// seriesPost books a weekly series for the season for a club, all or
// nothing: when any occurrence fails, the page lists each failing one and
// why, and the club may book the others (their starts are left out of the
// rule). The series is invoiced in one sum with a KID.
func (a *App) seriesPost(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), site.Lang(r)
	owner, cl, err := a.party(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if cl == nil {
		a.errorPage(w, r, http.StatusForbidden)
		return
	}
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	start, err := time.Parse(time.RFC3339, r.PostFormValue("start"))
	if err != nil {
		a.renderCalendar(w, r, "cal.invalid", http.StatusUnprocessableEntity)
		return
	}
	rule := booking.Recurrence{Freq: booking.Weekly, Until: seasonEnd(start).UTC()}
	for _, s := range r.PostForm["skip"] {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			rule.Except = append(rule.Except, t)
		}
	}
	held, err := a.book.HoldSeries(ctx, booking.SeriesInput{Rule: rule,
		HoldInput: booking.HoldInput{ResourceID: h.ID, Owner: owner, Start: start, Title: h.Name, Key: owner + "/" + r.PostFormValue("key")}})
	var se *booking.SeriesError
	if errors.As(err, &se) {
		v := seriesView{Hall: h, Start: r.PostFormValue("start"), Key: rand16(), Until: site.Date(rule.Until, lang)}
		for _, t := range rule.Except {
			v.Conflicts = append(v.Conflicts, conflict{Start: t.UTC().Format(time.RFC3339)})
		}
		for _, c := range se.Conflicts {
			v.Conflicts = append(v.Conflicts, conflict{Start: c.Start.UTC().Format(time.RFC3339), When: site.Time(c.Start, lang), Why: messages.T(lang, whyKey(c.Err))})
		}
		p := a.page(r, "series.conflicts", v)
		a.render(w, r, "series", http.StatusConflict, p)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sid := held[0].SeriesID
	var sum int64
	for _, res := range held {
		sum += res.PriceOre
	}
	p, err := a.invoice.Start(ctx, payment.Order{BusinessKey: "series/" + sid, Amount: payment.Amount(sum),
		Description: messages.T(lang, "series.desc") + " " + h.Name})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.book.ConfirmSeries(ctx, held, "confirm/"+p.Reference); err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/serie/"+sid, http.StatusSeeOther)
}

type seriesPage struct {
	Hall, Price, KID, Account, Due string
	Rows                           []bookingRow
}

// seriesShow lists the series' occurrences and its invoice.
func (a *App) seriesShow(w http.ResponseWriter, r *http.Request) {
	ctx, lang := r.Context(), site.Lang(r)
	owner, _, err := a.party(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rs, err := a.book.Reservations(ctx, booking.Query{SeriesID: r.PathValue("id"), Owner: owner})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(rs) == 0 {
		a.errorPage(w, r, http.StatusNotFound)
		return
	}
	v := seriesPage{Hall: rs[0].Title}
	now := a.now()
	for _, res := range rs {
		v.Rows = append(v.Rows, bookingRow{ID: res.ID, Hall: res.Title, When: site.Time(res.Start, lang), State: messages.T(lang, "state."+string(res.StateAt(now)))})
	}
	if inv, err := a.invoice.Latest(ctx, "series/"+r.PathValue("id")); err == nil {
		v.Price, v.KID, v.Due = inv.Amount.Display(lang), inv.KID, site.Date(inv.DueDate, lang)
		v.Account = a.invoice.Provider.(*payment.Invoicing).Account.Format()
	}
	a.render(w, r, "series_show", http.StatusOK, a.page(r, "series.title", v))
}
