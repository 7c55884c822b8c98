package booking_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/bookingtest"
	"github.com/grunnmur/grunnmur/events"
)

func TestMemoryStore(t *testing.T) {
	bookingtest.TestStore(t, func(t *testing.T) booking.Store { return booking.NewMemoryStore() })
}

func TestMemoryStoreEvents(t *testing.T) {
	bookingtest.TestEvents(t, func(t *testing.T) (booking.Store, events.Outbox) {
		out := &events.Memory{}
		return &booking.MemoryStore{Events: out}, out
	})
}
