package booking

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/holiday"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/money"
)

// DefaultTimeZone is the zone of a resource that names none, civil.Oslo.
const DefaultTimeZone = "Europe/Oslo"

// Resource is something that can be booked: a meeting room, a sports hall, a
// swimming lane, an officer's calendar. Zero durations take the defaults
// documented on each field.
type Resource struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Capacity is the number of seats; 0 means 1. A capacity of 1 makes
	// bookings exclusive (a room, an officer); more lets bookings share (a
	// class, a swimming lane).
	Capacity int `json:"capacity"`
	// TimeZone is an IANA zone name; "" means Europe/Oslo. Opening hours,
	// days and weeks are read in it.
	TimeZone string `json:"timeZone,omitempty"`

	Hours      WeeklyHours `json:"hours"`
	Exceptions []Exception `json:"exceptions,omitempty"`
	// ClosedOnHolidays closes the resource on Norwegian public holidays,
	// unless an Exception for the date says otherwise.
	ClosedOnHolidays bool `json:"closedOnHolidays,omitempty"`

	Slot time.Duration `json:"slot"` // slot length; 0 means 1 hour
	Step time.Duration `json:"step"` // distance between slot starts; 0 means Slot
	// Buffers keep time free before and after every booking (cleaning,
	// travel). Two bookings conflict when their buffered spans overlap.
	BufferBefore time.Duration `json:"bufferBefore,omitempty"`
	BufferAfter  time.Duration `json:"bufferAfter,omitempty"`
	MinNotice    time.Duration `json:"minNotice,omitempty"`  // earliest start is now + MinNotice
	MaxHorizon   time.Duration `json:"maxHorizon,omitempty"` // latest start is now + MaxHorizon; 0 means no limit

	// Per-citizen limits on active bookings and holds, by the start's
	// calendar day and ISO week in TimeZone; 0 means no limit.
	PerDay  int `json:"perDay,omitempty"`
	PerWeek int `json:"perWeek,omitempty"`

	// Price is the price of one seat in one slot, for payment.
	Price money.Amount `json:"price,omitempty"`

	// CancelDeadline is how long before the start a booking can be cancelled
	// freely. After it, a cancellation is refused with ErrTooLateToCancel,
	// or accepted and marked Charged when ChargeLateCancel is set.
	CancelDeadline   time.Duration `json:"cancelDeadline,omitempty"`
	ChargeLateCancel bool          `json:"chargeLateCancel,omitempty"`
}

// PastDeadline reports whether cancelling res at at comes after its free
// deadline: it is a confirmed booking, CancelDeadline or less before its
// start. Service.Cancel then refuses it, or charges it when
// ChargeLateCancel is set; Service.Reschedule refuses to move it.
func (r *Resource) PastDeadline(res *Reservation, at time.Time) bool {
	return res.State == Confirmed && !at.Before(res.Start.Add(-r.CancelDeadline))
}

// WeeklyHours are the regular opening hours, indexed by time.Weekday.
type WeeklyHours [7][]Span

// Span is an opening period on one day, From inclusive, To exclusive.
type Span struct {
	From Clock `json:"from"`
	To   Clock `json:"to"`
}

// Exception replaces the weekly hours (and the holiday rule) on one date:
// closed, or open at special hours.
type Exception struct {
	Date   civil.Date `json:"date"`
	Closed bool       `json:"closed,omitempty"`
	Hours  []Span     `json:"hours,omitempty"`
	Note   string     `json:"note,omitempty"`
}

// Weekdays returns hours open Monday to Friday with the given spans.
func Weekdays(spans ...Span) WeeklyHours {
	var w WeeklyHours
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = slices.Clone(spans)
	}
	return w
}

// EveryDay returns hours open every day with the given spans.
func EveryDay(spans ...Span) WeeklyHours {
	var w WeeklyHours
	for d := range w {
		w[d] = slices.Clone(spans)
	}
	return w
}

// Seats returns the capacity, at least 1.
func (r *Resource) Seats() int { return max(r.Capacity, 1) }

// SlotLength returns Slot or its default.
func (r *Resource) SlotLength() time.Duration {
	if r.Slot <= 0 {
		return time.Hour
	}
	return r.Slot
}

// SlotStep returns Step or its default.
func (r *Resource) SlotStep() time.Duration {
	if r.Step <= 0 {
		return r.SlotLength()
	}
	return r.Step
}

// Location returns the resource's zone: civil.Oslo for "" and
// DefaultTimeZone, else the IANA zone TimeZone names. An unknown name is an
// ErrInvalid: there is no fallback to another zone.
func (r *Resource) Location() (*time.Location, error) { return loadLocation(r.TimeZone) }

func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == DefaultTimeZone {
		return civil.Oslo, nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: time zone %q", ErrInvalid, name)
	}
	return l, nil
}

// Validate checks the resource and says which field is wrong.
func (r *Resource) Validate() error {
	bad := func(field, why string) error { return fmt.Errorf("%w: resource %s: %s", ErrInvalid, field, why) }
	if !text.ValidValue(r) {
		return ErrInvalidText
	}
	if r.ID == "" {
		return bad("id", "empty")
	}
	if r.Capacity < 0 {
		return bad("capacity", "negative")
	}
	if _, err := r.Location(); err != nil {
		return bad("timeZone", "unknown zone")
	}
	if r.Slot < 0 || r.Step < 0 || r.Slot%time.Minute != 0 || r.Step%time.Minute != 0 {
		return bad("slot/step", "must be whole minutes, not negative")
	}
	if r.BufferBefore < 0 || r.BufferAfter < 0 || r.MinNotice < 0 || r.MaxHorizon < 0 || r.CancelDeadline < 0 {
		return bad("durations", "negative")
	}
	if r.PerDay < 0 || r.PerWeek < 0 || r.Price < 0 {
		return bad("limits/price", "negative")
	}
	if r.Price > money.Amount(math.MaxInt64)/money.Amount(r.Seats()) {
		return bad("price", "too large: the price of every seat overflows") // a negative Reservation.Price
	}
	check := func(where string, spans []Span) error {
		for _, s := range spans {
			if s.From < 0 || s.To > 24*60 || s.From >= s.To {
				return bad(where, fmt.Sprintf("span %s-%s is empty or out of range", s.From, s.To))
			}
		}
		return nil
	}
	for d, spans := range r.Hours {
		if err := check("hours."+time.Weekday(d).String(), spans); err != nil {
			return err
		}
	}
	seen := map[civil.Date]bool{}
	for _, e := range r.Exceptions {
		if e.Date.IsZero() {
			return bad("exceptions", "no date")
		}
		if seen[e.Date] {
			return bad("exceptions", "two for "+e.Date.String())
		}
		seen[e.Date] = true
		if err := check("exceptions."+e.Date.String(), e.Hours); err != nil {
			return err
		}
	}
	return nil
}

// Clone returns a deep copy.
func (r *Resource) Clone() *Resource {
	c := *r
	for d := range c.Hours {
		c.Hours[d] = slices.Clone(r.Hours[d])
	}
	c.Exceptions = slices.Clone(r.Exceptions)
	for i := range c.Exceptions {
		c.Exceptions[i].Hours = slices.Clone(r.Exceptions[i].Hours)
	}
	return &c
}

// HoursOn returns the opening spans on date d: the exception for d if there
// is one, else none on a holiday when ClosedOnHolidays, else the weekly hours.
func (r *Resource) HoursOn(d civil.Date) []Span {
	for _, e := range r.Exceptions {
		if e.Date == d {
			if e.Closed {
				return nil
			}
			return e.Hours
		}
	}
	if r.ClosedOnHolidays && holiday.Is(d) {
		return nil
	}
	return r.Hours[d.Weekday()]
}
