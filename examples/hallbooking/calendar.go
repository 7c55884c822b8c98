package main

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/holiday"
	"github.com/grunnmur/grunnmur/i18n"
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
func weekCaption(monday civil.Date, lang string) string {
	loc := civil.Oslo
	from, to := monday.Start(loc), monday.AddDays(6).Start(loc)
	_, n := from.ISOWeek()
	word := map[string]string{"nb": "Uke", "nn": "Veke", "en": "Week"}[lang]
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
		span = i18n.FormatDate(from, "d", lang) + dot + "–" + i18n.FormatDate(to, "d"+dot+" MMMM yyyy", lang)
	case from.Year() == to.Year():
		span = i18n.FormatDate(from, "d"+dot+" MMMM", lang) + "–" + i18n.FormatDate(to, "d"+dot+" MMMM yyyy", lang)
	default:
		span = i18n.FormatDate(from, "d"+dot+" MMMM yyyy", lang) + "–" + i18n.FormatDate(to, "d"+dot+" MMMM yyyy", lang)
	}
	return fmt.Sprintf("%s %d, %s", word, n, span)
}

// calendar shows a hall's week: opening hours, holidays closed, and each
// slot free or taken (booking's Availability against all of its Slots).
func (a *App) calendar(w http.ResponseWriter, r *http.Request) {
	a.renderCalendar(w, r, "", http.StatusOK)
}

func (a *App) renderCalendar(w http.ResponseWriter, r *http.Request, errKey string, status int) {
	ctx, lang := r.Context(), site.Lang(r)
	h, err := a.book.Resource(ctx, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	loc := civil.Oslo
	monday := civil.DateOf(a.now().In(loc))
	if d, err := civil.ParseDate(r.URL.Query().Get("uke")); err == nil && !d.IsZero() {
		monday = d
	}
	for monday.Weekday() != time.Monday {
		monday = monday.AddDays(-1)
	}
	from, to := monday.Start(loc), monday.AddDays(7).Start(loc)
	all, err := h.Slots(from, to)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	free, err := a.book.Availability(ctx, h.ID, from, to)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	isFree := map[time.Time]bool{}
	for _, s := range free {
		if s.Remaining > 0 {
			isFree[s.Start.UTC()] = true
		}
	}
	v := calView{Hall: h, Price: i18n.Lang(lang).Amount(h.Price), Caption: weekCaption(monday, lang),
		Prev: monday.AddDays(-7).String(), Next: monday.AddDays(7).String(), Key: rand16()}
	p := a.page(r, "cal.title", nil)
	p.Title = h.Name
	if s, err := a.citizen.Session(r); err == nil && s.LoggedIn() {
		v.LoggedIn = true
		if _, cl, err := a.party(r); err == nil && cl != nil {
			v.Party = cl.Name
		}
	}
	for i := range 7 {
		d := monday.AddDays(i)
		t := d.Start(loc).Add(12 * time.Hour)
		wd := weekDay{Name: i18n.FormatDate(t, "EEEE", lang), Date: i18n.FormatDate(t, "d.M.", lang)}
		if lang == "en" {
			wd.Date = i18n.FormatDate(t, "d MMM", lang)
		}
		if len(h.HoursOn(d)) == 0 {
			wd.Closed = messages.T(lang, "cal.closed")
			for _, e := range h.Exceptions {
				if e.Date == d && e.Note != "" {
					wd.Closed += ": " + e.Note
				}
			}
			if hs := holiday.On(holiday.Date(d)); len(hs) > 0 && h.ClosedOnHolidays {
				wd.Closed = hs[0].Name(lang)
			}
		}
		v.Days = append(v.Days, wd)
	}
	// One row for each time of day a slot starts at in the week, in order.
	type key struct{ h, m int }
	rows := map[key]int{}
	var keys []key
	for _, s := range all {
		st := s.Start.In(loc)
		k := key{st.Hour(), st.Minute()}
		if _, ok := rows[k]; !ok {
			rows[k] = 0
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(x, y key) int { return (x.h*60 + x.m) - (y.h*60 + y.m) })
	now := a.now()
	closed := weekCell{State: cellClosed, Text: messages.T(lang, "cal.closed")}
	for i, k := range keys {
		rows[k] = i
		row := weekRow{Cells: make([]weekCell, 7)}
		for d := range row.Cells {
			row.Cells[d] = closed
		}
		v.Rows = append(v.Rows, row)
	}
	for _, s := range all {
		st := s.Start.In(loc)
		row := &v.Rows[rows[key{st.Hour(), st.Minute()}]]
		label := i18n.Lang(lang).Clock(s.Start) + "–" + i18n.Lang(lang).Clock(s.End)
		if row.Label == "" {
			row.Label = label
		}
		c := weekCell{Start: s.Start.UTC().Format(time.RFC3339)}
		switch {
		case isFree[s.Start.UTC()]:
			c.State, c.Text = cellFree, messages.T(lang, "cal.free")
			if v.LoggedIn {
				c.Hold, c.Series = "/hall/"+h.ID+"/hold", "/hall/"+h.ID+"/serie"
				c.SlotName = i18n.Lang(lang).Time(s.Start) + "–" + i18n.Lang(lang).Clock(s.End)
				c.BookText, c.EveryWk = messages.T(lang, "cal.book"), messages.T(lang, "cal.everyweek")
			}
		case s.Start.Before(now):
			c.State, c.Text = cellPast, messages.T(lang, "cal.past")
		default:
			c.State, c.Text = cellTaken, messages.T(lang, "cal.busy")
		}
		if i := dayIndex(monday, civil.DateOf(st)); i >= 0 {
			row.Cells[i] = c
		}
	}
	if errKey != "" {
		v.Error = messages.T(lang, errKey)
		p.Title = messages.T(lang, "error") + ": " + p.Title
	}
	p.Data = v
	a.render(w, r, "calendar", status, p)
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
