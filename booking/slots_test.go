package booking_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
)

var oslo = civil.Oslo

func allDay(step time.Duration) *booking.Resource {
	return &booking.Resource{ID: "pool", Capacity: 1, Hours: booking.EveryDay(booking.Span{From: 0, To: booking.At(24, 0)}), Slot: step}
}

func TestSlotsOnDSTDays(t *testing.T) {
	for _, tc := range []struct {
		name      string
		day       int
		month     time.Month
		hours     float64
		quarter   int // 15-minute slots
		hourly    int
		has0230   bool
		utc0230   string
		startFrom int
	}{
		{"spring 23 h", 29, time.March, 23, 92, 23, false, "", 0},
		{"autumn 25 h", 25, time.October, 25, 96, 24, true, "00:30", 0},
		{"ordinary", 24, time.March, 24, 96, 24, true, "01:30", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := time.Date(2026, tc.month, tc.day, 0, 0, 0, 0, oslo)
			to := time.Date(2026, tc.month, tc.day+1, 0, 0, 0, 0, oslo)
			if h := to.Sub(from).Hours(); h != tc.hours {
				t.Fatalf("the day has %v hours, want %v", h, tc.hours)
			}
			slots, err := allDay(15*time.Minute).Slots(from, to)
			if err != nil {
				t.Fatal(err)
			}
			if len(slots) != tc.quarter {
				t.Errorf("%d quarter-hour slots, want %d", len(slots), tc.quarter)
			}
			labels := map[string]int{}
			for i, s := range slots {
				if s.End.Sub(s.Start) != 15*time.Minute {
					t.Errorf("slot %s lasts %s", s.Start, s.End.Sub(s.Start))
				}
				if i > 0 && !s.Start.After(slots[i-1].Start) {
					t.Errorf("slot %d is not after the one before", i)
				}
				labels[s.Start.In(oslo).Format("15:04")]++
			}
			for label, n := range labels {
				if n > 1 {
					t.Errorf("wall-clock %s has %d slots: doubled", label, n)
				}
			}
			if got := labels["02:30"] == 1; got != tc.has0230 {
				t.Errorf("02:30 slot exists: %v, want %v", got, tc.has0230)
			}
			for _, s := range slots {
				if s.Start.In(oslo).Format("15:04") == "02:30" && s.Start.UTC().Format("15:04") != tc.utc0230 {
					t.Errorf("02:30 is %s UTC, want %s (the first of the two)", s.Start.UTC().Format("15:04"), tc.utc0230)
				}
			}
			hourly, _ := allDay(time.Hour).Slots(from, to)
			if len(hourly) != tc.hourly {
				t.Errorf("%d hourly slots, want %d", len(hourly), tc.hourly)
			}
		})
	}
}

func TestSlotsDSTEveningSpan(t *testing.T) {
	// Opening 01:00-04:00 on the spring day holds two real hours, so two
	// one-hour slots: 01:00 and 03:00.
	r := &booking.Resource{ID: "x", Hours: booking.EveryDay(booking.Span{From: booking.At(1, 0), To: booking.At(4, 0)})}
	from := time.Date(2026, 3, 29, 0, 0, 0, 0, oslo)
	slots, _ := r.Slots(from, from.Add(23*time.Hour))
	if len(slots) != 2 || slots[0].Start.In(oslo).Hour() != 1 || slots[1].Start.In(oslo).Hour() != 3 {
		t.Fatalf("spring 01-04: %+v", slots)
	}
	// On the autumn day 01:00-04:00 holds four real hours; slots start by
	// wall clock, so 01:00, 02:00 (the first), 03:00.
	from = time.Date(2026, 10, 25, 0, 0, 0, 0, oslo)
	slots, _ = r.Slots(from, from.Add(25*time.Hour))
	if len(slots) != 3 {
		t.Fatalf("autumn 01-04: %d slots, want 3", len(slots))
	}
}

func TestAvailabilityAcrossDST(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 10, 20, 12, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	r := allDay(30 * time.Minute)
	if err := svc.PutResource(ctx, r); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 02:30 CEST, the first 02:30
	b, err := svc.Book(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	second := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC) // 02:30 CET, the repeat
	if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "b", Start: second}); !errors.Is(err, booking.ErrOutsideHours) {
		t.Fatalf("the repeated 02:30: %v, want ErrOutsideHours", err)
	}
	from := time.Date(2026, 10, 25, 0, 0, 0, 0, oslo)
	slots, err := svc.Availability(ctx, r.ID, from, from.Add(25*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 47 {
		t.Errorf("%d free half-hour slots on the autumn day with one booked, want 47", len(slots))
	}
	for _, s := range slots {
		if s.Start.Equal(b.Start) {
			t.Error("the booked 02:30 slot is listed as free")
		}
		if s.Start.In(oslo).Format("15:04") == "02:30" {
			t.Error("02:30 is offered again in the repeated hour")
		}
	}
	// The spring day: a hold at 02:30 does not exist; 01:30 lasts to 03:00.
	now = time.Date(2026, 3, 20, 12, 0, 0, 0, oslo)
	_, err = svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC).Add(-30 * time.Minute)})
	if err != nil {
		t.Fatalf("01:30 CET: %v", err)
	}
	from = time.Date(2026, 3, 29, 0, 0, 0, 0, oslo)
	slots, _ = svc.Availability(ctx, r.ID, from, from.Add(23*time.Hour))
	if len(slots) != 45 {
		t.Errorf("%d free half-hour slots on the spring day with one held, want 45", len(slots))
	}
}

// TestSlotsOverlappingSpans: spans that overlap or come out of order give
// each start once, in order, as one span over the same hours does.
func TestSlotsOverlappingSpans(t *testing.T) {
	messy := &booking.Resource{ID: "m", Slot: 30 * time.Minute, Step: 15 * time.Minute,
		Hours: booking.EveryDay(booking.Span{From: booking.At(9, 0), To: booking.At(11, 0)}, booking.Span{From: booking.At(1, 0), To: booking.At(3, 30)},
			booking.Span{From: booking.At(8, 0), To: booking.At(10, 0)}, booking.Span{From: booking.At(2, 0), To: booking.At(4, 0)})}
	clean := &booking.Resource{ID: "c", Slot: 30 * time.Minute, Step: 15 * time.Minute,
		Hours: booking.EveryDay(booking.Span{From: booking.At(1, 0), To: booking.At(4, 0)}, booking.Span{From: booking.At(8, 0), To: booking.At(11, 0)})}
	from := time.Date(2026, 3, 28, 1, 30, 0, 0, oslo) // across the spring change, from mid-span
	to := from.AddDate(0, 0, 3)
	got, err := messy.Slots(from, to)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := clean.Slots(from, to)
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("%d slots, want %d", len(got), len(want))
	}
	for i := range got {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Fatalf("slot %d: %v-%v, want %v-%v", i, got[i].Start, got[i].End, want[i].Start, want[i].End)
		}
	}
}

// TestAppendAvailability: the free slots are appended after what dst holds,
// a reused slice gives Availability's answer, an error leaves dst as it was,
// and calls at once (sharing the working memory's pool) do not mix answers.
func TestAppendAvailability(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	r := allDay(30 * time.Minute)
	r.Capacity = 2
	if err := svc.PutResource(ctx, r); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		start := time.Date(2026, 3, 21, 0, 0, 0, 0, oslo).Add(time.Duration(i*i%97) * 30 * time.Minute)
		svc.Book(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "o", Start: start})
	}
	day := func(i int) (time.Time, time.Time) {
		from := time.Date(2026, 3, 21+i, 0, 0, 0, 0, oslo)
		return from, from.AddDate(0, 0, 1+i%3)
	}
	want := make([][]booking.Slot, 8)
	for i := range want {
		from, to := day(i)
		want[i], _ = svc.Availability(ctx, r.ID, from, to)
	}
	mark := booking.Slot{Remaining: -1}
	var buf []booking.Slot
	for i := range want {
		from, to := day(i)
		var err error
		if buf, err = svc.AppendAvailability(ctx, append(buf[:0], mark), r.ID, from, to); err != nil {
			t.Fatal(err)
		}
		if len(want[i]) == 0 || buf[0] != mark || !slices.Equal(buf[1:], want[i]) {
			t.Fatalf("day %d: appended %d slots after %v, want %d after the mark", i, len(buf)-1, buf[0], len(want[i]))
		}
	}
	if got, err := svc.AppendAvailability(ctx, buf[:1], "no-such", now, now.Add(time.Hour)); err == nil || len(got) != 1 || got[0] != mark {
		t.Errorf("unknown resource: %d slots, %v; want dst back and an error", len(got), err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var mine []booking.Slot
			for k := range 20 {
				from, to := day((g + k) % 8)
				mine, _ = svc.AppendAvailability(ctx, mine[:0], r.ID, from, to)
				if !slices.Equal(mine, want[(g+k)%8]) {
					t.Errorf("goroutine %d, call %d: %d slots, want %d", g, k, len(mine), len(want[(g+k)%8]))
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestLimitWindowsAcrossDST(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	r := allDay(time.Hour)
	r.PerDay = 1
	svc.PutResource(ctx, r)
	// 23:00 on the 23-hour day and 00:00 the next day are different days.
	if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: time.Date(2026, 3, 29, 23, 0, 0, 0, oslo)}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: time.Date(2026, 3, 30, 0, 0, 0, 0, oslo)}); err != nil {
		t.Fatalf("next day: %v", err)
	}
	if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: time.Date(2026, 3, 29, 0, 0, 0, 0, oslo)}); !errors.Is(err, booking.ErrLimitReached) {
		t.Fatalf("same 23-hour day: %v, want ErrLimitReached", err)
	}
}

func TestNoticeAndHorizon(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 23, 9, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	r := &booking.Resource{ID: "officer", Hours: booking.Weekdays(booking.Span{From: booking.At(9, 0), To: booking.At(15, 0)}),
		MinNotice: 24 * time.Hour, MaxHorizon: 14 * 24 * time.Hour}
	svc.PutResource(ctx, r)
	slots, _ := svc.Availability(ctx, r.ID, now, now.Add(30*24*time.Hour))
	if len(slots) == 0 || slots[0].Start.Before(now.Add(24*time.Hour)) || slots[len(slots)-1].Start.After(now.Add(14*24*time.Hour)) {
		t.Fatalf("availability ignores notice or horizon: %d slots from %s", len(slots), slots[0].Start)
	}
	for _, tc := range []struct {
		start time.Time
		want  error
	}{
		{time.Date(2026, 3, 23, 14, 0, 0, 0, oslo), booking.ErrTooSoon},
		{time.Date(2026, 3, 20, 10, 0, 0, 0, oslo), booking.ErrTooSoon},
		{time.Date(2026, 4, 8, 10, 0, 0, 0, oslo), booking.ErrTooFar},
		{time.Date(2026, 3, 24, 9, 0, 0, 0, oslo), nil},
	} {
		_, err := svc.Hold(ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: tc.start})
		if !errors.Is(err, tc.want) {
			t.Errorf("hold at %s: %v, want %v", tc.start, err, tc.want)
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	for _, tc := range []struct {
		err    error
		code   string
		status int
	}{
		{nil, "", 200},
		{booking.ErrSlotTaken, "slot_taken", 409},
		{booking.ErrOutsideHours, "outside_opening_hours", 422},
		{booking.ErrTooLateToCancel, "too_late_to_cancel", 409},
		{&booking.LimitError{Period: "day", Max: 1}, "limit_reached", 429},
		{booking.ErrHoldExpired, "hold_expired", 410},
		{booking.ErrTooSoon, "too_short_notice", 422},
		{booking.ErrTooFar, "too_far_ahead", 422},
		{booking.ErrNotFound, "not_found", 404},
		{booking.ErrInvalidText, "invalid", 400},
		{booking.ErrState, "invalid_state", 409},
		{booking.ErrKeyReused, "idempotency_key_reused", 422},
		{booking.ErrFeedRevoked, "feed_revoked", 404},
		{booking.ErrTooManyHolds, "too_many_holds", 429},
		{&booking.SeriesError{Conflicts: []booking.OccurrenceError{{Err: booking.ErrSlotTaken}}}, "slot_taken", 409},
		{errors.New("disk on fire"), "internal", 500},
	} {
		if s, c := booking.HTTPStatus(tc.err); c != tc.code || s != tc.status {
			t.Errorf("HTTPStatus(%v) = %d, %q; want %d, %q", tc.err, s, c, tc.status, tc.code)
		}
	}
}

func TestResourceValidate(t *testing.T) {
	for name, r := range map[string]*booking.Resource{
		"no id":        {},
		"bad zone":     {ID: "x", TimeZone: "Mars/Olympus"},
		"neg capacity": {ID: "x", Capacity: -1},
		"empty span":   {ID: "x", Hours: booking.Weekdays(booking.Span{From: booking.At(10, 0), To: booking.At(10, 0)})},
		"late span":    {ID: "x", Hours: booking.Weekdays(booking.Span{From: booking.At(10, 0), To: 1441})},
		"odd slot":     {ID: "x", Slot: 90 * time.Second},
		"two same day": {ID: "x", Exceptions: []booking.Exception{{Date: civil.NewDate(2026, 1, 2), Closed: true}, {Date: civil.NewDate(2026, 1, 2), Closed: true}}},
	} {
		if err := r.Validate(); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
