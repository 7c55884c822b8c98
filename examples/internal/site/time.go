package site

import (
	"time"

	"github.com/grunnmur/grunnmur/forms"
)

var oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// Oslo is Europe/Oslo, where every time a citizen sees is shown.
func Oslo() *time.Location { return oslo }

// The words and the clock come from forms' FormatDate and ClockPattern, so
// that a form's receipt and the service's pages write times alike.

func langOf(lang string) string {
	if lang != "nn" && lang != "en" {
		return "nb"
	}
	return lang
}

// Date formats t's calendar day in Europe/Oslo: "tirsdag 1. desember 2026",
// "Tuesday 1 December 2026".
func Date(t time.Time, lang string) string {
	lang = langOf(lang)
	if lang == "en" {
		return forms.FormatDate(t.In(oslo), "EEEE d MMMM yyyy", lang)
	}
	return forms.FormatDate(t.In(oslo), "EEEE d. MMMM yyyy", lang)
}

// Clock formats t's time of day in Europe/Oslo: "09.00" in nb and nn,
// "09:00" in English.
func Clock(t time.Time, lang string) string {
	return forms.FormatClock(t.In(oslo), langOf(lang))
}

// Time formats t in Europe/Oslo with the day and the clock: "tirsdag
// 1. desember 2026 kl. 09.00", "Tuesday 1 December 2026 at 09:00".
func Time(t time.Time, lang string) string {
	if langOf(lang) == "en" {
		return Date(t, lang) + " at " + Clock(t, lang)
	}
	return Date(t, lang) + " kl. " + Clock(t, lang)
}
