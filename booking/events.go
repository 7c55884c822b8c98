package booking

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/money"
)

// The domain events of a reservation (see package events). The subject is
// the reservation's ID. ReservationHeld carries the whole reservation but
// its title; the later events carry what changed, so that a confirmation
// costs no extra read: a subscriber keeps what the hold told it, by ID.
// Owner is the service's opaque citizen id, never a fødselsnummer.
//
// The Service builds them and the Store records them only when the call
// makes the change: a replay of a request with the same key, a
// confirmation of a confirmed booking or a refused hold records none.
var (
	// ReservationHeld: seats are held, until HoldExpires.
	ReservationHeld = events.Define[ReservationData]("no.grunnmur.booking.reservation.held.v1")
	// ReservationConfirmed: a hold became a booking.
	ReservationConfirmed = events.Define[ReservationData]("no.grunnmur.booking.reservation.confirmed.v1")
	// ReservationCancelled: a hold or booking was cancelled (Charged: a late
	// cancellation to be paid for).
	ReservationCancelled = events.Define[ReservationData]("no.grunnmur.booking.reservation.cancelled.v1")
	// ReservationRescheduled: the reservation moved to another slot.
	ReservationRescheduled = events.Define[ReservationData]("no.grunnmur.booking.reservation.rescheduled.v1")
	// ReservationPromoted: a waiter on the waitlist got the hold
	// Reservation (whose ReservationHeld came just before).
	ReservationPromoted = events.Define[ReservationData]("no.grunnmur.booking.reservation.promoted.v1")
)

// ReservationData is the payload of every reservation event. Zero fields
// are left out: what the change does not know or touch.
type ReservationData struct {
	Reservation string       `json:"reservation"`
	State       State        `json:"state,omitempty"` // the state after the change
	Resource    string       `json:"resource,omitempty"`
	Owner       string       `json:"owner,omitempty"`
	Start       time.Time    `json:"start,omitzero"`
	End         time.Time    `json:"end,omitzero"`
	Seats       int          `json:"seats,omitempty"`
	HoldExpires time.Time    `json:"holdExpires,omitzero"`
	Series      string       `json:"series,omitempty"`
	Price       money.Amount `json:"price,omitempty"`
	Charged     bool         `json:"charged,omitempty"`
	Waiter      string       `json:"waiter,omitempty"` // ReservationPromoted's waitlist entry
}

// heldData is the payload of a new hold, and of its promotion.
func heldData(r *Reservation) ReservationData {
	return ReservationData{Reservation: r.ID, State: Held, Resource: r.ResourceID, Owner: r.Owner, Start: r.Start, End: r.End,
		Seats: r.Seats, HoldExpires: r.HoldExpires, Series: r.SeriesID, Price: r.Price}
}

// cancelledData is the payload of cancelling r.
func cancelledData(r *Reservation, charged bool) ReservationData {
	return ReservationData{Reservation: r.ID, State: Cancelled, Resource: r.ResourceID, Owner: r.Owner, Start: r.Start, End: r.End,
		Seats: r.Seats, Series: r.SeriesID, Charged: charged}
}

// event makes one event of typ about d.Reservation at now.
func event(typ *events.Type[ReservationData], now time.Time, d ReservationData) ([]events.Event, error) {
	e, err := typ.New(d.Reservation, now, d)
	if err != nil {
		return nil, fmt.Errorf("booking: %w", err)
	}
	return []events.Event{e}, nil
}
