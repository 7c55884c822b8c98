package booking_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
)

func fmtSprintf(f string, a any) string { return fmt.Sprintf(f, a) }

func TestParseRRule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // String() of the result, "" for an error
	}{
		{"FREQ=WEEKLY;COUNT=10;BYDAY=MO,WE", "FREQ=WEEKLY;COUNT=10;BYDAY=MO,WE"},
		{"RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20261231T230000Z", "FREQ=DAILY;INTERVAL=2;UNTIL=20261231T230000Z"},
		{"freq=weekly;interval=1;count=3", "FREQ=WEEKLY;COUNT=3"},
		{"FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;WKST=SU"},
		{"FREQ=MONTHLY;COUNT=2", ""},
		{"FREQ=WEEKLY;BYDAY=1MO", ""},
		{"FREQ=WEEKLY;COUNT=2;UNTIL=20261231", ""},
		{"FREQ=WEEKLY;COUNT=0", ""},
		{"FREQ=WEEKLY;COUNT=2;COUNT=3", ""},
		{"COUNT=2", ""},
		{"FREQ=WEEKLY;BYMONTH=3", ""},
		{"", ""},
		{"FREQ=DAILY;UNTIL=2026", ""},
	} {
		r, err := booking.ParseRRule(tc.in)
		if tc.want == "" {
			if !errors.Is(err, booking.ErrInvalid) {
				t.Errorf("ParseRRule(%q): %v, want ErrInvalid", tc.in, err)
			}
			continue
		}
		if err != nil || r.String() != tc.want {
			t.Errorf("ParseRRule(%q) = %q, %v; want %q", tc.in, r.String(), err, tc.want)
		}
	}
}

func TestOccurrences(t *testing.T) {
	start := time.Date(2026, 3, 23, 10, 0, 0, 0, oslo) // Monday
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, oslo) }
	for _, tc := range []struct {
		rule string
		ex   []time.Time
		want []time.Time
	}{
		{"FREQ=DAILY;COUNT=3", nil, []time.Time{day(3, 23), day(3, 24), day(3, 25)}},
		{"FREQ=DAILY;INTERVAL=3;COUNT=3", nil, []time.Time{day(3, 23), day(3, 26), day(3, 29)}},
		{"FREQ=WEEKLY;COUNT=4;BYDAY=MO,TH", nil, []time.Time{day(3, 23), day(3, 26), day(3, 30), day(4, 2)}},
		{"FREQ=WEEKLY;INTERVAL=2;COUNT=3", nil, []time.Time{day(3, 23), day(4, 6), day(4, 20)}},
		{"FREQ=WEEKLY;UNTIL=20260406T080000Z", nil, []time.Time{day(3, 23), day(3, 30), day(4, 6)}},
		{"FREQ=WEEKLY;UNTIL=20260406T075959Z", nil, []time.Time{day(3, 23), day(3, 30)}},
		{"FREQ=DAILY;COUNT=3", []time.Time{day(3, 24)}, []time.Time{day(3, 23), day(3, 25)}},
		{"FREQ=DAILY;COUNT=5;BYDAY=SA,SU", nil, []time.Time{day(3, 28), day(3, 29), day(4, 4), day(4, 5), day(4, 11)}},
	} {
		r, err := booking.ParseRRule(tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		r.Except = tc.ex
		got, err := r.Occurrences(start, oslo, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, tc.want, time.Time.Equal) {
			t.Errorf("%s: %v, want %v", tc.rule, got, tc.want)
		}
		for _, o := range got {
			if o.In(oslo).Hour() != 10 {
				t.Errorf("%s: %s is not at 10:00 Oslo time across DST", tc.rule, o)
			}
		}
	}
	if _, err := (booking.Recurrence{Freq: booking.Weekly}).Occurrences(start, oslo, time.Time{}); !errors.Is(err, booking.ErrInvalid) {
		t.Errorf("unbounded rule: %v", err)
	}
	big, err := (booking.Recurrence{Freq: booking.Daily, Count: 100000}).Occurrences(start, oslo, time.Time{})
	if err != nil || len(big) != booking.MaxOccurrences {
		t.Errorf("a huge COUNT gives %d occurrences, want the cap %d", len(big), booking.MaxOccurrences)
	}
}

func FuzzParseRRule(f *testing.F) {
	for _, s := range []string{"FREQ=WEEKLY;COUNT=10;BYDAY=MO,WE", "FREQ=DAILY;INTERVAL=2;UNTIL=20261231T230000Z", "FREQ=WEEKLY;WKST=SU;INTERVAL=3;UNTIL=20270101", "RRULE:FREQ=DAILY;COUNT=1", ";;=", "FREQ=DAILY;BYDAY=SA,SU,MO"} {
		f.Add(s)
	}
	start := time.Date(2026, 3, 23, 10, 0, 0, 0, oslo)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := booking.ParseRRule(s)
		if err != nil {
			if !errors.Is(err, booking.ErrInvalid) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again, err := booking.ParseRRule(r.String())
		if err != nil || again.String() != r.String() {
			t.Fatalf("String does not round-trip: %q -> %q (%v)", r.String(), again.String(), err)
		}
		occ, err := r.Occurrences(start, oslo, start.AddDate(2, 0, 0))
		if err != nil {
			return
		}
		if len(occ) > booking.MaxOccurrences || (r.Count > 0 && len(occ) > r.Count) {
			t.Fatalf("%d occurrences for %s", len(occ), r)
		}
		for i := 1; i < len(occ); i++ {
			if !occ[i].After(occ[i-1]) {
				t.Fatalf("occurrences out of order: %v", occ)
			}
		}
	})
}

func FuzzParseClockAndDate(f *testing.F) {
	for _, s := range []string{"08:00", "24:00", "23:59", "2026-03-29", "2027-02-30", "9:00", "-1:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := booking.ParseClock(s); err == nil {
			if c < 0 || c > 24*60 || c.String() != s {
				t.Fatalf("ParseClock(%q) = %d (%s)", s, c, c)
			}
		} else if !errors.Is(err, booking.ErrInvalid) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func TestOccurrencesNeverMatching(t *testing.T) {
	r, err := booking.ParseRRule("FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3")
	if err != nil {
		t.Fatal(err)
	}
	occ, err := r.Occurrences(time.Date(2026, 3, 23, 10, 0, 0, 0, oslo), oslo, time.Time{}) // a Monday
	if err != nil || len(occ) != 0 {
		t.Fatalf("%v %v, want no occurrences (and an end)", occ, err)
	}
}

func TestSlotsRefusesHugeRanges(t *testing.T) {
	r := allDay(time.Hour)
	if _, err := r.Slots(time.Date(2026, 1, 1, 0, 0, 0, 0, oslo), time.Date(2126, 1, 1, 0, 0, 0, 0, oslo)); !errors.Is(err, booking.ErrInvalid) {
		t.Fatalf("a century of slots: %v, want ErrInvalid", err)
	}
	r.Step = time.Second
	if _, err := r.Slots(time.Date(2026, 1, 1, 0, 0, 0, 0, oslo), time.Date(2026, 1, 2, 0, 0, 0, 0, oslo)); !errors.Is(err, booking.ErrInvalid) {
		t.Fatalf("a one-second step: %v, want ErrInvalid", err)
	}
}
