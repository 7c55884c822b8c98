package payment_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// cardProvider is an in-process card provider: a payment is authorised by
// approve; captures wait on gate when it is set, so that a test can hold
// one in progress.
type cardProvider struct {
	mu       sync.Mutex
	snaps    map[string]*payment.Snapshot
	gate     chan struct{}
	captures atomic.Int32
	cancels  atomic.Int32
	gets     atomic.Int32
}

func newCard() *cardProvider { return &cardProvider{snaps: map[string]*payment.Snapshot{}} }

func (c *cardProvider) Name() string { return "card" }

func (c *cardProvider) Create(ctx context.Context, r payment.CreateRequest) (*payment.CreateResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snaps[r.Reference] == nil {
		c.snaps[r.Reference] = &payment.Snapshot{Reference: r.Reference, State: payment.Created, RedirectURL: "https://card.example/" + r.Reference}
	}
	return &payment.CreateResponse{Reference: r.Reference, RedirectURL: c.snaps[r.Reference].RedirectURL}, nil
}

func (c *cardProvider) approve(ref string, amount money.Amount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.snaps[ref].State, c.snaps[ref].Aggregate.Authorized = payment.Authorized, amount
}

func (c *cardProvider) Get(ctx context.Context, ref string) (*payment.Snapshot, error) {
	c.gets.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.snaps[ref]
	if !ok {
		return nil, payment.ErrNotFound
	}
	cp := *s
	return &cp, nil
}

func (c *cardProvider) Events(ctx context.Context, ref string) ([]payment.Event, error) {
	return nil, nil
}

func (c *cardProvider) Capture(ctx context.Context, ref string, a money.Amount, key string) (*payment.Snapshot, error) {
	c.captures.Add(1)
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.mu.Lock()
	c.snaps[ref].Aggregate.Captured += a
	c.mu.Unlock()
	return c.Get(ctx, ref)
}

func (c *cardProvider) Refund(ctx context.Context, ref string, a money.Amount, key string) (*payment.Snapshot, error) {
	return nil, payment.ErrNotSupported
}

func (c *cardProvider) Cancel(ctx context.Context, ref string, key string) (*payment.Snapshot, error) {
	c.cancels.Add(1)
	c.mu.Lock()
	s := c.snaps[ref]
	s.Aggregate.Cancelled = s.Aggregate.Authorized - s.Aggregate.Captured
	s.State = payment.Terminated
	c.mu.Unlock()
	return c.Get(ctx, ref)
}

// authorised starts a payment of 500 kr with metadata, has it approved and
// applies the AUTHORIZED event.
func authorised(t *testing.T, svc *payment.Service, card *cardProvider, key string) *payment.Payment {
	t.Helper()
	ctx := context.Background()
	p, err := svc.Start(ctx, payment.Order{BusinessKey: key, Amount: money.Kroner(500), Description: "Leie av hall",
		Metadata: map[string]string{"kind": "booking", "id": key}})
	if err != nil {
		t.Fatal(err)
	}
	card.approve(p.Reference, p.Amount)
	// The webhook's news, as SettleEvent expects it folded in.
	if p, err = svc.HandleEvent(ctx, p.Reference, payment.Event{Name: payment.EventAuthorized, PSPReference: "psp-" + key, Amount: p.Amount, Success: true}); err != nil || p.State != payment.Authorized {
		t.Fatal(p, err)
	}
	return p
}

// TestSettleRace: page views, webhooks and the job settle one payment at
// once: one capture reaches the provider, OnSettled runs once, and every
// caller of the Service returns the payment captured (those that lost the
// race waited for the winner).
func TestSettleRace(t *testing.T) {
	card := newCard()
	var hooks atomic.Int32
	svc := &payment.Service{Provider: card, OnSettled: func(ctx context.Context, p *payment.Payment) error {
		if p.Outcome() != payment.OutcomePaid || p.Metadata["kind"] != "booking" {
			t.Errorf("hook for %s %v", p.Outcome(), p.Metadata)
		}
		hooks.Add(1)
		return nil
	}}
	p := authorised(t, svc, card, "hall/1")
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			var q *payment.Payment
			var err error
			switch i % 3 {
			case 0:
				q, err = svc.Settle(ctx, p.Reference)
			case 1:
				q, err = svc.SettleEvent(ctx, p.Reference)
			default:
				if err = svc.RunOnce(ctx); err == nil {
					q, err = svc.Get(ctx, p.Reference)
				}
			}
			if err != nil || q.State != payment.Captured {
				t.Errorf("caller %d: %v %v", i, q, err)
			}
		})
	}
	wg.Wait()
	if n := card.captures.Load(); n != 1 {
		t.Errorf("%d captures sent", n)
	}
	if n := hooks.Load(); n != 1 {
		t.Errorf("OnSettled ran %d times", n)
	}
}

// TestSettleWaitsWithoutPolling: a second caller finds the capture in
// progress in the same Service and sleeps until it finishes: no timer
// fires (the bubble's clock does not move) and it reads nothing meanwhile.
func TestSettleWaitsWithoutPolling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		card := newCard()
		card.gate = make(chan struct{})
		svc := &payment.Service{Provider: card, OnSettled: func(context.Context, *payment.Payment) error { return nil }}
		p := authorised(t, svc, card, "hall/2")
		ctx := context.Background()
		start := time.Now()
		go svc.Settle(ctx, p.Reference) // holds the capture at the gate
		synctest.Wait()
		done := make(chan *payment.Payment)
		go func() {
			q, err := svc.Settle(ctx, p.Reference)
			if err != nil {
				t.Error(err)
			}
			done <- q
		}()
		synctest.Wait()
		gets := card.gets.Load()
		synctest.Wait()
		select {
		case q := <-done:
			t.Fatalf("the second caller returned %s while the capture was in progress", q.State)
		default:
		}
		if card.gets.Load() != gets || card.captures.Load() != 1 {
			t.Fatalf("the waiting caller polled: %d gets, %d captures", card.gets.Load()-gets, card.captures.Load())
		}
		close(card.gate)
		q := <-done
		if q.State != payment.Captured || time.Since(start) != 0 {
			t.Fatalf("after the capture: %s, %v later", q.State, time.Since(start))
		}
	})
}

// TestSettleWaitBounded: a capture stuck at the provider keeps a second
// caller for Wait at most; it then returns the payment as it is, and a
// caller of another instance (another Service on the same Store) returns
// at once.
func TestSettleWaitBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		card := newCard()
		card.gate = make(chan struct{})
		store := payment.NewMemoryStore()
		svc := &payment.Service{Provider: card, Store: store, Wait: 3 * time.Second}
		other := &payment.Service{Provider: card, Store: store}
		p := authorised(t, svc, card, "hall/3")
		ctx := context.Background()
		go svc.Settle(ctx, p.Reference)
		synctest.Wait()
		start := time.Now()
		q, err := other.Settle(ctx, p.Reference)
		if err != nil || q.State != payment.Authorized || time.Since(start) != 0 {
			t.Fatalf("another instance: %v %v after %v", q, err, time.Since(start))
		}
		q, err = svc.Settle(ctx, p.Reference)
		if err != nil || q.State != payment.Authorized || time.Since(start) != 3*time.Second {
			t.Fatalf("the same instance: %v %v after %v", q, err, time.Since(start))
		}
		close(card.gate)
		synctest.Wait()
		if n := card.captures.Load(); n != 1 {
			t.Fatalf("%d captures", n)
		}
	})
}

// TestSettleReleases: a payment no longer wanted (the holds ran out) is
// released, not captured, and OnSettled hears it unpaid, once.
func TestSettleReleases(t *testing.T) {
	card := newCard()
	var outcomes []payment.Outcome
	svc := &payment.Service{Provider: card,
		Wanted: func(ctx context.Context, p *payment.Payment) (bool, error) { return false, nil },
		OnSettled: func(ctx context.Context, p *payment.Payment) error {
			outcomes = append(outcomes, p.Outcome())
			return nil
		}}
	p := authorised(t, svc, card, "hall/4")
	for range 3 {
		q, err := svc.Settle(context.Background(), p.Reference)
		if err != nil || q.State != payment.Terminated {
			t.Fatalf("%v %v", q, err)
		}
	}
	if card.captures.Load() != 0 || card.cancels.Load() != 1 || len(outcomes) != 1 || outcomes[0] != payment.OutcomeUnpaid {
		t.Fatalf("captures %d, cancels %d, hooks %v", card.captures.Load(), card.cancels.Load(), outcomes)
	}
}

// TestSettleHookRetried: OnSettled fails; Settle says so (ErrHook) and the
// reconciliation job runs it again until it succeeds, then never again.
func TestSettleHookRetried(t *testing.T) {
	card := newCard()
	var calls atomic.Int32
	svc := &payment.Service{Provider: card, OnSettled: func(ctx context.Context, p *payment.Payment) error {
		if calls.Add(1) == 1 {
			return errors.New("the booking store is down")
		}
		return nil
	}}
	p := authorised(t, svc, card, "hall/5")
	ctx := context.Background()
	q, err := svc.Settle(ctx, p.Reference)
	if !errors.Is(err, payment.ErrHook) || q == nil || q.State != payment.Captured {
		t.Fatalf("first settle: %v %v", q, err)
	}
	for range 2 {
		if err := svc.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Settle(ctx, p.Reference); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("OnSettled ran %d times, want 2 (a failure, then a success)", n)
	}
	if card.captures.Load() != 1 {
		t.Fatalf("%d captures", card.captures.Load())
	}
}

// TestSettleWantedFails: a Wanted that cannot tell leaves the payment
// authorised (ErrHook); nothing is captured or released.
func TestSettleWantedFails(t *testing.T) {
	card := newCard()
	svc := &payment.Service{Provider: card, Wanted: func(context.Context, *payment.Payment) (bool, error) {
		return false, errors.New("no answer")
	}}
	p := authorised(t, svc, card, "hall/6")
	q, err := svc.Settle(context.Background(), p.Reference)
	if !errors.Is(err, payment.ErrHook) || q.State != payment.Authorized || card.captures.Load()+card.cancels.Load() != 0 {
		t.Fatalf("%v %v", q, err)
	}
	if _, err := svc.Settle(context.Background(), "card-unknown-1"); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}

// TestMetadata: an order's metadata is kept with the payment, copied, and
// bounded.
func TestMetadata(t *testing.T) {
	card := newCard()
	svc := &payment.Service{Provider: card}
	ctx := context.Background()
	meta := map[string]string{"kind": "series", "id": "s-1"}
	p, err := svc.Start(ctx, payment.Order{BusinessKey: "series/s-1", Amount: 100, Description: "Fast tid", Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	meta["kind"] = "changed"
	p.Metadata["id"] = "changed"
	q, err := svc.Get(ctx, p.Reference)
	if err != nil || q.Metadata["kind"] != "series" || q.Metadata["id"] != "s-1" {
		t.Fatalf("stored %v %v", q.Metadata, err)
	}
	big := map[string]string{}
	for i := range payment.MaxMetadata + 1 {
		big[string(rune('a'+i))] = "x"
	}
	for _, m := range []map[string]string{big, {"": "x"}, {"k": string(make([]byte, 201))}} {
		if _, err := svc.Start(ctx, payment.Order{BusinessKey: "series/s-2", Amount: 100, Description: "Fast tid", Metadata: m}); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("metadata of %d entries: %v", len(m), err)
		}
	}
}

// TestSettleHookPanics: a hook that panics is a failed hook (ErrHook), left
// pending and retried, never a crash of the webhook's goroutine or the job.
func TestSettleHookPanics(t *testing.T) {
	card := newCard()
	var calls atomic.Int32
	svc := &payment.Service{Provider: card, OnSettled: func(ctx context.Context, p *payment.Payment) error {
		if calls.Add(1) == 1 {
			panic("the caller's bug")
		}
		return nil
	}}
	p := authorised(t, svc, card, "hall/7")
	ctx := context.Background()
	q, err := svc.Settle(ctx, p.Reference)
	if !errors.Is(err, payment.ErrHook) || !strings.Contains(err.Error(), "panicked") || q == nil || q.State != payment.Captured {
		t.Fatalf("first settle: %v %v", q, err)
	}
	if _, err := svc.Settle(ctx, p.Reference); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("OnSettled ran %d times, want 2", n)
	}
	wsvc := &payment.Service{Provider: card, Wanted: func(context.Context, *payment.Payment) (bool, error) { panic("no answer") }}
	p = authorised(t, wsvc, card, "hall/8")
	if q, err := wsvc.Settle(ctx, p.Reference); !errors.Is(err, payment.ErrHook) || q.State != payment.Authorized {
		t.Fatalf("wanted panics: %v %v", q, err)
	}
}
