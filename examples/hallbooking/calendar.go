package main

import (
	"crypto/rand"
	"net/http"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/site"
)

// calView is the calendar page: the hall's week (booking.Week, whose
// cells carry their own words) and, for a logged-in party, the forms that
// hold a free slot once or every week.
type calView struct {
	Hall          *booking.Resource
	Price         string
	Week          *booking.Week
	Error         string
	LoggedIn      bool
	Book, EveryWk string // the buttons' words
	Key           string
	Party         string
}

// calendar shows a hall's week: opening hours, holidays closed, and each
// slot free or taken.
func (a *App) calendar(w http.ResponseWriter, r *http.Request) {
	a.renderCalendar(w, r, "", http.StatusOK)
}

// renderCalendar renders the hall's week of ?uke= (any day of it; this
// week by default) with status, and the message of errKey above it when not
// empty.
func (a *App) renderCalendar(w http.ResponseWriter, r *http.Request, errKey string, status int) {
	ctx, lang := r.Context(), site.Lang(r)
	day, err := booking.ParseWeek(r.URL.Query().Get("uke"))
	if err != nil {
		day = civil.DateOf(a.Config.Now().In(civil.Oslo))
	}
	week, err := a.Bookings.Week(ctx, r.PathValue("id"), day, lang)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	p := a.Page(r, "cal.title", nil)
	p.Title = week.Resource.Name
	v := calView{Hall: week.Resource, Price: p.Lang.Amount(week.Resource.Price), Week: week, Key: rand.Text(),
		Book: p.T("cal.book"), EveryWk: p.T("cal.everyweek")}
	if _, cl, err := a.Party(r); err == nil {
		v.LoggedIn = true
		if cl != nil {
			v.Party = cl.Name
		}
	}
	if errKey != "" {
		v.Error = p.Refused(errKey)
	}
	p.Data = v
	a.Render(w, r, "calendar", status, p)
}
