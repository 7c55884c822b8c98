package booking_test

import (
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
)

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{
		1818: "1818-03-22", 1943: "1943-04-25", 2008: "2008-03-23", 2011: "2011-04-24", 2024: "2024-03-31",
		2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25", 2285: "2285-03-22",
	} {
		if got := booking.Easter(year).String(); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestHolidays2027(t *testing.T) {
	want := []string{
		"2027-01-01 Nyttårsdag",
		"2027-03-25 Skjærtorsdag",
		"2027-03-26 Langfredag",
		"2027-03-28 1. påskedag",
		"2027-03-29 2. påskedag",
		"2027-05-01 Offentlig høytidsdag",
		"2027-05-06 Kristi himmelfartsdag",
		"2027-05-16 1. pinsedag",
		"2027-05-17 Grunnlovsdag",
		"2027-05-17 2. pinsedag",
		"2027-12-25 1. juledag",
		"2027-12-26 2. juledag",
	}
	hs := booking.Holidays(2027)
	var got []string
	for _, h := range hs {
		got = append(got, h.Date.String()+" "+h.Name("nb"))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Holidays(2027):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHolidayCollisions(t *testing.T) {
	for _, tc := range []struct {
		date booking.Date
		keys []string
	}{
		{booking.NewDate(2027, 5, 17), []string{"constitution-day", "whit-monday"}},
		{booking.NewDate(2008, 5, 1), []string{"labour-day", "ascension-day"}},
		{booking.NewDate(2026, 5, 14), []string{"ascension-day"}},
		{booking.NewDate(2026, 5, 18), nil},
	} {
		hs := booking.HolidaysOn(tc.date)
		var keys []string
		for _, h := range hs {
			keys = append(keys, h.Key)
		}
		if strings.Join(keys, ",") != strings.Join(tc.keys, ",") {
			t.Errorf("%s: %v, want %v", tc.date, keys, tc.keys)
		}
		if len(booking.Holidays(tc.date.Year)) != 12 {
			t.Errorf("%d: a collision must not drop a holiday", tc.date.Year)
		}
	}
}

func TestHolidayNamesInEveryLanguage(t *testing.T) {
	for _, h := range booking.Holidays(2026) {
		for _, lang := range []string{"nb", "nn", "en"} {
			if h.Name(lang) == "" {
				t.Errorf("%s has no %s name", h.Key, lang)
			}
		}
	}
	may1 := booking.HolidaysOn(booking.NewDate(2026, 5, 1))[0]
	if may1.Name("nn") != "Offentleg høgtidsdag" || may1.Name("en") != "Labour Day" || may1.Name("xx") != may1.NB {
		t.Errorf("1 May: %q %q", may1.Name("nn"), may1.Name("en"))
	}
}

func TestClosedOnHolidays(t *testing.T) {
	r := &booking.Resource{ID: "hall", Hours: booking.EveryDay(booking.Span{From: booking.At(8, 0), To: booking.At(10, 0)}), ClosedOnHolidays: true,
		Exceptions: []booking.Exception{{Date: booking.NewDate(2027, 5, 16), Hours: []booking.Span{{From: booking.At(12, 0), To: booking.At(13, 0)}}}}}
	oslo, _ := time.LoadLocation("Europe/Oslo")
	day := func(m time.Month, d int) []booking.Slot {
		s, err := r.Slots(time.Date(2027, m, d, 0, 0, 0, 0, oslo), time.Date(2027, m, d+1, 0, 0, 0, 0, oslo))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if n := len(day(5, 17)); n != 0 {
		t.Errorf("17 May 2027 (Grunnlovsdag and 2. pinsedag): %d slots, want closed", n)
	}
	if n := len(day(5, 18)); n != 2 {
		t.Errorf("18 May 2027: %d slots, want 2", n)
	}
	if s := day(5, 16); len(s) != 1 || s[0].Start.In(oslo).Hour() != 12 {
		t.Errorf("an exception opens a holiday: %+v", s)
	}
	r.ClosedOnHolidays = false
	if n := len(day(5, 17)); n != 2 {
		t.Errorf("open on holidays: %d slots, want 2", n)
	}
}
