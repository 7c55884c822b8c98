package holiday_test

import (
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/holiday"
	"github.com/grunnmur/grunnmur/i18n"
)

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{
		1818: "1818-03-22", 1943: "1943-04-25", 2008: "2008-03-23", 2011: "2011-04-24", 2024: "2024-03-31",
		2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25", 2285: "2285-03-22",
	} {
		if got := holiday.Easter(year).String(); got != want {
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
	hs := holiday.InYear(2027)
	var got []string
	for _, h := range hs {
		got = append(got, h.Date.String()+" "+h.Name(i18n.NB))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Holidays(2027):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHolidayCollisions(t *testing.T) {
	for _, tc := range []struct {
		date civil.Date
		keys []string
	}{
		{civil.NewDate(2027, 5, 17), []string{"constitution-day", "whit-monday"}},
		{civil.NewDate(2008, 5, 1), []string{"labour-day", "ascension-day"}},
		{civil.NewDate(2026, 5, 14), []string{"ascension-day"}},
		{civil.NewDate(2026, 5, 18), nil},
	} {
		hs := holiday.On(tc.date)
		var keys []string
		for _, h := range hs {
			keys = append(keys, h.Key)
		}
		if strings.Join(keys, ",") != strings.Join(tc.keys, ",") {
			t.Errorf("%s: %v, want %v", tc.date, keys, tc.keys)
		}
		if len(holiday.InYear(tc.date.Year)) != 12 {
			t.Errorf("%d: a collision must not drop a holiday", tc.date.Year)
		}
	}
}

func TestHolidayNamesInEveryLanguage(t *testing.T) {
	for _, h := range holiday.InYear(2026) {
		for _, lang := range i18n.All {
			if h.Name(lang) == "" {
				t.Errorf("%s has no %s name", h.Key, lang)
			}
		}
	}
	may1 := holiday.On(civil.NewDate(2026, 5, 1))[0]
	if may1.Name(i18n.NN) != "Offentleg høgtidsdag" || may1.Name(i18n.EN) != "Labour Day" || may1.Name("") != may1.NB || may1.Name("se") != may1.NB {
		t.Errorf("1 May: %q %q", may1.Name(i18n.NN), may1.Name(i18n.EN))
	}
}

func TestWorkdays(t *testing.T) {
	for _, tc := range []struct {
		date, next string
		workday    bool
	}{
		{"2026-12-24", "2026-12-24", true}, // julaften is not a holiday
		{"2026-12-31", "2026-12-31", true}, // nor is nyttårsaften
		{"2026-12-25", "2026-12-28", false},
		{"2026-12-26", "2026-12-28", false}, // a Saturday and 2. juledag
		{"2026-04-01", "2026-04-01", true},  // the Wednesday before Easter
		{"2026-04-02", "2026-04-07", false}, // Maundy Thursday: Friday, the weekend and Easter Monday follow
		{"2026-04-04", "2026-04-07", false}, // Easter Saturday is no holiday, but a Saturday
		{"2027-05-16", "2027-05-18", false}, // Whit Sunday, then 17 May and Whit Monday on one date
		{"2026-05-17", "2026-05-18", false}, // 17 May on a Sunday
		{"2026-05-25", "2026-05-26", false}, // Whit Monday 2026
		{"2027-01-01", "2027-01-04", false},
	} {
		d := parse(t, tc.date)
		if got := holiday.IsWorkday(d); got != tc.workday {
			t.Errorf("IsWorkday(%s) = %v", tc.date, got)
		}
		if got := holiday.NextWorkday(d).String(); got != tc.next {
			t.Errorf("NextWorkday(%s) = %s, want %s", tc.date, got, tc.next)
		}
	}
}

func parse(t *testing.T, s string) civil.Date {
	t.Helper()
	d, err := civil.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
