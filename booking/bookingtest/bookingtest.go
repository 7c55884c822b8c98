package bookingtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/internal/badkey"
	"github.com/grunnmur/grunnmur/money"
)

var oslo = civil.Oslo

// T0 is the suite's "now": Friday 20 March 2026, 09:00 in Oslo, nine days
// before the spring DST change.
var T0 = time.Date(2026, 3, 20, 9, 0, 0, 0, oslo)

func local(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, oslo)
}

// Room returns a resource open weekdays 08:00-16:00 with one-hour slots.
func Room(capacity int) *booking.Resource {
	return &booking.Resource{
		ID: "room-" + uuid.NewString()[:8], Name: "Møterom Ærlig, 2. etg.", Capacity: capacity,
		Hours: booking.Weekdays(booking.Span{From: booking.At(8, 0), To: booking.At(16, 0)}),
		Slot:  time.Hour, Price: money.Kroner(250),
	}
}

type env struct {
	t     *testing.T
	ctx   context.Context
	store booking.Store
	start time.Time // the bubble's clock when the subtest began
	svc   *booking.Service
}

func newEnv(t *testing.T, s booking.Store) *env {
	e := &env{t: t, ctx: context.Background(), store: s, start: time.Now()}
	e.svc = &booking.Service{Store: s, Now: e.now, HoldTTL: 10 * time.Minute}
	return e
}

// now is the suite's clock: T0 and the time that has passed in the subtest's
// synctest bubble, where time.Sleep moves it on at once.
func (e *env) now() time.Time { return T0.Add(time.Since(e.start)) }

func (e *env) put(r *booking.Resource) *booking.Resource {
	e.t.Helper()
	if err := e.svc.PutResource(e.ctx, r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) hold(r *booking.Resource, owner string, start time.Time, key string) (*booking.Reservation, error) {
	return e.svc.Hold(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: owner, Start: start, Key: key})
}

func (e *env) mustHold(r *booking.Resource, owner string, start time.Time) *booking.Reservation {
	e.t.Helper()
	res, err := e.hold(r, owner, start, "")
	if err != nil {
		e.t.Fatalf("Hold %s %s: %v", owner, start, err)
	}
	return res
}

// TestStore runs the conformance suite. newStore must return an empty store
// for each subtest. Each subtest runs in a testing/synctest bubble, where
// time.Sleep moves the clock on at once, and newStore is called inside it:
// a store that keeps goroutines, channels or timers (a connection pool) must
// make them there, per subtest, and may close them with t.Cleanup.
func TestStore(t *testing.T, newStore func(t *testing.T) booking.Store) {
	tests := []struct {
		name string
		f    func(*env)
	}{
		{"Resources", testResources},
		{"HoldConfirm", testHoldConfirm},
		{"HoldIdempotencyKey", testHoldKey},
		{"RetriedConfirmOneBooking", testRetriedConfirm},
		{"HoldExpiryFreesSeats", testHoldExpiry},
		{"SeatsAndCapacity", testCapacity},
		{"OverlappingSlots", testOverlapping},
		{"Buffers", testBuffers},
		{"PerCitizenLimits", testLimits},
		{"LimitsUnderConcurrency", testLimitsRace},
		{"OpenHoldsUnderConcurrency", testOpenHoldsRace},
		{"CancelRules", testCancel},
		{"Reschedule", testReschedule},
		{"Waitlist", testWaitlist},
		{"Feeds", testFeeds},
		{"BadBytesNotFound", testBadKeys},
		{"Text", testText},
		{"QueryAndOrder", testQuery},
		{"OwnerLookups", testOwnerLookups},
		{"OwnerLookupsUnderConcurrency", testOwnerLookupsRace},
		{"ReturnedValuesAreCopies", testCopies},
		{"SeriesAcrossDST", testSeries},
		{"WeekGrid", testWeek},
		{"WeekCache", testWeekCache},
		{"SeedKeepsChanges", testSeed},
		{"ResourcePutElsewhere", testPutElsewhere},
		{"ResourceVersion", testResourceVersion},
		{"RaceCapacity1", func(e *env) { testRace(e, 1) }},
		{"RaceCapacity5", func(e *env) { testRace(e, 5) }},
		{"RaceSameKey", testRaceSameKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { tc.f(newEnv(t, newStore(t))) })
		})
	}
}

func testResources(e *env) {
	t := e.t
	r := Room(2)
	r.Exceptions = []booking.Exception{{Date: civil.NewDate(2026, 5, 18), Hours: []booking.Span{{From: booking.At(10, 0), To: booking.At(12, 0)}}, Note: "Halv dag"}}
	r.ClosedOnHolidays = true
	e.put(r)
	got, err := e.store.Resource(e.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != r.Name || got.Capacity != 2 || len(got.Exceptions) != 1 || got.Exceptions[0].Hours[0].To != booking.At(12, 0) ||
		!got.ClosedOnHolidays || got.Price != money.Kroner(250) || len(got.Hours[time.Monday]) != 1 || got.Slot != time.Hour {
		t.Fatalf("round trip changed the resource: %+v", got)
	}
	if _, err := e.store.Resource(e.ctx, "no-such"); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("unknown resource: %v, want ErrNotFound", err)
	}
	r.Capacity = 4
	e.put(r)
	other := e.put(Room(1))
	all, err := e.store.Resources(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID > all[1].ID {
		t.Fatalf("Resources: %d, want 2 ordered by ID", len(all))
	}
	for _, x := range all {
		if x.ID == r.ID && x.Capacity != 4 {
			t.Fatalf("replaced resource has capacity %d", x.Capacity)
		}
	}
	_ = other
	if err := e.store.PutResource(e.ctx, &booking.Resource{}); !errors.Is(err, booking.ErrInvalid) {
		t.Fatalf("PutResource without id: %v, want ErrInvalid", err)
	}
}

func testHoldConfirm(e *env) {
	t := e.t
	r := e.put(Room(1))
	start := local(2026, 3, 23, 10, 0)
	h := e.mustHold(r, "citizen-a", start)
	if h.State != booking.Held || !h.Start.Equal(start) || !h.End.Equal(start.Add(time.Hour)) || h.Seats != 1 || h.Price != money.Kroner(250) {
		t.Fatalf("hold: %+v", h)
	}
	if !h.HoldExpires.Equal(T0.Add(10 * time.Minute)) {
		t.Fatalf("hold expires %s, want %s", h.HoldExpires, T0.Add(10*time.Minute))
	}
	time.Sleep(5 * time.Minute)
	c, err := e.svc.Confirm(e.ctx, h.ID, "confirm-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != booking.Confirmed || c.ID != h.ID {
		t.Fatalf("confirm: %+v", c)
	}
	time.Sleep(time.Hour) // past the hold's expiry: a booking does not expire
	got, err := e.store.Reservation(e.ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.StateAt(e.now()) != booking.Confirmed {
		t.Fatalf("a confirmed booking reads as %s later", got.StateAt(e.now()))
	}
	if _, err := e.hold(r, "citizen-b", start, ""); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("hold of a booked slot: %v, want ErrSlotTaken", err)
	}
	if _, err := e.store.Reservation(e.ctx, "no-such"); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("unknown reservation: %v", err)
	}
	if _, err := e.svc.Confirm(e.ctx, uuid.NewString(), ""); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("confirm unknown: %v", err)
	}
	if _, err := e.hold(r, "citizen-b", local(2026, 3, 23, 10, 30), ""); !errors.Is(err, booking.ErrOutsideHours) {
		t.Fatalf("hold off the slot grid: %v, want ErrOutsideHours", err)
	}
	if _, err := e.hold(r, "citizen-b", local(2026, 3, 22, 10, 0), ""); !errors.Is(err, booking.ErrOutsideHours) {
		t.Fatalf("hold on a Sunday: %v, want ErrOutsideHours", err)
	}
}

func testHoldKey(e *env) {
	t := e.t
	r := e.put(Room(3))
	start := local(2026, 3, 23, 10, 0)
	a, err := e.hold(r, "citizen-a", start, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.hold(r, "citizen-a", start, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID {
		t.Fatalf("a retried Hold made a second reservation: %s and %s", a.ID, b.ID)
	}
	if _, err := e.hold(r, "citizen-a", start.Add(time.Hour), "key-1"); !errors.Is(err, booking.ErrKeyReused) {
		t.Fatalf("same key, other slot: %v, want ErrKeyReused", err)
	}
	rs, _ := e.store.Reservations(e.ctx, booking.Query{ResourceID: r.ID})
	if len(rs) != 1 {
		t.Fatalf("%d reservations after a retried Hold, want 1", len(rs))
	}
	if _, err := e.hold(r, "citizen-a", start, "key-2"); err != nil {
		t.Fatalf("a new key is a new hold: %v", err)
	}
}

func testRetriedConfirm(e *env) {
	t := e.t
	r := e.put(Room(1))
	h := e.mustHold(r, "citizen-a", local(2026, 3, 23, 11, 0))
	var wg sync.WaitGroup
	ids := make([]string, 20)
	errs := make([]error, 20)
	for i := range ids {
		wg.Go(func() {
			c, err := e.svc.Confirm(e.ctx, h.ID, "payment-captured-42")
			errs[i] = err
			if err == nil {
				ids[i] = c.ID
			}
		})
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != h.ID {
			t.Fatalf("retried Confirm %d: %v %s", i, errs[i], ids[i])
		}
	}
	rs, _ := e.store.Reservations(e.ctx, booking.Query{ResourceID: r.ID})
	if len(rs) != 1 || rs[0].State != booking.Confirmed {
		t.Fatalf("after retried Confirms: %d reservations, want 1 confirmed", len(rs))
	}
	other := e.mustHold(r, "citizen-b", local(2026, 3, 23, 12, 0))
	if _, err := e.svc.Confirm(e.ctx, other.ID, "payment-captured-42"); !errors.Is(err, booking.ErrKeyReused) {
		t.Fatalf("confirm key reused for another hold: %v, want ErrKeyReused", err)
	}
}

func testHoldExpiry(e *env) {
	t := e.t
	r := e.put(Room(1))
	start := local(2026, 3, 23, 10, 0)
	h := e.mustHold(r, "citizen-a", start)
	if _, err := e.hold(r, "citizen-b", start, ""); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("held slot: %v, want ErrSlotTaken", err)
	}
	slots, _ := e.svc.Availability(e.ctx, r.ID, start, start.Add(time.Hour))
	if len(slots) != 0 {
		t.Fatalf("a held slot is listed as free: %+v", slots)
	}
	time.Sleep(10 * time.Minute) // exactly the TTL: expired
	slots, _ = e.svc.Availability(e.ctx, r.ID, start, start.Add(time.Hour))
	if len(slots) != 1 || slots[0].Remaining != 1 {
		t.Fatalf("after expiry: %+v, want the slot free", slots)
	}
	got, _ := e.store.Reservation(e.ctx, h.ID)
	if got.StateAt(e.now()) != booking.Expired {
		t.Fatalf("expired hold reads as %s", got.StateAt(e.now()))
	}
	b := e.mustHold(r, "citizen-b", start)
	if _, err := e.svc.Confirm(e.ctx, h.ID, ""); !errors.Is(err, booking.ErrHoldExpired) {
		t.Fatalf("confirm of an expired hold: %v, want ErrHoldExpired", err)
	}
	if _, err := e.svc.Confirm(e.ctx, b.ID, ""); err != nil {
		t.Fatal(err)
	}
}

func testCapacity(e *env) {
	t := e.t
	r := e.put(Room(3))
	start := local(2026, 3, 24, 9, 0)
	if _, err := e.svc.Hold(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: start, Seats: 2}); err != nil {
		t.Fatal(err)
	}
	slots, _ := e.svc.Availability(e.ctx, r.ID, start, start.Add(time.Hour))
	if len(slots) != 1 || slots[0].Remaining != 1 {
		t.Fatalf("remaining: %+v, want 1", slots)
	}
	if _, err := e.svc.Hold(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "b", Start: start, Seats: 2}); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("2 seats of 1 left: %v", err)
	}
	if _, err := e.svc.Hold(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "b", Start: start, Seats: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Hold(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "c", Start: start}); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("full slot: %v", err)
	}
	if _, err := e.svc.Hold(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "c", Start: start.Add(time.Hour)}); err != nil {
		t.Fatalf("the next slot is free: %v", err)
	}
}

// testOverlapping uses 60-minute slots every 30 minutes: a booking at 10:00
// overlaps the 09:30 and 10:30 slots but not 11:00.
func testOverlapping(e *env) {
	t := e.t
	r := Room(1)
	r.Step = 30 * time.Minute
	e.put(r)
	e.mustHold(r, "a", local(2026, 3, 24, 10, 0))
	for _, c := range []struct {
		h, m int
		ok   bool
	}{{9, 0, true}, {9, 30, false}, {10, 30, false}, {11, 0, true}} {
		_, err := e.hold(r, "b", local(2026, 3, 24, c.h, c.m), "")
		if c.ok != (err == nil) || (!c.ok && !errors.Is(err, booking.ErrSlotTaken)) {
			t.Errorf("hold at %02d:%02d: %v, want ok=%v", c.h, c.m, err, c.ok)
		}
	}
	// capacity 2: two bookings that do not overlap each other leave a seat
	// in a slot that overlaps both.
	r2 := Room(2)
	r2.Step = 30 * time.Minute
	e.put(r2)
	e.mustHold(r2, "a", local(2026, 3, 24, 9, 0))
	e.mustHold(r2, "b", local(2026, 3, 24, 10, 0))
	if _, err := e.hold(r2, "c", local(2026, 3, 24, 9, 30), ""); err != nil {
		t.Fatalf("09:30 overlaps two bookings that never overlap each other: %v", err)
	}
	if _, err := e.hold(r2, "d", local(2026, 3, 24, 9, 30), ""); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("third at 09:30: %v, want ErrSlotTaken", err)
	}
}

func testBuffers(e *env) {
	t := e.t
	r := Room(1)
	r.BufferAfter = 15 * time.Minute
	r.Step = 15 * time.Minute
	e.put(r)
	e.mustHold(r, "a", local(2026, 3, 24, 10, 0))
	if _, err := e.hold(r, "b", local(2026, 3, 24, 11, 0), ""); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("inside the buffer: %v, want ErrSlotTaken", err)
	}
	if _, err := e.hold(r, "b", local(2026, 3, 24, 11, 15), ""); err != nil {
		t.Fatalf("after the buffer: %v", err)
	}
	slots, _ := e.svc.Availability(e.ctx, r.ID, local(2026, 3, 24, 8, 0), local(2026, 3, 24, 16, 0))
	for _, s := range slots {
		if s.Start.Before(local(2026, 3, 24, 12, 30)) && s.Start.After(local(2026, 3, 24, 8, 45)) {
			t.Errorf("slot %s is listed but conflicts with a buffered booking", s.Start.In(oslo).Format("15:04"))
		}
	}
}

func testLimits(e *env) {
	t := e.t
	r := Room(5)
	r.PerDay, r.PerWeek = 1, 2
	e.put(r)
	e.mustHold(r, "a", local(2026, 3, 23, 10, 0)) // Monday
	_, err := e.hold(r, "a", local(2026, 3, 23, 12, 0), "")
	var le *booking.LimitError
	if !errors.As(err, &le) || le.Period != "day" || !errors.Is(err, booking.ErrLimitReached) {
		t.Fatalf("second hold on a day: %v, want a day LimitError", err)
	}
	if _, err := e.hold(r, "b", local(2026, 3, 23, 12, 0), ""); err != nil {
		t.Fatalf("another citizen: %v", err)
	}
	e.mustHold(r, "a", local(2026, 3, 24, 10, 0))
	if _, err := e.hold(r, "a", local(2026, 3, 25, 10, 0), ""); !errors.As(err, &le) || le.Period != "week" {
		t.Fatalf("third hold in a week: %v, want a week LimitError", err)
	}
	if _, err := e.hold(r, "a", local(2026, 3, 30, 10, 0), ""); err != nil { // next Monday, after DST
		t.Fatalf("next week: %v", err)
	}
	// Expired holds do not count.
	time.Sleep(11 * time.Minute)
	if _, err := e.hold(r, "a", local(2026, 3, 25, 10, 0), ""); err != nil {
		t.Fatalf("after the holds expired: %v", err)
	}
}

// testLimitsRace: one citizen fires 40 holds at once on distinct slots of a
// resource that allows 2 a day; exactly 2 may succeed.
func testLimitsRace(e *env) {
	t := e.t
	r := Room(1)
	r.PerDay = 2
	r.Step = 15 * time.Minute
	r.Slot = 15 * time.Minute
	e.put(r)
	var ok, limited atomic.Int32
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			_, err := e.hold(r, "greedy", local(2026, 3, 24, 8, 0).Add(time.Duration(i)*15*time.Minute), "")
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, booking.ErrLimitReached):
				limited.Add(1)
			default:
				t.Errorf("hold %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 2 || limited.Load() != 30 {
		t.Fatalf("%d holds succeeded and %d were limited, want 2 and 30", ok.Load(), limited.Load())
	}
}

// testOpenHoldsRace: one owner's concurrent holds, on two resources, never
// pass MaxOpenHolds, nor its concurrent series MaxOpenSeries; others still
// hold, and a confirmed or expired hold makes room again.
func testOpenHoldsRace(e *env) {
	t := e.t
	svc := &booking.Service{Store: e.store, Now: e.now, HoldTTL: 10 * time.Minute, MaxOpenHolds: 3, MaxOpenSeries: 1}
	rooms := []*booking.Resource{e.put(Room(1)), e.put(Room(1))}
	count := func(n int, f func(i int) error) (ok, refused int32) {
		var okN, refusedN atomic.Int32
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				switch err := f(i); {
				case err == nil:
					okN.Add(1)
				case errors.Is(err, booking.ErrTooManyHolds):
					refusedN.Add(1)
				default:
					t.Errorf("%d: %v", i, err)
				}
			})
		}
		wg.Wait()
		return okN.Load(), refusedN.Load()
	}
	var mu sync.Mutex
	var held []*booking.Reservation
	ok, refused := count(16, func(i int) error {
		res, err := svc.Hold(e.ctx, booking.HoldInput{ResourceID: rooms[i%2].ID, Owner: "greedy", Start: local(2026, 3, 23+i/8, 8+i%8, 0)})
		if err == nil {
			mu.Lock()
			held = append(held, res)
			mu.Unlock()
		}
		return err
	})
	if ok != 3 || refused != 13 {
		t.Fatalf("%d holds succeeded and %d were refused, want 3 and 13", ok, refused)
	}
	ok, refused = count(8, func(i int) error {
		_, err := svc.HoldSeries(e.ctx, booking.SeriesInput{Rule: booking.Recurrence{Freq: booking.Weekly, Count: 3},
			HoldInput: booking.HoldInput{ResourceID: rooms[i%2].ID, Owner: "greedy", Start: local(2026, 3, 25, 8+i, 0)}})
		return err
	})
	if ok != 1 || refused != 7 {
		t.Fatalf("%d series succeeded and %d were refused, want 1 and 7", ok, refused)
	}
	if _, err := svc.Hold(e.ctx, booking.HoldInput{ResourceID: rooms[0].ID, Owner: "other", Start: local(2026, 3, 26, 8, 0)}); err != nil {
		t.Fatalf("another owner after the burst: %v", err)
	}
	if _, err := svc.Confirm(e.ctx, held[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Hold(e.ctx, booking.HoldInput{ResourceID: rooms[0].ID, Owner: "greedy", Start: local(2026, 3, 27, 8, 0)}); err != nil {
		t.Fatalf("after one hold was confirmed: %v", err)
	}
	if _, err := svc.Hold(e.ctx, booking.HoldInput{ResourceID: rooms[0].ID, Owner: "greedy", Start: local(2026, 3, 27, 9, 0)}); !errors.Is(err, booking.ErrTooManyHolds) {
		t.Fatalf("a fourth open hold: %v", err)
	}
	time.Sleep(11 * time.Minute)
	if _, err := svc.Hold(e.ctx, booking.HoldInput{ResourceID: rooms[0].ID, Owner: "greedy", Start: local(2026, 3, 27, 9, 0)}); err != nil {
		t.Fatalf("after the holds expired: %v", err)
	}
}

func testCancel(e *env) {
	t := e.t
	r := Room(1)
	r.CancelDeadline = 24 * time.Hour
	e.put(r)
	early, _ := e.svc.Book(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: local(2026, 3, 24, 10, 0)})
	late, err := e.svc.Book(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: local(2026, 3, 20, 15, 0)})
	if err != nil || early == nil {
		t.Fatal(err)
	}
	c, err := e.svc.Cancel(e.ctx, early.ID, "cancel-1")
	if err != nil || c.State != booking.Cancelled || c.Charged {
		t.Fatalf("free cancel: %+v %v", c, err)
	}
	if again, err := e.svc.Cancel(e.ctx, early.ID, "cancel-1"); err != nil || again.State != booking.Cancelled {
		t.Fatalf("retried cancel: %v", err)
	}
	if _, err := e.hold(r, "b", local(2026, 3, 24, 10, 0), ""); err != nil {
		t.Fatalf("cancelled slot is not free: %v", err)
	}
	if _, err := e.svc.Cancel(e.ctx, late.ID, ""); !errors.Is(err, booking.ErrTooLateToCancel) {
		t.Fatalf("late cancel: %v, want ErrTooLateToCancel", err)
	}
	r.ChargeLateCancel = true
	e.put(r)
	c, err = e.svc.Cancel(e.ctx, late.ID, "")
	if err != nil || !c.Charged || c.State != booking.Cancelled {
		t.Fatalf("charged late cancel: %+v %v", c, err)
	}
	// A hold can always be released.
	h := e.mustHold(r, "c", local(2026, 3, 20, 14, 0))
	if c, err := e.svc.Cancel(e.ctx, h.ID, ""); err != nil || c.Charged {
		t.Fatalf("release hold: %v", err)
	}
	if _, err := e.svc.Confirm(e.ctx, h.ID, ""); !errors.Is(err, booking.ErrState) {
		t.Fatalf("confirm after cancel: %v, want ErrState", err)
	}
}

func testReschedule(e *env) {
	t := e.t
	r := Room(1)
	r.PerDay = 1
	e.put(r)
	a, _ := e.svc.Book(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: local(2026, 3, 24, 10, 0)})
	e.mustHold(r, "b", local(2026, 3, 24, 12, 0))
	if _, err := e.svc.Reschedule(e.ctx, a.ID, local(2026, 3, 24, 12, 0), ""); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("to a taken slot: %v", err)
	}
	// The per-day limit does not count the booking being moved.
	m, err := e.svc.Reschedule(e.ctx, a.ID, local(2026, 3, 24, 11, 0), "move-1")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Start.Equal(local(2026, 3, 24, 11, 0)) || m.State != booking.Confirmed || m.ID != a.ID {
		t.Fatalf("moved: %+v", m)
	}
	again, err := e.svc.Reschedule(e.ctx, a.ID, local(2026, 3, 24, 11, 0), "move-1")
	if err != nil || !again.Start.Equal(m.Start) {
		t.Fatalf("retried reschedule: %v", err)
	}
	if _, err := e.hold(r, "c", local(2026, 3, 24, 10, 0), ""); err != nil {
		t.Fatalf("the old slot is not free: %v", err)
	}
	if _, err := e.svc.Reschedule(e.ctx, a.ID, local(2026, 3, 24, 16, 0), ""); !errors.Is(err, booking.ErrOutsideHours) {
		t.Fatalf("to closing time: %v", err)
	}
}

func testWaitlist(e *env) {
	t := e.t
	r := e.put(Room(1))
	start := local(2026, 3, 24, 10, 0)
	a, _ := e.svc.Book(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: start})
	w1, err := e.svc.JoinWaitlist(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "w1", Start: start, Key: "wait-1"})
	if err != nil {
		t.Fatal(err)
	}
	if again, err := e.svc.JoinWaitlist(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "w1", Start: start, Key: "wait-1"}); err != nil || again.ID != w1.ID {
		t.Fatalf("retried join: %v", err)
	}
	time.Sleep(time.Second)
	if _, err := e.svc.JoinWaitlist(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "w2", Start: start}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(e.ctx, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	rs, _ := e.store.Reservations(e.ctx, booking.Query{ResourceID: r.ID, ActiveAt: e.now()})
	if len(rs) != 1 || rs[0].Owner != "w1" || rs[0].State != booking.Held {
		t.Fatalf("after cancel: %+v, want w1 promoted to a hold", rs)
	}
	ws, _ := e.store.Waiters(e.ctx, r.ID, start, start.Add(time.Hour))
	if len(ws) != 1 || ws[0].Owner != "w2" {
		t.Fatalf("waiting: %+v, want w2 only", ws)
	}
	// w1 lets the hold expire; promotion moves on to w2.
	time.Sleep(11 * time.Minute)
	made, err := e.svc.Promote(e.ctx, r.ID, start, start.Add(time.Hour))
	if err != nil || len(made) != 1 || made[0].Owner != "w2" {
		t.Fatalf("promote after expiry: %+v %v", made, err)
	}
	if err := e.store.SetWaiter(e.ctx, "no-such", booking.Withdrawn, "", T0); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("SetWaiter unknown: %v", err)
	}
}

func testFeeds(e *env) {
	t := e.t
	r := e.put(Room(1))
	e.svc.Book(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "a", Start: local(2026, 3, 24, 10, 0), Title: "Befaring; skjenkebevilling, Kafé \"Ærlig\""})
	f, tok, err := e.svc.NewFeed(e.ctx, "a", "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Hash == tok.Reveal() || len(tok.Reveal()) < 40 {
		t.Fatal("the token is stored in clear or is short")
	}
	if s := fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok); slices.ContainsFunc([]string{s}, func(s string) bool { return containsStr(s, tok.Reveal()) }) {
		t.Fatal("the token leaks through fmt")
	}
	cal, err := e.svc.FeedCalendar(e.ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !containsStr(string(cal), "Befaring\\; skjenkebevilling\\, Kafé \"Ærlig\"") {
		t.Fatalf("feed lacks the booking:\n%s", cal)
	}
	if _, err := e.svc.FeedCalendar(e.ctx, booking.FeedTokenFrom("guess")); !errors.Is(err, booking.ErrFeedRevoked) {
		t.Fatalf("guessed token: %v", err)
	}
	if err := e.svc.RevokeFeed(e.ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FeedCalendar(e.ctx, tok); !errors.Is(err, booking.ErrFeedRevoked) {
		t.Fatalf("revoked token: %v", err)
	}
	if err := e.svc.RevokeFeed(e.ctx, uuid.NewString()); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	// Renewing takes back every earlier URL of the owner, and only theirs.
	_, a1, _ := e.svc.NewFeed(e.ctx, "a", "")
	_, a2, _ := e.svc.NewFeed(e.ctx, "a", "")
	_, b1, _ := e.svc.NewFeed(e.ctx, "b", "")
	_, room, _ := e.svc.NewFeed(e.ctx, "", r.ID)
	_, a3, err := e.svc.RenewFeed(e.ctx, "a", "")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		tok  booking.FeedToken
		live bool
	}{"a's first": {a1, false}, "a's second": {a2, false}, "a's renewed": {a3, true}, "b's": {b1, true}, "the room's": {room, true}} {
		if _, err := e.svc.FeedCalendar(e.ctx, c.tok); (err == nil) != c.live {
			t.Errorf("%s feed after renewal: %v, want live %v", name, err, c.live)
		}
	}
	if n, err := e.svc.RevokeFeeds(e.ctx, "a", ""); err != nil || n != 1 {
		t.Fatalf("revoke a's feeds: %d, %v", n, err)
	}
	if _, err := e.svc.FeedCalendar(e.ctx, a3); !errors.Is(err, booking.ErrFeedRevoked) {
		t.Fatalf("a's feed after RevokeFeeds: %v", err)
	}
	if n, err := e.svc.RevokeFeeds(e.ctx, "a", ""); err != nil || n != 0 {
		t.Fatalf("revoking again: %d, %v", n, err)
	}
	if n, err := e.svc.RevokeFeeds(e.ctx, "", r.ID); err != nil || n != 1 {
		t.Fatalf("revoke the room's feeds: %d, %v", n, err)
	}
	if _, err := e.svc.FeedCalendar(e.ctx, b1); err != nil {
		t.Fatalf("b's feed after the room's were revoked: %v", err)
	}
	if _, err := e.svc.RevokeFeeds(e.ctx, "a", r.ID); !errors.Is(err, booking.ErrInvalid) {
		t.Fatalf("RevokeFeeds of an owner and a resource: %v", err)
	}
}

// testBadKeys: an id, owner or key that is not UTF-8 or holds a NUL
// (/hall/%ff, /booking/%00) names nothing: ErrNotFound (ErrFeedRevoked for
// a feed), or nothing listed, and the store still works.
func testBadKeys(e *env) {
	t, s, at := e.t, e.store, e.now()
	r := e.put(Room(1))
	res := e.mustHold(r, "a", local(2026, 3, 24, 10, 0))
	for _, k := range badkey.Keys() {
		if _, err := s.Resource(e.ctx, k); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("Resource(%q): %v", k, err)
		}
		if _, err := s.Reservation(e.ctx, k); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("Reservation(%q): %v", k, err)
		}
		if _, err := s.Confirm(e.ctx, k, "", at); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("Confirm(%q): %v", k, err)
		}
		if _, err := s.Cancel(e.ctx, k, "", at, false); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("Cancel(%q): %v", k, err)
		}
		if _, err := s.Reschedule(e.ctx, booking.RescheduleRequest{ID: k, Start: res.Start, End: res.End, BlockStart: res.BlockStart, BlockEnd: res.BlockEnd, At: at}); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("Reschedule(%q): %v", k, err)
		}
		for _, q := range []booking.Query{{ResourceID: k}, {Owner: k}, {SeriesID: k}} {
			if got, err := s.Reservations(e.ctx, q); err != nil || len(got) != 0 {
				t.Errorf("Reservations(%+v): %v, %d", q, err, len(got))
			}
		}
		if got, err := s.Waiters(e.ctx, k, res.Start, res.End); err != nil || len(got) != 0 {
			t.Errorf("Waiters(%q): %v, %d", k, err, len(got))
		}
		if err := s.SetWaiter(e.ctx, k, booking.Withdrawn, res.ID, at); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("SetWaiter(%q): %v", k, err)
		}
		if _, err := s.FeedByHash(e.ctx, k); !errors.Is(err, booking.ErrFeedRevoked) {
			t.Errorf("FeedByHash(%q): %v", k, err)
		}
		if err := s.RevokeFeed(e.ctx, k, at); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("RevokeFeed(%q): %v", k, err)
		}
		if n, err := s.RevokeFeeds(e.ctx, k, "", at); err != nil || n != 0 {
			t.Errorf("RevokeFeeds(%q): %d, %v", k, n, err)
		}
	}
	if _, err := s.Reservation(e.ctx, res.ID); err != nil {
		t.Fatalf("the store after bad keys: %v", err)
	}
}

// testText: a booking's title and a resource's name and notes come back
// exactly as they were saved; a string no store can keep (not UTF-8, or
// holding a NUL) is refused with ErrInvalidText, never a driver error, and
// nothing is held.
func testText(e *env) {
	t, s, at := e.t, e.store, e.now()
	start := local(2026, 3, 24, 10, 0)
	for i, v := range badkey.Texts() {
		r := Room(1)
		r.Name = v
		r.Exceptions = []booking.Exception{{Date: civil.NewDate(2026, 5, 18), Note: v}}
		e.put(r)
		got, err := s.Resource(e.ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != v || got.Exceptions[0].Note != v {
			t.Errorf("resource %q came back as %q, %q", v, got.Name, got.Exceptions[0].Note)
		}
		res, err := e.svc.Hold(e.ctx, booking.HoldInput{ResourceID: r.ID, Owner: "text-" + strconv.Itoa(i), Start: start, Title: v})
		if err != nil {
			t.Fatalf("Hold titled %q: %v", v, err)
		}
		if got, err := s.Reservation(e.ctx, res.ID); err != nil || got.Title != v {
			t.Errorf("title %q came back as %v, %v", v, got, err)
		}
	}
	r := e.put(Room(1))
	for _, v := range badkey.Keys() {
		bad := Room(1)
		bad.Name = v
		if err := s.PutResource(e.ctx, bad); !errors.Is(err, booking.ErrInvalidText) || !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("PutResource named %q: %v, want ErrInvalidText", v, err)
		}
		res := &booking.Reservation{ID: uuid.NewString(), ResourceID: r.ID, Owner: "p", Start: start, End: start.Add(time.Hour),
			BlockStart: start, BlockEnd: start.Add(time.Hour), Seats: 1, State: booking.Held, HoldExpires: at.Add(10 * time.Minute), Created: at, Updated: at, Title: v}
		if _, err := s.Hold(e.ctx, booking.HoldRequest{Reservation: res, Capacity: 1, At: at}); !errors.Is(err, booking.ErrInvalidText) {
			t.Errorf("Hold titled %q: %v, want ErrInvalidText", v, err)
		}
		res.Title, res.Owner = "ok", v
		if _, err := s.Hold(e.ctx, booking.HoldRequest{Reservation: res, Capacity: 3, At: at}); !errors.Is(err, booking.ErrInvalidText) {
			t.Errorf("Hold by owner %q: %v, want ErrInvalidText", v, err)
		}
		w := &booking.Waiter{ID: uuid.NewString(), ResourceID: r.ID, Owner: v, Start: start, End: start.Add(time.Hour), Seats: 1, State: booking.Waiting, Created: at, Updated: at}
		if err := s.AddWaiter(e.ctx, w); !errors.Is(err, booking.ErrInvalidText) {
			t.Errorf("AddWaiter by %q: %v, want ErrInvalidText", v, err)
		}
	}
	if got, err := s.Reservations(e.ctx, booking.Query{ResourceID: r.ID}); err != nil || len(got) != 0 {
		t.Errorf("refused holds were stored: %d, %v", len(got), err)
	}
	if got, err := s.Waiters(e.ctx, r.ID, start, start.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("refused waiters were stored: %d, %v", len(got), err)
	}
	e.mustHold(r, "after", start)
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func testQuery(e *env) {
	t := e.t
	r1, r2 := e.put(Room(2)), e.put(Room(2))
	a := e.mustHold(r1, "a", local(2026, 3, 24, 12, 0))
	b := e.mustHold(r1, "b", local(2026, 3, 24, 9, 0))
	c := e.mustHold(r2, "a", local(2026, 3, 24, 10, 0))
	e.svc.Confirm(e.ctx, a.ID, "")
	time.Sleep(11 * time.Minute) // b and c expire; a is confirmed
	for _, tc := range []struct {
		name string
		q    booking.Query
		want []string
	}{
		{"resource ordered by start", booking.Query{ResourceID: r1.ID}, []string{b.ID, a.ID}},
		{"owner", booking.Query{Owner: "a"}, []string{c.ID, a.ID}},
		{"active", booking.Query{Owner: "a", ActiveAt: e.now()}, []string{a.ID}},
		{"window", booking.Query{ResourceID: r1.ID, From: local(2026, 3, 24, 9, 30), To: local(2026, 3, 24, 12, 0)}, []string{b.ID}},
		{"window touching", booking.Query{ResourceID: r1.ID, From: local(2026, 3, 24, 10, 0), To: local(2026, 3, 24, 12, 0)}, nil},
	} {
		rs, err := e.store.Reservations(e.ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func testCopies(e *env) {
	t := e.t
	r := e.put(Room(1))
	r.Hours[time.Monday][0].To = booking.At(9, 0)
	got, _ := e.store.Resource(e.ctx, r.ID)
	if got.Hours[time.Monday][0].To != booking.At(16, 0) {
		t.Fatal("the store shares a resource's hours with its caller")
	}
	got.Hours[time.Tuesday][0].To = booking.At(9, 0)
	again, _ := e.store.Resource(e.ctx, r.ID)
	if again.Hours[time.Tuesday][0].To != booking.At(16, 0) {
		t.Fatal("the store shares a returned resource")
	}
	h := e.mustHold(r, "a", local(2026, 3, 24, 10, 0))
	h.Owner = "changed"
	x, _ := e.store.Reservation(e.ctx, h.ID)
	if x.Owner != "a" {
		t.Fatal("the store shares a reservation")
	}
}

// testSeries books a weekly series at 10:00 across the spring DST change:
// every occurrence stays at 10:00 in Oslo, so the UTC hour moves.
func testSeries(e *env) {
	t := e.t
	r := e.put(Room(1))
	in := booking.SeriesInput{
		HoldInput: booking.HoldInput{ResourceID: r.ID, Owner: "club", Start: local(2026, 3, 23, 10, 0), Key: "series-1", Title: "Trening"},
		Rule:      booking.Recurrence{Freq: booking.Weekly, Count: 4, ByDay: []time.Weekday{time.Monday}},
	}
	rs, err := e.svc.BookSeries(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 {
		t.Fatalf("%d occurrences, want 4", len(rs))
	}
	for i, x := range rs {
		l := x.Start.In(oslo)
		if l.Hour() != 10 || l.Weekday() != time.Monday || x.State != booking.Confirmed || x.SeriesID == "" || x.SeriesID != rs[0].SeriesID {
			t.Errorf("occurrence %d: %s %s", i, l, x.State)
		}
	}
	if rs[0].Start.UTC().Hour() != 9 || rs[1].Start.UTC().Hour() != 8 {
		t.Errorf("UTC hours %d and %d, want 9 (CET) and 8 (CEST)", rs[0].Start.UTC().Hour(), rs[1].Start.UTC().Hour())
	}
	// A second series that collides on one date is refused whole.
	e.mustHold(r, "x", local(2026, 4, 14, 12, 0))
	_, err = e.svc.HoldSeries(e.ctx, booking.SeriesInput{
		HoldInput: booking.HoldInput{ResourceID: r.ID, Owner: "other", Start: local(2026, 3, 31, 12, 0)},
		Rule:      booking.Recurrence{Freq: booking.Weekly, Count: 3},
	})
	var se *booking.SeriesError
	if !errors.As(err, &se) || len(se.Conflicts) != 1 || !se.Conflicts[0].Start.Equal(local(2026, 4, 14, 12, 0)) || !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("colliding series: %v", err)
	}
	left, _ := e.store.Reservations(e.ctx, booking.Query{Owner: "other", ActiveAt: e.now()})
	if len(left) != 0 {
		t.Fatalf("a refused series left %d holds", len(left))
	}
	// Exceptions skip an occurrence.
	in2 := booking.SeriesInput{
		HoldInput: booking.HoldInput{ResourceID: r.ID, Owner: "club2", Start: local(2026, 3, 24, 8, 0)},
		Rule:      booking.Recurrence{Freq: booking.Daily, Count: 3, Except: []time.Time{local(2026, 3, 25, 8, 0)}},
	}
	rs2, err := e.svc.HoldSeries(e.ctx, in2)
	if err != nil || len(rs2) != 2 {
		t.Fatalf("series with an exception: %d, %v", len(rs2), err)
	}
	// A confirmation cut short and retried with the rest of the holds and
	// the same key confirms them: the keys follow the reservations, not
	// their places in the list.
	if _, err := e.svc.ConfirmSeries(e.ctx, rs2[1:], "pay-1"); err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.ConfirmSeries(e.ctx, rs2, "pay-1")
	if err != nil || len(done) != 2 || done[0].State != booking.Confirmed || done[1].State != booking.Confirmed {
		t.Fatalf("confirming the rest with the same key: %v", err)
	}
}

// testPutElsewhere: a resource put through another Service (another
// process) governs the next hold of a Service that held on it before,
// whatever that one kept: its capacity, hours and price.
func testPutElsewhere(e *env) {
	t := e.t
	other := &booking.Service{Store: e.store, Now: e.now}
	r := e.put(Room(1))
	change := func(f func(*booking.Resource)) {
		t.Helper()
		c := *r
		f(&c)
		if err := other.PutResource(e.ctx, &c); err != nil {
			t.Fatal(err)
		}
		r = &c
	}
	e.mustHold(r, "a", local(2026, 3, 24, 10, 0))
	change(func(c *booking.Resource) { c.Capacity = 2 })
	e.mustHold(r, "b", local(2026, 3, 24, 10, 0))
	change(func(c *booking.Resource) {
		c.Hours = booking.Weekdays(booking.Span{From: booking.At(8, 0), To: booking.At(12, 0)})
	})
	if _, err := e.hold(r, "c", local(2026, 3, 24, 14, 0), ""); !errors.Is(err, booking.ErrOutsideHours) {
		t.Fatalf("a hold at 14:00 after the hours became 08-12: %v, want ErrOutsideHours", err)
	}
	change(func(c *booking.Resource) { c.Hours = Room(1).Hours })
	e.mustHold(r, "d", local(2026, 3, 24, 14, 0))
	change(func(c *booking.Resource) { c.Capacity, c.Price = 1, money.Kroner(90) })
	if h := e.mustHold(r, "e", local(2026, 3, 24, 15, 0)); h.Price != money.Kroner(90) {
		t.Fatalf("a hold after the price became 90 kr costs %v", h.Price)
	}
	change(func(c *booking.Resource) { c.Price = money.Kroner(80) })
	if h := e.mustHold(r, "f", local(2026, 3, 25, 15, 0)); h.Price != money.Kroner(80) {
		t.Fatalf("a hold after the price became 80 kr costs %v", h.Price)
	}
}

// testResourceVersion: a ResourceVersioner's version changes with every
// put, and a hold made from another version is refused, writing nothing.
func testResourceVersion(e *env) {
	t := e.t
	rv, ok := e.store.(booking.ResourceVersioner)
	if !ok {
		t.Skip("not a booking.ResourceVersioner")
	}
	r := e.put(Room(1))
	_, v1, err := rv.ResourceVersion(e.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Name = "Renamed"
	e.put(r)
	got, v2, err := rv.ResourceVersion(e.ctx, r.ID)
	if err != nil || got.Name != "Renamed" || v2 == v1 {
		t.Fatalf("after a put: %q, version %q (was %q), %v", got.Name, v2, v1, err)
	}
	if _, _, err := rv.ResourceVersion(e.ctx, "no-such"); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("unknown resource: %v, want ErrNotFound", err)
	}
	for _, capacity := range []int{1, 2} {
		start := local(2026, 3, 24, 9+capacity, 0)
		res := &booking.Reservation{ID: uuid.NewString(), ResourceID: r.ID, Owner: "a", Start: start, End: start.Add(time.Hour),
			BlockStart: start, BlockEnd: start.Add(time.Hour), Seats: 1, State: booking.Held, HoldExpires: e.now().Add(time.Hour),
			Created: e.now(), Updated: e.now()}
		req := booking.HoldRequest{Reservation: res, Capacity: capacity, At: e.now(), ResourceVersion: v1}
		if _, err := e.store.Hold(e.ctx, req); !errors.Is(err, booking.ErrResourceChanged) {
			t.Fatalf("capacity %d, an old version: %v, want ErrResourceChanged", capacity, err)
		}
		if rs, _ := e.store.Reservations(e.ctx, booking.Query{ResourceID: r.ID}); len(rs) != capacity-1 {
			t.Fatalf("capacity %d: %d reservations after a refused hold", capacity, len(rs))
		}
		req.ResourceVersion = v2
		if _, err := e.store.Hold(e.ctx, req); err != nil {
			t.Fatalf("capacity %d, the current version: %v", capacity, err)
		}
	}
}

// testRace: 200 goroutines hold the same slot; exactly capacity succeed and
// the rest get ErrSlotTaken.
func testRace(e *env, capacity int) {
	t := e.t
	r := e.put(Room(capacity))
	start := local(2026, 3, 24, 10, 0)
	const n = 200
	var ok, taken atomic.Int32
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			h, err := e.hold(r, fmt.Sprintf("citizen-%d", i), start, "")
			switch {
			case err == nil:
				if _, err := e.svc.Confirm(e.ctx, h.ID, ""); err != nil {
					t.Errorf("confirm: %v", err)
				}
				ok.Add(1)
			case errors.Is(err, booking.ErrSlotTaken):
				taken.Add(1)
			default:
				t.Errorf("goroutine %d: %v", i, err)
			}
		})
	}
	close(gate)
	wg.Wait()
	if int(ok.Load()) != capacity || int(taken.Load()) != n-capacity {
		t.Fatalf("capacity %d: %d succeeded, %d slot taken; want %d and %d", capacity, ok.Load(), taken.Load(), capacity, n-capacity)
	}
	rs, _ := e.store.Reservations(e.ctx, booking.Query{ResourceID: r.ID, ActiveAt: e.now()})
	seats := 0
	for _, x := range rs {
		seats += x.Seats
	}
	if seats != capacity {
		t.Fatalf("%d seats booked, capacity %d", seats, capacity)
	}
}

// testRaceSameKey: 50 goroutines retry one Hold with one key: one reservation.
func testRaceSameKey(e *env) {
	t := e.t
	r := e.put(Room(5))
	var wg sync.WaitGroup
	ids := make([]string, 50)
	for i := range ids {
		wg.Go(func() {
			h, err := e.hold(r, "a", local(2026, 3, 24, 10, 0), "retry-me")
			if err != nil {
				t.Errorf("retry %d: %v", i, err)
				return
			}
			ids[i] = h.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one key made two reservations: %s and %s", ids[0], id)
		}
	}
	rs, _ := e.store.Reservations(e.ctx, booking.Query{ResourceID: r.ID})
	if len(rs) != 1 {
		t.Fatalf("%d reservations, want 1", len(rs))
	}
}

// testWeek checks Service.Week's cells against the store's reservations:
// on Friday at 09:00, the earlier slots are past, a held one taken, the
// rest free, and the weekend closed.
func testWeek(e *env) {
	r := e.put(Room(1))
	e.mustHold(r, "citizen-1", local(2026, 3, 20, 11, 0))
	w, err := e.svc.Week(e.ctx, r.ID, civil.NewDate(2026, 3, 22), "en")
	if err != nil {
		e.t.Fatal(err)
	}
	if w.Monday != civil.NewDate(2026, 3, 16) || len(w.Days) != 7 || len(w.Rows) != 8 {
		e.t.Fatalf("Week: Monday %s, %d days, %d rows; want 2026-03-16, 7, 8", w.Monday, len(w.Days), len(w.Rows))
	}
	want := map[int]booking.CellState{8: booking.CellPast, 9: booking.CellFree, 10: booking.CellFree, 11: booking.CellTaken, 15: booking.CellFree}
	for i, row := range w.Rows {
		h := 8 + i
		for d, c := range row.Cells {
			st := booking.CellPast
			switch {
			case d >= 5:
				st = booking.CellClosed
			case d == 4:
				st = want[h]
				if st == "" {
					st = booking.CellFree
				}
			}
			if c.State != st {
				e.t.Errorf("day %d %02d:00: %s, want %s", d, h, c.State, st)
			}
		}
	}
	if c := w.Rows[1].Cells[4]; c.Start != "2026-03-20T08:00:00Z" || c.Slot.Remaining != 1 || c.Text != "Free" {
		e.t.Errorf("Friday 09:00: %+v", c)
	}
}

// testSeed: Seed puts the resources not stored yet and keeps the changes
// made to those that are.
func testSeed(e *env) {
	a, b := Room(1), Room(2)
	if err := e.svc.Seed(e.ctx, a); err != nil {
		e.t.Fatal(err)
	}
	changed := *a
	changed.Name = "Renamed by staff"
	e.put(&changed)
	if err := e.svc.Seed(e.ctx, a, b); err != nil {
		e.t.Fatal(err)
	}
	if got, err := e.svc.Resource(e.ctx, a.ID); err != nil || got.Name != "Renamed by staff" {
		e.t.Errorf("seeded again: %v %v", got, err)
	}
	if got, err := e.svc.Resource(e.ctx, b.ID); err != nil || got.Capacity != 2 {
		e.t.Errorf("new: %v %v", got, err)
	}
	bad := Room(1)
	bad.Slot = -time.Hour
	if err := e.svc.Seed(e.ctx, bad); !errors.Is(err, booking.ErrInvalid) {
		e.t.Errorf("an invalid resource: %v", err)
	}
}
