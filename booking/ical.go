package booking

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/secret"
)

// prodID identifies grunnmur as the producer of its iCalendar files.
const prodID = "-//grunnmur//booking//NO"

// osloTZ is the VTIMEZONE of Europe/Oslo (EU rules since 1996: last Sunday
// of March and October, at 01:00 UTC).
const osloTZ = "BEGIN:VTIMEZONE\r\n" +
	"TZID:Europe/Oslo\r\n" +
	"X-LIC-LOCATION:Europe/Oslo\r\n" +
	"BEGIN:DAYLIGHT\r\n" +
	"TZOFFSETFROM:+0100\r\n" +
	"TZOFFSETTO:+0200\r\n" +
	"TZNAME:CEST\r\n" +
	"DTSTART:19700329T020000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" +
	"END:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\n" +
	"TZOFFSETFROM:+0200\r\n" +
	"TZOFFSETTO:+0100\r\n" +
	"TZNAME:CET\r\n" +
	"DTSTART:19701025T030000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" +
	"END:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

// icsWriter writes content lines: escaped by the caller, folded here at 75
// octets, never inside a UTF-8 sequence, with CRLF endings (RFC 5545 3.1).
type icsWriter struct {
	b     bytes.Buffer
	oslo  bool // a VTIMEZONE for Europe/Oslo is needed
	stamp time.Time
}

func (w *icsWriter) line(s string) {
	const limit = 75
	first := true
	for len(s) > 0 {
		max := limit
		if !first {
			max = limit - 1 // the leading space counts
			w.b.WriteByte(' ')
		}
		n := len(s)
		if n > max {
			n = max
			for n > 0 && !utf8.RuneStart(s[n]) {
				n--
			}
		}
		w.b.WriteString(s[:n])
		w.b.WriteString("\r\n")
		s = s[n:]
		first = false
	}
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			if r < 0x20 && r != '\t' || r == 0x7f {
				continue // control characters are not allowed in TEXT
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// timeProp writes NAME;TZID=Europe/Oslo:local or NAME:utcZ; EXDATE uses the
// same form as DTSTART, as RFC 5545 requires.
func (w *icsWriter) timeProp(name string, ts []time.Time, zone string) {
	if len(ts) == 0 {
		return
	}
	parts := make([]string, len(ts))
	if zone == DefaultTimeZone {
		for i, t := range ts {
			parts[i] = t.In(civil.Oslo).Format("20060102T150405")
		}
		w.oslo = true
		w.line(name + ";TZID=Europe/Oslo:" + strings.Join(parts, ","))
		return
	}
	for i, t := range ts {
		parts[i] = t.UTC().Format("20060102T150405Z")
	}
	w.line(name + ":" + strings.Join(parts, ","))
}

func zoneOf(r *Resource) string {
	if r == nil || r.TimeZone == "" {
		return DefaultTimeZone
	}
	return r.TimeZone
}

func status(r *Reservation, at time.Time) string {
	switch r.StateAt(at) {
	case Confirmed:
		return "CONFIRMED"
	case Held:
		return "TENTATIVE"
	}
	return "CANCELLED"
}

func (w *icsWriter) event(uid string, r *Reservation, res *Resource, start, end time.Time, extra func()) {
	zone := zoneOf(res)
	w.line("BEGIN:VEVENT")
	w.line("UID:" + escapeText(uid))
	w.line("DTSTAMP:" + w.stamp.UTC().Format("20060102T150405Z"))
	w.timeProp("DTSTART", []time.Time{start}, zone)
	w.timeProp("DTEND", []time.Time{end}, zone)
	if extra != nil {
		extra()
	}
	title := r.Title
	if title == "" && res != nil {
		title = res.Name
	}
	w.line("SUMMARY:" + escapeText(title))
	if res != nil && res.Name != "" {
		w.line("LOCATION:" + escapeText(res.Name))
	}
	w.line("STATUS:" + status(r, w.stamp))
	w.line("END:VEVENT")
}

func (w *icsWriter) calendar(name string, body func()) []byte {
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:" + prodID)
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:PUBLISH")
	if name != "" {
		w.line("X-WR-CALNAME:" + escapeText(name))
	}
	head := w.b.Len()
	body()
	if w.oslo {
		rest := slices.Clone(w.b.Bytes()[head:])
		w.b.Truncate(head)
		w.b.WriteString(osloTZ)
		w.b.Write(rest)
	}
	w.line("END:VCALENDAR")
	return w.b.Bytes()
}

// EventICS returns a calendar with one reservation, for an e-mail attachment
// (text/calendar). stamp is DTSTAMP, normally now.
func EventICS(r *Reservation, res *Resource, stamp time.Time) []byte {
	w := &icsWriter{stamp: stamp}
	return w.calendar("", func() {
		w.event(r.ID+"@grunnmur", r, res, r.Start, r.End, nil)
	})
}

// FeedICS returns a calendar of the active reservations in rs (held or
// confirmed at stamp), for a subscription feed. The occurrences of a series
// become one event with an RRULE; occurrences that were cancelled or moved
// are EXDATEs, and moved ones appear as events of their own. resources maps
// resource IDs to resources, for zones and names.
func FeedICS(name string, rs []*Reservation, resources map[string]*Resource, stamp time.Time) []byte {
	w := &icsWriter{stamp: stamp}
	return w.calendar(name, func() {
		series := map[string][]*Reservation{}
		var order []string
		for _, r := range rs {
			if !r.ActiveAt(stamp) {
				continue
			}
			if r.SeriesID != "" && r.Recurrence != nil {
				if _, ok := series[r.SeriesID]; !ok {
					order = append(order, r.SeriesID)
				}
				series[r.SeriesID] = append(series[r.SeriesID], r)
				continue
			}
			w.event(r.ID+"@grunnmur", r, resources[r.ResourceID], r.Start, r.End, nil)
		}
		for _, id := range order {
			w.series(id, series[id], resources[series[id][0].ResourceID])
		}
	})
}

func (w *icsWriter) series(id string, occ []*Reservation, res *Resource) {
	first := occ[0]
	loc, err := loadLocation(zoneOf(res))
	if err != nil {
		loc = time.UTC
	}
	rule := *first.Recurrence
	rule.Except = nil
	all, err := rule.Occurrences(first.SeriesStart, loc, time.Time{})
	if err != nil { // cannot describe it as a rule: list the occurrences
		for _, r := range occ {
			w.event(r.ID+"@grunnmur", r, res, r.Start, r.End, nil)
		}
		return
	}
	active := map[int64]bool{}
	for _, r := range occ {
		active[r.Start.UnixNano()] = true
	}
	inRule := map[int64]bool{}
	var exdates []time.Time
	for _, t := range all {
		inRule[t.UnixNano()] = true
		if !active[t.UnixNano()] {
			exdates = append(exdates, t)
		}
	}
	length := first.End.Sub(first.Start)
	w.event(id+"@grunnmur", first, res, first.SeriesStart, first.SeriesStart.Add(length), func() {
		w.line("RRULE:" + rule.String())
		// One EXDATE per date: allowed by RFC 5545 and read by every parser.
		for _, x := range exdates {
			w.timeProp("EXDATE", []time.Time{x}, zoneOf(res))
		}
	})
	for _, r := range occ {
		if !inRule[r.Start.UnixNano()] {
			w.event(r.ID+"@grunnmur", r, res, r.Start, r.End, nil)
		}
	}
}

// FeedToken is the secret in a personal feed URL. It is unguessable (256
// random bits) and holds a [secret.Value], so it redacts itself as
// "[redacted]" under fmt, log/slog and encoding/json, is not comparable with
// ==, and is compared with [FeedToken.Equal] in constant time.
type FeedToken struct{ v secret.Value }

// FeedTokenFrom wraps a token read from a feed URL, as [Service.FeedHandler]
// does. Service.NewFeed makes new tokens.
func FeedTokenFrom(s string) FeedToken { return FeedToken{secret.New(s)} }

// Reveal returns the token itself, for building the URL.
func (t FeedToken) Reveal() string { return t.v.Reveal() }

// IsZero reports whether t is empty.
func (t FeedToken) IsZero() bool { return t.v.IsZero() }

// Equal reports whether t and u are the same token, in constant time.
func (t FeedToken) Equal(u FeedToken) bool { return t.v.Equal(u.v) }

// String returns "[redacted]" ("" for the zero token).
func (t FeedToken) String() string { return t.v.String() }

// GoString redacts %#v too.
func (t FeedToken) GoString() string { return "booking.FeedToken(" + t.v.String() + ")" }

// Format redacts every verb.
func (t FeedToken) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, t.GoString())
		return
	}
	t.v.Format(f, verb)
}

// LogValue redacts the token in slog output.
func (t FeedToken) LogValue() slog.Value { return t.v.LogValue() }

// MarshalText keeps the token out of JSON map keys and other encodings: a
// struct holding one can be logged as JSON. Send the token to its owner on
// purpose, with Reveal or FeedURL.
func (t FeedToken) MarshalText() ([]byte, error) { return t.v.MarshalText() }

// MarshalJSON redacts the token in encoding/json.
func (t FeedToken) MarshalJSON() ([]byte, error) { return t.v.MarshalJSON() }
