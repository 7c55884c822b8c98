package site

import (
	"context"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/sak"
)

// TestMinSideFromEvents: Min side is built from the events the stores
// record, fed in process from the outbox: each owner sees their own cases,
// the payments for them and their bookings, and nothing of anyone else's;
// a feed that starts late (a restart) reads the events already relayed.
func TestMinSideFromEvents(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC) // the night Norway gains an hour
	clock := func() time.Time { return now }
	out := &events.Memory{}
	cases := &sak.Service{Store: &sak.MemoryStore{Events: out}, Now: clock}
	halls := &booking.Service{Store: &booking.MemoryStore{Events: out}, Now: clock}
	hall := &booking.Resource{ID: "hall", Capacity: 1, Slot: time.Hour, Hours: booking.EveryDay(booking.Span{From: 0, To: booking.At(24, 0)})}
	if err := halls.PutResource(ctx, hall); err != nil {
		t.Fatal(err)
	}
	c, err := cases.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: "owner-a", AwaitPayment: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := cases.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: "owner-b"})
	if err != nil {
		t.Fatal(err)
	}
	pay := payment.PaymentData{Reference: "gm-1", BusinessKey: c.Number() + "/gebyr", State: payment.Created, Amount: money.Kroner(500),
		Metadata: map[string]string{"case": c.ID}}
	for _, typ := range []*events.Type[payment.PaymentData]{payment.PaymentCreated, payment.PaymentCaptured} {
		if typ == payment.PaymentCaptured {
			pay.State, pay.Aggregate.Captured = payment.Captured, money.Kroner(500)
		}
		e, err := typ.New(pay.Reference, now, pay)
		if err != nil {
			t.Fatal(err)
		}
		out.Append(e)
	}
	if _, err := cases.FeePaid(ctx, sak.Actor{Role: sak.RoleSystem, ID: "payment"}, c.ID, ""); err != nil {
		t.Fatal(err)
	}
	b, err := halls.Book(ctx, booking.HoldInput{ResourceID: hall.ID, Owner: "owner-a", Start: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	h, err := halls.Hold(ctx, booking.HoldInput{ResourceID: hall.ID, Owner: "owner-a", Start: now.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	m := &MinSide{}
	feed := newMinSideFeed(out, m, nil, nil)
	if err := feed.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(what string, m *MinSide) {
		t.Helper()
		v := m.For("owner-a", now.Add(time.Hour)) // the hold ran out
		if len(v.Cases) != 1 || v.Cases[0].ID != c.ID || v.Cases[0].State != sak.InProgress || v.Cases[0].Number != c.Number() {
			t.Fatalf("%s: cases %+v", what, v.Cases)
		}
		if len(v.Payments) != 1 || v.Payments[0].State != payment.Captured || v.Payments[0].Captured != money.Kroner(500) {
			t.Fatalf("%s: payments %+v", what, v.Payments)
		}
		if len(v.Bookings) != 2 || v.Bookings[1].ID != h.ID || v.Bookings[1].State != booking.Expired ||
			v.Bookings[0].ID != b.ID || v.Bookings[0].State != booking.Confirmed || !v.Bookings[0].Start.Equal(b.Start) {
			t.Fatalf("%s: bookings %+v", what, v.Bookings)
		}
		if w := m.For("owner-b", now); len(w.Cases) != 1 || w.Cases[0].ID != other.ID || len(w.Payments)+len(w.Bookings) != 0 {
			t.Fatalf("%s: another owner sees %+v", what, w)
		}
		if w := m.For("", now); len(w.Cases)+len(w.Payments)+len(w.Bookings) != 0 {
			t.Fatalf("%s: no owner sees %+v", what, w)
		}
	}
	check("fed", m)
	// Every event again (a redelivery) changes nothing.
	if err := newMinSideFeed(out, m, nil, nil).load(ctx); err != nil {
		t.Fatal(err)
	}
	check("fed twice", m)
	// A feed that starts after the events were relayed still has them.
	late := &MinSide{}
	if err := newMinSideFeed(out, late, nil, nil).catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	check("started late", late)
	if _, err := halls.Cancel(ctx, b.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := feed.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if v := m.For("owner-a", now); v.Bookings[0].State != booking.Cancelled {
		t.Fatalf("after a cancellation: %+v", v.Bookings[0])
	}
}
