// Package holiday is the Norwegian public-holiday calendar: the holidays of
// any Gregorian year (helligdager and høytidsdager, with names in nb, nn and
// en), Easter, and working days.
//
//	for _, h := range holiday.InYear(2027) {
//		fmt.Println(h.Date, h.Name(i18n.NN))
//	}
//	holiday.Is(civil.NewDate(2027, 5, 17))            // true: Grunnlovsdag and 2. pinsedag
//	holiday.NextWorkday(civil.NewDate(2026, 12, 26)) // 2026-12-28
//
// Days are [civil.Date] values, calendar days with no time zone; read one
// from an instant in the zone whose day you mean:
// civil.DateOf(t.In(civil.Oslo)). 24 and 31 December are not public
// holidays, and neither is Easter Saturday.
//
// Package booking closes resources on these days; package sak moves a
// deadline that ends on one to the next working day.
//
// # Glossary
//
//   - helligdag: a public holiday of the church year (Christmas, Easter,
//     Whitsun, Ascension Day) or a Sunday.
//   - høytidsdag: a public holiday by law that is not a church holiday,
//     1 and 17 May.
//   - påske, pinse: Easter, Whitsun; "1. påskedag" is Easter Sunday.
package holiday
