package main

import (
	"crypto/rand"
	"errors"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/site"
)

// seasons are the last days of the halls' seasons: a weekly series runs
// to the end of the spring season (15 June) or the autumn one (15
// December).
var seasons = []booking.YearDay{{Month: time.June, Day: 15}, {Month: time.December, Day: 15}}

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

// holdSeries holds a weekly series from in.Start to the end of its season,
// and returns where it is paid. When an occurrence fails it shows them all
// and returns "" and no error.
func (a *App) holdSeries(w http.ResponseWriter, r *http.Request, h *booking.Resource, in booking.HoldInput) (string, error) {
	lang := site.Lang(r)
	rule := booking.Recurrence{Freq: booking.Weekly, Until: booking.SeasonEnd(in.Start, civil.Oslo, seasons...).UTC()}
	for _, s := range r.PostForm["skip"] {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			rule.Except = append(rule.Except, t)
		}
	}
	held, err := a.Bookings.HoldSeries(r.Context(), booking.SeriesInput{Rule: rule, HoldInput: in})
	var se *booking.SeriesError
	if !errors.As(err, &se) {
		if err != nil {
			return "", err
		}
		return "/serie/" + held[0].SeriesID, nil
	}
	v := seriesView{Hall: h, Start: r.PostFormValue("start"), Key: rand.Text(), Until: i18n.Lang(lang).DateOf(rule.Until)}
	for _, t := range rule.Except {
		v.Conflicts = append(v.Conflicts, conflict{Start: t.UTC().Format(time.RFC3339)})
	}
	for _, c := range se.Conflicts {
		v.Conflicts = append(v.Conflicts, conflict{Start: c.Start.UTC().Format(time.RFC3339), When: i18n.Lang(lang).Time(c.Start), Why: booking.Reason(c.Err, lang)})
	}
	a.Render(w, r, "series", http.StatusConflict, a.Page(r, "series.conflicts", v))
	return "", nil
}

type seriesPage struct {
	Hall   string
	Pay    payView
	Rows   []bookingRow
	Active bool // an occurrence not yet begun can be cancelled
}

// seriesShow shows a series: its occurrences, and its payment.
func (a *App) seriesShow(w http.ResponseWriter, r *http.Request) {
	lang := site.Lang(r)
	b, pv, err := a.payState(r)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	v := seriesPage{Hall: b.Title(), Pay: pv}
	now := a.Config.Now()
	for _, res := range b.Reservations {
		st := res.StateAt(now)
		v.Rows = append(v.Rows, rowOf(res, lang, now))
		if st == booking.Confirmed && res.Start.After(now) {
			v.Active = true
		}
	}
	a.Render(w, r, "series_show", http.StatusOK, a.Page(r, "series.title", v))
}
