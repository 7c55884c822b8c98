package vippstest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/secret"
)

func start(t *testing.T, cfg vippstest.Config) (*vippstest.Server, *vipps.Client, string) {
	t.Helper()
	fakeVipps := vippstest.New(cfg)
	srv := httptest.NewServer(fakeVipps)
	t.Cleanup(func() { fakeVipps.Close(); srv.Close() })
	cc := fakeVipps.ClientConfig(srv.URL)
	cc.MaxAttempts = 1
	cc.HTTPClient = &http.Client{Timeout: 2 * time.Second}
	c, err := vipps.New(cc)
	if err != nil {
		t.Fatal(err)
	}
	return fakeVipps, c, srv.URL
}

func newPayment(t *testing.T, c *vipps.Client, ref string) *payment.CreateResponse {
	t.Helper()
	r, err := c.Create(context.Background(), payment.CreateRequest{
		Reference: ref, Amount: 150000, Description: "Gebyr for skjenkebevilling", Flow: payment.FlowWebRedirect,
		ReturnURL: "http://localhost:8080/ferdig", IdempotencyKey: "create-" + ref,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLandingPage(t *testing.T) {
	fakeVipps, c, base := start(t, vippstest.Config{})
	r := newPayment(t, c, "landing-ref-01")
	if !strings.HasPrefix(r.RedirectURL, base+"/landing?token=") {
		t.Fatalf("redirect URL %q", r.RedirectURL)
	}
	resp, err := http.Get(r.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`<html lang="nb">`, "<title>", "<main>", "<h1>", "1 500,00 kr", `name="action" value="approve"`, "Godkjenn betaling", "Avbryt betaling", "Gebyr for skjenkebevilling"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	// Reject through the page; the payer is sent back to the return URL.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	v, _ := fakeVipps.Payment("landing-ref-01")
	resp, err = noFollow.PostForm(base+"/landing", url.Values{"token": {v.Token}, "action": {"reject"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "http://localhost:8080/ferdig" {
		t.Fatalf("reject: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if v, _ := fakeVipps.Payment("landing-ref-01"); v.State != "ABORTED" {
		t.Fatalf("after reject: %s", v.State)
	}
	// The page now says so and offers no buttons; a second action is refused.
	resp, _ = http.Get(r.RedirectURL)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(page), "Godkjenn betaling") || !strings.Contains(string(page), `role="status"`) {
		t.Fatalf("closed payment page:\n%s", page)
	}
	resp, _ = noFollow.PostForm(base+"/landing", url.Values{"token": {v.Token}, "action": {"approve"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("approve after reject: %d", resp.StatusCode)
	}
	resp, _ = http.Get(base + "/landing?token=nope")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown token: %d", resp.StatusCode)
	}
}

func TestExpiry(t *testing.T) {
	var now atomic.Pointer[time.Time]
	t0 := time.Date(2026, 10, 25, 0, 55, 0, 0, time.UTC)
	now.Store(&t0)
	fakeVipps, c, _ := start(t, vippstest.Config{Now: func() time.Time { return *now.Load() }, PaymentTTL: 5 * time.Minute})
	newPayment(t, c, "expiry-ref-01")
	later := t0.Add(5 * time.Minute)
	now.Store(&later)
	snap, err := c.Get(context.Background(), "expiry-ref-01")
	if err != nil || snap.State != payment.Expired {
		t.Fatalf("after the TTL: %+v %v", snap, err)
	}
	if err := fakeVipps.Approve("expiry-ref-01"); err == nil {
		t.Fatal("approved an expired payment")
	}
}

func TestFaults(t *testing.T) {
	fakeVipps, c, _ := start(t, vippstest.Config{})
	ctx := context.Background()
	newPayment(t, c, "fault-ref-001")

	fakeVipps.Inject(fake.Fault{Match: vippstest.OpGet, Status: 503, Times: 2})
	for range 2 {
		var ve *vipps.Error
		if _, err := c.Get(ctx, "fault-ref-001"); !errors.As(err, &ve) || ve.Status != 503 || !ve.Temporary() {
			t.Fatalf("injected 503: %v", err)
		}
	}
	if _, err := c.Get(ctx, "fault-ref-001"); err != nil {
		t.Fatalf("after the faults ran out: %v", err)
	}

	// net/http itself retries a GET once on a reused connection, so drop two.
	fakeVipps.Inject(fake.Fault{Match: vippstest.OpGet, Drop: true, Times: 2})
	if _, err := c.Get(ctx, "fault-ref-001"); err == nil || errors.Is(err, payment.ErrRejected) {
		t.Fatalf("dropped connection: %v", err)
	}

	fakeVipps.Inject(fake.Fault{Match: vippstest.OpGet, Delay: 3 * time.Second})
	if _, err := c.Get(ctx, "fault-ref-001"); err == nil {
		t.Fatal("latency beyond the client timeout should fail")
	}
	// A fault on one operation leaves the others alone.
	fakeVipps.Inject(fake.Fault{Match: vippstest.OpCapture, Status: 500})
	if _, err := c.Get(ctx, "fault-ref-001"); err != nil {
		t.Fatal(err)
	}
	if n := fakeVipps.Requests(vippstest.OpGet); n != 7 {
		t.Fatalf("get requests counted: %d", n)
	}
}

func TestIdempotencyKeyRequired(t *testing.T) {
	fakeVipps, _, base := start(t, vippstest.Config{})
	cfg := fakeVipps.ClientConfig(base)
	// A raw request without the header.
	tokReq, _ := http.NewRequest("POST", base+"/accesstoken/get", nil)
	tokReq.Header.Set("client_id", cfg.ClientID)
	tokReq.Header.Set("client_secret", cfg.ClientSecret.Reveal())
	tokReq.Header.Set("Ocp-Apim-Subscription-Key", cfg.SubscriptionKey.Reveal())
	resp, err := http.DefaultClient.Do(tokReq)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"expires_in":"3600"`) {
		t.Fatalf("expires_in must be a string: %s", body)
	}
	tok := string(body)[strings.Index(string(body), `"access_token":"`)+16:]
	tok = tok[:strings.Index(tok, `"`)]
	req, _ := http.NewRequest("POST", base+"/epayment/v1/payments", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Ocp-Apim-Subscription-Key", cfg.SubscriptionKey.Reveal())
	req.Header.Set("Merchant-Serial-Number", cfg.MSN)
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("no Idempotency-Key: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", base+"/epayment/v1/payments/whatever-1", nil)
	req.Header.Set("Ocp-Apim-Subscription-Key", cfg.SubscriptionKey.Reveal())
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
}

// TestWebhookDeliveryRetriesAndSignature checks that the fake signs like
// Vipps (the vipps verifier accepts it) and retries until a 2xx.
func TestWebhookDeliveryRetriesAndSignature(t *testing.T) {
	var mu sync.Mutex
	var verifier *vipps.WebhookHandler
	var got []string
	var fails atomic.Int32
	fails.Store(2)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fails.Add(-1) >= 0 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		h := verifier
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	defer hook.Close()
	fakeVipps, c, _ := start(t, vippstest.Config{WebhookRetryDelays: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}})
	reg, err := c.RegisterWebhook(context.Background(), hook.URL+"/cb?kommune=0301", []string{vipps.EventAuthorized})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	verifier = &vipps.WebhookHandler{
		WebhookVerifier: vipps.WebhookVerifier{Secrets: []secret.Value{reg.Secret}},
		OnEvent: func(_ context.Context, e *vipps.PaymentEvent) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, e.Name+" "+e.Reference)
			return nil
		},
	}
	mu.Unlock()
	newPayment(t, c, "hook-ref-0001") // CREATED: not subscribed
	if err := fakeVipps.Approve("hook-ref-0001"); err != nil {
		t.Fatal(err)
	}
	fakeVipps.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "AUTHORIZED hook-ref-0001" {
		t.Fatalf("delivered: %v", got)
	}
	ds := fakeVipps.Deliveries()
	if len(ds) != 3 || ds[0].Status != 503 || ds[1].Status != 503 || !ds[2].Accepted || ds[2].Attempt != 3 {
		t.Fatalf("attempts: %+v", ds)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }))
	defer hook.Close()
	fakeVipps, c, _ := start(t, vippstest.Config{WebhookRetryDelays: []time.Duration{time.Millisecond, time.Millisecond}})
	if _, err := c.RegisterWebhook(context.Background(), hook.URL, []string{vipps.EventCreated}); err != nil {
		t.Fatal(err)
	}
	newPayment(t, c, "hook-ref-0002")
	fakeVipps.Wait()
	if ds := fakeVipps.Deliveries(); len(ds) != 3 || ds[2].Accepted {
		t.Fatalf("attempts: %+v", ds)
	}
}

// Close must not wait on a webhook receiver that never answers, even with a
// WebhookClient that has no timeout.
func TestCloseCancelsHungDelivery(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hook.Close()
	defer close(release)
	fakeVipps, c, _ := start(t, vippstest.Config{WebhookClient: &http.Client{}})
	if _, err := c.RegisterWebhook(context.Background(), hook.URL, []string{vipps.EventCreated}); err != nil {
		t.Fatal(err)
	}
	newPayment(t, c, "hook-ref-0003")
	<-arrived
	done := make(chan struct{})
	go func() { fakeVipps.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing claim
		t.Fatal("Close waits on a hung webhook delivery")
	}
	if ds := fakeVipps.Deliveries(); len(ds) != 1 || ds[0].Err == nil {
		t.Fatalf("deliveries: %+v", ds)
	}
}

// Config.Authorize decides every API request in place of the fake's own
// checks: here it lets a client with a wrong secret in, and refuses captures.
func TestAuthorizeHook(t *testing.T) {
	var asked atomic.Int32
	fakeVipps := vippstest.New(vippstest.Config{Authorize: func(r *http.Request) int {
		asked.Add(1)
		if strings.HasSuffix(r.URL.Path, "/capture") {
			return http.StatusForbidden
		}
		return 0
	}})
	srv := httptest.NewServer(fakeVipps)
	t.Cleanup(func() { fakeVipps.Close(); srv.Close() })
	cfg := fakeVipps.ClientConfig(srv.URL)
	cfg.ClientSecret = secret.New("not-the-fake's-secret")
	cfg.MaxAttempts = 1
	c, err := vipps.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	newPayment(t, c, "hook-ref-0001")
	if err := fakeVipps.Approve("hook-ref-0001"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Capture(context.Background(), "hook-ref-0001", 100, "capture-hook-1")
	var ve *vipps.Error
	if !errors.As(err, &ve) || ve.Status != http.StatusForbidden {
		t.Fatalf("capture refused by the hook: %v", err)
	}
	if v, _ := fakeVipps.Payment("hook-ref-0001"); v.Captured != 0 {
		t.Errorf("a refused capture captured %d", v.Captured)
	}
	if asked.Load() < 3 { // token, create, capture
		t.Errorf("the hook was asked %d times", asked.Load())
	}

	// Without the hook, the same wrong secret gets no token.
	_, _, base := start(t, vippstest.Config{})
	cfg.BaseURL = base
	c2, err := vipps.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Create(context.Background(), payment.CreateRequest{Reference: "hook-ref-0002", Amount: 100, Flow: payment.FlowWebRedirect, ReturnURL: "https://x.example/", IdempotencyKey: "k-2"}); !errors.Is(err, payment.ErrRejected) {
		t.Fatalf("a wrong secret without the hook: %v", err)
	}
}
