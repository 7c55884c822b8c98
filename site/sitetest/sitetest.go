// Package sitetest holds what the example services' tests share: serving a
// service on a loopback port without its background work, and checking that
// its Vipps webhook moves a payment by itself and refuses forgeries.
//
//	public := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
//		app, err := New(ctx, Config{PublicURL: public})
//		if err != nil {
//			return nil, nil, err
//		}
//		return app.Handler, app.Close, nil
//	})
//	sitetest.Webhook(t, app.pay, app.ext.Fakes.Env.Vipps, app.ext.Vipps.MSN, public, p)
package sitetest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/site"
)

// ServeOnly serves the handler that build makes for a free loopback URL,
// without the service's background work: nothing polls. It returns the
// URL; the server and close stop when the test ends.
func ServeOnly(t testing.TB, build func(public string) (h http.Handler, close func(), err error)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	h, closeApp, err := build(public)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); closeApp() })
	return public
}

// Webhook checks a service's Vipps webhook at public + site.WebhookPath: the
// payment p is authorised in pay's store when fake approves it (and
// settled on, when pay is Settling), by the signed webhook alone (nothing
// asks Vipps for it), and a forged or an unsigned webhook gets 401 and is
// not applied.
func Webhook(t testing.TB, pay *payment.Service, fake *vippstest.Server, msn, public string, p *payment.Payment) {
	t.Helper()
	ctx := context.Background()
	gets := fake.Requests(vippstest.OpGet) + fake.Requests(vippstest.OpEvents)
	if err := fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		q, err := pay.Get(ctx, p.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if q.Aggregate.Authorized > 0 { // authorised, and perhaps settled since
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
	if n := fake.Requests(vippstest.OpGet) + fake.Requests(vippstest.OpEvents); n != gets {
		t.Errorf("the payment was asked for at Vipps %d times: it moved by polling, not the webhook", n-gets)
	}

	// Dated by the service's clock, so that only the secret is wrong.
	now := defaults.Now(pay.Now)
	body := []byte(`{"msn":"` + msn + `","reference":"` + p.Reference + `","pspReference":"psp-forged","name":"CAPTURED",` +
		`"amount":{"currency":"NOK","value":` + strconv.FormatInt(int64(p.Amount), 10) + `},"timestamp":"` + now.UTC().Format(time.RFC3339) + `","success":true}`)
	u, _ := url.Parse(public + site.WebhookPath)
	for name, h := range map[string]http.Header{
		"forged":   vipps.SignWebhook(secret.New("guessed"), "POST", u.RequestURI(), u.Host, now, body),
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
	q, err := pay.Get(ctx, p.Reference)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range q.Events {
		if e.PSPReference == "psp-forged" {
			t.Errorf("a forged webhook was applied: %+v", e)
		}
	}
}
