package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// serveOnly serves the app's handler on a loopback port without its
// background work: no payment polling runs.
func serveOnly(t *testing.T, databaseURL string) (*App, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	app, err := New(context.Background(), Config{PublicURL: public, DatabaseURL: databaseURL, Getenv: func(string) string { return "" }})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app.Handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); app.Close() })
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
	fake := app.Fakes.Env.Vipps
	gets := fake.Requests("get") + fake.Requests("events")
	if err := fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		q, err := app.pay.Get(ctx, p.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if q.State == payment.Authorized {
			break
		}
		if time.Now().After(deadline) {
			var got []string
			for _, d := range fake.Deliveries() {
				got = append(got, d.Event+" "+strconv.Itoa(d.Status))
			}
			t.Fatalf("the payment stays %s; webhook deliveries %v", q.State, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := fake.Requests("get") + fake.Requests("events"); n != gets {
		t.Errorf("the payment was asked for at Vipps %d times: it moved by polling, not the webhook", n-gets)
	}

	body := []byte(`{"msn":"` + app.ext.Vipps.MSN + `","reference":"` + p.Reference + `","pspReference":"psp-forged","name":"CAPTURED",` +
		`"amount":{"currency":"NOK","value":` + strconv.FormatInt(int64(fee), 10) + `},"timestamp":"` + time.Now().UTC().Format(time.RFC3339) + `","success":true}`)
	u, _ := url.Parse(public + site.WebhookPath)
	for name, h := range map[string]http.Header{
		"forged":   vipps.SignWebhook(vipps.NewSecret("guessed"), "POST", u.RequestURI(), u.Host, time.Now(), body),
		"unsigned": {},
	} {
		req, _ := http.NewRequest("POST", u.String(), bytes.NewReader(body))
		for k, v := range h {
			req.Header[k] = v
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s webhook: %d", name, res.StatusCode)
		}
	}
	if q, err := app.pay.Get(ctx, p.Reference); err != nil || q.State != payment.Authorized || q.Aggregate.Captured != 0 {
		t.Errorf("after forged webhooks: %+v %v", q, err)
	}
}
