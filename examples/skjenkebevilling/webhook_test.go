package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// serveOnly serves the app's handler on a loopback port without its
// background work: no payment polling runs.
func serveOnly(t *testing.T, databaseURL string) (*App, string) {
	t.Helper()
	var app *App
	public := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		var err error
		if app, err = New(context.Background(), site.Config{PublicURL: public, DatabaseURL: databaseURL, Getenv: func(string) string { return "" }, Now: pinned(t)}); err != nil {
			return nil, nil, err
		}
		return app.Handler(), app.Close, nil
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
	if app.Externals.Webhook == nil || app.Externals.Webhook.URL != public+site.WebhookPath || app.Externals.Webhook.ID == "" {
		t.Fatalf("webhook %+v", app.Externals.Webhook)
	}
	p, err := app.Payments.Start(ctx, payment.Order{BusinessKey: "2026-000001/gebyr", Amount: fee, Description: "Gebyr skjenkebevilling", ReturnURL: public + "/sak/x/betalt"})
	if err != nil {
		t.Fatal(err)
	}
	sitetest.Webhook(t, app.Payments, fakes(app.Fakes).Vipps, app.Externals.Vipps.MSN, public, p)
}

// TestDraftExpiry: an application abandoned for longer than the retention
// is deleted by the daily clean-up, with its upload; one in progress stays.
func TestDraftExpiry(t *testing.T) {
	app, _ := serveOnly(t, "")
	ctx := context.Background()
	id, err := app.Files.Put(ctx, "person:a", "firmaattest.pdf", "application/pdf", strings.NewReader("%PDF-1.7"))
	if err != nil {
		t.Fatal(err)
	}
	now := app.Config.Now().UTC()
	old := &forms.Draft{ID: testID(), FormID: app.def.ID, FormVersion: app.def.Version, Owner: "person:a",
		Created: now.Add(-draftRetention - 48*time.Hour), Updated: now.Add(-draftRetention - time.Hour),
		Data: forms.Data{"vedlegg": map[string]any{"firmaattest": []any{map[string]any{"id": id, "name": "firmaattest.pdf", "contentType": "application/pdf", "size": 8}}}}}
	fresh := &forms.Draft{ID: testID(), FormID: app.def.ID, FormVersion: app.def.Version, Owner: "person:b", Created: now, Updated: now, Data: forms.Data{}}
	for _, d := range []*forms.Draft{old, fresh} {
		if err := app.Forms.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := (&forms.DraftExpiry{Store: app.Forms, Files: app.Files, MaxAge: draftRetention, Now: app.Config.Now}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Forms.GetDraft(ctx, old.ID); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("the abandoned application: %v", err)
	}
	if _, _, err := app.Files.Open(ctx, id); !errors.Is(err, forms.ErrFileNotFound) {
		t.Errorf("its upload: %v", err)
	}
	if _, err := app.Forms.GetDraft(ctx, fresh.ID); err != nil {
		t.Errorf("the application in progress: %v", err)
	}
}
