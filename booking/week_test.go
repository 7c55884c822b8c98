package booking_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
)

// nightOwl is open every day 01:00-04:00 in one-hour slots: the hours the
// DST changes fall in.
func nightOwl() *booking.Resource {
	var h booking.WeeklyHours
	for d := range h {
		h[d] = []booking.Span{{From: booking.At(1, 0), To: booking.At(4, 0)}}
	}
	return &booking.Resource{ID: "night", Name: "Nattbadet", Hours: h, Slot: time.Hour}
}

func weekOf(t *testing.T, r *booking.Resource, now time.Time, day civil.Date, lang i18n.Lang) *booking.Week {
	t.Helper()
	svc := &booking.Service{Now: func() time.Time { return now }}
	if err := svc.PutResource(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	w, err := svc.Week(context.Background(), r.ID, day, lang)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Days) != 7 {
		t.Fatalf("%d days", len(w.Days))
	}
	for _, row := range w.Rows {
		if len(row.Cells) != 7 {
			t.Fatalf("row %s: %d cells", row.Label, len(row.Cells))
		}
	}
	return w
}

// The week of 29 March 2026 (23 hours) has no 02:00 on the Sunday; the week
// of 25 October (25 hours) has 02:00 once, at the first of its two instants.
func TestWeekDST(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, civil.Oslo)
	spring := weekOf(t, nightOwl(), now, civil.NewDate(2026, 3, 29), "nb")
	if spring.Monday != civil.NewDate(2026, 3, 23) || len(spring.Rows) != 3 {
		t.Fatalf("spring: Monday %s, %d rows", spring.Monday, len(spring.Rows))
	}
	for i, want := range []string{"01.00–02.00", "02.00–03.00", "03.00–04.00"} {
		if spring.Rows[i].Label != want {
			t.Errorf("spring row %d: %q, want %q", i, spring.Rows[i].Label, want)
		}
	}
	sunday := []booking.CellState{booking.CellFree, booking.CellClosed, booking.CellFree}
	for i, want := range sunday {
		if c := spring.Rows[i].Cells[6]; c.State != want {
			t.Errorf("spring Sunday row %d: %s, want %s", i, c.State, want)
		}
		if c := spring.Rows[i].Cells[5]; c.State != booking.CellFree {
			t.Errorf("spring Saturday row %d: %s", i, c.State)
		}
	}
	// 03:00 on the Sunday is 01:00 UTC, an hour after 01:00 (00:00 UTC).
	if got := spring.Rows[2].Cells[6].Start; got != "2026-03-29T01:00:00Z" {
		t.Errorf("spring Sunday 03:00 starts %s", got)
	}

	autumn := weekOf(t, nightOwl(), now, civil.NewDate(2026, 10, 19), "nb")
	if autumn.Monday != civil.NewDate(2026, 10, 19) || len(autumn.Rows) != 3 {
		t.Fatalf("autumn: Monday %s, %d rows", autumn.Monday, len(autumn.Rows))
	}
	for i, want := range []string{"2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"} {
		if c := autumn.Rows[i].Cells[6]; c.Start != want || c.State != booking.CellFree {
			t.Errorf("autumn Sunday row %d: %s %s, want %s free", i, c.Start, c.State, want)
		}
	}
	if c := autumn.Rows[1].Cells[6]; !c.Slot.End.Equal(c.Slot.Start.Add(time.Hour)) {
		t.Errorf("autumn 02:00 slot lasts %s", c.Slot.End.Sub(c.Slot.Start))
	}
}

// A holiday closes its day under the holiday's name, an Exception under its
// note; the last week of the year spans two years in the caption.
func TestWeekClosedDays(t *testing.T) {
	r := nightOwl()
	r.ClosedOnHolidays = true
	r.Exceptions = []booking.Exception{{Date: civil.NewDate(2026, 12, 28), Closed: true, Note: "Vedlikehold"}}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, civil.Oslo)
	w := weekOf(t, r, now, civil.NewDate(2026, 12, 24), "nb")
	closed := map[int]string{4: "1. juledag", 5: "2. juledag"}
	for i, d := range w.Days {
		if d.Closed != closed[i] {
			t.Errorf("%s: closed %q, want %q", d.Date, d.Closed, closed[i])
		}
		for _, row := range w.Rows {
			if got := row.Cells[i].State == booking.CellClosed; got != (closed[i] != "") {
				t.Errorf("%s %s: %s", d.Date, row.Label, row.Cells[i].State)
			}
		}
	}
	if w.Days[0].Name != "mandag" || w.Days[0].Label != "21.12." || w.Caption != "Uke 52, 21.–27. desember 2026" {
		t.Errorf("days and caption: %+v %q", w.Days[0], w.Caption)
	}
	next := weekOf(t, r, now, w.Next, "nn")
	if next.Days[0].Closed != "Stengt: Vedlikehold" || next.Days[4].Closed != "Nyttårsdag" {
		t.Errorf("next week: %q, %q", next.Days[0].Closed, next.Days[4].Closed)
	}
	if next.Caption != "Veke 53, 28. desember 2026–3. januar 2027" || next.Prev != w.Monday {
		t.Errorf("next week: %q, prev %s", next.Caption, next.Prev)
	}
}

// Before now a slot is past; inside the minimum notice or beyond the
// horizon it cannot be held, and shows taken.
func TestWeekStates(t *testing.T) {
	r := nightOwl()
	r.MinNotice, r.MaxHorizon = 24*time.Hour, 4*24*time.Hour
	now := time.Date(2026, 6, 10, 2, 30, 0, 0, civil.Oslo) // a Wednesday
	w := weekOf(t, r, now, civil.NewDate(2026, 6, 8), "en")
	want := [3][7]booking.CellState{}
	for i := range want {
		want[i] = [7]booking.CellState{"past", "past", "past", "taken", "free", "free", "taken"}
	}
	want[0][2], want[1][2] = "past", "past"
	want[2][2] = "taken" // 03:00 today is inside the notice
	want[0][3], want[1][3] = "taken", "taken"
	want[2][3] = "free"
	want[2][6] = "taken" // Sunday 03:00 is beyond the 4-day horizon
	want[0][6], want[1][6] = "free", "free"
	for i, row := range w.Rows {
		for d, c := range row.Cells {
			if c.State != want[i][d] {
				t.Errorf("%s %s: %s, want %s", w.Days[d].Name, row.Label, c.State, want[i][d])
			}
			if c.Text != c.State.Label("en") {
				t.Errorf("text %q for %s", c.Text, c.State)
			}
		}
	}
	if c := w.Rows[2].Cells[3]; c.Name != "Thursday 11 June 2026 at 03:00–04:00" {
		t.Errorf("name %q", c.Name)
	}
	if w.Days[3].Label != "11 Jun" || w.Caption != "Week 24, 8–14 June 2026" {
		t.Errorf("%q %q", w.Days[3].Label, w.Caption)
	}
}

func TestWeekErrors(t *testing.T) {
	svc := &booking.Service{}
	if _, err := svc.Week(context.Background(), "none", civil.NewDate(2026, 1, 1), "nb"); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("unknown resource: %v", err)
	}
}

func TestCellStateLabel(t *testing.T) {
	for _, s := range []booking.CellState{booking.CellFree, booking.CellTaken, booking.CellPast, booking.CellClosed} {
		seen := map[string]bool{}
		for _, lang := range i18n.All {
			l := s.Label(lang)
			if l == "" || l == string(s) {
				t.Errorf("%s in %s: %q", s, lang, l)
			}
			seen[l] = true
		}
		if s.Label("") != s.Label(i18n.NB) || s.Label("se") != s.Label(i18n.NB) {
			t.Errorf("%s: another Lang is not read as nb", s)
		}
	}
}

func TestParseWeek(t *testing.T) {
	for in, want := range map[string]civil.Date{
		"2026-12-09": civil.NewDate(2026, 12, 7),
		"2026-12-07": civil.NewDate(2026, 12, 7),
		"2026-12-13": civil.NewDate(2026, 12, 7),
		"2026-03-29": civil.NewDate(2026, 3, 23),
		"2026-W50":   civil.NewDate(2026, 12, 7),
		"2026-W01":   civil.NewDate(2025, 12, 29),
		"2026-W53":   civil.NewDate(2026, 12, 28),
		"2021-W01":   civil.NewDate(2021, 1, 4),
	} {
		got, err := booking.ParseWeek(in)
		if err != nil || got != want {
			t.Errorf("ParseWeek(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026", "2026-W", "2026-W0", "2026-W00", "2025-W53", "2026-W54", "2026-W+1",
		"+026-W01", "2026-13-01", "2026-02-30", "0000-00-00", "uke 50", "2026-W50x", "2026-12-09 "} {
		if d, err := booking.ParseWeek(in); !errors.Is(err, booking.ErrInvalid) || !d.IsZero() {
			t.Errorf("ParseWeek(%q) = %s, %v; want ErrInvalid", in, d, err)
		}
	}
}

func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"2026-12-09", "2026-W50", "2026-W53", "2025-W53", "", "2026-W-1", "9999-W52", "0001-W01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		monday, err := booking.ParseWeek(s)
		if err != nil {
			if !errors.Is(err, booking.ErrInvalid) {
				t.Fatalf("ParseWeek(%q): %v", s, err)
			}
			return
		}
		if monday.Weekday() != time.Monday {
			t.Fatalf("ParseWeek(%q) = %s, a %s", s, monday, monday.Weekday())
		}
		if again, err := booking.ParseWeek(monday.String()); err != nil || again != monday {
			t.Fatalf("ParseWeek(%q) = %s, which reads back as %s, %v", s, monday, again, err)
		}
		if y, w, ok := strings.Cut(s, "-W"); ok {
			iy, iw := monday.Start(time.UTC).ISOWeek()
			if y != strings.TrimLeft(y, "+-") || iy != atoi(y) || iw != atoi(w) {
				t.Fatalf("ParseWeek(%q) = %s, ISO week %d-W%02d", s, monday, iy, iw)
			}
		}
	})
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
