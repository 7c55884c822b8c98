package booking

import (
	"context"
	"crypto/subtle"

	"github.com/grunnmur/grunnmur/money"
)

// OwnReservation returns reservation id if owner owns it. Someone else's
// reservation is an ErrNotFound, exactly as an id that does not exist, so
// that a caller learns nothing about ids that are not its own; an empty
// owner owns nothing. Use it wherever the id comes from a request; the
// unchecked Reservation is for the service's own ids (a webhook's, a
// background job's).
//
// The owner is the opaque key the reservation was held with: a person's, or
// that of the organisation the person acts for. The two are different
// owners, so a person acting for a club sees the club's bookings, not the
// ones made for themselves, and the other way round.
func (s *Service) OwnReservation(ctx context.Context, owner, id string) (*Reservation, error) {
	if owner == "" || id == "" {
		return nil, ErrNotFound
	}
	r, err := s.store().Reservation(ctx, id)
	if err != nil {
		return nil, err
	}
	if !sameOwner(r.Owner, owner) {
		return nil, ErrNotFound
	}
	return r, nil
}

// Series returns every occurrence of a recurring series, in every state,
// ordered by start, or ErrNotFound when there is none. It checks no owner:
// it is for the service's own series ids. Use OwnSeries for an id that comes
// from a request.
func (s *Service) Series(ctx context.Context, seriesID string) ([]*Reservation, error) {
	if seriesID == "" { // a Query without SeriesID would match every reservation
		return nil, ErrNotFound
	}
	rs, err := s.store().Reservations(ctx, Query{SeriesID: seriesID})
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if r.SeriesID == seriesID {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// OwnSeries returns the occurrences of a recurring series that owner owns,
// in every state, ordered by start. A series that is someone else's, or that
// does not exist, is an ErrNotFound, as for OwnReservation. The series id in
// the result is the stored one: build paths and payment keys from it, not
// from the request.
func (s *Service) OwnSeries(ctx context.Context, owner, seriesID string) ([]*Reservation, error) {
	if owner == "" {
		return nil, ErrNotFound
	}
	rs, err := s.Series(ctx, seriesID)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if sameOwner(r.Owner, owner) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// sameOwner compares two owner keys in constant time: a person's key is an
// HMAC, which a timing difference must not let anyone guess byte by byte.
func sameOwner(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Payable reports whether the owner pays for r: it is confirmed, or it was
// cancelled too late to be free (Charged).
func (r *Reservation) Payable() bool {
	return r.State == Confirmed || (r.State == Cancelled && r.Charged)
}

// Total returns the sum of the reservations' prices, what a payment for
// them all asks for: for example the held occurrences of a series.
func Total(rs []*Reservation) money.Amount {
	var n money.Amount
	for _, r := range rs {
		n += r.Price
	}
	return n
}

// Owed returns what the owner owes for rs once nothing is held: the price of
// every Payable reservation. What was paid beyond it is to be paid back.
func Owed(rs []*Reservation) money.Amount {
	var n money.Amount
	for _, r := range rs {
		if r.Payable() {
			n += r.Price
		}
	}
	return n
}
