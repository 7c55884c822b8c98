// Package civil holds calendar dates and the time zone a Norwegian service
// lives in.
//
// A [Date] is a day on the calendar with no time zone: a birth date, the day
// of a booking, the date of a journal entry. [Oslo] is Europe/Oslo, loaded
// once from the time zone database embedded in the binary, so that a
// container without /usr/share/zoneinfo still gets summer time right.
//
//	today := civil.DateOf(time.Now().In(civil.Oslo))
//	deadline := today.AddDays(21)
//	fmt.Println(deadline)                  // 2026-12-27
//	start := deadline.Start(civil.Oslo)     // 2026-12-27 00:00 CET
//
// Every grunnmur package uses these; none loads the zone itself.
package civil

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
	_ "time/tzdata" // Oslo must load on any machine
)

// Oslo is the Europe/Oslo time zone. Loading it cannot fail: the zone
// database is embedded. If it ever did, the program stops at start-up rather
// than run with a fixed offset and no summer time.
var Oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic("civil: " + err.Error()) // unreachable with time/tzdata embedded
	}
	return l
}

// Date is a calendar day. Its zero value means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date, normalised as time.Date normalises: 2027-02-30
// is 2027-03-02.
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 12, 0, 0, 0, time.UTC))
}

// DateOf returns the calendar day of t in t's location. For the day in Oslo,
// pass t.In(Oslo).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ErrSyntax is returned by [ParseDate] for text that is not a date.
var ErrSyntax = errors.New("civil: not a date of the form 2006-01-02")

// ParseDate reads "2006-01-02". The empty string gives the zero Date. A day
// that does not exist (2026-02-30) is an error.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, ErrSyntax
	}
	y, err1 := digits(s[0:4])
	m, err2 := digits(s[5:7])
	d, err3 := digits(s[8:10])
	if err1 != nil || err2 != nil || err3 != nil {
		return Date{}, ErrSyntax
	}
	date := Date{y, time.Month(m), d}
	if !date.IsValid() {
		return Date{}, fmt.Errorf("%w: %s does not exist", ErrSyntax, s)
	}
	return date, nil
}

func digits(s string) (int, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrSyntax
		}
	}
	return strconv.Atoi(s)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d is a day that exists in years 1 to 9999.
func (d Date) IsValid() bool {
	return d.Year >= 1 && d.Year <= 9999 && NewDate(d.Year, d.Month, d.Day) == d
}

// String formats d as "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// DaysSince returns the number of days from o to d: positive when d is later.
func (d Date) DaysSince(o Date) int {
	return int(d.noonUTC().Sub(o.noonUTC()).Round(time.Hour).Hours() / 24)
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.noonUTC().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmp(d.Year, o.Year)
	case d.Month != o.Month:
		return cmp(int(d.Month), int(o.Month))
	}
	return cmp(d.Day, o.Day)
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Start returns the first instant of d in loc: midnight, or the first
// instant after it on a day whose midnight a clock change skips.
func (d Date) Start(loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	if DateOf(t) != d { // midnight skipped: time.Date went back to the day before
		t = time.Date(d.Year, d.Month, d.Day, 1, 0, 0, 0, loc)
	}
	return t
}

func (d Date) noonUTC() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// MarshalText formats d as [Date.String] does.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what [ParseDate] reads.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes "2006-01-02", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "2006-01-02"; null and "" give the zero Date.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = Date{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return ErrSyntax
	}
	return d.UnmarshalText(b[1 : len(b)-1])
}
