package bookingtest

import (
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
)

// states prints a Week's cell states, one line a row.
func states(w *booking.Week) string {
	var b strings.Builder
	for _, row := range w.Rows {
		for _, c := range row.Cells {
			b.WriteString(string(c.State)[:2] + " ")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// testWeekCache: a booking.WeekCache gives what a fresh Week gives after
// every hold, confirmation, cancellation, move, resource change and hold
// that runs out, and is reused while nothing changed.
func testWeekCache(e *env) {
	if _, ok := e.store.(booking.Versioned); !ok {
		e.t.Fatalf("%T is not booking.Versioned", e.store)
	}
	r := e.put(Room(1))
	var cache booking.WeekCache[string]
	day := civil.NewDate(2026, 3, 25) // next week, Monday 23 March
	builds := 0
	check := func(step string, rebuilt bool) {
		e.t.Helper()
		before := builds
		got, err := cache.Get(e.ctx, e.svc, r.ID, day, "en", func(w *booking.Week) (string, error) { builds++; return states(w), nil })
		if err != nil {
			e.t.Fatalf("%s: %v", step, err)
		}
		fresh, err := e.svc.Week(e.ctx, r.ID, day, "en")
		if err != nil {
			e.t.Fatal(err)
		}
		if got != states(fresh) {
			e.t.Errorf("%s: cached week\n%s, a fresh one\n%s", step, got, states(fresh))
		}
		if (builds > before) != rebuilt {
			e.t.Errorf("%s: rebuilt %v, want %v", step, builds > before, rebuilt)
		}
	}
	check("first", true)
	check("unchanged", false)
	h := e.mustHold(r, "citizen-1", local(2026, 3, 23, 9, 0))
	check("hold", true)
	check("unchanged after hold", false)
	if _, err := e.svc.Confirm(e.ctx, h.ID, ""); err != nil {
		e.t.Fatal(err)
	}
	check("confirm", true)
	if _, err := e.svc.Reschedule(e.ctx, h.ID, local(2026, 3, 24, 10, 0), ""); err != nil {
		e.t.Fatal(err)
	}
	check("reschedule", true)
	if _, err := e.svc.Cancel(e.ctx, h.ID, ""); err != nil {
		e.t.Fatal(err)
	}
	check("cancel", true)
	e.mustHold(r, "citizen-2", local(2026, 3, 25, 11, 0))
	check("second hold", true)
	time.Sleep(5 * time.Minute)
	check("hold still open", false)
	time.Sleep(6 * time.Minute) // the hold has run out
	check("hold ran out", true)
	r.Exceptions = append(r.Exceptions, booking.Exception{Date: civil.NewDate(2026, 3, 26), Closed: true, Note: "Maling"})
	e.put(r)
	check("resource changed", true)
}
