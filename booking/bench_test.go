package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/internal/benchpair"
)

// benchSetup: one resource open 07:00-23:00 every day with 15-minute slots,
// 90 days ahead, and 1,000 existing bookings spread over them.
func benchSetup(b *testing.B) (*booking.Service, *booking.Resource, time.Time, time.Time) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 6, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	r := &booking.Resource{ID: "pool-lane-1", Capacity: 2, Slot: 15 * time.Minute,
		Hours: booking.EveryDay(booking.Span{From: booking.At(7, 0), To: booking.At(23, 0)})}
	if err := svc.PutResource(ctx, r); err != nil {
		b.Fatal(err)
	}
	from, to := now, now.AddDate(0, 0, 90)
	slots, err := r.Slots(from, to)
	if err != nil {
		b.Fatal(err)
	}
	made := 0
	for i := 0; made < 1000; i = (i + 7919) % len(slots) { // a fixed, scattered walk
		if _, err := svc.Book(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "o", Start: slots[i].Start}); err == nil {
			made++
		}
	}
	return svc, r, from, to
}

func BenchmarkAvailability90Days(b *testing.B) {
	svc, r, from, to := benchSetup(b)
	ctx := context.Background()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		slots, err := svc.Availability(ctx, r.ID, from, to)
		if err != nil {
			b.Fatal(err)
		}
		n = len(slots)
	}
	b.ReportMetric(float64(n), "slots")
}

// BenchmarkAvailability90DaysPair times Availability (issue 22's goal: at
// most 0.3 ms, read off ns/ours) alternately with listing the same slots,
// free or not, which Availability must do anyway (ns/base).
func BenchmarkAvailability90DaysPair(b *testing.B) {
	svc, r, from, to := benchSetup(b)
	ctx := context.Background()
	var n int
	benchpair.Run(b, func() {
		slots, err := svc.Availability(ctx, r.ID, from, to)
		if err != nil {
			b.Fatal(err)
		}
		n = len(slots)
	}, func() {
		if _, err := r.Slots(from, to); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(n), "slots")
}

// BenchmarkAppendAvailability90DaysPair is BenchmarkAvailability90DaysPair
// with the caller's slice reused, as a calendar that asks often would.
func BenchmarkAppendAvailability90DaysPair(b *testing.B) {
	svc, r, from, to := benchSetup(b)
	ctx := context.Background()
	var slots []booking.Slot
	benchpair.Run(b, func() {
		var err error
		if slots, err = svc.AppendAvailability(ctx, slots[:0], r.ID, from, to); err != nil {
			b.Fatal(err)
		}
	}, func() {
		if _, err := r.Slots(from, to); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(len(slots)), "slots")
}

// BenchmarkAvailability90DaysNaive is the baseline: the same answer computed
// by checking every slot against every booking.
func BenchmarkAvailability90DaysNaive(b *testing.B) {
	svc, r, from, to := benchSetup(b)
	ctx := context.Background()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		slots, _ := r.Slots(from, to)
		rs, _ := svc.Reservations(ctx, booking.Query{ResourceID: r.ID})
		n = 0
		for _, s := range slots {
			if r.Seats()-booking.PeakSeats(rs, s.Start, s.End, from, "") > 0 {
				n++
			}
		}
	}
	b.ReportMetric(float64(n), "slots")
}

// TestAvailabilityMatchesNaive checks the fast path against the baseline.
func TestAvailabilityMatchesNaive(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 6, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	r := &booking.Resource{ID: "x", Capacity: 3, Slot: 45 * time.Minute, Step: 15 * time.Minute, BufferAfter: 10 * time.Minute,
		Hours: booking.EveryDay(booking.Span{From: booking.At(7, 0), To: booking.At(23, 0)})}
	svc.PutResource(ctx, r)
	from, to := now, now.AddDate(0, 0, 40) // across the spring change
	slots, _ := r.Slots(from, to)
	for i, made := 0, 0; made < 600; i = (i + 7919) % len(slots) {
		if _, err := svc.Book(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "o", Start: slots[i].Start, Seats: 1 + i%2}); err == nil {
			made++
		}
	}
	fast, _ := svc.Availability(ctx, r.ID, from, to)
	rs, _ := svc.Reservations(ctx, booking.Query{ResourceID: r.ID})
	var naive []booking.Slot
	for _, s := range slots {
		bs, be := r.Block(s.Start, s.End)
		if rem := r.Seats() - booking.PeakSeats(rs, bs, be, now, ""); rem > 0 {
			s.Remaining = rem
			naive = append(naive, s)
		}
	}
	if len(fast) != len(naive) {
		t.Fatalf("fast %d slots, naive %d", len(fast), len(naive))
	}
	for i := range fast {
		if !fast[i].Start.Equal(naive[i].Start) || fast[i].Remaining != naive[i].Remaining {
			t.Fatalf("slot %d: fast %+v, naive %+v", i, fast[i], naive[i])
		}
	}
}
