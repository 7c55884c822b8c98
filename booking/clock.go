package booking

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

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

// wallClock returns the instant at the wall clock c on d in loc. A wall clock that
// does not exist (in the hour skipped in spring) reports ok=false; one that
// exists twice (in the hour repeated in autumn) resolves to the first, earlier
// instant, so no clock time ever yields two slots.
func wallClock(d civil.Date, c Clock, loc *time.Location) (t time.Time, ok bool) {
	h, m := int(c)/60, int(c)%60
	t = time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, loc)
	if c == 24*60 { // the end of the day is the next midnight
		return t, true
	}
	if t.Hour() != h || t.Minute() != m || civil.DateOf(t) != d {
		return t, false
	}
	// Go's choice between two instants with the same wall clock is not
	// guaranteed; pick the earlier one explicitly.
	_, off := t.Zone()
	_, before := t.Add(-3 * time.Hour).Zone()
	if before > off {
		if e := t.Add(-time.Duration(before-off) * time.Second); e.Hour() == h && e.Minute() == m && civil.DateOf(e) == d {
			return e, true
		}
	}
	return t, true
}
