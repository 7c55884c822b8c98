package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// SpecVersion is the CloudEvents version of every Event's JSON.
const SpecVersion = "1.0"

// ContentType is the only data content type an Event carries.
const ContentType = "application/json"

// ErrInvalid is wrapped by every error about a malformed event or event type:
// a name outside the scheme, an empty subject, JSON that is not a CloudEvent.
var ErrInvalid = errors.New("events: invalid event")

// Event is one domain event, a CloudEvents 1.0 event with JSON data. Its JSON
// (MarshalJSON, Parse) is the CloudEvents structured mode.
//
// Events are made by a Type's New, never by hand: New fills in the id, the
// source and the content type, and checks the rest.
type Event struct {
	// ID is unique per event: a UUIDv7, so ids sort roughly by creation time.
	ID string
	// Source is "/grunnmur/<package>", from the type name (see Type).
	Source string
	// Type is the versioned type name, e.g. "no.grunnmur.sak.case.decided.v1".
	Type string
	// Subject is the id of the aggregate the event is about (a case, a
	// payment, a reservation). Events of one subject are relayed in order.
	Subject string
	// Time is when the state changed, in UTC, to the microsecond (what
	// PostgreSQL keeps).
	Time time.Time
	// DataContentType is always ContentType.
	DataContentType string
	// Data is the payload's JSON.
	Data json.RawMessage
}

// typeName is the scheme of every event type:
// no.grunnmur.<package>.<aggregate>.<verb>.v<N>.
var typeName = regexp.MustCompile(`^no\.grunnmur\.([a-z][a-z0-9]*)\.([a-z][a-z0-9]*)\.([a-z][a-z0-9]*)\.v([1-9][0-9]{0,3})$`)

// maxSubject bounds an event's subject (an aggregate id) in bytes.
const maxSubject = 200

// Validate reports, wrapping ErrInvalid, the first way e is not an event this
// package would make.
func (e Event) Validate() error {
	switch {
	case e.ID == "" || len(e.ID) > 100 || !printable(e.ID):
		return fmt.Errorf("%w: the id must be 1-100 printable characters without spaces", ErrInvalid)
	case !typeName.MatchString(e.Type):
		return fmt.Errorf("%w: type %q is not no.grunnmur.<package>.<aggregate>.<verb>.v<N>", ErrInvalid, clip(e.Type))
	case e.Source != sourceOf(e.Type):
		return fmt.Errorf("%w: source %q is not %q", ErrInvalid, clip(e.Source), sourceOf(e.Type))
	case e.Subject == "" || len(e.Subject) > maxSubject || !printable(e.Subject):
		return fmt.Errorf("%w: the subject must be 1-%d printable characters without spaces", ErrInvalid, maxSubject)
	case e.Time.IsZero():
		return fmt.Errorf("%w: no time", ErrInvalid)
	case e.DataContentType != ContentType:
		return fmt.Errorf("%w: data content type %q is not %q", ErrInvalid, clip(e.DataContentType), ContentType)
	case !json.Valid(e.Data) || !bytes.HasPrefix(bytes.TrimLeft(e.Data, " \t\r\n"), []byte("{")):
		return fmt.Errorf("%w: the data is not a JSON object", ErrInvalid)
	}
	return nil
}

// printable reports whether s is valid UTF-8 of graphic characters, no
// spaces: an id or subject that goes into a NATS subject and a log line.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// clip shortens outside input quoted in an error.
func clip(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

// sourceOf is the CloudEvents source of a type: "/grunnmur/<package>".
func sourceOf(typ string) string {
	m := typeName.FindStringSubmatch(typ)
	if m == nil {
		return ""
	}
	return "/grunnmur/" + m[1]
}

// newID returns a fresh event id. UUIDv7 sorts by time, which keeps the
// outbox's unique index on id cheap to append to.
func newID() (string, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("events: new id: %w", err)
	}
	return u.String(), nil
}

// structured is the CloudEvents structured-mode JSON of an Event.
type structured struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Subject         string          `json:"subject"`
	Time            string          `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
}

// MarshalJSON returns e in CloudEvents structured mode, with specversion
// "1.0" and the time in RFC 3339. It writes the JSON itself, with the data
// as it is: a relay encodes every event it publishes, and encoding/json's
// reflection and its compaction of the result cost more than the publish.
func (e Event) MarshalJSON() ([]byte, error) {
	if !json.Valid(e.Data) {
		return nil, fmt.Errorf("%w: the data is not JSON", ErrInvalid)
	}
	b := make([]byte, 0, 200+len(e.ID)+len(e.Source)+len(e.Type)+len(e.Subject)+len(e.Data))
	b = append(b, `{"specversion":"1.0","id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"source":`...)
	b = appendString(b, e.Source)
	b = append(b, `,"type":`...)
	b = appendString(b, e.Type)
	b = append(b, `,"subject":`...)
	b = appendString(b, e.Subject)
	b = append(b, `,"time":"`...)
	b = e.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","datacontenttype":`...)
	b = appendString(b, e.DataContentType)
	b = append(b, `,"data":`...)
	b = append(b, bytes.TrimSpace(e.Data)...)
	return append(b, '}'), nil
}

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it (HTML characters, U+2028 and U+2029 too; bad UTF-8 as U+FFFD).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// UnmarshalJSON reads a CloudEvent in structured mode, as Parse does.
func (e *Event) UnmarshalJSON(b []byte) error {
	ev, err := Parse(b)
	if err != nil {
		return err
	}
	*e = ev
	return nil
}

// maxEvent bounds the JSON Parse reads.
const maxEvent = 1 << 20

// Parse reads one CloudEvent in structured-mode JSON, as MarshalJSON writes
// it and as a relay publishes it, and checks it with Validate. Attributes
// other than the ones Event holds (CloudEvents extensions) are ignored. Any
// error wraps ErrInvalid.
func Parse(b []byte) (Event, error) {
	if len(b) > maxEvent {
		return Event{}, fmt.Errorf("%w: %d bytes, more than %d", ErrInvalid, len(b), maxEvent)
	}
	var s structured
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&s); err != nil {
		return Event{}, fmt.Errorf("%w: not CloudEvents JSON: %v", ErrInvalid, err)
	}
	if d.More() {
		return Event{}, fmt.Errorf("%w: more than one JSON value", ErrInvalid)
	}
	if s.SpecVersion != SpecVersion {
		return Event{}, fmt.Errorf("%w: specversion %q, not %q", ErrInvalid, clip(s.SpecVersion), SpecVersion)
	}
	t, err := time.Parse(time.RFC3339Nano, s.Time)
	if err != nil {
		return Event{}, fmt.Errorf("%w: time %q is not RFC 3339", ErrInvalid, clip(s.Time))
	}
	e := Event{ID: s.ID, Source: s.Source, Type: s.Type, Subject: s.Subject, Time: t.UTC(),
		DataContentType: s.DataContentType, Data: s.Data}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}
