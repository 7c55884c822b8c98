package civil

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestOsloHasSummerTime(t *testing.T) {
	winter := time.Date(2026, 1, 15, 12, 0, 0, 0, Oslo)
	summer := time.Date(2026, 7, 15, 12, 0, 0, 0, Oslo)
	if _, off := winter.Zone(); off != 3600 {
		t.Errorf("winter offset %d", off)
	}
	if _, off := summer.Zone(); off != 7200 {
		t.Errorf("summer offset %d", off)
	}
}

func TestParseDate(t *testing.T) {
	good := map[string]Date{"2026-12-06": {2026, 12, 6}, "2024-02-29": {2024, 2, 29}, "": {}}
	for s, want := range good {
		if got, err := ParseDate(s); err != nil || got != want {
			t.Errorf("%q: %v %v", s, got, err)
		}
	}
	for _, s := range []string{"2026-02-29", "2026-13-01", "2026-1-01", "26-12-06", "2026/12/06", "2026-12-06T00", "+026-12-06", "0000-01-01", "２０２６-12-06"} {
		if _, err := ParseDate(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func TestArithmetic(t *testing.T) {
	d := NewDate(2026, 12, 31)
	if d.AddDays(1) != (Date{2027, 1, 1}) || d.AddDays(-365) != (Date{2025, 12, 31}) {
		t.Error("AddDays")
	}
	if NewDate(2027, 2, 30) != (Date{2027, 3, 2}) {
		t.Error("NewDate does not normalise")
	}
	if n := NewDate(2026, 3, 30).DaysSince(NewDate(2026, 3, 28)); n != 2 {
		t.Errorf("DaysSince across DST = %d", n)
	}
	if d.Weekday() != time.Thursday {
		t.Error("Weekday")
	}
	a, b := NewDate(2026, 1, 31), NewDate(2026, 2, 1)
	if !a.Before(b) || !b.After(a) || a.Compare(a) != 0 || b.Compare(a) != 1 {
		t.Error("Compare")
	}
	if (Date{}).IsValid() || !d.IsValid() || (Date{2026, 2, 29}).IsValid() {
		t.Error("IsValid")
	}
}

func TestStart(t *testing.T) {
	s := NewDate(2026, 3, 29).Start(Oslo)
	if s.Hour() != 0 || DateOf(s) != NewDate(2026, 3, 29) {
		t.Errorf("Start on DST day = %v", s)
	}
	// A zone whose clocks skip midnight.
	if l, err := time.LoadLocation("America/Santiago"); err == nil {
		d := NewDate(2026, 9, 6) // Chile springs forward at midnight
		if s := d.Start(l); DateOf(s) != d {
			t.Errorf("Start in Santiago = %v", s)
		}
	}
}

func TestJSON(t *testing.T) {
	type doc struct {
		D Date `json:"d"`
	}
	for in, want := range map[string]Date{`{"d":"2026-12-06"}`: {2026, 12, 6}, `{"d":null}`: {}, `{"d":""}`: {}, `{}`: {}} {
		var v doc
		if err := json.Unmarshal([]byte(in), &v); err != nil || v.D != want {
			t.Errorf("%s: %v %v", in, v.D, err)
		}
	}
	for _, in := range []string{`{"d":20261206}`, `{"d":"2026-12-32"}`, `{"d":"x"}`} {
		var v doc
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
	b, _ := json.Marshal(doc{})
	c, _ := json.Marshal(doc{NewDate(2026, 12, 6)})
	if string(b) != `{"d":null}` || string(c) != `{"d":"2026-12-06"}` {
		t.Errorf("%s %s", b, c)
	}
	m, _ := json.Marshal(map[Date]int{NewDate(2026, 1, 2): 1})
	if string(m) != `{"2026-01-02":1}` {
		t.Errorf("map key %s", m)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-06", "", "2026-02-29", "9999-12-31", "0001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("%q round-trips to %q", s, d.String())
		}
		if !d.IsZero() && !d.IsValid() {
			t.Fatalf("%q parsed to invalid %v", s, d)
		}
	})
}

func Example() {
	now := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC) // time.Now() in a service
	today := DateOf(now.In(Oslo))
	fmt.Println(today, today.Weekday())
	deadline := today.AddDays(21)
	fmt.Println(deadline, deadline.Start(Oslo).Format(time.RFC3339))
	// Output:
	// 2026-12-07 Monday
	// 2026-12-28 2026-12-28T00:00:00+01:00
}
