package site

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/secret"
)

// vippsFake is a fake Vipps on a loopback port, with a client of it and a
// payment service over that client.
type vippsFake struct {
	fake   *vippstest.Server
	client *vipps.Client
	pay    *payment.Service
	url    string
}

func newVippsFake(t *testing.T) *vippsFake {
	t.Helper()
	fake := vippstest.New(vippstest.Config{WebhookRetryDelays: []time.Duration{50 * time.Millisecond, 50 * time.Millisecond}})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.Close() })
	client, err := vipps.New(fake.ClientConfig(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &vippsFake{fake: fake, client: client, pay: &payment.Service{Provider: client, ReferencePrefix: "site"}, url: srv.URL}
}

// serveWebhook serves h at WebhookPath on a loopback port and returns the
// callback URL.
func serveWebhook(t *testing.T, h func() http.Handler) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("POST "+WebhookPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h().ServeHTTP(w, r) }))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + WebhookPath
}

func (v *vippsFake) start(t *testing.T, key string) *payment.Payment {
	t.Helper()
	p, err := v.pay.Start(context.Background(), payment.Order{BusinessKey: key, Amount: 15000, Description: "Leie av hall", ReturnURL: "http://127.0.0.1:1/betalt"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// waitState waits, for at most 20 s, until the stored payment is in state.
func waitState(t *testing.T, pay *payment.Service, ref string, want payment.State) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p, err := pay.Get(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if p.State == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("payment %s stays %s, want %s", ref, p.State, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// post sends body to u with headers h and returns the status.
func post(t *testing.T, u string, h http.Header, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// eventBody is a webhook body for ref, as Vipps sends it.
func eventBody(ref, name string, value int64) []byte {
	return []byte(`{"msn":"` + vippstest.DefaultMSN + `","reference":"` + ref + `","pspReference":"psp-1","name":"` + name +
		`","amount":{"currency":"NOK","value":` + strconv.FormatInt(value, 10) + `},"timestamp":"` + time.Now().UTC().Format(time.RFC3339) + `","idempotencyKey":null,"success":true}`)
}

// TestWebhookRegistersAndApplies: without an operator's secret the webhook
// replaces every earlier registration of its URL (and no other), a payment
// the payer approves moves in the store through the webhook alone (no call
// asks Vipps for it), and forged or unsigned webhooks get 401 and change
// nothing.
func TestWebhookRegistersAndApplies(t *testing.T) {
	v := newVippsFake(t)
	ctx := context.Background()
	var wh *Webhook
	callback := serveWebhook(t, func() http.Handler { return wh })
	stale, err := v.client.RegisterWebhook(ctx, callback, []string{vipps.EventAuthorized})
	if err != nil {
		t.Fatal(err)
	}
	other, err := v.client.RegisterWebhook(ctx, "http://127.0.0.1:1/other", []string{vipps.EventAuthorized})
	if err != nil {
		t.Fatal(err)
	}
	if wh, err = NewWebhook(ctx, v.client, callback, secret.Value{}, v.pay, nil); err != nil {
		t.Fatal(err)
	}
	hooks, err := v.client.Webhooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, h := range hooks {
		ids[h.ID] = h.URL
	}
	if len(hooks) != 2 || ids[wh.ID] != callback || ids[other.ID] == "" || ids[stale.ID] != "" || wh.URL != callback {
		t.Fatalf("registrations %v; ours %s, stale %s, other %s", ids, wh.ID, stale.ID, other.ID)
	}
	for _, h := range hooks {
		if h.ID == wh.ID && len(h.Events) != len(WebhookEvents) {
			t.Errorf("subscribed to %v", h.Events)
		}
	}

	p := v.start(t, "hall-1/leie")
	gets, logs := v.fake.Requests(vippstest.OpGet), v.fake.Requests(vippstest.OpEvents)
	if err := v.fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	waitState(t, v.pay, p.Reference, payment.Authorized)
	if v.fake.Requests(vippstest.OpGet) != gets || v.fake.Requests(vippstest.OpEvents) != logs {
		t.Errorf("the payment was polled: get %d→%d, events %d→%d", gets, v.fake.Requests(vippstest.OpGet), logs, v.fake.Requests(vippstest.OpEvents))
	}

	// Forged: signed with another secret, unsigned, or signed for another
	// body. Each claims the payment captured.
	u, _ := url.Parse(callback)
	body := eventBody(p.Reference, "CAPTURED", 15000)
	forged := vipps.SignWebhook(secret.New("not-the-secret"), "POST", u.RequestURI(), u.Host, time.Now(), body)
	if got := post(t, callback, forged, body); got != http.StatusUnauthorized {
		t.Errorf("forged: %d", got)
	}
	if got := post(t, callback, nil, body); got != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", got)
	}
	q, err := v.pay.Get(ctx, p.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if q.State != payment.Authorized || q.Aggregate.Captured != 0 {
		t.Errorf("a forged webhook changed the payment: %s, captured %d", q.State, q.Aggregate.Captured)
	}

	// A second start replaces our own registration in turn.
	again, err := NewWebhook(ctx, v.client, callback, secret.Value{}, v.pay, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hooks, _ := v.client.Webhooks(ctx); len(hooks) != 2 || again.ID == wh.ID {
		t.Errorf("after a restart: %d registrations, id %s then %s", len(hooks), wh.ID, again.ID)
	}
}

// TestWebhookOperatorSecret: with the operator's secret nothing is sent to
// Vipps, and a webhook signed with that secret is applied.
func TestWebhookOperatorSecret(t *testing.T) {
	v := newVippsFake(t)
	ctx := context.Background()
	key := secret.New("operator-registered-once")
	wh, err := NewWebhook(ctx, v.client, "http://127.0.0.1:1"+WebhookPath, key, v.pay, nil)
	if err != nil {
		t.Fatal(err)
	}
	if wh.ID != "" || v.fake.Requests(vippstest.OpRegisterWebhook) != 0 || v.fake.Requests(vippstest.OpListWebhooks) != 0 || v.fake.Requests(vippstest.OpDeleteWebhook) != 0 {
		t.Fatalf("id %q; register %d, list %d, delete %d", wh.ID, v.fake.Requests(vippstest.OpRegisterWebhook), v.fake.Requests(vippstest.OpListWebhooks), v.fake.Requests(vippstest.OpDeleteWebhook))
	}
	p := v.start(t, "hall-2/leie")
	body := eventBody(p.Reference, "AUTHORIZED", 15000)
	for _, c := range []struct {
		name   string
		secret secret.Value
		want   int
	}{{"other secret", secret.New("operator-registered-twice"), 401}, {"operator's secret", key, 200}} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "http://127.0.0.1:1"+WebhookPath, bytes.NewReader(body))
		for k, vs := range vipps.SignWebhook(c.secret, "POST", WebhookPath, "127.0.0.1:1", time.Now(), body) {
			req.Header[k] = vs
		}
		wh.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, rec.Code, c.want)
		}
	}
	waitState(t, v.pay, p.Reference, payment.Authorized)
}

// TestWebhookRegistrationFails: Vipps refusing the registration is
// ErrWebhook, with no secret in it; a Webhook never set up answers 503.
func TestWebhookRegistrationFails(t *testing.T) {
	v := newVippsFake(t)
	v.fake.Inject(fake.Fault{Match: vippstest.OpRegisterWebhook, Status: http.StatusBadRequest})
	_, err := NewWebhook(context.Background(), v.client, "http://127.0.0.1:1"+WebhookPath, secret.Value{}, v.pay, nil)
	if !errors.Is(err, ErrWebhook) || strings.Contains(err.Error(), vippstest.DefaultClientSecret) {
		t.Fatalf("error %v", err)
	}
	v.fake.Inject(fake.Fault{Match: vippstest.OpListWebhooks, Status: http.StatusInternalServerError, Times: 10})
	if _, err := NewWebhook(context.Background(), v.client, "http://127.0.0.1:1"+WebhookPath, secret.Value{}, v.pay, nil); !errors.Is(err, ErrWebhook) {
		t.Fatalf("list fails: %v", err)
	}
	var none *Webhook
	rec := httptest.NewRecorder()
	none.ServeHTTP(rec, httptest.NewRequest("POST", WebhookPath, strings.NewReader("{}")))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("nil webhook: %d", rec.Code)
	}
}

// TestSetupReadsWebhookSecret: GRUNNMUR_VIPPS_WEBHOOK_SECRET belongs to the
// Vipps group: read with a real Vipps, the sandbox's (none) otherwise; and
// RegisterWebhook uses it for Public + WebhookPath.
func TestSetupReadsWebhookSecret(t *testing.T) {
	v := newVippsFake(t)
	env := map[string]string{
		"GRUNNMUR_VIPPS_BASE_URL": v.url, "GRUNNMUR_VIPPS_CLIENT_ID": vippstest.DefaultClientID,
		"GRUNNMUR_VIPPS_CLIENT_SECRET": vippstest.DefaultClientSecret, "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": vippstest.DefaultSubscriptionKey,
		"GRUNNMUR_VIPPS_MSN": vippstest.DefaultMSN, "GRUNNMUR_VIPPS_WEBHOOK_SECRET": "operator-registered-once",
	}
	x, err := Setup(func(k string) string { return env[k] }, Options{Public: "http://127.0.0.1:1", Sandbox: stubSandbox(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.VippsWebhookSecret.Reveal() != "operator-registered-once" {
		t.Fatal("the secret was not read")
	}
	if err := x.RegisterWebhook(context.Background(), v.client, v.pay); err != nil {
		t.Fatal(err)
	}
	if x.Webhook.URL != "http://127.0.0.1:1"+WebhookPath || x.Webhook.ID != "" || v.fake.Requests(vippstest.OpRegisterWebhook) != 0 {
		t.Errorf("webhook %s %q, %d registrations", x.Webhook.URL, x.Webhook.ID, v.fake.Requests(vippstest.OpRegisterWebhook))
	}

	env["GRUNNMUR_VIPPS_BASE_URL"] = "" // the sandbox's Vipps: the variable is ignored
	y, err := Setup(func(k string) string { return env[k] }, Options{Public: "http://127.0.0.1:1", Sandbox: stubSandbox(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if !y.VippsWebhookSecret.IsZero() {
		t.Error("the secret of a real Vipps was used with the sandbox's")
	}
}

// TestWebhookSettles: with a settling payment service the webhook alone
// captures the approved payment and runs its OnSettled, with the order's
// metadata to route by, once.
func TestWebhookSettles(t *testing.T) {
	v := newVippsFake(t)
	ctx := context.Background()
	settled := make(chan *payment.Payment, 4)
	v.pay.OnSettled = func(ctx context.Context, p *payment.Payment) error { settled <- p; return nil }
	var wh *Webhook
	callback := serveWebhook(t, func() http.Handler { return wh })
	var err error
	if wh, err = NewWebhook(ctx, v.client, callback, secret.Value{}, v.pay, nil); err != nil {
		t.Fatal(err)
	}
	p, err := v.pay.Start(ctx, payment.Order{BusinessKey: "hall-3/leie", Amount: 15000, Description: "Leie av hall",
		ReturnURL: "http://127.0.0.1:1/betalt", Metadata: map[string]string{"kind": "booking", "id": "r-3"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	select {
	case q := <-settled:
		if q.Outcome() != payment.OutcomePaid || q.Metadata["id"] != "r-3" {
			t.Fatalf("settled %s %v", q.Outcome(), q.Metadata)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the webhook did not settle the payment in 20 s")
	}
	v.fake.Wait() // the CAPTURED webhook too
	if q, _ := v.pay.Get(ctx, p.Reference); q.State != payment.Captured || v.fake.Requests(vippstest.OpCapture) != 1 || len(settled) != 0 {
		t.Fatalf("after the webhooks: %s, %d captures, %d more hooks", q.State, v.fake.Requests(vippstest.OpCapture), len(settled))
	}
}
