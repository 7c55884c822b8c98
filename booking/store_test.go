package booking_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/bookingtest"
)

func TestMemoryStore(t *testing.T) {
	bookingtest.TestStore(t, func(t *testing.T) booking.Store { return booking.NewMemoryStore() })
}
