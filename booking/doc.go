// Package booking books rooms, halls and appointments: resources with capacity
// and opening hours, closed on Norwegian public holidays (package holiday),
// availability that is correct across daylight-saving changes, holds,
// confirmations, cancellations, waitlists, recurring series and iCalendar
// output. Its promise is that no seat is ever booked twice, whatever the
// concurrency.
//
//	svc := &booking.Service{Store: postgres.NewBookingStore(db)} // nil Store: in memory
//	svc.PutResource(ctx, &booking.Resource{
//		ID: "hall-a", Capacity: 1, Slot: time.Hour, ClosedOnHolidays: true,
//		Hours: booking.Weekdays(booking.Span{From: booking.At(8, 0), To: booking.At(22, 0)}),
//	})
//	slots, err := svc.Availability(ctx, "hall-a", from, to)
//	hold, err := svc.Hold(ctx, booking.HoldInput{ResourceID: "hall-a", Owner: citizenID, Start: slots[0].Start, Key: requestID})
//	// ... the citizen pays ...
//	b, err := svc.Confirm(ctx, hold.ID, paymentID)
//	if errors.Is(err, booking.ErrHoldExpired) { ... }
//	status, code := booking.HTTPStatus(err) // at the HTTP edge: 410, "hold_expired"
//
// Days are civil.Date (an Exception's date, Resource.HoursOn) and prices
// money.Amount (Resource.Price for one seat in one slot, Reservation.Price
// for all its seats); show them with i18n.
//
// # Time
//
// Opening hours, days and weeks are read in the resource's zone (civil.Oslo
// by default; a TimeZone that does not load is an ErrInvalid, never another
// zone); instants are stored in UTC. Slot starts step by wall clock: on
// 2026-03-29 (23 hours) 02:30 does not exist and gives no slot; on 2026-10-25
// (25 hours) 02:30 exists twice and gives one slot, at the first of the two.
// A slot lasts its length in real time. Recurring series keep their wall-clock
// time across DST changes.
//
// # Holds
//
// A hold keeps its seats until HoldExpires and then simply stops counting: no
// background job is needed. Confirm turns it into a booking. Every changing
// call takes an idempotency key. Per-citizen limits count holds too. Since a
// hold costs nothing, one owner may have only a few open at once
// (Service.MaxOpenHolds, MaxOpenSeries; ErrTooManyHolds beyond them).
//
// The owner of a reservation is an opaque id chosen by the service (an
// ID-porten subject, a case id): never store a fødselsnummer here.
//
// # Performance
//
// On PostgreSQL a booking (Hold then Confirm) takes two round trips: the
// hold batch, committed without waiting for the disk (a hold expires by
// itself; see postgres.BookingStore), and the confirmation, the one durable
// commit. The Service keeps each resource from its last hold and sends the
// resource's version with the next; the store refuses a hold made from an
// old version (ErrResourceChanged), and the Service then reads the resource
// again and holds once more (ResourceVersioner). Compare it with pgbench -N,
// the same number of clients in alternating rounds, from the repository
// root:
//
//	booking/bench/pgbench.sh                             # 5 rounds of 10 s, 32 clients
//	CLIENTS=16 RUN_SECONDS=20 ROUNDS=7 booking/bench/pgbench.sh
//
// Each round also runs booking/bench/booking.sql with pgbench's own client:
// the hold's and the confirmation's statements in the store's shape (as
// many, in the same pipeline, writing the same tables, with the same locks,
// tested columns and commit modes; TestPgbenchBookingScript in postgres
// checks it), with values made in SQL where the store binds them. The three take turns at going first; the script prints pgbench's
// TPS, booking.sql's TPS and bookings/s per round, and the medians of
// bookings ÷ pgbench, booking.sql ÷ pgbench (what the SQL allows without any
// Go) and bookings ÷ booking.sql (what the Go side keeps of it).
//
// Availability over 90 days of 15-minute slots with 1,000 bookings:
// go test -run '^$' -bench Availability90DaysPair -count 5 ./booking
// (ns/ours; AppendAvailability90DaysPair with the caller's slice reused).
//
// # Whose is it
//
// An id in a request is the citizen's claim, not proof. OwnReservation and
// OwnSeries look an id up for an owner and answer ErrNotFound (404) for
// someone else's, exactly as for an id that does not exist:
//
//	res, err := svc.OwnReservation(ctx, owner, r.PathValue("id"))
//	weeks, err := svc.OwnSeries(ctx, owner, r.PathValue("series"))
//	fmt.Println(booking.Total(weeks), booking.Owed(weeks)) // money.Amount
//
// Reservation and Series check no owner: they are for ids the service
// itself holds (a payment webhook's, a background job's).
//
// # Pages
//
// Week lays a resource's week out as the table a calendar page prints: the
// days, a row for each time of day, and each cell free, taken, past or
// closed, with its words in nb, nn or en. ParseWeek reads the week a link
// asks for:
//
//	monday, err := booking.ParseWeek(r.URL.Query().Get("week")) // 2026-12-09 or 2026-W50
//	w, err := svc.Week(ctx, "hall-a", monday, lang)             // w.Caption: "Uke 50, 7.–13. desember 2026"
//
// A WeekCache keeps what a page made of a Week for everyone who sees the
// same (visitors not logged in): it is reused while the Store's Version
// (Versioned: MemoryStore, postgres.BookingStore) of the resource's week is
// the same and the Week's Until has not come, so a slot never shows free
// after it was taken, nor taken after its hold ran out:
//
//	var pages booking.WeekCache[[]byte]
//	html, err := pages.Get(ctx, svc, "hall-a", monday, lang, render) // render(*booking.Week) ([]byte, error)
//
// For staff, Resource.Form and SetForm are the admin page's form of a
// resource's name, price, cancellation deadline and weekly hours; Close and
// Reopen close days for a tournament; Slug makes an ID from a name; and
// Service.Seed puts the resources a service starts with without undoing
// staff's changes. SeasonEnd ends a weekly series with its season, and
// Reason says in a few words why an occurrence could not be held.
//
// # Glossary
//
// The identifiers are English; these are the Norwegian words for them.
//
//	Resource     ressurs: a room (rom), a hall (hall), an officer's calendar
//	Hours, Span  åpningstider
//	Exception    avvik fra åpningstidene: a closed day (stengt dag) or special hours
//	Hold         midlertidig reservasjon, while the citizen pays
//	Reservation  reservasjon; once confirmed, a booking (bestilling)
//	Waiter       en på ventelisten (venteliste)
//	Series       fast tid: a weekly booking for a season (sesongleie)
//	Week         ukekalender: a calendar page's week
//	Feed         kalenderabonnement (iCalendar)
package booking
