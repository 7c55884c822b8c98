package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
	"github.com/grunnmur/grunnmur/svarut"
)

// serveOnly serves the app's handler on a loopback port without its
// background work: no payment polling and no sweep of the holds.
func serveOnly(t *testing.T) (*App, string) {
	t.Helper()
	var app *App
	public := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		var err error
		if app, err = New(context.Background(), site.Config{PublicURL: public, Getenv: func(string) string { return "" }, Now: pinned(t)}); err != nil {
			return nil, nil, err
		}
		return app.Handler(), app.Close, nil
	})
	return app, public
}

// TestWebhook: a payment moves to AUTHORIZED in the store when the payer
// approves, by the fake Vipps' signed webhook alone; a forged or unsigned
// webhook to /vipps/webhook gets 401 and changes nothing.
func TestWebhook(t *testing.T) {
	app, public := serveOnly(t)
	if app.Externals.Webhook == nil || app.Externals.Webhook.URL != public+site.WebhookPath || app.Externals.Webhook.ID == "" {
		t.Fatalf("webhook %+v", app.Externals.Webhook)
	}
	p, err := app.Payments.Start(context.Background(), payment.Order{BusinessKey: "booking/r-1", Amount: 60000, Description: "Leie av hall", ReturnURL: public + "/booking/r-1"})
	if err != nil {
		t.Fatal(err)
	}
	sitetest.Webhook(t, app.Payments, fakes(app.Externals.Fakes).Vipps, app.Externals.Vipps.MSN, public, p)
}

// TestWebhookConfirms: a club's payer approves in Vipps and never comes
// back; the webhook alone (no polling, no page) captures the payment,
// confirms the booking and releases the confirmation letter prepared at
// checkout, which reaches SvarUT.
func TestWebhookConfirms(t *testing.T) {
	app, public := serveOnly(t)
	ctx := context.Background()
	slots, err := app.Bookings.Availability(ctx, "storhallen", app.Config.Now().Add(72*time.Hour), app.Config.Now().Add(10*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatal(slots, err)
	}
	res, err := app.Bookings.Hold(ctx, booking.HoldInput{ResourceID: "storhallen", Owner: "o", Start: slots[0].Start, Title: "Storhallen", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := app.co.Bill(ctx, "", res.ID)
	p, err := app.Payments.Start(ctx, payment.Order{BusinessKey: "booking/" + res.ID, Amount: res.Price, Description: "Leie av hall", ReturnURL: public + "/booking/" + res.ID, Metadata: b.Metadata()})
	if err != nil {
		t.Fatal(err)
	}
	app.prepareLetter(httptest.NewRequest("POST", "/booking/"+res.ID+"/vipps", nil), b, testClub())
	if e, err := app.Letters.Store.Get(ctx, letterID(b)); err != nil || !e.Held {
		t.Fatalf("the letter was not prepared: %+v %v", e, err)
	}
	if err := fakes(app.Externals.Fakes).Vipps.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the booking confirmed", func() bool {
		r, err := app.Bookings.Reservation(ctx, res.ID)
		return err == nil && r.State == booking.Confirmed
	})
	if q, err := app.Payments.Get(ctx, p.Reference); err != nil || q.Aggregate.Captured != q.Amount {
		t.Fatalf("payment after the webhook: %+v %v", q, err)
	}
	waitFor(t, "the letter at SvarUT", func() bool { return len(fakes(app.Externals.Fakes).SvarUT.ByExternalRef("hall-"+res.ID)) == 1 })
}

// TestLetterWithdrawn: the hold runs out before the payer approves; the
// money is released and the prepared letter withdrawn, never sent.
func TestLetterWithdrawn(t *testing.T) {
	var mu sync.Mutex
	now := sitetest.Oslo(t, sitetest.Edges()[0].At)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newApp(t, clock)
	ctx := context.Background()
	b := holdSeries(t, a, "club-9", 2)
	payVippsNow(t, a, b)
	a.prepareLetter(httptest.NewRequest("POST", billPath(b)+"/vipps", nil), b, testClub())
	mu.Lock()
	now = now.Add(holdTTL + time.Minute)
	mu.Unlock()
	if err := a.Payments.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	e, err := a.Letters.Store.Get(ctx, letterID(b))
	if err != nil || e.State != svarut.EntryWithdrawn {
		t.Fatalf("the letter after the holds ran out: %+v %v", e, err)
	}
	if p := mustLatest(t, a.Payments, b.Key()); p.State == payment.Authorized || p.Aggregate.Captured != 0 {
		t.Fatalf("the payment: %s, captured %d", p.State, p.Aggregate.Captured)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLetterAbandoned: the payer goes to Vipps and never approves; once the
// holds have run out the outbox withdraws the prepared letter by itself,
// with the recipient's data, and never sends it.
func TestLetterAbandoned(t *testing.T) {
	var mu sync.Mutex
	now := sitetest.Oslo(t, sitetest.Edges()[0].At)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newApp(t, clock)
	ctx := context.Background()
	b := holdSeries(t, a, "club-8", 1)
	a.prepareLetter(httptest.NewRequest("POST", billPath(b)+"/vipps", nil), b, testClub())
	mu.Lock()
	now = now.Add(holdTTL + 20*time.Minute)
	mu.Unlock()
	if err := a.Letters.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if e, err := a.Letters.Store.Get(ctx, letterID(b)); err != nil || e.State != svarut.EntryWithdrawn {
		t.Fatalf("the abandoned letter: %+v %v", e, err)
	}
	if n := len(fakes(a.Externals.Fakes).SvarUT.ByExternalRef("hall-" + b.ID)); n != 0 {
		t.Fatalf("%d letters sent", n)
	}
}

// TestLetterReleasedLate: the booking was confirmed but its letter not
// released (a crash in between, say); the next settle, from any path,
// releases it.
func TestLetterReleasedLate(t *testing.T) {
	a := newApp(t, pinned(t))
	ctx := context.Background()
	b := holdSeries(t, a, "club-7", 1)
	a.prepareLetter(httptest.NewRequest("POST", billPath(b)+"/vipps", nil), b, testClub())
	if _, err := a.Bookings.ConfirmSeries(ctx, b.Held(a.Config.Now()), "confirm/test"); err != nil {
		t.Fatal(err)
	}
	b, _ = a.co.SeriesBill(ctx, "club-7", b.ID)
	if _, err := a.co.Settle(ctx, b); err != nil {
		t.Fatal(err)
	}
	if e, err := a.Letters.Store.Get(ctx, letterID(b)); err != nil || e.Held {
		t.Fatalf("the letter after settle: %+v %v", e, err)
	}
	waitFor(t, "the letter at SvarUT", func() bool { return len(fakes(a.Externals.Fakes).SvarUT.ByExternalRef("hall-"+b.ID)) == 1 })
}

// testClub is SESAM AS as a person acting for it holds it in the session.
func testClub() *club {
	return &club{Orgnr: registrytest.ApplicantOrgnr, Name: "SESAM AS",
		Address: svarut.Address{Name: "SESAM AS", Line1: "Postboks 1", PostalCode: "0101", PostTown: "Oslo"}}
}
