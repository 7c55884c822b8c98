package testclock

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestAdvancing: the clock reads the pinned instant, then exactly the time
// that passed after it, in the machine's zone.
func TestAdvancing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at := Oslo(t, "2026-03-29T01:30:00+01:00")
		now := Advancing(at)
		if got := now(); !got.Equal(at) || got.Location() != time.Local {
			t.Fatalf("at once: %v", got)
		}
		time.Sleep(90 * time.Minute)
		got := now()
		if !got.Equal(at.Add(90 * time.Minute)) {
			t.Fatalf("after 90 min: %v", got)
		}
		// 02:00 became 03:00 on the way.
		if h := got.In(oslo).Hour(); h != 4 {
			t.Fatalf("Oslo hour after 90 min: %d", h)
		}
	})
}

// TestOslo: the offset picks one of the two 02:30s at the end of DST, and
// an offset Oslo does not have then is refused.
func TestOslo(t *testing.T) {
	first, second := Oslo(t, "2026-10-25T02:30:00+02:00"), Oslo(t, "2026-10-25T02:30:00+01:00")
	if d := second.Sub(first); d != time.Hour {
		t.Fatalf("the two 02:30s are %v apart", d)
	}
	if first.Location().String() != "Europe/Oslo" {
		t.Fatalf("location %v", first.Location())
	}
	for _, bad := range []string{"2026-07-01T12:00:00+01:00", "2026-01-01T12:00:00Z", "not a time"} {
		ft := &fakeT{TB: t}
		func() {
			defer func() { recover() }()
			Oslo(ft, bad)
		}()
		if !ft.failed {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestEdges: every edge is a valid Oslo instant on the day it names; the
// two DST days have 23 and 25 hours, and the clocks change 20 s into them.
func TestEdges(t *testing.T) {
	at := map[string]time.Time{}
	hours := map[string]time.Duration{}
	for _, e := range Edges {
		at[e.Name] = Oslo(t, e.At)
		y, m, d := at[e.Name].Date()
		hours[e.Name] = time.Date(y, m, d+1, 0, 0, 0, 0, oslo).Sub(time.Date(y, m, d, 0, 0, 0, 0, oslo))
	}
	if hours["dst-start-0159"] != 23*time.Hour || hours["dst-end-0259"] != 25*time.Hour || hours["sunday-2330"] != 24*time.Hour {
		t.Fatalf("day lengths %v", hours)
	}
	if !EdgeAt(t, "sunday-2330").Equal(at["sunday-2330"]) {
		t.Error("EdgeAt")
	}
	if at["sunday-2330"].Weekday() != time.Sunday || at["easter-monday-1700"].Weekday() != time.Monday {
		t.Errorf("weekdays: %v", at)
	}
	for _, name := range []string{"dst-start-0159", "dst-end-0259"} {
		_, before := at[name].Zone()
		if _, after := at[name].Add(20 * time.Second).Zone(); after == before {
			t.Errorf("%s: the clocks do not change 20 s later", name)
		}
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}
