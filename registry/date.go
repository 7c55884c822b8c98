package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/internal/redact"
)

// Date is a calendar date as the registries send it ("2006-01-02"). The zero
// Date is "no date"; the registries' null and "" both decode to it.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "2006-01-02". The empty string gives the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("registry: bad date %q", redact.Numbers(truncate(s, 40)))
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time returns midnight of d in loc (UTC when nil).
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Time(nil).Before(e.Time(nil)) }

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// MarshalJSON writes "2006-01-02", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "2006-01-02", "" or null. A date-time
// ("2006-01-02T15:04:05Z") keeps its date part.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("registry: date is not a string")
	}
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseTimestamp parses the registries' timestamps: RFC 3339 with or without
// fractional seconds, and KRR's offsets without minutes ("2018-06-29T10:14:52+02").
func ParseTimestamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-07", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("registry: bad timestamp %q", redact.Numbers(truncate(s, 40)))
}

// Timestamp is a point in time decoded with ParseTimestamp. Its zero value is
// "no time"; null and "" decode to it.
type Timestamp struct{ time.Time }

// UnmarshalJSON reads the formats ParseTimestamp knows, "" and null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("registry: timestamp is not a string")
	}
	v, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON writes RFC 3339, or null for the zero Timestamp.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.Format(time.RFC3339Nano) + `"`), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
