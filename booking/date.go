package booking

import (
	"fmt"
	"time"
)

// Date is a calendar day with no time zone: a holiday, an exception to the
// opening hours, a day in a resource's own zone. Its zero value is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// NewDate returns the date, normalised as time.Date normalises (2027-02-30 is 2027-03-02).
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 12, 0, 0, 0, time.UTC))
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date %q is not YYYY-MM-DD", ErrInvalid, s)
	}
	return DateOf(t), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.noonUTC().Weekday() }

// Compare returns -1, 0 or +1.
func (d Date) Compare(o Date) int { return d.noonUTC().Compare(o.noonUTC()) }

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// At returns the instant at the wall clock c on d in loc. A wall clock that
// does not exist (in the hour skipped in spring) reports ok=false; one that
// exists twice (in the hour repeated in autumn) resolves to the first, earlier
// instant, so no clock time ever yields two slots.
func (d Date) At(c Clock, loc *time.Location) (t time.Time, ok bool) {
	h, m := int(c)/60, int(c)%60
	t = time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, loc)
	if c == 24*60 { // the end of the day is the next midnight
		return t, true
	}
	if t.Hour() != h || t.Minute() != m || DateOf(t) != d {
		return t, false
	}
	// Go's choice between two instants with the same wall clock is not
	// guaranteed; pick the earlier one explicitly.
	_, off := t.Zone()
	_, before := t.Add(-3 * time.Hour).Zone()
	if before > off {
		if e := t.Add(-time.Duration(before-off) * time.Second); e.Hour() == h && e.Minute() == m && DateOf(e) == d {
			return e, true
		}
	}
	return t, true
}

// Start returns midnight at the start of d in loc (or the first instant of the
// day where midnight does not exist).
func (d Date) Start(loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	if DateOf(t) != d { // midnight skipped: the day begins an hour later
		t = time.Date(d.Year, d.Month, d.Day, 1, 0, 0, 0, loc)
	}
	return t
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func (d Date) noonUTC() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// Clock is a wall-clock time of day in minutes after midnight, 0 to 1440
// (24:00, the end of the day).
type Clock int

// At returns the clock time h:m.
func At(h, m int) Clock { return Clock(h*60 + m) }

// ParseClock parses HH:MM (00:00 to 24:00).
func ParseClock(s string) (Clock, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%w: clock %q is not HH:MM", ErrInvalid, s)
	}
	for i, c := range []byte(s) {
		if i != 2 && (c < '0' || c > '9') {
			return 0, fmt.Errorf("%w: clock %q is not HH:MM", ErrInvalid, s)
		}
	}
	h = int(s[0]-'0')*10 + int(s[1]-'0')
	m = int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%w: clock %q is out of range", ErrInvalid, s)
	}
	return At(h, m), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText writes HH:MM.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads HH:MM.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
