package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/examples/internal/sitetest"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// serveOnly serves the app's handler on a loopback port without its
// background work: no payment polling runs.
func serveOnly(t *testing.T, databaseURL string) (*App, string) {
	t.Helper()
	var app *App
	public := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		var err error
		if app, err = New(context.Background(), Config{PublicURL: public, DatabaseURL: databaseURL, Getenv: func(string) string { return "" }}); err != nil {
			return nil, nil, err
		}
		return app.Handler, app.Close, nil
	})
	return app, public
}

func TestWebhook(t *testing.T)         { testWebhook(t, "") }
func TestWebhookPostgres(t *testing.T) { testWebhook(t, postgrestest.URL(t)) }

// testWebhook: the fee's payment moves to AUTHORIZED in the store when the
// payer approves, by the fake Vipps' signed webhook alone (nothing polls and
// no page is loaded); a forged or unsigned webhook to /vipps/webhook gets 401
// and changes nothing.
func testWebhook(t *testing.T, databaseURL string) {
	app, public := serveOnly(t, databaseURL)
	ctx := context.Background()
	if app.ext.Webhook == nil || app.ext.Webhook.URL != public+site.WebhookPath || app.ext.Webhook.ID == "" {
		t.Fatalf("webhook %+v", app.ext.Webhook)
	}
	p, err := app.pay.Start(ctx, payment.Order{BusinessKey: "2026-000001/gebyr", Amount: fee, Description: "Gebyr skjenkebevilling", ReturnURL: public + "/sak/x/betalt"})
	if err != nil {
		t.Fatal(err)
	}
	sitetest.Webhook(t, app.pay, app.Fakes.Env.Vipps, app.ext.Vipps.MSN, public, p)
}
