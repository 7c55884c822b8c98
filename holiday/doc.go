// Package holiday is the Norwegian public-holiday calendar: the holidays of
// any Gregorian year (helligdager and høytidsdager, with names in nb, nn and
// en), Easter, and working days.
//
//	for _, h := range holiday.InYear(2027) {
//		fmt.Println(h.Date, h.Name("nn"))
//	}
//	holiday.Is(holiday.NewDate(2027, 5, 17))            // true: Grunnlovsdag and 2. pinsedag
//	holiday.NextWorkday(holiday.NewDate(2026, 12, 26)) // 2026-12-28
//
// A [Date] is a calendar day with no time zone; read it from an instant in
// the zone whose day you mean ([DateOf] of t.In(oslo)). 24 and 31 December
// are not public holidays, and neither is Easter Saturday.
//
// Package booking closes resources on these days; package sak moves a
// deadline that ends on one to the next working day.
package holiday
