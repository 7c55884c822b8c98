package booking_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/booking"
)

// TestHoldExpiresByItself runs on the real clock inside a synctest bubble:
// nothing but the passing of time frees the seat.
func TestHoldExpiresByItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		svc := &booking.Service{HoldTTL: 5 * time.Minute} // zero value otherwise: in-memory store, time.Now
		r := &booking.Resource{ID: "room", Hours: booking.EveryDay(booking.Span{From: 0, To: booking.At(24, 0)})}
		if err := svc.PutResource(ctx, r); err != nil {
			t.Fatal(err)
		}
		slots, err := svc.Availability(ctx, r.ID, time.Now(), time.Now().Add(48*time.Hour))
		if err != nil || len(slots) == 0 {
			t.Fatalf("no slots: %v", err)
		}
		start := slots[len(slots)/2].Start
		h, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: start})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "b", Start: start}); !errors.Is(err, booking.ErrSlotTaken) {
			t.Fatalf("held: %v", err)
		}
		time.Sleep(5*time.Minute - time.Second)
		if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "b", Start: start}); !errors.Is(err, booking.ErrSlotTaken) {
			t.Fatalf("a second before expiry: %v", err)
		}
		time.Sleep(time.Second)
		if _, err := svc.Confirm(ctx, h.ID, ""); !errors.Is(err, booking.ErrHoldExpired) {
			t.Fatalf("confirm at expiry: %v", err)
		}
		if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "b", Start: start}); err != nil {
			t.Fatalf("after expiry: %v", err)
		}
	})
}
