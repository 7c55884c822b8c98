package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
)

// TestBurstLeavesRoomForOthers: one owner holding series after series and
// slot after slot for free (issue 15: 65 series in 1.8 s took a hall for a
// season) gets only the default few; another owner can still hold a slot
// and a series in the same weeks.
func TestBurstLeavesRoomForOthers(t *testing.T) {
	ctx := context.Background()
	oslo := civil.Oslo
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, oslo) // a Monday
	svc := &booking.Service{Now: func() time.Time { return now }, HoldTTL: 10 * time.Minute}
	hall := &booking.Resource{ID: "hall", Capacity: 1, Slot: time.Hour, ClosedOnHolidays: true,
		Hours:     booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)}),
		MinNotice: time.Hour, MaxHorizon: 200 * 24 * time.Hour}
	if err := svc.PutResource(ctx, hall); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 6, 15, 23, 59, 0, 0, oslo)
	slot := func(day, hour int) time.Time { return time.Date(2026, 1, 5+day, 16+hour, 0, 0, 0, oslo) }
	series := 0
	for day := range 5 {
		for hour := range 6 {
			if _, err := svc.HoldSeries(ctx, booking.SeriesInput{Rule: booking.Recurrence{Freq: booking.Weekly, Until: until},
				HoldInput: booking.HoldInput{ResourceID: hall.ID, Owner: "greedy", Start: slot(day, hour)}}); err == nil {
				series++
			}
			svc.Hold(ctx, booking.HoldInput{ResourceID: hall.ID, Owner: "greedy", Start: slot(day+7, hour)})
		}
	}
	if series > 1 {
		t.Errorf("one owner holds %d series at once", series)
	}
	free, err := svc.Availability(ctx, hall.ID, slot(0, 0), slot(14, 0))
	if err != nil || len(free) == 0 {
		t.Fatalf("no free slot left in the first two weeks: %v", err)
	}
	if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: hall.ID, Owner: "other", Start: free[0].Start}); err != nil {
		t.Fatalf("another owner cannot hold a slot: %v", err)
	}
	tuesday := free[len(free)-1].Start // Tuesdays: no holiday in the spring
	for _, f := range free[1:] {
		if f.Start.In(oslo).Weekday() == time.Tuesday {
			tuesday = f.Start
			break
		}
	}
	if _, err := svc.HoldSeries(ctx, booking.SeriesInput{Rule: booking.Recurrence{Freq: booking.Weekly, Until: until},
		HoldInput: booking.HoldInput{ResourceID: hall.ID, Owner: "other", Start: tuesday}}); err != nil {
		t.Fatalf("another owner cannot hold a series: %v", err)
	}
	if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: hall.ID, Owner: "greedy", Start: free[1].Start}); err == nil {
		t.Fatal("the greedy owner got one more hold")
	}
}
