package main

import (
	"crypto/rand"
	"html/template"
	"net/http"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/site"
)

// calView is the calendar page: the hall's week (booking.Week, whose
// cells carry their own words), its table made in Go (site.WeekTable) and, for a
// logged-in party, the forms in it that hold a free slot once or every week.
type calView struct {
	calWeek
	Error    string
	LoggedIn bool
	Party    string
}

// calWeek is what every visitor who is not logged in sees of a week, kept
// in App.weeks (booking.WeekCache): nothing personal goes in it.
type calWeek struct {
	Week  *booking.Week
	Price string // "600,00 kr per time"
	Table template.HTML
	// The words around the table, in the week's language.
	Login, Weeks, Prev, Next string
}

// calendar shows a hall's week: opening hours, holidays closed, and each
// slot free or taken.
func (a *App) calendar(w http.ResponseWriter, r *http.Request) {
	a.renderCalendar(w, r, "", http.StatusOK)
}

// renderCalendar renders the hall's week of ?uke= (any day of it; this
// week by default) with status, and the message of errKey above it when not
// empty. The page of a visitor who is not logged in comes from App.weeks.
func (a *App) renderCalendar(w http.ResponseWriter, r *http.Request, errKey string, status int) {
	ctx, lang := r.Context(), site.Lang(r)
	day, err := booking.ParseWeek(r.URL.Query().Get("uke"))
	if err != nil {
		day = civil.DateOf(a.Config.Now().In(civil.Oslo))
	}
	p := a.Page(r, "cal.title", nil)
	var v calView
	table := site.WeekTable{Time: p.T("cal.time"), NoSlots: p.T("cal.noslots")}
	if _, cl, err := a.Party(r); err == nil {
		v.LoggedIn = true
		if cl != nil {
			v.Party = cl.Name
		}
		table.CSRF, table.Key, table.Prefix = p.CSRF, rand.Text(), "/hall/"
		table.Forms = []site.CellForm{{Path: "/hold", Label: p.T("cal.book"), Class: "ds-button--secondary", Data: "start"},
			{Path: "/serie", Label: p.T("cal.everyweek"), Class: "ds-button--tertiary", Data: "series"}}
	}
	build := func(wk *booking.Week) (calWeek, error) {
		return calWeek{Week: wk, Price: p.Lang.Amount(wk.Resource.Price) + " " + p.T("start.price"), Table: table.HTML(wk),
			Login: p.T("cal.login"), Weeks: p.T("cal.weeks"), Prev: p.T("cal.prev"), Next: p.T("cal.next")}, nil
	}
	if table.Forms == nil {
		v.calWeek, err = a.weeks.Get(ctx, a.Bookings, r.PathValue("id"), day, lang, build)
	} else {
		var wk *booking.Week
		if wk, err = a.Bookings.Week(ctx, r.PathValue("id"), day, lang); err == nil {
			v.calWeek, err = build(wk)
		}
	}
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	p.Title = v.Week.Resource.Name
	if errKey != "" {
		v.Error = p.Refused(errKey)
	}
	p.Data = v
	a.Render(w, r, "calendar", status, p)
}
