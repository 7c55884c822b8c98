package booking

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/holiday"
	"github.com/grunnmur/grunnmur/i18n"
)

// Week is a resource's week as a calendar table: the days are its columns
// and the times of day its rows. Every text a cell shows is worked out in
// the citizen's language, so that a page template only prints it.
type Week struct {
	Resource *Resource
	// Monday is the week's first day; Prev and Next are the Mondays of the
	// weeks around it, for links (civil.Date prints as 2006-01-02, which
	// ParseWeek reads).
	Monday, Prev, Next civil.Date
	// Caption names the ISO week: "Uke 50, 7.–13. desember 2026".
	Caption string
	// Days are the seven columns, Monday first.
	Days []WeekDay
	// Rows are one for each wall-clock time a slot starts at in the week, in
	// order of the time of day.
	Rows []WeekRow
	// Until is when the cells' states may change by time alone, at the
	// latest: the next time after the Week was made that a slot of it
	// begins, passes its MinNotice or comes within MaxHorizon, or that a
	// hold on it runs out. Zero when none will. A change to the bookings
	// (StoreVersion) changes them at once.
	Until time.Time
}

// WeekDay is a column of a Week.
type WeekDay struct {
	Date civil.Date
	// Name is the weekday ("mandag"), Label the date ("7.12.", "7 Dec").
	Name, Label string
	// Closed says why the resource is closed all day (a holiday's name, or
	// "Stengt: " and an Exception's note); "" on a day it is open.
	Closed string
}

// WeekRow is a row of a Week: one time of day.
type WeekRow struct {
	// Label is the times of the row's first slot: "16.00–17.00".
	Label string
	// Cells are the seven days', Monday first.
	Cells []WeekCell
}

// WeekCell is one day at one time of day.
type WeekCell struct {
	State CellState
	// Text is State's label in the week's language: "Ledig".
	Text string
	// Slot is the slot the cell shows (with the seats still free when
	// State is CellFree); zero when CellClosed.
	Slot Slot
	// Start is Slot.Start in RFC 3339 and UTC, the value a form posts to
	// hold it (HoldInput.Start); "" when closed.
	Start string
	// Name names the slot in full for a screen reader: "mandag 7. desember
	// 2026 kl. 16.00–17.00"; "" when closed.
	Name string
}

// CellState is what a WeekCell's slot is at the time the Week was made.
type CellState string

// The cell states. They are also CSS-friendly words.
const (
	CellFree   CellState = "free"   // can be held now
	CellTaken  CellState = "taken"  // booked, held, or not bookable now (notice, horizon)
	CellPast   CellState = "past"   // it has begun
	CellClosed CellState = "closed" // the resource has no slot then
)

// Week returns the resource's week that holds day (any day of it), in the
// resource's zone, with each slot's state at the Service's Now and its texts
// in lang. A day without opening hours (a holiday, a closed Exception) is
// closed all day; a cell is closed where the day has no slot at the row's
// time. A week over a DST change has 23 or 25 hours on that day and still
// seven columns: a slot start that the change skips is closed that day, and
// one that happens twice is shown once.
func (s *Service) Week(ctx context.Context, resourceID string, day civil.Date, lang i18n.Lang) (*Week, error) {
	r, err := s.store().Resource(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	loc, err := r.Location()
	if err != nil {
		return nil, err
	}
	monday := MondayOf(day)
	from, to := monday.Start(loc), monday.AddDays(7).Start(loc)
	all, err := r.Slots(from, to)
	if err != nil {
		return nil, err
	}
	now := s.now()
	open, expiry, err := s.availability(ctx, nil, r, from, to, now)
	if err != nil {
		return nil, err
	}
	free := make(map[time.Time]int, len(open))
	for _, o := range open {
		free[o.Start.UTC()] = o.Remaining
	}
	w := &Week{Resource: r, Monday: monday, Prev: monday.AddDays(-7), Next: monday.AddDays(7),
		Caption: weekCaption(monday, lang), Days: r.weekDays(monday, lang, loc)}
	w.Rows = weekRows(all, monday, lang, loc, free, now)
	w.Until = r.changesAt(all, now, expiry)
	return w, nil
}

// changesAt is the earliest time after now at which one of the slots, or
// the hold that runs out at expiry (when not zero), changes state by time
// alone.
func (r *Resource) changesAt(all []Slot, now, expiry time.Time) time.Time {
	next := expiry
	earliest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, s := range all { // both ends: Availability clips by either
		earliest(s.Start)
		for _, t := range []time.Time{s.Start, s.End} {
			earliest(t.Add(-r.MinNotice))
			if r.MaxHorizon > 0 {
				earliest(t.Add(-r.MaxHorizon))
			}
		}
	}
	return next
}

// weekDays are the columns of the week from monday.
func (r *Resource) weekDays(monday civil.Date, lang i18n.Lang, loc *time.Location) []WeekDay {
	out := make([]WeekDay, 7)
	for i := range out {
		d := monday.AddDays(i)
		noon := d.Start(loc).Add(12 * time.Hour)
		wd := WeekDay{Date: d, Name: lang.Format(noon, "EEEE"), Label: lang.Format(noon, "d.M.")}
		if lang == i18n.EN {
			wd.Label = lang.Format(noon, "d MMM")
		}
		if len(r.HoursOn(d)) == 0 {
			wd.Closed = CellClosed.Label(lang)
			for _, e := range r.Exceptions {
				if e.Date == d && e.Note != "" {
					wd.Closed += ": " + e.Note
				}
			}
			if hs := holiday.On(d); len(hs) > 0 && r.ClosedOnHolidays {
				wd.Closed = hs[0].Name(lang)
			}
		}
		out[i] = wd
	}
	return out
}

// weekRows lays the week's slots out by their wall-clock start.
func weekRows(all []Slot, monday civil.Date, lang i18n.Lang, loc *time.Location, free map[time.Time]int, now time.Time) []WeekRow {
	type clock struct{ h, m int }
	var times []clock
	seen := map[clock]bool{}
	for _, s := range all {
		st := s.Start.In(loc)
		if c := (clock{st.Hour(), st.Minute()}); !seen[c] {
			seen[c] = true
			times = append(times, c)
		}
	}
	slices.SortFunc(times, func(x, y clock) int { return (x.h*60 + x.m) - (y.h*60 + y.m) })
	index := make(map[clock]int, len(times))
	closed := WeekCell{State: CellClosed, Text: CellClosed.Label(lang)}
	rows := make([]WeekRow, len(times))
	for i, c := range times {
		index[c] = i
		rows[i].Cells = []WeekCell{closed, closed, closed, closed, closed, closed, closed}
	}
	for _, s := range all {
		st := s.Start.In(loc)
		row := &rows[index[clock{st.Hour(), st.Minute()}]]
		if row.Label == "" {
			row.Label = lang.Clock(s.Start) + "–" + lang.Clock(s.End)
		}
		i := civil.DateOf(st).DaysSince(monday)
		if i < 0 || i > 6 {
			continue
		}
		c := WeekCell{State: CellTaken, Slot: s, Start: s.Start.UTC().Format(time.RFC3339),
			Name: lang.Time(s.Start) + "–" + lang.Clock(s.End)}
		if n, ok := free[s.Start.UTC()]; ok {
			c.State, c.Slot.Remaining = CellFree, n
		} else if s.Start.Before(now) {
			c.State = CellPast
		}
		c.Text = c.State.Label(lang)
		row.Cells[i] = c
	}
	return rows
}

// weekCaption names the ISO week from monday: "Uke 50, 7.–13. desember
// 2026", "Veke 1, 29. desember 2025–4. januar 2026", "Week 5, 26
// January–1 February 2026".
func weekCaption(monday civil.Date, lang i18n.Lang) string {
	from, to := monday.Start(time.UTC), monday.AddDays(6).Start(time.UTC)
	_, n := from.ISOWeek()
	dot := "."
	if lang == i18n.EN {
		dot = ""
	}
	var span string
	switch {
	case from.Month() == to.Month():
		span = lang.Format(from, "d") + dot
	case from.Year() == to.Year():
		span = lang.Format(from, "d"+dot+" MMMM")
	default:
		span = lang.Format(from, "d"+dot+" MMMM yyyy")
	}
	return fmt.Sprintf("%s %d, %s–%s", lang.Pick(weekWord), n, span, lang.Format(to, "d"+dot+" MMMM yyyy"))
}

// MondayOf returns the Monday of d's week (ISO 8601: weeks start on Monday).
func MondayOf(d civil.Date) civil.Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

// ParseWeek reads a week as a calendar page's query gives it, and returns
// its Monday: a date of any day of it ("2026-12-09") or an ISO 8601 week
// ("2026-W50"). Anything else is an ErrInvalid.
func ParseWeek(s string) (civil.Date, error) {
	bad := fmt.Errorf("%w: a week is a date (2006-01-02) or an ISO week (2006-W01)", ErrInvalid)
	year, week, ok := strings.Cut(s, "-W")
	if !ok {
		d, err := civil.ParseDate(s)
		if err != nil || d.IsZero() {
			return civil.Date{}, bad
		}
		return MondayOf(d), nil
	}
	y, err1 := strconv.ParseUint(year, 10, 16)
	n, err2 := strconv.ParseUint(week, 10, 8)
	if err1 != nil || err2 != nil || len(year) != 4 || len(week) != 2 || y < 1 || n < 1 || n > 53 {
		return civil.Date{}, bad
	}
	// Week 1 is the one that holds 4 January.
	monday := MondayOf(civil.NewDate(int(y), time.January, 4)).AddDays(7 * int(n-1))
	if iy, iw := monday.Start(time.UTC).ISOWeek(); iy != int(y) || iw != int(n) {
		return civil.Date{}, bad // week 53 of a year with 52
	}
	return monday, nil
}
