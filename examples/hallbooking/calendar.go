package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/holiday"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/site"
)

// The week calendar is a table: the days are its columns, the slots' times
// its rows. Everything a cell shows (its state, its words, where its
// buttons post) is worked out here, so the template only lays it out.

// Cell states.
const (
	cellFree   = "free"
	cellTaken  = "taken"
	cellPast   = "past"
	cellClosed = "closed" // the hall is not open then
)

type weekCell struct {
	State string
	Text  string // what the cell says: Ledig, Opptatt, Passert, Stengt
	// For a free slot and a logged-in party: the forms to hold it once or
	// every week, and what the buttons say to a screen reader.
	Start             string // RFC 3339, UTC
	Hold, Series      string // the forms' actions
	SlotName          string // "mandag 7. desember kl. 16.00–17.00"
	BookText, EveryWk string
}

type weekRow struct {
	Label string // "16.00–17.00"
	Cells []weekCell
}

type weekDay struct {
	Name, Date string // "mandag", "7.12."
	Closed     string // why the whole day is closed: a holiday, a note
}

type calView struct {
	Hall       *booking.Resource
	Price      string
	Caption    string // "Uke 50, 7.–13. desember 2026"
	Prev, Next string // ?uke= of the weeks around
	Days       []weekDay
	Rows       []weekRow
	Error      string
	LoggedIn   bool
	Key        string
	Party      string
}

// weekCaption names the ISO week that starts on monday: "Uke 50,
// 7.–13. desember 2026", "Veke 1, 29. desember 2025–4. januar 2026", "Week
// 5, 26 January–1 February 2026".
func weekCaption(monday civil.Date, lang i18n.Lang) string {
	loc := civil.Oslo
	from, to := monday.Start(loc), monday.AddDays(6).Start(loc)
	_, n := from.ISOWeek()
	word := map[i18n.Lang]string{"nb": "Uke", "nn": "Veke", "en": "Week"}[lang]
	if word == "" {
		lang, word = "nb", "Uke"
	}
	dot := "."
	if lang == "en" {
		dot = ""
	}
	var span string
	switch {
	case from.Month() == to.Month():
		span = i18n.Lang(lang).Format(from, "d") + dot + "–" + i18n.Lang(lang).Format(to, "d"+dot+" MMMM yyyy")
	case from.Year() == to.Year():
		span = i18n.Lang(lang).Format(from, "d"+dot+" MMMM") + "–" + i18n.Lang(lang).Format(to, "d"+dot+" MMMM yyyy")
	default:
		span = i18n.Lang(lang).Format(from, "d"+dot+" MMMM yyyy") + "–" + i18n.Lang(lang).Format(to, "d"+dot+" MMMM yyyy")
	}
	return fmt.Sprintf("%s %d, %s", word, n, span)
}

// calendar shows a hall's week: opening hours, holidays closed, and each
// slot free or taken (booking's Availability against all of its Slots).
func (a *App) calendar(w http.ResponseWriter, r *http.Request) {
	a.renderCalendar(w, r, "", http.StatusOK)
}

// renderCalendar renders the hall's week with status, and the message of
// errKey above it when not empty.
func (a *App) renderCalendar(w http.ResponseWriter, r *http.Request, errKey string, status int) {
	ctx, lang := r.Context(), site.Lang(r)
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	g := calWeek{hall: h, monday: a.weekShown(r), lang: lang, now: a.now()}
	from, to := g.monday.Start(civil.Oslo), g.monday.AddDays(7).Start(civil.Oslo)
	all, err := h.Slots(from, to)
	if err != nil {
		a.Fail(w, r, err)
		return
	}
	if g.free, err = a.freeStarts(ctx, h.ID, from, to); err != nil {
		a.Fail(w, r, err)
		return
	}
	v := calView{Hall: h, Price: i18n.Lang(lang).Amount(h.Price), Caption: weekCaption(g.monday, lang),
		Prev: g.monday.AddDays(-7).String(), Next: g.monday.AddDays(7).String(), Key: rand16()}
	p := a.Page(r, "cal.title", nil)
	p.Title = h.Name
	if s, err := a.citizen.Session(r); err == nil && s.LoggedIn() {
		v.LoggedIn = true
		if _, cl, err := a.party(r); err == nil && cl != nil {
			v.Party = cl.Name
		}
	}
	g.loggedIn = v.LoggedIn
	v.Days = g.days()
	v.Rows = g.rows(all)
	if errKey != "" {
		v.Error = messages.T(lang, errKey)
		p.Title = messages.T(lang, "error") + ": " + p.Title
	}
	p.Data = v
	a.Render(w, r, "calendar", status, p)
}

// weekShown is the monday of the week the request asks for in ?uke= (any
// day of it), or of this week in Oslo.
func (a *App) weekShown(r *http.Request) civil.Date {
	monday := civil.DateOf(a.now().In(civil.Oslo))
	if d, err := civil.ParseDate(r.URL.Query().Get("uke")); err == nil && !d.IsZero() {
		monday = d
	}
	for monday.Weekday() != time.Monday {
		monday = monday.AddDays(-1)
	}
	return monday
}

// freeStarts are the starts (UTC) of the hall's slots in [from, to) that
// have room left.
func (a *App) freeStarts(ctx context.Context, hallID string, from, to time.Time) (map[time.Time]bool, error) {
	free, err := a.book.Availability(ctx, hallID, from, to)
	if err != nil {
		return nil, err
	}
	isFree := map[time.Time]bool{}
	for _, s := range free {
		if s.Remaining > 0 {
			isFree[s.Start.UTC()] = true
		}
	}
	return isFree, nil
}

// calWeek is what the calendar's columns and cells are worked out from.
type calWeek struct {
	hall     *booking.Resource
	monday   civil.Date
	lang     i18n.Lang
	now      time.Time
	free     map[time.Time]bool // freeStarts
	loggedIn bool               // free cells get the forms to hold them
}

// days are the week's columns: each day's name and date, and why it is
// closed when the hall has no opening hours then (a holiday, an exception's
// note).
func (g calWeek) days() []weekDay {
	var out []weekDay
	for i := range 7 {
		d := g.monday.AddDays(i)
		t := d.Start(civil.Oslo).Add(12 * time.Hour)
		wd := weekDay{Name: i18n.Lang(g.lang).Format(t, "EEEE"), Date: i18n.Lang(g.lang).Format(t, "d.M.")}
		if g.lang == "en" {
			wd.Date = i18n.Lang(g.lang).Format(t, "d MMM")
		}
		if len(g.hall.HoursOn(d)) == 0 {
			wd.Closed = messages.T(g.lang, "cal.closed")
			for _, e := range g.hall.Exceptions {
				if e.Date == d && e.Note != "" {
					wd.Closed += ": " + e.Note
				}
			}
			if hs := holiday.On(d); len(hs) > 0 && g.hall.ClosedOnHolidays {
				wd.Closed = hs[0].Name(i18n.Lang(g.lang))
			}
		}
		out = append(out, wd)
	}
	return out
}

// rows are the week's rows: one for each time of day a slot starts at, in
// order, labelled with the first such slot's times. A day without a slot at
// that time shows closed.
func (g calWeek) rows(all []booking.Slot) []weekRow {
	type key struct{ h, m int }
	index := map[key]int{}
	var keys []key
	for _, s := range all {
		st := s.Start.In(civil.Oslo)
		k := key{st.Hour(), st.Minute()}
		if _, ok := index[k]; !ok {
			index[k] = 0
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(x, y key) int { return (x.h*60 + x.m) - (y.h*60 + y.m) })
	closed := weekCell{State: cellClosed, Text: messages.T(g.lang, "cal.closed")}
	out := make([]weekRow, 0, len(keys))
	for i, k := range keys {
		index[k] = i
		row := weekRow{Cells: make([]weekCell, 7)}
		for d := range row.Cells {
			row.Cells[d] = closed
		}
		out = append(out, row)
	}
	for _, s := range all {
		st := s.Start.In(civil.Oslo)
		row := &out[index[key{st.Hour(), st.Minute()}]]
		if row.Label == "" {
			row.Label = i18n.Lang(g.lang).Clock(s.Start) + "–" + i18n.Lang(g.lang).Clock(s.End)
		}
		if i := dayIndex(g.monday, civil.DateOf(st)); i >= 0 {
			row.Cells[i] = g.cell(s)
		}
	}
	return out
}

// cell is the slot's cell: free (with the forms to hold it, for a logged-in
// party), past or taken.
func (g calWeek) cell(s booking.Slot) weekCell {
	lang := i18n.Lang(g.lang)
	c := weekCell{Start: s.Start.UTC().Format(time.RFC3339)}
	switch {
	case g.free[s.Start.UTC()]:
		c.State, c.Text = cellFree, messages.T(g.lang, "cal.free")
		if g.loggedIn {
			c.Hold, c.Series = "/hall/"+g.hall.ID+"/hold", "/hall/"+g.hall.ID+"/serie"
			c.SlotName = lang.Time(s.Start) + "–" + lang.Clock(s.End)
			c.BookText, c.EveryWk = messages.T(g.lang, "cal.book"), messages.T(g.lang, "cal.everyweek")
		}
	case s.Start.Before(g.now):
		c.State, c.Text = cellPast, messages.T(g.lang, "cal.past")
	default:
		c.State, c.Text = cellTaken, messages.T(g.lang, "cal.busy")
	}
	return c
}

// dayIndex is d's column in the week that starts on monday, -1 outside it.
func dayIndex(monday, d civil.Date) int {
	for i := range 7 {
		if monday.AddDays(i) == d {
			return i
		}
	}
	return -1
}
