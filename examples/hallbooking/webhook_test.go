package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/examples/internal/sitetest"
	"github.com/grunnmur/grunnmur/payment"
)

// serveOnly serves the app's handler on a loopback port without its
// background work: no payment polling and no sweep of the holds.
func serveOnly(t *testing.T) (*App, string) {
	t.Helper()
	var app *App
	public := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		var err error
		if app, err = New(context.Background(), Config{PublicURL: public, Getenv: func(string) string { return "" }}); err != nil {
			return nil, nil, err
		}
		return app.Handler, app.Close, nil
	})
	return app, public
}

// TestWebhook: a payment moves to AUTHORIZED in the store when the payer
// approves, by the fake Vipps' signed webhook alone; a forged or unsigned
// webhook to /vipps/webhook gets 401 and changes nothing.
func TestWebhook(t *testing.T) {
	app, public := serveOnly(t)
	if app.ext.Webhook == nil || app.ext.Webhook.URL != public+site.WebhookPath || app.ext.Webhook.ID == "" {
		t.Fatalf("webhook %+v", app.ext.Webhook)
	}
	p, err := app.vipps.Start(context.Background(), payment.Order{BusinessKey: payKey("r-1"), Amount: 60000, Description: "Leie av hall", ReturnURL: public + "/booking/r-1"})
	if err != nil {
		t.Fatal(err)
	}
	sitetest.Webhook(t, app.vipps, app.ext.Fakes.Env.Vipps, app.ext.Vipps.MSN, public, p)
}

// TestWebhookConfirms: the payer approves in Vipps and never comes back;
// the webhook alone (no polling, no page) captures the payment and
// confirms the booking.
func TestWebhookConfirms(t *testing.T) {
	app, public := serveOnly(t)
	ctx := context.Background()
	slots, err := app.book.Availability(ctx, "storhallen", time.Now().Add(72*time.Hour), time.Now().Add(10*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatal(slots, err)
	}
	res, err := app.book.Hold(ctx, booking.HoldInput{ResourceID: "storhallen", Owner: "o", Start: slots[0].Start, Title: "Storhallen", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := app.vipps.Start(ctx, payment.Order{BusinessKey: payKey(res.ID), Amount: payment.Amount(res.PriceOre), Description: "Leie av hall", ReturnURL: public + "/booking/" + res.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.ext.Fakes.Env.Vipps.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := app.book.Reservation(ctx, res.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == booking.Confirmed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the booking stays %s after the payer approved", r.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if q, err := app.vipps.Get(ctx, p.Reference); err != nil || q.Aggregate.Captured != q.Amount {
		t.Fatalf("payment after the webhook: %+v %v", q, err)
	}
}
