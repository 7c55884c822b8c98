package vipps_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/secret"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// setup starts a fake and a client on it; headers records each request's
// headers by path.
func setup(t *testing.T) (*vippstest.Server, *vipps.Client, *clock, *headerLog) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)}
	fakeVipps := vippstest.New(vippstest.Config{Now: clk.Now})
	log := &headerLog{seen: map[string]http.Header{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r)
		fakeVipps.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { fakeVipps.Close(); srv.Close() })
	cfg := fakeVipps.ClientConfig(srv.URL)
	cfg.Now = clk.Now
	cfg.MaxAttempts = 1
	cfg.SystemVersion, cfg.PluginName, cfg.PluginVersion = "1.0.0", "skjenkebevilling", "0.1.0"
	c, err := vipps.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fakeVipps, c, clk, log
}

type headerLog struct {
	mu   sync.Mutex
	seen map[string]http.Header
}

func (l *headerLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen[r.Method+" "+r.URL.Path] = r.Header.Clone()
}

func (l *headerLog) get(k string) http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[k]
}

func create(t *testing.T, c *vipps.Client, ref string, amount money.Amount) *payment.CreateResponse {
	t.Helper()
	r, err := c.Create(context.Background(), payment.CreateRequest{
		Reference: ref, Amount: amount, Description: "Gebyr", Flow: payment.FlowWebRedirect,
		ReturnURL: "https://kommune.example/ferdig", IdempotencyKey: "create-" + ref,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAccessTokenCachedAndRenewed(t *testing.T) {
	fakeVipps, c, clk, log := setup(t)
	ctx := context.Background()
	create(t, c, "ref-token-0001", 1000)
	for range 5 {
		if _, err := c.Get(ctx, "ref-token-0001"); err != nil {
			t.Fatal(err)
		}
	}
	if n := fakeVipps.Requests(vippstest.OpToken); n != 1 {
		t.Fatalf("%d token requests for 6 calls, want 1", n)
	}
	h := log.get("POST /accesstoken/get")
	if h.Get("client_id") != vippstest.DefaultClientID || h.Get("client_secret") != vippstest.DefaultClientSecret ||
		h.Get("Ocp-Apim-Subscription-Key") == "" || h.Get("Merchant-Serial-Number") != vippstest.DefaultMSN {
		t.Fatalf("token request headers: %v", h)
	}
	clk.Add(54 * time.Minute) // still more than 5 minutes left of the hour
	c.Get(ctx, "ref-token-0001")
	if n := fakeVipps.Requests(vippstest.OpToken); n != 1 {
		t.Fatalf("renewed too early (%d)", n)
	}
	clk.Add(2 * time.Minute) // within 5 minutes of expiry
	c.Get(ctx, "ref-token-0001")
	if n := fakeVipps.Requests(vippstest.OpToken); n != 2 {
		t.Fatalf("not renewed before expiry (%d)", n)
	}
	// A token the server stops accepting is replaced once, transparently.
	fakeVipps.RevokeTokens()
	if _, err := c.Get(ctx, "ref-token-0001"); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if n := fakeVipps.Requests(vippstest.OpToken); n != 3 {
		t.Fatalf("token requests after revocation: %d", n)
	}
}

func TestHeaders(t *testing.T) {
	_, c, _, log := setup(t)
	ctx := context.Background()
	create(t, c, "ref-headers-01", 1000)
	h := log.get("POST /epayment/v1/payments")
	for k, want := range map[string]string{
		"Vipps-System-Name": "grunnmur", "Vipps-System-Version": "1.0.0",
		"Vipps-System-Plugin-Name": "skjenkebevilling", "Vipps-System-Plugin-Version": "0.1.0",
		"Merchant-Serial-Number": vippstest.DefaultMSN, "Ocp-Apim-Subscription-Key": vippstest.DefaultSubscriptionKey,
		"Idempotency-Key": "create-ref-headers-01", "Content-Type": "application/json",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(h.Get("Authorization"), "Bearer ") {
		t.Errorf("Authorization: %q", h.Get("Authorization"))
	}
	if _, err := c.Get(ctx, "ref-headers-01"); err != nil {
		t.Fatal(err)
	}
	if g := log.get("GET /epayment/v1/payments/ref-headers-01"); g.Get("Idempotency-Key") != "" {
		t.Error("a GET carried an Idempotency-Key")
	}
}

func TestProblemErrors(t *testing.T) {
	fakeVipps, c, _, _ := setup(t)
	ctx := context.Background()
	_, err := c.Capture(ctx, "ref-unknown-01", 100, "capture-1")
	var ve *vipps.Error
	if !errors.As(err, &ve) || ve.Status != 404 || ve.RequestID == "" || ve.Code != vipps.CodePaymentNotFound || ve.Message == "" || ve.Temporary() {
		t.Fatalf("unknown payment: %#v", err)
	}
	for _, target := range []error{vipps.ErrPaymentNotFound, payment.ErrNotFound, payment.ErrRejected} {
		if !errors.Is(err, target) {
			t.Errorf("unknown payment does not match %v", target)
		}
	}
	create(t, c, "ref-problems-1", 1000)
	if _, err := c.Capture(ctx, "ref-problems-1", 1000, "capture-a"); !errors.Is(err, vipps.ErrInvalidState) || !errors.Is(err, payment.ErrConflict) {
		t.Fatalf("capture before approval: %v", err)
	}
	fakeVipps.Approve("ref-problems-1")
	if _, err := c.Capture(ctx, "ref-problems-1", 1001, "capture-b"); !errors.Is(err, vipps.ErrAmountTooHigh) {
		t.Fatalf("capture too much: %v", err)
	}
	if _, err := c.Capture(ctx, "ref-problems-1", 400, "capture-c"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Capture(ctx, "ref-problems-1", 500, "capture-c"); !errors.Is(err, vipps.ErrIdempotencyConflict) {
		t.Fatalf("same key, other body: %v", err)
	}
	snap, err := c.Capture(ctx, "ref-problems-1", 400, "capture-c")
	if err != nil || snap.Aggregate.Captured != 400 {
		t.Fatalf("same key, same body must replay: %+v %v", snap, err)
	}
	if v, _ := fakeVipps.Payment("ref-problems-1"); v.Captured != 400 {
		t.Fatalf("a replay captured again: %d", v.Captured)
	}
	// A 500 is not a definite answer.
	fakeVipps.Inject(fake.Fault{Match: vippstest.OpGet, Status: 500})
	if _, err := c.Get(ctx, "ref-problems-1"); err == nil || errors.Is(err, payment.ErrRejected) {
		t.Fatalf("500: %v", err)
	}
}

func TestValidatedBeforeSending(t *testing.T) {
	fakeVipps, c, _, _ := setup(t)
	ctx := context.Background()
	ok := payment.CreateRequest{Reference: "ref-valid-0001", Amount: 100, Description: "Gebyr", Flow: payment.FlowWebRedirect, ReturnURL: "https://x.example/", IdempotencyKey: "k"}
	for name, mod := range map[string]func(r *payment.CreateRequest){
		"short reference":    func(r *payment.CreateRequest) { r.Reference = "abc" },
		"reference with _":   func(r *payment.CreateRequest) { r.Reference = "ref_invalid_01" },
		"long reference":     func(r *payment.CreateRequest) { r.Reference = strings.Repeat("a", 51) },
		"zero amount":        func(r *payment.CreateRequest) { r.Amount = 0 },
		"negative amount":    func(r *payment.CreateRequest) { r.Amount = -1 },
		"amount over limit":  func(r *payment.CreateRequest) { r.Amount = vipps.MaxAmount + 1 },
		"short description":  func(r *payment.CreateRequest) { r.Description = "ab" },
		"no return URL":      func(r *payment.CreateRequest) { r.ReturnURL = "" },
		"push without phone": func(r *payment.CreateRequest) { r.Flow = payment.FlowPushMessage },
		"no idempotency key": func(r *payment.CreateRequest) { r.IdempotencyKey = "" },
		"long key":           func(r *payment.CreateRequest) { r.IdempotencyKey = strings.Repeat("k", 51) },
	} {
		r := ok
		mod(&r)
		if _, err := c.Create(ctx, r); !errors.Is(err, vipps.ErrInvalid) || !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := fakeVipps.Requests(vippstest.OpCreate); n != 0 {
		t.Fatalf("%d invalid requests reached the API", n)
	}
	if _, err := c.Capture(ctx, "ref-valid-0001", 0, "k"); !errors.Is(err, vipps.ErrInvalid) {
		t.Errorf("zero capture: %v", err)
	}
	if err := c.DeleteWebhook(ctx, "not-a-uuid"); !errors.Is(err, vipps.ErrInvalid) {
		t.Errorf("delete webhook: %v", err)
	}
}

func TestPushFlowForceApproveAndCancel(t *testing.T) {
	fakeVipps, c, _, _ := setup(t)
	ctx := context.Background()
	r, err := c.Create(ctx, payment.CreateRequest{Reference: "ref-push-00001", Amount: 25000, Description: "Leie av gymsal", Flow: payment.FlowPushMessage, PhoneNumber: "4791234567", IdempotencyKey: "create-push"})
	if err != nil || r.RedirectURL != "" {
		t.Fatalf("push create: %+v %v", r, err)
	}
	if err := c.ForceApprove(ctx, "ref-push-00001", "4791234567"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Capture(ctx, "ref-push-00001", 10000, "capture-push"); err != nil {
		t.Fatal(err)
	}
	snap, err := c.Cancel(ctx, "ref-push-00001", "cancel-push")
	if err != nil || snap.State != payment.Authorized || snap.Aggregate.Cancelled != 15000 {
		t.Fatalf("cancel the rest: %+v %v", snap, err)
	}
	events, err := c.Events(ctx, "ref-push-00001")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range events {
		names = append(names, string(e.Name))
	}
	if got := strings.Join(names, ","); got != "CREATED,AUTHORIZED,CAPTURED,CANCELLED" {
		t.Fatalf("event log: %s", got)
	}
	if events[2].IdempotencyKey != "capture-push" {
		t.Fatalf("the capture event lost its key: %+v", events[2])
	}
	create(t, c, "ref-cancel-001", 500)
	if snap, err := c.Cancel(ctx, "ref-cancel-001", "cancel-1"); err != nil || snap.State != payment.Terminated {
		t.Fatalf("cancel before approval: %+v %v", snap, err)
	}
	if err := fakeVipps.Approve("ref-cancel-001"); err == nil {
		t.Fatal("approved a terminated payment")
	}
}

func TestWebhooksAPI(t *testing.T) {
	_, c, _, _ := setup(t)
	ctx := context.Background()
	reg, err := c.RegisterWebhook(ctx, "https://kommune.example/vipps/webhook", []string{vipps.EventAuthorized, vipps.EventCaptured})
	if err != nil || reg.ID == "" || reg.Secret.IsZero() {
		t.Fatalf("register: %+v %v", reg, err)
	}
	hooks, err := c.Webhooks(ctx)
	if err != nil || len(hooks) != 1 || hooks[0].ID != reg.ID || len(hooks[0].Events) != 2 {
		t.Fatalf("list: %+v %v", hooks, err)
	}
	if _, err := c.RegisterWebhook(ctx, "http://kommune.example/not-https", []string{vipps.EventCaptured}); err == nil {
		t.Fatal("registered an ftp URL")
	}
	if err := c.DeleteWebhook(ctx, reg.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteWebhook(ctx, reg.ID); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if hooks, _ := c.Webhooks(ctx); len(hooks) != 0 {
		t.Fatalf("after delete: %+v", hooks)
	}
}

func TestConfigErrors(t *testing.T) {
	for name, cfg := range map[string]vipps.Config{
		"no credentials": {MSN: "123456"},
		"bad MSN":        {ClientID: "a", ClientSecret: secret.New("b"), SubscriptionKey: secret.New("c"), MSN: "12"},
		"bad URL":        {BaseURL: "ftp://x", ClientID: "a", ClientSecret: secret.New("b"), SubscriptionKey: secret.New("c"), MSN: "123456"},
	} {
		if _, err := vipps.New(cfg); !errors.Is(err, vipps.ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestWrongCredentialsDoNotLeak(t *testing.T) {
	fakeVipps := vippstest.New(vippstest.Config{})
	srv := httptest.NewServer(fakeVipps)
	defer srv.Close()
	cfg := fakeVipps.ClientConfig(srv.URL)
	cfg.ClientSecret = secret.New("wrong-secret-value-123")
	var logs bytes.Buffer
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := vipps.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "ref-anything-1")
	if !errors.Is(err, payment.ErrRejected) {
		t.Fatalf("wrong secret: %v", err)
	}
	for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", cfg), fmt.Sprint(cfg), logs.String()} {
		if strings.Contains(out, "wrong-secret-value-123") || strings.Contains(out, vippstest.DefaultSubscriptionKey) {
			t.Fatalf("a secret leaked: %s", out)
		}
	}
}

// A Client printed whole (a debug line with %+v, slog.Any) shows none of its
// credentials nor the cached access token, although fmt reaches them through
// unexported fields, where it cannot call secret.Value's Format.
func TestClientPrintsNoSecret(t *testing.T) {
	fakeVipps := vippstest.New(vippstest.Config{})
	var token string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			mu.Lock()
			token = strings.TrimPrefix(a, "Bearer ")
			mu.Unlock()
		}
		fakeVipps.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { fakeVipps.Close(); srv.Close() })
	c, err := vipps.New(fakeVipps.ClientConfig(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	create(t, c, "ref-print-0001", 1000)
	mu.Lock()
	defer mu.Unlock()
	if token == "" {
		t.Fatal("no access token seen")
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("client", "c", c)
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), logs.String()} {
		for _, secret := range []string{vippstest.DefaultClientSecret, vippstest.DefaultSubscriptionKey, token} {
			if strings.Contains(out, secret) {
				t.Fatalf("%q leaked: %s", secret, out)
			}
		}
	}
}

// TestTokenWaitHonoursContext: a caller whose context ends while another
// caller's token fetch hangs stops waiting at once.
func TestTokenWaitHonoursContext(t *testing.T) {
	fakeVipps := vippstest.New(vippstest.Config{})
	release := make(chan struct{})
	fetching := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/accesstoken/get" {
			fetching <- struct{}{}
			<-release
		}
		fakeVipps.ServeHTTP(w, r)
	}))
	defer func() { fakeVipps.Close(); srv.Close() }()
	cfg := fakeVipps.ClientConfig(srv.URL)
	cfg.MaxAttempts = 1
	c, err := vipps.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, err := c.Get(context.Background(), "ref-token-0002")
		first <- err
	}()
	<-fetching // the first caller now holds the token lock
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	second := make(chan error, 1)
	go func() {
		_, err := c.Get(ctx, "ref-token-0002")
		second <- err
	}()
	select {
	case err := <-second:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("second caller: err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the second caller still waits for the first caller's hanging token fetch")
	}
	close(release)
	<-first
}
