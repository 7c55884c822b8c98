package sak_test

import (
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/sak"
)

var oslo = civil.Oslo

// TestAppealDeadline: three weeks counted in calendar days in Oslo, moved
// off weekends and public holidays, for decisions made late in the evening
// (or just after midnight, when UTC still has the day before), whatever zone
// the instant comes in.
func TestAppealDeadline(t *testing.T) {
	kiritimati, _ := time.LoadLocation("Pacific/Kiritimati")
	la, _ := time.LoadLocation("America/Los_Angeles")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, oslo)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		why, decided, last string
	}{
		{"the issue's letter: a Sunday moves to Monday", "2026-12-06 10:00", "2026-12-28"},
		{"1. juledag, 2. juledag on a Saturday, then Sunday", "2026-12-04 23:30", "2026-12-28"},
		{"julaften is a working day", "2026-12-03 23:30", "2026-12-24"},
		{"nyttårsaften is a working day", "2026-12-10 23:30", "2026-12-31"},
		{"nyttårsdag on a Friday; UTC is still 10 December", "2026-12-11 00:30", "2027-01-04"},
		{"Maundy Thursday to Easter Monday", "2026-03-12 23:30", "2026-04-07"},
		{"Easter Monday", "2026-03-16 23:30", "2026-04-07"},
		{"the Wednesday before Easter is a working day", "2026-03-11 23:30", "2026-04-01"},
		{"Easter 2027, a day earlier in March", "2027-03-04 23:30", "2027-03-30"},
		{"17 May on a Sunday", "2026-04-26 23:30", "2026-05-18"},
		{"17 May on a Wednesday", "2028-04-26 23:30", "2028-05-18"},
		{"Whit Sunday, then 17 May and Whit Monday on one date", "2027-04-25 23:30", "2027-05-18"},
		{"Whit Monday", "2026-05-04 23:30", "2026-05-26"},
		{"Whit Sunday and Whit Monday", "2026-05-03 23:30", "2026-05-26"},
		{"Ascension Day", "2026-04-23 23:30", "2026-05-15"},
		{"1 May on a Friday", "2026-04-10 23:30", "2026-05-04"},
		{"ends on the spring DST day (a Sunday)", "2026-03-08 23:30", "2026-03-30"},
		{"ends the day after the spring DST day", "2026-03-09 23:30", "2026-03-30"},
		{"decided on the spring DST day", "2026-03-29 23:30", "2026-04-20"},
		{"ends on the autumn DST day (a Sunday)", "2026-10-04 23:30", "2026-10-26"},
		{"decided just after midnight, summer time; UTC is the day before", "2026-10-05 00:30", "2026-10-26"},
		{"decided on the autumn DST day", "2026-10-25 23:30", "2026-11-16"},
		{"an ordinary Monday", "2026-11-02 10:00", "2026-11-23"},
	} {
		decided := at(tc.decided)
		for _, in := range []time.Time{decided, decided.UTC(), decided.In(kiritimati), decided.In(la)} {
			due := sak.AppealDeadline(in)
			local := due.In(oslo)
			if got := local.Format(time.DateOnly); got != tc.last {
				t.Errorf("%s: decided %s (%s): appeal deadline %s, want %s", tc.why, tc.decided, in.Location(), got, tc.last)
				continue
			}
			// The last instant of the day: overdue from midnight on.
			if h, m, s := local.Clock(); h != 23 || m != 59 || s != 59 || local.Nanosecond() != 999999000 {
				t.Errorf("%s: due %s, want 23:59:59.999999 Oslo time", tc.why, local.Format(time.RFC3339Nano))
			}
			d := sak.Deadline{Kind: sak.DeadlineAppeal, Due: due}
			midnight := due.Add(time.Microsecond)
			if d.Overdue(due) || !d.Overdue(midnight) || midnight.In(oslo).Hour() != 0 {
				t.Errorf("%s: not overdue exactly from midnight after %s", tc.why, tc.last)
			}
			if got := sak.AppealPeriod.LastDay(in).String(); got != tc.last {
				t.Errorf("%s: LastDay %s, want %s", tc.why, got, tc.last)
			}
		}
	}
}

func TestDaysDue(t *testing.T) {
	from := time.Date(2026, 12, 24, 23, 30, 0, 0, oslo) // julaften, a Thursday
	for n, want := range map[sak.Days]string{0: "2026-12-24", 1: "2026-12-28", 3: "2026-12-28", 4: "2026-12-28", 7: "2026-12-31", 8: "2027-01-04", 60: "2027-02-22"} {
		if got := n.Due(from).In(oslo).Format(time.DateOnly); got != want {
			t.Errorf("%d days from julaften: %s, want %s", n, got, want)
		}
	}
}
