package booking

import (
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// YearDay is a day of every year: YearDay{time.June, 15} is 15 June.
type YearDay struct {
	Month time.Month
	Day   int
}

// SeasonEnd returns when the season that start falls in ends, for a weekly
// series let for a season (sesongleie, fast tid): 23:59 in loc on the first
// of ends, the seasons' last days, on or after start's date in loc, this
// year or the next. Use it as the series' Recurrence.Until. A Day past the
// month's end runs on into the next month, as civil.NewDate does. Without
// ends it is the zero Time.
func SeasonEnd(start time.Time, loc *time.Location, ends ...YearDay) time.Time {
	day := civil.DateOf(start.In(loc))
	var end civil.Date
	for _, e := range ends {
		d := civil.NewDate(day.Year, e.Month, e.Day)
		if d.Before(day) {
			d = civil.NewDate(day.Year+1, e.Month, e.Day)
		}
		if end.IsZero() || d.Before(end) {
			end = d
		}
	}
	if end.IsZero() {
		return time.Time{}
	}
	return end.AddDays(1).Start(loc).Add(-time.Minute)
}
