package booking_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
)

func Example() {
	ctx := context.Background()
	oslo := civil.Oslo
	now := time.Date(2026, 3, 20, 9, 0, 0, 0, oslo)
	svc := &booking.Service{Now: func() time.Time { return now }} // the zero value works, in memory

	svc.PutResource(ctx, &booking.Resource{
		ID: "inspection", Name: "Befaring", Capacity: 1,
		Hours:            booking.Weekdays(booking.Span{From: booking.At(9, 0), To: booking.At(15, 0)}),
		ClosedOnHolidays: true, MinNotice: 48 * time.Hour, CancelDeadline: 24 * time.Hour,
		Price: money.Kroner(350),
	})
	slots, _ := svc.Availability(ctx, "inspection", now, now.Add(7*24*time.Hour))
	fmt.Println(len(slots), "free slots; first", slots[0].Start.In(oslo).Format("Mon 2 Jan 15:04"))

	hold, _ := svc.Hold(ctx, booking.HoldInput{ResourceID: "inspection", Owner: "citizen-42", Start: slots[0].Start, Key: "req-1"})
	again, _ := svc.Hold(ctx, booking.HoldInput{ResourceID: "inspection", Owner: "citizen-42", Start: slots[0].Start, Key: "req-1"})
	fmt.Println(hold.State, hold.ID == again.ID, i18n.NB.Amount(hold.Price), i18n.NB.Time(hold.Start))

	_, err := svc.Hold(ctx, booking.HoldInput{ResourceID: "inspection", Owner: "citizen-7", Start: slots[0].Start})
	status, code := booking.HTTPStatus(err)
	fmt.Println(err, code, status)

	b, _ := svc.Confirm(ctx, hold.ID, "payment-captured-1")
	fmt.Println(b.State)
	// Output:
	// 24 free slots; first Mon 23 Mar 09:00
	// held true 350,00 kr mandag 23. mars 2026 kl. 09.00
	// booking: slot taken slot_taken 409
	// confirmed
}

// A poller that asks for the free slots again and again reuses one slice.
func ExampleService_AppendAvailability() {
	ctx := context.Background()
	now := time.Date(2026, 3, 23, 8, 0, 0, 0, civil.Oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	svc.PutResource(ctx, &booking.Resource{ID: "lane", Capacity: 1, Slot: time.Hour,
		Hours: booking.EveryDay(booking.Span{From: booking.At(9, 0), To: booking.At(12, 0)})})

	var free []booking.Slot
	for range 2 {
		free, _ = svc.AppendAvailability(ctx, free[:0], "lane", now, now.Add(24*time.Hour))
		fmt.Println(len(free), "free from", free[0].Start.In(civil.Oslo).Format("15:04"))
		svc.Hold(ctx, booking.HoldInput{ResourceID: "lane", Owner: "o", Start: free[0].Start})
	}
	// Output:
	// 3 free from 09:00
	// 2 free from 10:00
}

func ExampleWeekCache() {
	ctx := context.Background()
	now := time.Date(2026, 3, 20, 9, 0, 0, 0, civil.Oslo)
	svc := &booking.Service{Now: func() time.Time { return now }, HoldTTL: 10 * time.Minute}
	svc.PutResource(ctx, &booking.Resource{ID: "hall-a", Name: "Hall A", Capacity: 1, Slot: time.Hour,
		Hours: booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(18, 0)})})
	var pages booking.WeekCache[string]
	render := func(w *booking.Week) (string, error) {
		fmt.Println("rendering", w.Caption)
		return string(w.Rows[0].Cells[0].State), nil
	}
	monday := civil.NewDate(2026, 3, 23)
	page, _ := pages.Get(ctx, svc, "hall-a", monday, i18n.EN, render)
	again, _ := pages.Get(ctx, svc, "hall-a", monday, i18n.EN, render) // from the cache
	fmt.Println(page, again)
	svc.Hold(ctx, booking.HoldInput{ResourceID: "hall-a", Owner: "club-1", Start: time.Date(2026, 3, 23, 16, 0, 0, 0, civil.Oslo)})
	page, _ = pages.Get(ctx, svc, "hall-a", monday, i18n.EN, render) // the hold changed the version
	fmt.Println(page)
	now = now.Add(11 * time.Minute) // the hold runs out
	page, _ = pages.Get(ctx, svc, "hall-a", monday, i18n.EN, render)
	fmt.Println(page)
	// Output:
	// rendering Week 13, 23–29 March 2026
	// free free
	// rendering Week 13, 23–29 March 2026
	// taken
	// rendering Week 13, 23–29 March 2026
	// free
}

func ExampleEventICS() {
	oslo := civil.Oslo
	r := &booking.Reservation{ID: "b-1", Title: "Befaring; Kafé Ærlig", State: booking.Confirmed,
		Start: time.Date(2026, 10, 25, 10, 0, 0, 0, oslo), End: time.Date(2026, 10, 25, 11, 0, 0, 0, oslo)}
	ics := booking.EventICS(r, &booking.Resource{ID: "officer"}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	for _, line := range strings.Split(string(ics), "\r\n") {
		if strings.HasPrefix(line, "DT") || strings.HasPrefix(line, "SUMMARY") {
			fmt.Println(line)
		}
	}
	// Output:
	// DTSTART:19700329T020000
	// DTSTART:19701025T030000
	// DTSTAMP:20261001T000000Z
	// DTSTART;TZID=Europe/Oslo:20261025T100000
	// DTEND;TZID=Europe/Oslo:20261025T110000
	// SUMMARY:Befaring\; Kafé Ærlig
}

func ExampleParseRRule() {
	oslo := civil.Oslo
	rule, _ := booking.ParseRRule("FREQ=WEEKLY;COUNT=3;BYDAY=TH")
	occ, _ := rule.Occurrences(time.Date(2026, 10, 15, 18, 0, 0, 0, oslo), oslo, time.Time{})
	for _, t := range occ {
		fmt.Println(t.In(oslo).Format("2006-01-02 15:04 MST"), t.UTC().Format("15:04Z"))
	}
	// Output:
	// 2026-10-15 18:00 CEST 16:00Z
	// 2026-10-22 18:00 CEST 16:00Z
	// 2026-10-29 18:00 CET 17:00Z
}

func ExampleHTTPStatus() {
	err := fmt.Errorf("handler: %w", &booking.LimitError{Period: "week", Max: 2})
	status, code := booking.HTTPStatus(err)
	fmt.Println(status, code, errors.Is(err, booking.ErrLimitReached))
	// Output:
	// 429 limit_reached true
}

// A person and the club the person acts for are two owners: each finds its
// own bookings, and someone else's id is not found, as if it did not exist.
func ExampleService_OwnSeries() {
	ctx := context.Background()
	now := time.Date(2026, 3, 20, 9, 0, 0, 0, civil.Oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	svc.PutResource(ctx, &booking.Resource{ID: "hall", Capacity: 1, Price: money.Kroner(600),
		Hours: booking.EveryDay(booking.Span{From: booking.At(17, 0), To: booking.At(22, 0)})})
	const person, club = "person:2Xk9…", "org:974760673" // keys as forms.OwnerKeys makes them

	weeks, _ := svc.BookSeries(ctx, booking.SeriesInput{
		HoldInput: booking.HoldInput{ResourceID: "hall", Owner: club, Start: time.Date(2026, 3, 24, 18, 0, 0, 0, civil.Oslo), Key: "season-1"},
		Rule:      booking.Recurrence{Freq: booking.Weekly, Count: 4},
	})
	svc.Cancel(ctx, weeks[3].ID, "") // in good time: free

	own, err := svc.OwnSeries(ctx, club, weeks[0].SeriesID)
	fmt.Println(len(own), err, i18n.NB.Amount(booking.Total(own)), i18n.NB.Amount(booking.Owed(own)))

	_, err = svc.OwnSeries(ctx, person, weeks[0].SeriesID)
	fmt.Println(err)
	_, err = svc.OwnReservation(ctx, person, weeks[0].ID)
	status, code := booking.HTTPStatus(err)
	fmt.Println(errors.Is(err, booking.ErrNotFound), status, code)
	// Output:
	// 4 <nil> 2 400,00 kr 1 800,00 kr
	// booking: not found
	// true 404 not_found
}

// A hall's week as a calendar table, in English, on Friday evening: the
// slots begun are past, the one a club holds is taken.
func ExampleService_Week() {
	ctx := context.Background()
	now := time.Date(2026, 3, 27, 18, 30, 0, 0, civil.Oslo)
	svc := &booking.Service{Now: func() time.Time { return now }}
	svc.PutResource(ctx, &booking.Resource{ID: "hall", Name: "Storhallen", Slot: time.Hour,
		Hours: booking.Weekdays(booking.Span{From: booking.At(18, 0), To: booking.At(20, 0)})})
	svc.Hold(ctx, booking.HoldInput{ResourceID: "hall", Owner: "club-7", Start: time.Date(2026, 3, 27, 19, 0, 0, 0, civil.Oslo)})

	monday, _ := booking.ParseWeek("2026-03-29") // from ?week=, any day of it
	w, _ := svc.Week(ctx, "hall", monday, i18n.EN)
	fmt.Println(w.Caption)
	for _, row := range w.Rows {
		fmt.Printf("%s:", row.Label)
		for _, c := range row.Cells {
			fmt.Printf(" %s", c.Text)
		}
		fmt.Println()
	}
	fmt.Println(w.Rows[1].Cells[0].Name, w.Rows[1].Cells[0].Start)
	// Output:
	// Week 13, 23–29 March 2026
	// 18:00–19:00: Past Past Past Past Past Closed Closed
	// 19:00–20:00: Past Past Past Past Taken Closed Closed
	// Monday 23 March 2026 at 19:00–20:00 2026-03-23T18:00:00Z
}

// OnChange hears of each stored change, a series' occurrences together:
// the place to tell the citizen (site.BookingNotices does).
func ExampleChange() {
	ctx := context.Background()
	now := time.Date(2026, 3, 20, 9, 0, 0, 0, civil.Oslo)
	svc := &booking.Service{Now: func() time.Time { return now }, OnChange: func(_ context.Context, c booking.Change) {
		fmt.Printf("%q -> %s: %d\n", c.From, c.To, len(c.Reservations))
	}}
	svc.PutResource(ctx, &booking.Resource{ID: "hall", Name: "Hall", Capacity: 1, Slot: time.Hour,
		Hours: booking.Weekdays(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)})})
	held, _ := svc.HoldSeries(ctx, booking.SeriesInput{Rule: booking.Recurrence{Freq: booking.Weekly, Count: 4},
		HoldInput: booking.HoldInput{ResourceID: "hall", Owner: "club-1", Start: time.Date(2026, 3, 24, 18, 0, 0, 0, civil.Oslo)}})
	confirmed, _ := svc.ConfirmSeries(ctx, held, "invoice-1")
	svc.CancelSeries(ctx, confirmed[2:], "cancel/")
	// Output:
	// "" -> held: 4
	// "held" -> confirmed: 4
	// "confirmed" -> cancelled: 2
}
