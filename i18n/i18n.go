// Package i18n writes dates, times and sums of money in the three languages
// a Norwegian public service speaks: bokmål, nynorsk and English.
//
// Every grunnmur package that renders text for a citizen (receipts, letters,
// booking pages, case summaries) formats through a [Lang], so that a date in
// a letter and the same date on a page read alike. Times are shown in
// Europe/Oslo ([civil.Oslo]) whatever the zone of the time.Time.
//
//	l, _ := i18n.Parse("nn-NO")
//	l.Time(t)                      // "sundag 6. desember 2026 kl. 18.00"
//	l.Amount(money.Kroner(1500))   // "1 500,00 kr"
//	i18n.EN.Date(civil.NewDate(2026, 12, 6)) // "Sunday 6 December 2026"
//
// [Lang.Format] takes the Unicode date patterns that Altinn's formatDate
// expression uses (dd.MM.yyyy, EEEE d. MMMM) and also knows Northern Sami.
package i18n

import (
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/internal/numfmt"
	"github.com/grunnmur/grunnmur/money"
)

// Lang is a language of the service: [NB], [NN] or [EN]. The zero Lang
// formats as bokmål.
type Lang string

// The languages of a Norwegian public service.
const (
	NB Lang = "nb" // bokmål
	NN Lang = "nn" // nynorsk
	EN Lang = "en" // English
	// SE is Northern Sami, known to Lang.Format only (for Altinn's
	// formatDate); a page itself is in NB, NN or EN.
	SE Lang = "se"
)

// All lists the languages in the order a language switch shows them.
var All = []Lang{NB, NN, EN}

// Parse reads a language tag: "nb", "nn", "en", a regional form such as
// "nb-NO" or "en_GB", or "no" (Norwegian, read as bokmål). Case does not
// matter. It reports false for any other language.
func Parse(s string) (Lang, bool) {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	switch primary {
	case "nb", "no", "nob", "nor":
		return NB, true
	case "nn", "nno":
		return NN, true
	case "en", "eng":
		return EN, true
	}
	return "", false
}

// String returns the tag: "nb", "nn" or "en" ("nb" for the zero Lang).
func (l Lang) String() string { return string(l.norm()) }

func (l Lang) norm() Lang {
	if l == NN || l == EN {
		return l
	}
	return NB
}

// Date writes the day with its weekday: "søndag 6. desember 2026",
// "sundag 6. desember 2026", "Sunday 6 December 2026". The zero Date is "".
func (l Lang) Date(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	return l.norm().Format(d.Start(time.UTC), l.pattern("EEEE d. MMMM yyyy", "EEEE d MMMM yyyy"))
}

// ShortDate writes the day in digits: "06.12.2026" in every language.
func (l Lang) ShortDate(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	return l.norm().Format(d.Start(time.UTC), "dd.MM.yyyy")
}

// DateOf writes the Oslo day of t as [Lang.Date] does.
func (l Lang) DateOf(t time.Time) string { return l.Date(civil.DateOf(t.In(civil.Oslo))) }

// Clock writes the Oslo time of day of t: "09.05" in Norwegian, as
// Språkrådet writes it, and "09:05" in English.
func (l Lang) Clock(t time.Time) string {
	return l.norm().Format(t.In(civil.Oslo), l.norm().ClockPattern())
}

// Time writes the Oslo day and time of t: "søndag 6. desember 2026 kl. 09.05",
// "Sunday 6 December 2026 at 09:05".
func (l Lang) Time(t time.Time) string {
	return l.DateOf(t) + l.pattern(" kl. ", " at ") + l.Clock(t)
}

// Month names the month: "desember", "December".
func (l Lang) Month(m time.Month) string {
	if m < time.January || m > time.December {
		return ""
	}
	return namesFor(string(l.norm())).monthsLong[m-1]
}

// Weekday names the day of the week: "søndag", "sundag", "Sunday".
func (l Lang) Weekday(w time.Weekday) string {
	if w < time.Sunday || w > time.Saturday {
		return ""
	}
	return namesFor(string(l.norm())).daysLong[w]
}

// Pick returns l's text of t, which holds one text in nb, nn and en, in
// that order: a package's few words for a citizen (a state's label) kept as
// {"Mottatt", "Motteken", "Received"}. Any other Lang picks nb.
func (l Lang) Pick(t [3]string) string {
	switch l {
	case NN:
		return t[1]
	case EN:
		return t[2]
	}
	return t[0]
}

// Amount writes a sum of money: "1 500,00 kr" in Norwegian,
// "NOK 1,500.00" in English.
func (l Lang) Amount(a money.Amount) string { return numfmt.Kroner(a.Ore(), l.norm() == EN) }

// Duration writes a span such as a cancellation deadline in whole units:
// days when it is two days or more and a whole number of them ("2 dager",
// "2 dagar", "2 days"), else hours when whole ("48 timer", "1 time",
// "48 hours"), else minutes ("90 minutter"). Seconds are dropped.
func (l Lang) Duration(d time.Duration) string {
	if d < 0 {
		return "-" + l.Duration(-d)
	}
	unit := func(n int64, nb1, nbN, nn1, nnN, en1, enN string) string {
		one, many := nb1, nbN
		switch l.norm() {
		case NN:
			one, many = nn1, nnN
		case EN:
			one, many = en1, enN
		}
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + many
	}
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "dag", "dager", "dag", "dagar", "day", "days")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "time", "timer", "time", "timar", "hour", "hours")
	}
	return unit(int64(d/time.Minute), "minutt", "minutter", "minutt", "minutt", "minute", "minutes")
}

func (l Lang) pattern(no, en string) string {
	if l.norm() == EN {
		return en
	}
	return no
}
