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

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
)

// serveOnly serves the app's handler on a loopback port without its
// background work: no payment polling runs.
func serveOnly(t *testing.T) (*App, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	app, err := New(context.Background(), Config{PublicURL: public, Getenv: func(string) string { return "" }})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app.Handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); app.Close() })
	return app, public
}

// TestWebhook: a booking's payment moves to AUTHORIZED in the store when the
// payer approves, by the fake Vipps' signed webhook alone (nothing polls and
// no page is loaded); a forged or unsigned webhook to /vipps/webhook gets 401
// and changes nothing.
func TestWebhook(t *testing.T) {
	app, public := serveOnly(t)
	ctx := context.Background()
	if app.ext.Webhook == nil || app.ext.Webhook.URL != public+site.WebhookPath || app.ext.Webhook.ID == "" {
		t.Fatalf("webhook %+v", app.ext.Webhook)
	}
	p, err := app.vipps.Start(ctx, payment.Order{BusinessKey: payKey("r-1"), Amount: 60000, Description: "Leie av hall", ReturnURL: public + "/booking/r-1/betalt"})
	if err != nil {
		t.Fatal(err)
	}
	fake := app.ext.Fakes.Env.Vipps
	gets := fake.Requests("get") + fake.Requests("events")
	if err := fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		q, err := app.vipps.Get(ctx, p.Reference)
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
		`"amount":{"currency":"NOK","value":` + "60000" + `},"timestamp":"` + time.Now().UTC().Format(time.RFC3339) + `","success":true}`)
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
	if q, err := app.vipps.Get(ctx, p.Reference); err != nil || q.State != payment.Authorized || q.Aggregate.Captured != 0 {
		t.Errorf("after forged webhooks: %+v %v", q, err)
	}
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
