package checkout

import (
	"time"

	"github.com/grunnmur/grunnmur/booking"
)

// Kinds of Bill, in the payments' Metadata["kind"].
const (
	KindBooking = "booking"
	KindSeries  = "series"
)

// Bill is what one payment pays for: a single reservation, or every
// occurrence of a series paid at once.
type Bill struct {
	// ID is the reservation's id, or the series' when Series.
	ID     string
	Series bool
	// Reservations are the bill's reservations, as last read.
	Reservations []*booking.Reservation
}

// Kind is KindSeries or KindBooking.
func (b *Bill) Kind() string {
	if b.Series {
		return KindSeries
	}
	return KindBooking
}

// Key is the business key of the bill's payment: "booking/ID" or
// "series/ID".
func (b *Bill) Key() string { return b.Kind() + "/" + b.ID }

// InvoiceKey is the business key of the bill's invoice; it differs from
// Key, so that the two services may share one payment store.
func (b *Bill) InvoiceKey() string { return "invoice/" + b.Key() }

// Metadata routes the bill's payments back to it (payment.Order.Metadata).
func (b *Bill) Metadata() map[string]string {
	return map[string]string{"kind": b.Kind(), "id": b.ID}
}

// Title is the first reservation's title (a series shares one), or "".
func (b *Bill) Title() string {
	if len(b.Reservations) == 0 {
		return ""
	}
	return b.Reservations[0].Title
}

// Held returns the reservations still held at now, waiting for payment.
func (b *Bill) Held(now time.Time) []*booking.Reservation {
	var out []*booking.Reservation
	for _, r := range b.Reservations {
		if r.StateAt(now) == booking.Held {
			out = append(out, r)
		}
	}
	return out
}

// Confirmed returns the ids of the confirmed reservations.
func (b *Bill) Confirmed() []string {
	var ids []string
	for _, r := range b.Reservations {
		if r.State == booking.Confirmed {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Cancelled reports whether the bill has reservations and every one is
// cancelled.
func (b *Bill) Cancelled() bool {
	for _, r := range b.Reservations {
		if r.State != booking.Cancelled {
			return false
		}
	}
	return len(b.Reservations) > 0
}

// Cancellable returns the reservations that may still be cancelled at now:
// held or confirmed, and not yet begun. With id set, only that one.
func (b *Bill) Cancellable(now time.Time, id string) []*booking.Reservation {
	var out []*booking.Reservation
	for _, r := range b.Reservations {
		if id != "" && r.ID != id {
			continue
		}
		if st := r.StateAt(now); (st == booking.Held || st == booking.Confirmed) && r.Start.After(now) {
			out = append(out, r)
		}
	}
	return out
}

// Reservation returns the bill's reservation id, or nil.
func (b *Bill) Reservation(id string) *booking.Reservation {
	for _, r := range b.Reservations {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// replace puts fresh copies of reservations into the bill.
func (b *Bill) replace(fresh []*booking.Reservation) {
	for _, f := range fresh {
		for i, r := range b.Reservations {
			if r.ID == f.ID {
				b.Reservations[i] = f
			}
		}
	}
}
