package booking

import (
	"slices"
	"time"

	"github.com/grunnmur/grunnmur/money"
)

// State is where a reservation is in its life.
type State string

// The states. Expired is never stored: a hold whose HoldExpires has passed
// reads as Expired, so no background job is needed to free its seats.
const (
	Held      State = "held"
	Confirmed State = "confirmed"
	Cancelled State = "cancelled"
	Expired   State = "expired"
)

// Reservation is a hold or a booking of seats on a resource for one slot.
type Reservation struct {
	ID         string    `json:"id"`
	ResourceID string    `json:"resourceId"`
	Owner      string    `json:"owner"` // an opaque citizen id chosen by the service; never a fødselsnummer
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	// BlockStart and BlockEnd are Start and End widened by the resource's
	// buffers: the span that conflicts with other reservations.
	BlockStart time.Time `json:"blockStart"`
	BlockEnd   time.Time `json:"blockEnd"`
	Seats      int       `json:"seats"`
	State      State     `json:"state"`
	// HoldExpires is when a Held reservation stops holding its seats.
	HoldExpires time.Time `json:"holdExpires,omitzero"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	// Charged marks a late cancellation that is to be paid for.
	Charged  bool   `json:"charged,omitempty"`
	SeriesID string `json:"seriesId,omitempty"`
	// Recurrence and SeriesStart describe the series the reservation is an
	// occurrence of, for the iCalendar RRULE.
	Recurrence  *Recurrence  `json:"recurrence,omitempty"`
	SeriesStart time.Time    `json:"seriesStart,omitzero"`
	Price       money.Amount `json:"price,omitempty"` // for all seats
	Title       string       `json:"title,omitempty"`
}

// StateAt returns the state at time at: a Held reservation whose hold has
// run out is Expired.
func (r *Reservation) StateAt(at time.Time) State {
	if r.State == Held && !at.Before(r.HoldExpires) {
		return Expired
	}
	return r.State
}

// ActiveAt reports whether the reservation occupies its seats at time at.
func (r *Reservation) ActiveAt(at time.Time) bool {
	s := r.StateAt(at)
	return s == Held || s == Confirmed
}

// Clone returns a copy.
func (r *Reservation) Clone() *Reservation {
	c := *r
	if r.Recurrence != nil {
		rc := r.Recurrence.clone()
		c.Recurrence = &rc
	}
	return &c
}

// Limit is a per-citizen limit for a store to enforce atomically: the owner
// may have at most Max active reservations on the resource starting in
// [From, To).
type Limit struct {
	Period   string // "day" or "week", for the error
	From, To time.Time
	Max      int
}

// PeakSeats returns the most seats that the active reservations in rs occupy
// at any one instant within [from, to), skipping the reservation with id
// skip. Stores use it to check capacity when slots can overlap.
func PeakSeats(rs []*Reservation, from, to, at time.Time, skip string) int {
	type edge struct {
		t time.Time
		d int
	}
	edges := make([]edge, 0, 2*len(rs))
	for _, r := range rs {
		if r.ID == skip || !r.ActiveAt(at) || !r.BlockStart.Before(to) || !r.BlockEnd.After(from) {
			continue
		}
		edges = append(edges, edge{maxTime(r.BlockStart, from), r.Seats}, edge{r.BlockEnd, -r.Seats})
	}
	// Ends before starts at the same instant: touching spans do not overlap.
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		return a.d - b.d
	})
	peak, cur := 0, 0
	for _, e := range edges {
		cur += e.d
		peak = max(peak, cur)
	}
	return peak
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// countOwner counts the owner's active reservations (skipping skip) starting
// in [from, to).
func countOwner(rs []*Reservation, owner string, from, to, at time.Time, skip string) int {
	n := 0
	for _, r := range rs {
		if r.ID != skip && r.Owner == owner && r.ActiveAt(at) && !r.Start.Before(from) && r.Start.Before(to) {
			n++
		}
	}
	return n
}

// CheckLimits returns a *LimitError for the first limit that one more
// reservation by owner would break. Stores call it under their lock.
func CheckLimits(rs []*Reservation, owner string, limits []Limit, at time.Time, skip string) error {
	for _, l := range limits {
		if l.Max > 0 && countOwner(rs, owner, l.From, l.To, at, skip) >= l.Max {
			return &LimitError{Period: l.Period, Max: l.Max}
		}
	}
	return nil
}
