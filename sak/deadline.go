package sak

import (
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/holiday"
)

// Days is a deadline counted in calendar days, the way forvaltningsloven
// counts them: the day of the event does not count, the deadline runs out at
// the end (24:00 Oslo time) of the last day, and a last day that is a
// Saturday, a Sunday or a public holiday moves to the next working day
// (forvaltningsloven §§ 29–30, counted as in domstolloven §§ 148–149). 24 and
// 31 December are working days.
type Days int

// AppealPeriod is the appeal period of forvaltningsloven § 29: three weeks
// from the day the decision reached the party.
const AppealPeriod Days = 21

// Due returns when a deadline of n days from the event at from runs out: the
// last instant (23:59:59.999999, exact in every store) of the deadline's
// last day in Oslo, so that Deadline.Overdue turns true at midnight and the
// date read from Due in Oslo is the day a citizen is told.
func (n Days) Due(from time.Time) time.Time {
	return n.LastDay(from).AddDays(1).Start(oslo).Add(-time.Microsecond).UTC()
}

// LastDay returns the deadline's last day: n calendar days after the day of
// from in Oslo, moved on to the next working day if need be.
func (n Days) LastDay(from time.Time) civil.Date {
	return holiday.NextWorkday(civil.DateOf(from.In(oslo)).AddDays(int(n)))
}

// AppealDeadline returns when the appeal period runs out for a decision that
// reached the party at received.
//
// What "reached" means is the service's to decide, and it should say so in
// the letter. The assumption made by [Service.Decide], and by the example
// services, is that a letter sent digitally (SvarUT to Altinn or a digital
// mailbox) reaches the party the day it is sent and made available, which
// is the day of the decision when the letter goes out at once. A letter
// sent later, or on paper, gets its deadline moved with
// [Service.SetDeadline](…, DeadlineAppeal, AppealDeadline(received)).
func AppealDeadline(received time.Time) time.Time { return AppealPeriod.Due(received) }
