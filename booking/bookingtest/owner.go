package bookingtest

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/money"
)

// The owners as a service keys them (forms.OwnerKeys): a person by an HMAC,
// the organisation the person acts for by its number.
const (
	person = "person:q3Yd0Jm1pVtE8bq9wzX4v7cN2sHkL5rA6uGfT0yWiOe"
	club   = "org:974760673"
)

// notFound fails unless err is exactly what an unknown id gives, so that a
// caller cannot tell someone else's id from one that does not exist.
func notFound(e *env, what string, err, unknown error) {
	e.t.Helper()
	if !errors.Is(err, booking.ErrNotFound) || err.Error() != unknown.Error() {
		e.t.Errorf("%s: %v, want %v as for an unknown id", what, err, unknown)
	}
}

// testOwnerLookups: OwnReservation and OwnSeries give an owner its own
// reservations and series, and everyone else ErrNotFound.
func testOwnerLookups(e *env) {
	t := e.t
	r := e.put(Room(1))
	mine := e.mustHold(r, person, local(2026, 3, 23, 10, 0))
	series, err := e.svc.BookSeries(e.ctx, booking.SeriesInput{
		HoldInput: booking.HoldInput{ResourceID: r.ID, Owner: club, Start: local(2026, 3, 24, 12, 0), Key: "club-series"},
		Rule:      booking.Recurrence{Freq: booking.Weekly, Count: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	sid := series[0].SeriesID

	got, err := e.svc.OwnReservation(e.ctx, person, mine.ID)
	if err != nil || got.ID != mine.ID || got.Owner != person || got.Price != money.Kroner(250) {
		t.Fatalf("own reservation: %+v, %v", got, err)
	}
	if got, err := e.svc.OwnReservation(e.ctx, club, series[1].ID); err != nil || got.ID != series[1].ID {
		t.Fatalf("the club's own occurrence: %v", err)
	}
	_, unknown := e.svc.OwnReservation(e.ctx, person, uuid.NewString())
	if !errors.Is(unknown, booking.ErrNotFound) {
		t.Fatalf("unknown id: %v", unknown)
	}
	others := []string{
		club, // the club the person acts for is another owner
		"",   // no owner owns nothing
		person[:len(person)-1], person + "e", "Person" + person[6:], " " + person,
		"org:97476067", "ORG:974760673", "org:974760673\x00",
	}
	for _, o := range others {
		_, err := e.svc.OwnReservation(e.ctx, o, mine.ID)
		notFound(e, fmt.Sprintf("OwnReservation(%q, the person's)", o), err, unknown)
	}
	_, err = e.svc.OwnReservation(e.ctx, person, series[0].ID)
	notFound(e, "the person asking for the club's occurrence", err, unknown)
	ownICS(e, mine.ID, series[0].ID, unknown)
	_, err = e.svc.OwnReservation(e.ctx, person, "")
	notFound(e, "empty id", err, unknown)

	rs, err := e.svc.OwnSeries(e.ctx, club, sid)
	if err != nil || len(rs) != 3 {
		t.Fatalf("own series: %d occurrences, %v", len(rs), err)
	}
	for i, x := range rs {
		if x.SeriesID != sid || x.Owner != club || x.State != booking.Confirmed || (i > 0 && !rs[i-1].Start.Before(x.Start)) {
			t.Errorf("occurrence %d: %+v", i, x)
		}
	}
	if booking.Total(rs) != money.Kroner(750) || booking.Owed(rs) != money.Kroner(750) {
		t.Errorf("total %v, owed %v; want 750 kr each", booking.Total(rs), booking.Owed(rs))
	}
	_, unknownSeries := e.svc.OwnSeries(e.ctx, club, uuid.NewString())
	if !errors.Is(unknownSeries, booking.ErrNotFound) {
		t.Fatalf("unknown series: %v", unknownSeries)
	}
	for _, o := range append(others[1:], person) {
		_, err := e.svc.OwnSeries(e.ctx, o, sid)
		notFound(e, fmt.Sprintf("OwnSeries(%q, the club's)", o), err, unknownSeries)
	}
	for _, id := range []string{"", series[0].ID, mine.ID, sid[:len(sid)-1]} {
		_, err := e.svc.OwnSeries(e.ctx, club, id)
		notFound(e, fmt.Sprintf("OwnSeries(club, %q)", id), err, unknownSeries)
	}
	// Series checks no owner, and finds cancelled occurrences too.
	if _, err := e.svc.Cancel(e.ctx, series[2].ID, ""); err != nil {
		t.Fatal(err)
	}
	all, err := e.svc.Series(e.ctx, sid)
	if err != nil || len(all) != 3 || all[2].State != booking.Cancelled {
		t.Fatalf("Series: %d, %v", len(all), err)
	}
	if booking.Owed(all) != money.Kroner(500) {
		t.Errorf("owed after a free cancellation: %v, want 500 kr", booking.Owed(all))
	}
	if _, err := e.svc.Series(e.ctx, ""); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("Series(\"\"): %v", err)
	}
}

// ownICS checks that the person gets the .ics of their own reservation
// mine, and not of the club's occurrence theirs.
func ownICS(e *env, mine, theirs string, unknown error) {
	if ics, err := e.svc.OwnReservationICS(e.ctx, person, mine); err != nil || !strings.Contains(string(ics), "UID:"+mine) {
		e.t.Errorf("own .ics: %v %.300s", err, ics)
	}
	_, err := e.svc.OwnReservationICS(e.ctx, person, theirs)
	notFound(e, "the person asking for the club's occurrence's .ics", err, unknown)
}

// testOwnerLookupsRace: owners hold and cancel while every owner looks up
// every reservation: each finds its own, and never another's.
func testOwnerLookupsRace(e *env) {
	t := e.t
	r := e.put(Room(20))
	start := local(2026, 3, 24, 10, 0)
	const n = 20
	ids := make([]string, n)
	for i := range n {
		ids[i] = e.mustHold(r, fmt.Sprintf("org:%09d", i), start).ID
	}
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		owner := fmt.Sprintf("org:%09d", i)
		wg.Go(func() {
			<-gate
			if i%2 == 0 {
				if _, err := e.svc.Cancel(e.ctx, ids[i], ""); err != nil {
					t.Errorf("cancel %d: %v", i, err)
				}
			}
			for j, id := range ids {
				got, err := e.svc.OwnReservation(e.ctx, owner, id)
				switch {
				case j == i && (err != nil || got.Owner != owner):
					t.Errorf("owner %d: own reservation: %v", i, err)
				case j != i && !errors.Is(err, booking.ErrNotFound):
					t.Errorf("owner %d sees reservation %d: %v", i, j, err)
				}
			}
		})
	}
	close(gate)
	wg.Wait()
}
