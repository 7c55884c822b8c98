package holiday_test

import (
	"fmt"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/holiday"
	"github.com/grunnmur/grunnmur/i18n"
)

func ExampleInYear() {
	for _, h := range holiday.InYear(2027)[6:10] {
		fmt.Println(h.Date, h.Name(i18n.NN), "/", h.Name(i18n.EN))
	}
	// Output:
	// 2027-05-06 Kristi himmelfartsdag / Ascension Day
	// 2027-05-16 1. pinsedag / Whit Sunday
	// 2027-05-17 Grunnlovsdag / Constitution Day
	// 2027-05-17 2. pinsedag / Whit Monday
}

func ExampleNextWorkday() {
	// Christmas Eve is a working day; 25 and 26 December are holidays, and
	// 27 December 2026 is a Sunday.
	for _, d := range []civil.Date{civil.NewDate(2026, 12, 24), civil.NewDate(2026, 12, 25), civil.NewDate(2026, 12, 27)} {
		fmt.Println(d, "→", holiday.NextWorkday(d))
	}
	// Output:
	// 2026-12-24 → 2026-12-24
	// 2026-12-25 → 2026-12-28
	// 2026-12-27 → 2026-12-28
}

func ExampleOn() {
	// 17 May 2027 is both Constitution Day and Whit Monday.
	d := civil.NewDate(2027, 5, 17)
	for _, h := range holiday.On(d) {
		fmt.Println(h.Key, h.Name(i18n.NB))
	}
	fmt.Println(holiday.Is(d), holiday.IsWorkday(d))
	// Output:
	// constitution-day Grunnlovsdag
	// whit-monday 2. pinsedag
	// true false
}
