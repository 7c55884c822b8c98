package booking

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// Freq is a recurrence frequency. Only the subset that bookings need is
// supported: daily and weekly.
type Freq string

// The supported frequencies.
const (
	Daily  Freq = "DAILY"
	Weekly Freq = "WEEKLY"
)

// Recurrence is the RRULE subset for recurring series: FREQ=DAILY or WEEKLY,
// with INTERVAL, COUNT or UNTIL, BYDAY (plain weekdays) and WKST, plus
// exceptions (EXDATE). Occurrences keep their wall-clock time in the
// resource's zone across DST changes, as RFC 5545 requires.
type Recurrence struct {
	Freq      Freq           `json:"freq"`
	Interval  int            `json:"interval,omitempty"` // 0 means 1
	Count     int            `json:"count,omitempty"`
	Until     time.Time      `json:"until,omitzero"` // inclusive
	ByDay     []time.Weekday `json:"byDay,omitempty"`
	WeekStart time.Weekday   `json:"weekStart,omitempty"` // WKST; the zero value is Sunday, so ParseRRule sets Monday by default
	// Except lists occurrence starts left out of the series (EXDATE).
	Except []time.Time `json:"except,omitempty"`
}

// MaxOccurrences bounds a series, so a rule from outside cannot make the
// service expand millions of occurrences.
const MaxOccurrences = 1000

var dayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// ParseRRule parses an RRULE value (with or without the "RRULE:" prefix) in
// the supported subset. Anything outside it is refused with ErrInvalid, not
// ignored, so a series never silently means something else.
func ParseRRule(s string) (Recurrence, error) {
	bad := func(format string, a ...any) (Recurrence, error) {
		return Recurrence{}, fmt.Errorf("%w: rrule: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	s = strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")
	r := Recurrence{WeekStart: time.Monday}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ";") {
		name, value, ok := strings.Cut(part, "=")
		name = strings.ToUpper(name)
		if !ok || value == "" {
			return bad("part %q is not NAME=VALUE", part)
		}
		if seen[name] {
			return bad("%s given twice", name)
		}
		seen[name] = true
		switch name {
		case "FREQ":
			switch f := Freq(strings.ToUpper(value)); f {
			case Daily, Weekly:
				r.Freq = f
			default:
				return bad("FREQ=%s is not supported (DAILY or WEEKLY)", value)
			}
		case "INTERVAL", "COUNT":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > 100000 {
				return bad("%s=%q is not a positive number", name, value)
			}
			if name == "INTERVAL" {
				r.Interval = n
			} else {
				r.Count = n
			}
		case "UNTIL":
			t, err := parseICalTime(value)
			if err != nil {
				return bad("UNTIL=%q: %v", value, err)
			}
			r.Until = t
		case "BYDAY":
			for code := range strings.SplitSeq(value, ",") {
				i := slices.Index(dayCodes[:], strings.ToUpper(code))
				if i < 0 {
					return bad("BYDAY value %q is not supported (plain weekdays only)", code)
				}
				if !slices.Contains(r.ByDay, time.Weekday(i)) {
					r.ByDay = append(r.ByDay, time.Weekday(i))
				}
			}
		case "WKST":
			i := slices.Index(dayCodes[:], strings.ToUpper(value))
			if i < 0 {
				return bad("WKST=%q", value)
			}
			r.WeekStart = time.Weekday(i)
		default:
			return bad("%s is not supported", name)
		}
	}
	if r.Freq == "" {
		return bad("FREQ is missing")
	}
	if r.Count > 0 && !r.Until.IsZero() {
		return bad("COUNT and UNTIL together")
	}
	return r, nil
}

// parseICalTime reads a DATE-TIME in UTC (20261231T230000Z) or a DATE
// (20261231, meaning the end of that day in UTC).
func parseICalTime(v string) (time.Time, error) {
	switch {
	case len(v) == 16 && v[15] == 'Z':
		return time.Parse("20060102T150405Z", v)
	case len(v) == 8:
		t, err := time.Parse("20060102", v)
		return t.Add(24*time.Hour - time.Second), err
	}
	return time.Time{}, fmt.Errorf("want YYYYMMDDTHHMMSSZ or YYYYMMDD")
}

// String returns the RRULE value (without EXDATE, which is a property of its own).
func (r Recurrence) String() string {
	var b strings.Builder
	b.WriteString("FREQ=" + string(r.Freq))
	if r.Interval > 1 {
		b.WriteString(";INTERVAL=" + strconv.Itoa(r.Interval))
	}
	if r.Count > 0 {
		b.WriteString(";COUNT=" + strconv.Itoa(r.Count))
	}
	if !r.Until.IsZero() {
		b.WriteString(";UNTIL=" + r.Until.UTC().Format("20060102T150405Z"))
	}
	if len(r.ByDay) > 0 {
		codes := make([]string, len(r.ByDay))
		for i, d := range r.ByDay {
			codes[i] = dayCodes[d]
		}
		b.WriteString(";BYDAY=" + strings.Join(codes, ","))
	}
	if r.WeekStart != time.Monday && r.Freq == Weekly && r.Interval > 1 {
		b.WriteString(";WKST=" + dayCodes[r.WeekStart])
	}
	return b.String()
}

func (r Recurrence) clone() Recurrence {
	r.ByDay = slices.Clone(r.ByDay)
	r.Except = slices.Clone(r.Except)
	return r
}

// Occurrences expands the rule from start (the series' DTSTART, which counts
// as the first occurrence when it matches the rule) in loc, leaving out
// Except. Each occurrence has start's wall-clock time: 10:00 stays 10:00 when
// the clocks change. A rule with neither COUNT nor UNTIL is expanded up to
// until (inclusive); with none of the three, ErrInvalid. At most
// MaxOccurrences are generated.
func (r Recurrence) Occurrences(start time.Time, loc *time.Location, until time.Time) ([]time.Time, error) {
	if r.Freq != Daily && r.Freq != Weekly {
		return nil, fmt.Errorf("%w: rrule: FREQ %q", ErrInvalid, r.Freq)
	}
	end := r.Until
	if end.IsZero() || (!until.IsZero() && until.Before(end)) {
		end = until
	}
	if r.Count == 0 && end.IsZero() {
		return nil, fmt.Errorf("%w: rrule: an unbounded series needs COUNT or UNTIL", ErrInvalid)
	}
	interval := max(r.Interval, 1)
	local := start.In(loc)
	first := civil.DateOf(local)
	clock := At(local.Hour(), local.Minute())
	days := r.ByDay
	if len(days) == 0 {
		days = []time.Weekday{first.Weekday()}
	}
	var out []time.Time
	generated := 0
	emit := func(d civil.Date) bool { // false: stop
		t, _ := wallClock(d, clock, loc)
		t = t.Add(time.Duration(local.Second())*time.Second + time.Duration(local.Nanosecond()))
		if !end.IsZero() && t.After(end) {
			return false
		}
		generated++
		if !slices.ContainsFunc(r.Except, t.Equal) {
			out = append(out, t)
		}
		return !(r.Count > 0 && generated >= r.Count) && generated < MaxOccurrences
	}
	switch r.Freq {
	case Daily:
		// A BYDAY that the interval never lands on (INTERVAL=7;BYDAY=TU from
		// a Monday) matches nothing: give up after scanning a long while.
		for d, i := first, 0; i < maxScan; d, i = d.AddDays(interval), i+1 {
			if slices.Contains(days, d.Weekday()) || len(r.ByDay) == 0 {
				if !emit(d) {
					return out, nil
				}
			} else if !end.IsZero() && d.Start(loc).After(end) {
				return out, nil
			}
		}
		return out, nil
	default:
		wk := first.AddDays(-((int(first.Weekday()) - int(r.WeekStart) + 7) % 7))
		for i := 0; i < maxScan; wk, i = wk.AddDays(7*interval), i+1 {
			for i := range 7 {
				d := wk.AddDays(i)
				if d.Before(first) || !slices.Contains(days, d.Weekday()) {
					continue
				}
				if !emit(d) {
					return out, nil
				}
			}
			if !end.IsZero() && wk.Start(loc).After(end) {
				return out, nil
			}
		}
		return out, nil
	}
}

// maxScan bounds the days or weeks a rule is scanned through.
const maxScan = 20 * MaxOccurrences
