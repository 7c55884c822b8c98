package booking_test

import (
	"errors"
	"math"
	"testing"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/money"
)

// TestPriceValidate: a price is never negative, and the price of a full slot
// (every seat) must fit in a money.Amount, else a reservation's price would
// wrap around to a negative sum.
func TestPriceValidate(t *testing.T) {
	for _, tc := range []struct {
		price    money.Amount
		capacity int
		ok       bool
	}{
		{0, 1, true},
		{money.Kroner(600), 30, true},
		{math.MaxInt64, 1, true},
		{math.MaxInt64 / 2, 2, true},
		{math.MaxInt64/2 + 1, 2, false},
		{math.MaxInt64 / 100, 101, false},
		{-1, 1, false},
	} {
		r := &booking.Resource{ID: "hall", Capacity: tc.capacity, Price: tc.price}
		if err := r.Validate(); (err == nil) != tc.ok || (err != nil && !errors.Is(err, booking.ErrInvalid)) {
			t.Errorf("price %d, capacity %d: %v", tc.price, tc.capacity, err)
		}
	}
}

// TestTotalOwed: what is held costs its price; what is owed is what is
// confirmed and what was cancelled too late.
func TestTotalOwed(t *testing.T) {
	kr := money.Kroner
	rs := []*booking.Reservation{
		{State: booking.Held, Price: kr(100)},
		{State: booking.Confirmed, Price: kr(200)},
		{State: booking.Cancelled, Price: kr(400)},
		{State: booking.Cancelled, Charged: true, Price: kr(800)},
	}
	if got := booking.Total(rs); got != kr(1500) {
		t.Errorf("Total %v, want 1500 kr", got)
	}
	if got := booking.Owed(rs); got != kr(1000) {
		t.Errorf("Owed %v, want 1000 kr", got)
	}
	if booking.Total(nil) != 0 || booking.Owed(nil) != 0 {
		t.Error("nothing costs something")
	}
}
