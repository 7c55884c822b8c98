package main

import (
	"errors"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/site"
)

func (a *App) start(w http.ResponseWriter, r *http.Request) {
	rs, err := a.Bookings.Store.Resources(r.Context())
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	lang := site.Lang(r)
	type hall struct{ ID, Name, Price string }
	var hs []hall
	for _, h := range rs {
		hs = append(hs, hall{h.ID, h.Name, i18n.Lang(lang).Amount(h.Price)})
	}
	a.Render(w, r, "start", http.StatusOK, a.Page(r, "start.title", map[string]any{"Halls": hs, "Notice": site.StartNotice(r.URL.Query())}))
}

// hold reserves the chosen slot for the payer while they pay: once, or
// (series) every week of the season, all or nothing. When an occurrence
// fails, the page lists each failing one and why, and the party may hold
// the others (their starts are left out of the rule). A held series is
// paid at once on its page: with Vipps, or by a club on one invoice.
func (a *App) hold(series bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		owner, _, err := a.Party(r)
		if err != nil {
			a.Fail(w, r, err)
			return
		}
		if !a.holdAllowed(w, r) {
			return
		}
		start, err := time.Parse(time.RFC3339, r.PostFormValue("start"))
		if err != nil {
			a.renderCalendar(w, r, "cal.invalid", http.StatusUnprocessableEntity)
			return
		}
		h, err := a.Bookings.Resource(ctx, r.PathValue("id"))
		if err != nil {
			a.Fail(w, r, err)
			return
		}
		in := booking.HoldInput{ResourceID: h.ID, Owner: owner, Start: start, Title: h.Name, Key: owner + "/" + r.PostFormValue("key")}
		var to string
		if series {
			to, err = a.holdSeries(w, r, h, in)
		} else {
			if f := a.beforeHold.Load(); f != nil {
				(*f)()
			}
			var res *booking.Reservation
			if res, err = a.Bookings.Hold(ctx, in); err == nil {
				to = "/booking/" + res.ID
			}
		}
		status, code := booking.HTTPStatus(err)
		switch key, ok := holdErrors[code]; {
		case err == nil && to != "":
			http.Redirect(w, r, to, http.StatusSeeOther)
		case ok:
			a.renderCalendar(w, r, key, status)
		case err != nil:
			a.Fail(w, r, err)
		}
	}
}

// holdAllowed spends one of the login's tokens for a new hold or series,
// or answers 429. It counts the person, not the club they act for.
func (a *App) holdAllowed(w http.ResponseWriter, r *http.Request) bool {
	err := a.AllowLogin(w, r, a.holdRate)
	if errors.Is(err, site.ErrRateLimited) {
		a.renderCalendar(w, r, "cal.ratelimit", http.StatusTooManyRequests)
	} else if err != nil {
		a.Fail(w, r, err)
	}
	return err == nil
}

// holdErrors are the message keys of the refused holds the calendar
// explains, by booking.HTTPStatus code.
var holdErrors = map[string]string{
	"slot_taken":            "cal.taken",
	"outside_opening_hours": "cal.invalid",
	"too_short_notice":      "cal.invalid",
	"too_far_ahead":         "cal.invalid",
	"invalid":               "cal.invalid",
	"limit_reached":         "cal.limit",
	"too_many_holds":        "cal.toomany",
}
