package i18n

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/money"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"nb": NB, "NB-no": NB, "no": NB, "nn": NN, "nn_NO": NN, "en": EN, "en-GB": EN, " EN ": EN} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "se", "sv", "de-DE", "e", "nbx"} {
		if _, ok := Parse(in); ok {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
	if Lang("").String() != "nb" || Lang("fr").String() != "nb" {
		t.Error("an unknown Lang is not bokmål")
	}
}

func TestFormatting(t *testing.T) {
	d := civil.NewDate(2026, 12, 6)
	at := time.Date(2026, 12, 6, 17, 5, 0, 0, time.UTC)   // 18.05 in Oslo
	summer := time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC) // 09.00 in Oslo
	cases := []struct{ got, want string }{
		{NB.Date(d), "søndag 6. desember 2026"},
		{NN.Date(d), "sundag 6. desember 2026"},
		{EN.Date(d), "Sunday 6 December 2026"},
		{NB.ShortDate(d), "06.12.2026"},
		{EN.ShortDate(d), "06.12.2026"},
		{NB.Date(civil.Date{}), ""},
		{NB.Clock(at), "18.05"},
		{EN.Clock(at), "18:05"},
		{NB.Clock(summer), "09.00"},
		{NN.Time(at), "sundag 6. desember 2026 kl. 18.05"},
		{EN.Time(at), "Sunday 6 December 2026 at 18:05"},
		{NB.DateOf(time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC)), "mandag 7. desember 2026"},
		{NB.Month(time.March), "mars"},
		{EN.Weekday(time.Wednesday), "Wednesday"},
		{NN.Weekday(time.Saturday), "laurdag"},
		{NB.Month(0), ""},
		{NB.Amount(money.Kroner(1500) + 50), "1 500,50 kr"},
		{NN.Amount(-5), "-0,05 kr"},
		{EN.Amount(money.Kroner(1234567)), "NOK 1,234,567.00"},
		{EN.Amount(math.MinInt64), "NOK -92,233,720,368,547,758.08"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("%d: %q, want %q", i, c.got, c.want)
		}
	}
}

func TestClockChanges(t *testing.T) {
	// 2026-10-25 has 25 hours: the clocks go back at 01:00 UTC, so 01:30 UTC
	// is 02:30 winter time. 2026-03-29 has 23: 01:00 UTC is 03:00 summer time.
	at := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)
	if got := NB.Time(at); got != "søndag 25. oktober 2026 kl. 02.30" {
		t.Errorf("nb: %s", got)
	}
	if got := EN.Time(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)); got != "Sunday 29 March 2026 at 03:00" {
		t.Errorf("en: %s", got)
	}
	if got := NN.DateOf(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)); got != "tysdag 1. desember 2026" {
		t.Errorf("nn: %s", got)
	}
	for l, want := range map[Lang]string{NB: "02.30", NN: "02.30", EN: "02:30", "": "02.30"} {
		if got := l.Clock(at); got != want {
			t.Errorf("Clock %q: %s, want %s", l, got, want)
		}
	}
}

func TestFormat(t *testing.T) {
	at := time.Date(2026, 3, 9, 0, 7, 8, 123456789, time.UTC)
	cases := []struct{ pattern, lang, want string }{
		{"", "nb", "09.03.2026"},
		{"", "en", "3/9/26"},
		{"EEEE d. MMMM yyyy", "nn", "måndag 9. mars 2026"},
		{"EEE d MMM yy", "en", "Mon 9 Mar 26"},
		{"EEEEE MMMMM", "nb", "M M"},
		{"MMMM", "se", "njukčamánnu"},
		{"h:mm a", "en", "12:07 AM"},
		{"HH.mm.ss,SSS", "nb", "00.07.08,123"},
		{"SSSSSSSSSSS", "nb", "12345678900"},
		{"'kl.' HH '' 'h'", "nb", "kl. 00 ' h"},
		{"G GGGG GGGGG", "nb", "e.Kr. etter Kristus e.Kr."},
		{"yyyy-MM-dd 'unterminated", "en", "2026-03-09 unterminated"},
		{"xqz!", "nb", "xqz!"},
	}
	for _, c := range cases {
		if got := Lang(c.lang).Format(at, c.pattern); got != c.want {
			t.Errorf("%q %s: %q, want %q", c.pattern, c.lang, got, c.want)
		}
	}
}

func FuzzFormat(f *testing.F) {
	for _, p := range []string{"dd.MM.yyyy", "'", "''''", "EEEEEEEE", "SSSSSSSSSSSSSSSSSSSS"} {
		f.Add(p, int64(0))
	}
	f.Fuzz(func(t *testing.T, pattern string, sec int64) {
		if len(pattern) > 200 {
			return
		}
		at := time.Unix(sec%(1<<40), 0).UTC()
		for _, l := range []string{"nb", "nn", "en", "se", "xx"} {
			Lang(l).Format(at, pattern) // must not panic
		}
	})
}

func Example() {
	l, _ := Parse("nn-NO")
	t := time.Date(2026, 12, 6, 17, 0, 0, 0, time.UTC)
	fmt.Println(l.Time(t))
	fmt.Println(EN.Date(civil.NewDate(2026, 12, 6)))
	fmt.Println(NB.Amount(money.Kroner(1500)), EN.Amount(money.Kroner(1500)))
	fmt.Println(NB.Format(t.In(civil.Oslo), "EEE d. MMM"))
	fmt.Println(NB.Duration(48*time.Hour), NN.Duration(24*time.Hour), EN.Duration(90*time.Minute))
	// Output:
	// sundag 6. desember 2026 kl. 18.00
	// Sunday 6 December 2026
	// 1 500,00 kr NOK 1,500.00
	// søn 6. des
	// 2 dager 24 timar 90 minutes
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d          time.Duration
		nb, nn, en string
	}{
		{48 * time.Hour, "2 dager", "2 dagar", "2 days"},
		{24 * time.Hour, "24 timer", "24 timar", "24 hours"},
		{time.Hour, "1 time", "1 time", "1 hour"},
		{90 * time.Minute, "90 minutter", "90 minutt", "90 minutes"},
		{time.Minute + 30*time.Second, "1 minutt", "1 minutt", "1 minute"},
		{0, "0 minutter", "0 minutt", "0 minutes"},
		{-2 * time.Hour, "-2 timer", "-2 timar", "-2 hours"},
		{7 * 24 * time.Hour, "7 dager", "7 dagar", "7 days"},
	} {
		for lang, want := range map[Lang]string{NB: tc.nb, NN: tc.nn, EN: tc.en} {
			if got := lang.Duration(tc.d); got != want {
				t.Errorf("%s.Duration(%v) = %q, want %q", lang, tc.d, got, want)
			}
		}
	}
}

func TestPick(t *testing.T) {
	words := [3]string{"Mottatt", "Motteken", "Received"}
	for l, want := range map[Lang]string{NB: "Mottatt", NN: "Motteken", EN: "Received", "": "Mottatt", "se": "Mottatt", "NN": "Mottatt"} {
		if got := l.Pick(words); got != want {
			t.Errorf("%q.Pick = %q, want %q", l, got, want)
		}
	}
}
