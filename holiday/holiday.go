package holiday

import (
	"slices"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
)

// Holiday is a Norwegian public holiday (helligdag or høytidsdag).
type Holiday struct {
	Date civil.Date
	Key  string // stable identifier, e.g. "whit-monday"
	// Names in Bokmål, Nynorsk and English.
	NB, NN, EN string
}

// Name returns the holiday's name in lang; a Lang other than [i18n.NN] or
// [i18n.EN] gives bokmål.
func (h Holiday) Name(lang i18n.Lang) string {
	switch lang {
	case i18n.NN:
		return h.NN
	case i18n.EN:
		return h.EN
	}
	return h.NB
}

type def struct {
	key        string
	easter     bool // day is then an offset from Easter Sunday
	month      time.Month
	day        int
	nb, nn, en string
}

// defs lists the holidays in the order used when two fall on one date.
var defs = [...]def{
	{"new-years-day", false, time.January, 1, "Nyttårsdag", "Nyttårsdag", "New Year's Day"},
	{"maundy-thursday", true, 0, -3, "Skjærtorsdag", "Skjærtorsdag", "Maundy Thursday"},
	{"good-friday", true, 0, -2, "Langfredag", "Langfredag", "Good Friday"},
	{"easter-sunday", true, 0, 0, "1. påskedag", "1. påskedag", "Easter Sunday"},
	{"easter-monday", true, 0, 1, "2. påskedag", "2. påskedag", "Easter Monday"},
	{"labour-day", false, time.May, 1, "Offentlig høytidsdag", "Offentleg høgtidsdag", "Labour Day"},
	{"constitution-day", false, time.May, 17, "Grunnlovsdag", "Grunnlovsdag", "Constitution Day"},
	{"ascension-day", true, 0, 39, "Kristi himmelfartsdag", "Kristi himmelfartsdag", "Ascension Day"},
	{"whit-sunday", true, 0, 49, "1. pinsedag", "1. pinsedag", "Whit Sunday"},
	{"whit-monday", true, 0, 50, "2. pinsedag", "2. pinsedag", "Whit Monday"},
	{"christmas-day", false, time.December, 25, "1. juledag", "1. juledag", "Christmas Day"},
	{"boxing-day", false, time.December, 26, "2. juledag", "2. juledag", "Boxing Day"},
}

// Easter returns Easter Sunday of the Gregorian year (the anonymous Gregorian
// algorithm, valid for every year from 1583).
func Easter(year int) civil.Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return civil.Date{Year: year, Month: time.Month(month), Day: day}
}

// InYear returns the public holidays of year in date order. Two holidays on
// one date (Whit Monday on 17 May 2027, Ascension Day on 1 May 2008) are both
// listed, the fixed-date holiday first.
func InYear(year int) []Holiday {
	easter := Easter(year)
	out := make([]Holiday, 0, len(defs))
	for _, d := range defs {
		date := civil.Date{Year: year, Month: d.month, Day: d.day}
		if d.easter {
			date = easter.AddDays(d.day)
		}
		out = append(out, Holiday{Date: date, Key: d.key, NB: d.nb, NN: d.nn, EN: d.en})
	}
	slices.SortStableFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// On returns the holidays on date d (none, one, or two).
func On(d civil.Date) []Holiday {
	var out []Holiday
	for _, h := range InYear(d.Year) {
		if h.Date == d {
			out = append(out, h)
		}
	}
	return out
}

// Is reports whether d is a public holiday.
func Is(d civil.Date) bool { return len(On(d)) > 0 }

// IsWorkday reports whether d is a working day: Monday to Friday and not a
// public holiday.
func IsWorkday(d civil.Date) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !Is(d)
}

// NextWorkday returns d if it is a working day, else the first working day
// after it.
func NextWorkday(d civil.Date) civil.Date {
	for !IsWorkday(d) {
		d = d.AddDays(1)
	}
	return d
}
