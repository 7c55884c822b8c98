package site

import (
	"fmt"
	"time"
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

var weekdays = map[string][7]string{
	"nb": {"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"},
	"nn": {"sundag", "måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag"},
	"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
}

var months = map[string][12]string{
	"nb": {"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
	"nn": {"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// Date formats t's calendar day in Europe/Oslo: "tirsdag 1. desember 2026",
// "Tuesday 1 December 2026".
func Date(t time.Time, lang string) string {
	if _, ok := months[lang]; !ok {
		lang = "nb"
	}
	t = t.In(oslo)
	if lang == "en" {
		return fmt.Sprintf("%s %d %s %d", weekdays[lang][t.Weekday()], t.Day(), months[lang][t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%s %d. %s %d", weekdays[lang][t.Weekday()], t.Day(), months[lang][t.Month()-1], t.Year())
}

// Time formats t in Europe/Oslo with the day and the clock: "tirsdag
// 1. desember 2026 kl. 09.00", "Tuesday 1 December 2026 at 09:00".
func Time(t time.Time, lang string) string {
	c := t.In(oslo)
	if lang == "en" {
		return Date(t, lang) + fmt.Sprintf(" at %02d:%02d", c.Hour(), c.Minute())
	}
	return Date(t, lang) + fmt.Sprintf(" kl. %02d.%02d", c.Hour(), c.Minute())
}
