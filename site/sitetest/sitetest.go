// Package sitetest is the test kit for a service built on package site: what
// its unit tests and its end-to-end journeys need, from the same module or
// another one.
//
//   - ServeOnly serves the service on a loopback port without its background
//     work; StartService with it, as `go run` does.
//   - Browser logs in through the sandbox's test-user picker over plain HTTP;
//     Journey walks the service in headless Chromium, checking every page
//     with axe-core and the Nu Html Checker and screenshotting it.
//   - Webhook checks that a Vipps webhook moves a payment by itself and that
//     a forged one is refused; Help checks the command line.
//   - ValidHTML checks rendered pages; Texts are the hard texts to type into
//     every free-text field.
//   - Oslo, Clock and Edges pin the service's clock to a day and an hour in
//     Oslo, so that no test depends on the day or the time zone.
//   - DatabaseURL finds the test PostgreSQL (skip, or fail in CI).
//
// A test reaches the sandbox's fakes through the service's site.Fakes:
//
//	app, err := New(ctx, Config{PublicURL: public, Now: sitetest.ClockAt(t, sitetest.Edges()[0].At)})
//	...
//	env := app.Fakes.Sandbox.(*devenv.Env)
//	sitetest.Webhook(t, app.pay, env.Vipps, app.ext.Vipps.MSN, public, p)
//
//	base, logs := sitetest.StartService(t, func(ctx context.Context, public string, log *slog.Logger) (*sitetest.Started, error) { ... })
//	j := sitetest.NewJourney(t, base, sitetest.ScreenshotDir(t), logs)
//	j.Open("start", "/")
//	j.Login(name) // the sandbox's test-user picker
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
