package paymenttest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/secret"
)

// Env is a payment Service on a store, talking to a fake Vipps through the
// real client, with a webhook endpoint registered at the fake.
type Env struct {
	Fake    *vippstest.Server
	Client  *vipps.Client
	Service *payment.Service
	Store   payment.Store
	// Webhook is nil unless EnvOptions.Webhooks.
	Webhook *vipps.WebhookHandler
}

// EnvOptions tunes NewEnv.
type EnvOptions struct {
	Webhooks    bool          // register a webhook endpoint for every payment event
	MaxAttempts int           // the client's transport attempts; 0 means 1 (no transport retries)
	Timeout     time.Duration // the client's HTTP timeout; 0 means 10 s
}

// NewEnv starts a fake Vipps and wires a Service on store to it. Everything
// stops when the test ends.
func NewEnv(t *testing.T, store payment.Store, o EnvOptions) *Env {
	t.Helper()
	fakeVipps := vippstest.New(vippstest.Config{WebhookRetryDelays: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond}})
	api := httptest.NewServer(fakeVipps)
	t.Cleanup(func() { fakeVipps.Close(); api.Close() })
	cfg := fakeVipps.ClientConfig(api.URL)
	cfg.MaxAttempts = o.MaxAttempts
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 1
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	cfg.HTTPClient = &http.Client{Timeout: timeout}
	client, err := vipps.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Fake: fakeVipps, Client: client, Store: store, Service: &payment.Service{Provider: client, Store: store, Lease: 5 * time.Second}}
	if o.Webhooks {
		var h atomic.Pointer[vipps.WebhookHandler]
		hookSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if hh := h.Load(); hh != nil {
				hh.ServeHTTP(w, r)
				return
			}
			http.Error(w, "not ready", http.StatusServiceUnavailable)
		}))
		t.Cleanup(hookSrv.Close)
		reg, err := client.RegisterWebhook(context.Background(), hookSrv.URL+"/betaling/vipps/webhook?v=1", vipps.AllPaymentEvents)
		if err != nil {
			t.Fatal(err)
		}
		e.Webhook = &vipps.WebhookHandler{
			WebhookVerifier: vipps.WebhookVerifier{Secrets: []secret.Value{reg.Secret}},
			OnEvent:         vipps.ApplyTo(e.Service),
		}
		h.Store(e.Webhook)
	}
	return e
}

func order(bk string, amount money.Amount) payment.Order {
	return payment.Order{
		BusinessKey: bk, Amount: amount, Description: "Gebyr for skjenkebevilling",
		ReturnURL: "http://127.0.0.1:8080/betaling/ferdig?sak=" + url.QueryEscape(bk),
	}
}

// authorized starts a payment and has the payer approve it.
func (e *Env) authorized(t *testing.T, bk string, amount money.Amount) *payment.Payment {
	t.Helper()
	ctx := context.Background()
	p, err := e.Service.Start(ctx, order(bk, amount))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	p, err = e.Service.Reconcile(ctx, p.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != payment.Authorized {
		t.Fatalf("after approval: %s", p.State)
	}
	return p
}

// matchesFake checks that the local record and the fake agree.
func (e *Env) matchesFake(t *testing.T, ref string) *payment.Payment {
	t.Helper()
	p, err := e.Store.Get(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := e.Fake.Payment(ref)
	if !ok {
		t.Fatalf("the fake has no payment %s", ref)
	}
	want := payment.Aggregate{Authorized: money.Amount(v.Authorized), Captured: money.Amount(v.Captured), Refunded: money.Amount(v.Refunded), Cancelled: money.Amount(v.Cancelled)}
	if p.Aggregate != want {
		t.Fatalf("record %+v, fake %+v", p.Aggregate, want)
	}
	return p
}

func testService(t *testing.T, newStore func(t *testing.T) payment.Store) {
	t.Run("FullFlowWithWebhooks", func(t *testing.T) { testFullFlow(t, newStore(t)) })
	t.Run("ConcurrentCaptureExactlyOnce", func(t *testing.T) { testConcurrentCapture(t, newStore(t)) })
	t.Run("ConcurrentStartOnePayment", func(t *testing.T) { testConcurrentStart(t, newStore(t)) })
	t.Run("Capture500ThenRetry", func(t *testing.T) { testCapture500(t, newStore(t)) })
	t.Run("CaptureAnswerLostThenRetry", func(t *testing.T) { testCaptureAnswerLost(t, newStore(t)) })
	t.Run("CaptureTimeoutThenReconcile", func(t *testing.T) { testCaptureTimeout(t, newStore(t)) })
	t.Run("CaptureDroppedRetriedByTransport", func(t *testing.T) { testCaptureDropped(t, newStore(t)) })
	t.Run("NewAttemptAfterAbort", func(t *testing.T) { testNewAttempt(t, newStore(t)) })
	t.Run("CreateLostThenStartAgain", func(t *testing.T) { testCreateLost(t, newStore(t)) })
	t.Run("CaptureTooEarlyThenAgain", func(t *testing.T) { testCaptureTooEarly(t, newStore(t)) })
	t.Run("EventsInAnyOrderAndReplayed", func(t *testing.T) { testEventOrder(t, newStore) })
	t.Run("RunOnceAfterMissedWebhooks", func(t *testing.T) { testRunOnce(t, newStore(t)) })
	t.Run("TwoProvidersOneStore", func(t *testing.T) { testTwoProviders(t, newStore(t)) })
	t.Run("SettleConcurrentExactlyOnce", func(t *testing.T) { testSettleConcurrent(t, newStore(t)) })
}

// testSettleConcurrent: page views (Settle), webhooks (SettleEvent) and the
// job (RunOnce) of two instances settle one payment at once: the provider
// gets one capture, OnSettled runs once, with the order's metadata.
func testSettleConcurrent(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	e.Fake.SetIdempotencyReplay(false) // our side alone must prevent the double capture
	var hooks atomic.Int32
	e.Service.OnSettled = func(ctx context.Context, p *payment.Payment) error {
		if p.Outcome() != payment.OutcomePaid || p.Metadata["kind"] != "fee" {
			t.Errorf("OnSettled for %s %v", p.Outcome(), p.Metadata)
		}
		hooks.Add(1)
		return nil
	}
	o := order("2026-000130/gebyr", money.Kroner(1500))
	o.Metadata = map[string]string{"kind": "fee", "case": "2026-000130"}
	ctx := context.Background()
	p, err := e.Service.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Reconcile(ctx, p.Reference); err != nil {
		t.Fatal(err)
	}
	other := &payment.Service{Provider: e.Client, Store: store, OnSettled: e.Service.OnSettled}
	var wg sync.WaitGroup
	for i := range 24 {
		svc := e.Service
		if i%2 == 1 {
			svc = other
		}
		wg.Go(func() {
			var err error
			switch i % 3 {
			case 0:
				_, err = svc.Settle(ctx, p.Reference)
			case 1:
				_, err = svc.SettleEvent(ctx, p.Reference)
			default:
				err = svc.RunOnce(ctx)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// A caller that found another instance's capture in progress returned
	// at once; one more settle after the race sees it through.
	if p, err = e.Service.Settle(ctx, p.Reference); err != nil || p.State != payment.Captured {
		t.Fatalf("after the race: %v %v", p, err)
	}
	if n := e.Fake.Requests(vippstest.OpCapture); n != 1 {
		t.Fatalf("the provider received %d capture requests, want exactly 1", n)
	}
	if n := hooks.Load(); n != 1 {
		t.Fatalf("OnSettled ran %d times, want once", n)
	}
	e.matchesFake(t, p.Reference)
}

func testFullFlow(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{Webhooks: true})
	ctx := context.Background()
	hooks, err := e.Client.Webhooks(ctx)
	if err != nil || len(hooks) != 1 || len(hooks[0].Events) != len(vipps.AllPaymentEvents) {
		t.Fatalf("registered webhooks: %+v %v", hooks, err)
	}
	bk := "2026-000123/gebyr"
	p, err := e.Service.Start(ctx, order(bk, money.Kroner(1500)))
	if err != nil {
		t.Fatal(err)
	}
	if p.State != payment.Created || p.RedirectURL == "" || p.Attempt != 1 {
		t.Fatalf("started: %+v", p)
	}

	// The payer approves on the landing page.
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(p.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "1 500,00 kr") || !strings.Contains(string(page), "Godkjenn betaling") {
		t.Fatalf("landing page %d:\n%s", resp.StatusCode, page)
	}
	token := p.RedirectURL[strings.Index(p.RedirectURL, "token=")+len("token="):]
	resp, err = browser.PostForm(p.RedirectURL[:strings.Index(p.RedirectURL, "?")], url.Values{"token": {token}, "action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "http://127.0.0.1:8080/betaling/ferdig") {
		t.Fatalf("approve: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The AUTHORIZED webhook alone moves the record.
	e.Fake.Wait()
	if p, _ = e.Service.Get(ctx, p.Reference); p.State != payment.Authorized {
		t.Fatalf("after the webhook: %s", p.State)
	}
	if p, err = e.Service.Capture(ctx, bk, payment.Modification{}); err != nil || p.State != payment.Captured {
		t.Fatalf("capture: %v %v", p, err)
	}
	if p, err = e.Service.Refund(ctx, bk, payment.Modification{Amount: money.Kroner(500), Label: "1"}); err != nil || p.State != payment.PartiallyRefunded {
		t.Fatalf("partial refund: %v %v", p, err)
	}
	if p, err = e.Service.Refund(ctx, bk, payment.Modification{Label: "2"}); err != nil || p.State != payment.Refunded {
		t.Fatalf("refund of the rest: %v %v", p, err)
	}
	e.Fake.Wait()
	p = e.matchesFake(t, p.Reference)
	want := payment.Aggregate{Authorized: 150000, Captured: 150000, Refunded: 150000}
	if p.State != payment.Refunded || p.Aggregate != want {
		t.Fatalf("final: %s %+v", p.State, p.Aggregate)
	}
	var names []string
	for _, ev := range p.Events {
		names = append(names, string(ev.Name))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"AUTHORIZED", "CAPTURED", "CREATED", "REFUNDED", "REFUNDED"}) {
		t.Fatalf("events applied from webhooks: %v", names)
	}
	for _, d := range e.Fake.Deliveries() {
		if !d.Accepted {
			t.Errorf("webhook %s attempt %d: status %d %v", d.Event, d.Attempt, d.Status, d.Err)
		}
	}
	// Polling afterwards changes nothing.
	v := p.Version
	if p, err = e.Service.Reconcile(ctx, p.Reference); err != nil || p.Version != v {
		t.Fatalf("reconcile after webhooks: v%d -> %v %v", v, p, err)
	}
}

func testConcurrentCapture(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	e.Fake.SetIdempotencyReplay(false) // our side alone must prevent the double capture
	bk := "2026-000124/gebyr"
	p := e.authorized(t, bk, money.Kroner(1500))
	ctx := context.Background()
	var wg sync.WaitGroup
	var ok, busy atomic.Int32
	for range 100 {
		wg.Go(func() {
			_, err := e.Service.Capture(ctx, bk, payment.Modification{})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, payment.ErrInProgress):
				busy.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := e.Fake.Requests(vippstest.OpCapture); n != 1 {
		t.Fatalf("the provider received %d capture requests, want exactly 1", n)
	}
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); err != nil {
		t.Fatalf("capture after the race: %v", err)
	}
	if n := e.Fake.Requests(vippstest.OpCapture); n != 1 {
		t.Fatalf("a repeated capture reached the provider (%d requests)", n)
	}
	p = e.matchesFake(t, p.Reference)
	if p.State != payment.Captured || p.Aggregate.Captured != money.Kroner(1500) {
		t.Fatalf("after the race: %s %+v (%d ok, %d in progress)", p.State, p.Aggregate, ok.Load(), busy.Load())
	}
}

func testConcurrentStart(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	e.Fake.SetIdempotencyReplay(false)
	ctx := context.Background()
	var wg sync.WaitGroup
	refs := make(chan string, 20)
	for range 20 {
		wg.Go(func() {
			p, err := e.Service.Start(ctx, order("2026-000125/gebyr", money.Kroner(800)))
			if err == nil {
				refs <- p.Reference
			} else if !errors.Is(err, payment.ErrInProgress) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(refs)
	seen := map[string]bool{}
	for r := range refs {
		seen[r] = true
	}
	if len(seen) != 1 {
		t.Fatalf("%d references for one business key", len(seen))
	}
	if n := e.Fake.Requests(vippstest.OpCreate); n != 1 {
		t.Fatalf("the provider received %d create requests, want 1", n)
	}
}

func testCapture500(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	bk := "2026-000126/gebyr"
	p := e.authorized(t, bk, money.Kroner(1500))
	ctx := context.Background()
	e.Fake.Inject(fake.Fault{Match: vippstest.OpCapture, Status: http.StatusInternalServerError})
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); !errors.Is(err, payment.ErrUncertain) {
		t.Fatalf("capture on a 500: %v, want ErrUncertain", err)
	}
	if v, _ := e.Fake.Payment(p.Reference); v.Captured != 0 {
		t.Fatal("the fault let the capture through")
	}
	got, err := e.Service.Capture(ctx, bk, payment.Modification{})
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got.State != payment.Captured {
		t.Fatalf("after the retry: %s", got.State)
	}
	if _, err := e.Service.Reconcile(ctx, p.Reference); err != nil {
		t.Fatal(err)
	}
	got = e.matchesFake(t, p.Reference)
	if got.Aggregate.Captured != money.Kroner(1500) {
		t.Fatalf("captured %s", got.Aggregate.Captured)
	}
	assertOpsDone(t, store, p.Reference)
}

func testCaptureAnswerLost(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	e.Fake.SetIdempotencyReplay(false) // a resend would capture twice
	bk := "2026-000127/gebyr"
	p := e.authorized(t, bk, money.Kroner(1500))
	ctx := context.Background()
	e.Fake.Inject(fake.Fault{Match: vippstest.OpCapture, Status: http.StatusInternalServerError, AfterEffect: true})
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); !errors.Is(err, payment.ErrUncertain) {
		t.Fatalf("capture with a lost answer: %v, want ErrUncertain", err)
	}
	if v, _ := e.Fake.Payment(p.Reference); v.Captured != money.Kroner(1500).Ore() {
		t.Fatal("the fault should have let the capture through")
	}
	got, err := e.Service.Capture(ctx, bk, payment.Modification{})
	if err != nil || got.State != payment.Captured {
		t.Fatalf("retry: %v %v", got, err)
	}
	if n := e.Fake.Requests(vippstest.OpCapture); n != 1 {
		t.Fatalf("the retry resent the capture (%d requests); it should have found it in the event log", n)
	}
	e.matchesFake(t, p.Reference)
	assertOpsDone(t, store, p.Reference)
}

func testCaptureTimeout(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{Timeout: 300 * time.Millisecond})
	e.Fake.SetIdempotencyReplay(false)
	bk := "2026-000128/gebyr"
	p := e.authorized(t, bk, money.Kroner(1500))
	ctx := context.Background()
	e.Fake.Inject(fake.Fault{Match: vippstest.OpCapture, Delay: 2 * time.Second, AfterEffect: true})
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); !errors.Is(err, payment.ErrUncertain) {
		t.Fatalf("capture that timed out: %v, want ErrUncertain", err)
	}
	if got, _ := store.Get(ctx, p.Reference); got.State != payment.Authorized {
		t.Fatalf("before reconciling: %s", got.State)
	}
	if err := e.Service.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	got := e.matchesFake(t, p.Reference)
	if got.State != payment.Captured {
		t.Fatalf("after reconciling: %s", got.State)
	}
	assertOpsDone(t, store, p.Reference)
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); err != nil {
		t.Fatal(err)
	}
	if n := e.Fake.Requests(vippstest.OpCapture); n != 1 {
		t.Fatalf("%d capture requests, want 1", n)
	}
}

func testCaptureDropped(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{MaxAttempts: 3})
	bk := "2026-000129/gebyr"
	p := e.authorized(t, bk, money.Kroner(1500))
	e.Fake.Inject(fake.Fault{Match: vippstest.OpCapture, Drop: true, AfterEffect: true})
	got, err := e.Service.Capture(context.Background(), bk, payment.Modification{})
	if err != nil || got.State != payment.Captured {
		t.Fatalf("capture with a dropped answer: %v %v", got, err)
	}
	if n := e.Fake.Requests(vippstest.OpCapture); n != 2 {
		t.Fatalf("%d capture requests, want 2 (the lost one and its replay)", n)
	}
	e.matchesFake(t, p.Reference)
}

func testNewAttempt(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	ctx := context.Background()
	bk := "2026-000130/gebyr"
	p1, err := e.Service.Start(ctx, order(bk, money.Kroner(300)))
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Service.Start(ctx, order(bk, money.Kroner(300)))
	if err != nil || again.Reference != p1.Reference {
		t.Fatalf("Start again while open: %v %v", again, err)
	}
	if _, err := e.Service.Start(ctx, order(bk, money.Kroner(301))); !errors.Is(err, payment.ErrConflict) {
		t.Fatalf("another amount for an open business key: %v", err)
	}
	if err := e.Fake.Reject(p1.Reference); err != nil {
		t.Fatal(err)
	}
	if p1, err = e.Service.Reconcile(ctx, p1.Reference); err != nil || p1.State != payment.Aborted {
		t.Fatalf("after reject: %v %v", p1, err)
	}
	p2, err := e.Service.Start(ctx, order(bk, money.Kroner(300)))
	if err != nil || p2.Attempt != 2 || p2.Reference == p1.Reference {
		t.Fatalf("new attempt: %v %v", p2, err)
	}
	if err := e.Fake.Expire(p2.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); !errors.Is(err, payment.ErrInvalidTransition) {
		t.Fatalf("capture of an expired payment: %v", err)
	}
	if p2, _ = e.Service.Reconcile(ctx, p2.Reference); p2.State != payment.Expired {
		t.Fatalf("after expiry: %s", p2.State)
	}
	p3, err := e.Service.Start(ctx, order(bk, money.Kroner(300)))
	if err != nil || p3.Attempt != 3 {
		t.Fatalf("third attempt: %v %v", p3, err)
	}
	if n := e.Fake.Requests(vippstest.OpCreate); n != 3 {
		t.Fatalf("%d create requests for three attempts", n)
	}
}

func testEventOrder(t *testing.T, newStore func(t *testing.T) payment.Store) {
	// Run a flow at the fake, then feed its event log to fresh records in
	// order, reversed, and twice over.
	e := NewEnv(t, newStore(t), EnvOptions{})
	ctx := context.Background()
	bk := "2026-000131/gebyr"
	p := e.authorized(t, bk, money.Kroner(1000))
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{Amount: money.Kroner(600), Label: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{Amount: money.Kroner(400), Label: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Refund(ctx, bk, payment.Modification{Amount: money.Kroner(250)}); err != nil {
		t.Fatal(err)
	}
	events, err := e.Client.Events(ctx, p.Reference)
	if err != nil {
		t.Fatal(err)
	}
	want := e.matchesFake(t, p.Reference)
	orders := map[string][]payment.Event{"forward": events, "reversed": reversed(events), "twice": append(reversed(events), events...)}
	for name, evs := range orders {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			svc := &payment.Service{Provider: e.Client, Store: s}
			rec := &payment.Payment{Reference: p.Reference, BusinessKey: bk, Attempt: 1, Provider: "vipps", Amount: p.Amount, State: payment.Created, Created: p.Created, Updated: p.Created}
			if err := s.Create(ctx, rec); err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if _, err := svc.HandleEvent(ctx, p.Reference, ev); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := s.Get(ctx, p.Reference)
			if got.State != want.State || got.Aggregate != want.Aggregate || len(got.Events) != len(events) {
				t.Fatalf("%s: %s %+v (%d events), want %s %+v", name, got.State, got.Aggregate, len(got.Events), want.State, want.Aggregate)
			}
			v := got.Version
			for _, ev := range evs {
				if _, err := svc.HandleEvent(ctx, p.Reference, ev); err != nil {
					t.Fatal(err)
				}
			}
			if again, _ := s.Get(ctx, p.Reference); again.Version != v {
				t.Fatalf("replayed events changed the record (v%d -> v%d)", v, again.Version)
			}
		})
	}
}

func reversed(es []payment.Event) []payment.Event {
	out := slices.Clone(es)
	slices.Reverse(out)
	return out
}

func testRunOnce(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	ctx := context.Background()
	var refs []string
	for _, bk := range []string{"2026-000140/gebyr", "2026-000141/gebyr", "2026-000142/gebyr"} {
		p, err := e.Service.Start(ctx, order(bk, money.Kroner(100)))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, p.Reference)
	}
	e.Fake.Approve(refs[0])
	e.Fake.Reject(refs[1])
	if err := e.Service.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	for i, want := range []payment.State{payment.Authorized, payment.Aborted, payment.Created} {
		if p, _ := store.Get(ctx, refs[i]); p.State != want {
			t.Errorf("%s: %s, want %s", refs[i], p.State, want)
		}
	}
}

func assertOpsDone(t *testing.T, s payment.Store, ref string) {
	t.Helper()
	ops, err := s.Operations(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if op.Status != payment.OpDone {
			t.Errorf("operation %s %s is %s after settling", op.Kind, op.Key, op.Status)
		}
	}
}

func testCreateLost(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	ctx := context.Background()
	bk := "2026-000150/gebyr"
	// The create fails before the fake carries it out.
	e.Fake.Inject(fake.Fault{Match: vippstest.OpCreate, Status: http.StatusBadGateway})
	if _, err := e.Service.Start(ctx, order(bk, money.Kroner(700))); !errors.Is(err, payment.ErrUncertain) {
		t.Fatalf("start on a 502: %v", err)
	}
	p, err := e.Service.Latest(ctx, bk)
	if err != nil || p.State != payment.Created || p.RedirectURL != "" {
		t.Fatalf("the local record: %+v %v", p, err)
	}
	// Polling finds nothing at the provider and does not fail on it.
	if err := e.Service.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce with a payment the provider never got: %v", err)
	}
	// Starting again sends the create again, same reference and key.
	again, err := e.Service.Start(ctx, order(bk, money.Kroner(700)))
	if err != nil || again.Reference != p.Reference || again.RedirectURL == "" {
		t.Fatalf("start again: %+v %v", again, err)
	}
	if v, ok := e.Fake.Payment(p.Reference); !ok || v.Amount != money.Kroner(700).Ore() {
		t.Fatalf("at the fake: %+v", v)
	}
	assertOpsDone(t, store, p.Reference)
}

func testCaptureTooEarly(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	ctx := context.Background()
	bk := "2026-000160/gebyr"
	p, err := e.Service.Start(ctx, order(bk, money.Kroner(250)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); !errors.Is(err, payment.ErrInvalidTransition) {
		t.Fatalf("capture before approval: %v", err)
	}
	// The provider refuses too, if asked before it knows of the approval.
	e.Fake.Inject(fake.Fault{Match: vippstest.OpCapture, Status: http.StatusConflict})
	if err := e.Fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Reconcile(ctx, p.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Capture(ctx, bk, payment.Modification{}); !errors.Is(err, payment.ErrRejected) {
		t.Fatalf("capture refused by the provider: %v", err)
	}
	// Neither refusal sticks: the same capture now goes through, in full.
	got, err := e.Service.Capture(ctx, bk, payment.Modification{})
	if err != nil || got.State != payment.Captured || got.Aggregate.Captured != money.Kroner(250) {
		t.Fatalf("capture after approval: %v %v", got, err)
	}
	e.matchesFake(t, p.Reference)
	assertOpsDone(t, store, p.Reference)
}
