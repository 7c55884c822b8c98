package paymenttest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// recorder is a Provider that notes every reference it is asked about, and
// can lose the answer to the next create (after carrying it out).
type recorder struct {
	payment.Provider
	mu       sync.Mutex
	asked    map[string]int
	loseNext bool
}

var errLost = errors.New("paymenttest: connection reset after the request was sent")

func (r *recorder) note(ref string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.asked == nil {
		r.asked = map[string]int{}
	}
	r.asked[ref]++
}

func (r *recorder) times(ref string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asked[ref]
}

func (r *recorder) Create(ctx context.Context, req payment.CreateRequest) (*payment.CreateResponse, error) {
	r.note(req.Reference)
	resp, err := r.Provider.Create(ctx, req)
	r.mu.Lock()
	lose := r.loseNext
	r.loseNext = false
	r.mu.Unlock()
	if lose && err == nil {
		return nil, errLost
	}
	return resp, err
}

func (r *recorder) Get(ctx context.Context, ref string) (*payment.Snapshot, error) {
	r.note(ref)
	return r.Provider.Get(ctx, ref)
}

func (r *recorder) Events(ctx context.Context, ref string) ([]payment.Event, error) {
	r.note(ref)
	return r.Provider.Events(ctx, ref)
}

func (r *recorder) Capture(ctx context.Context, ref string, a money.Amount, key string) (*payment.Snapshot, error) {
	r.note(ref)
	return r.Provider.Capture(ctx, ref, a, key)
}

func (r *recorder) Refund(ctx context.Context, ref string, a money.Amount, key string) (*payment.Snapshot, error) {
	r.note(ref)
	return r.Provider.Refund(ctx, ref, a, key)
}

func (r *recorder) Cancel(ctx context.Context, ref string, key string) (*payment.Snapshot, error) {
	r.note(ref)
	return r.Provider.Cancel(ctx, ref, key)
}

// testTwoProviders runs a Vipps Service and an invoice Service on one store,
// as a service offering both does: each polls, reconciles and modifies only
// the payments of its own provider, and never asks its provider about the
// other's.
func testTwoProviders(t *testing.T, store payment.Store) {
	e := NewEnv(t, store, EnvOptions{})
	ctx := context.Background()
	vp := &recorder{Provider: e.Client}
	ip := &recorder{Provider: &payment.Invoicing{}}
	vipps := &payment.Service{Provider: vp, Store: store, Lease: 5 * time.Second, ReferencePrefix: "hall"}
	invoices := &payment.Service{Provider: ip, Store: store, Lease: 5 * time.Second, ReferencePrefix: "hallf"}

	v1, err := vipps.Start(ctx, order("2026-000170/gebyr", money.Kroner(300)))
	if err != nil {
		t.Fatal(err)
	}
	i1, err := invoices.Start(ctx, order("2026-000171/gebyr", money.Kroner(300)))
	if err != nil {
		t.Fatal(err)
	}
	// The answer to this invoice's create is lost: its create operation is
	// left pending, for the invoice service's reconciliation to settle.
	ip.loseNext = true
	if _, err := invoices.Start(ctx, order("2026-000172/gebyr", money.Kroner(300))); !errors.Is(err, payment.ErrUncertain) {
		t.Fatalf("create with a lost answer: %v", err)
	}
	i2, err := invoices.Latest(ctx, "2026-000172/gebyr")
	if err != nil {
		t.Fatal(err)
	}
	// Callers that died holding an operation, one on each provider's payment.
	past := time.Now().Add(-time.Hour)
	for _, ref := range []string{v1.Reference, i1.Reference} {
		op := payment.Operation{Key: payment.IdempotencyKey(ref, payment.OpRefund, "lost"), Reference: ref, Kind: payment.OpRefund, Amount: 100}
		if _, ok, err := store.Claim(ctx, op, past, time.Minute); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
	}
	if err := e.Fake.Approve(v1.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := ip.Provider.(*payment.Invoicing).Register(ctx, payment.IncomingPayment{KID: i1.KID, Amount: money.Kroner(300), BankReference: "OCR-171"}); err != nil {
		t.Fatal(err)
	}

	if err := vipps.RunOnce(ctx); err != nil {
		t.Fatalf("the Vipps service's RunOnce: %v", err)
	}
	if err := invoices.RunOnce(ctx); err != nil {
		t.Fatalf("the invoice service's RunOnce: %v", err)
	}
	for ref, want := range map[string]payment.State{v1.Reference: payment.Authorized, i1.Reference: payment.Captured, i2.Reference: payment.Created} {
		if p, _ := store.Get(ctx, ref); p.State != want {
			t.Errorf("%s (%s): %s, want %s", ref, p.Provider, p.State, want)
		}
	}
	ops, err := store.Operations(ctx, i2.Reference)
	if err != nil || len(ops) != 1 || ops[0].Kind != payment.OpCreate || ops[0].Status != payment.OpDone {
		t.Fatalf("the invoice create with a lost answer: %+v %v, want done (settled from the invoice's events)", ops, err)
	}

	refuseOtherProvider(t, store, vipps, invoices, i1.Reference, i2.Reference)

	for _, ref := range []string{i1.Reference, i2.Reference} {
		if k := vp.times(ref); k != 0 {
			t.Errorf("Vipps was asked %d times about invoice %s", k, ref)
		}
	}
	if k := ip.times(v1.Reference); k != 0 {
		t.Errorf("the invoicing was asked %d times about Vipps payment %s", k, v1.Reference)
	}
	if vp.times(v1.Reference) == 0 || ip.times(i1.Reference) == 0 {
		t.Error("a service did not ask its own provider")
	}
}

// refuseOtherProvider checks that each Service refuses direct calls for the
// other provider's payments: Vipps payment 2026-000170, invoices i1 and i2.
func refuseOtherProvider(t *testing.T, store payment.Store, vipps, invoices *payment.Service, i1, i2 string) {
	t.Helper()
	ctx := context.Background()
	// Direct calls for the other provider's payments are refused.
	if _, err := vipps.Reconcile(ctx, i1); !errors.Is(err, payment.ErrOtherProvider) {
		t.Errorf("the Vipps service reconciling an invoice: %v", err)
	}
	if _, err := invoices.Cancel(ctx, "2026-000170/gebyr"); !errors.Is(err, payment.ErrOtherProvider) {
		t.Errorf("the invoice service cancelling a Vipps payment: %v", err)
	}
	if _, err := vipps.Capture(ctx, "2026-000171/gebyr", payment.Modification{}); !errors.Is(err, payment.ErrOtherProvider) {
		t.Errorf("the Vipps service capturing an invoice: %v", err)
	}
	if _, err := invoices.Start(ctx, order("2026-000170/gebyr", money.Kroner(300))); !errors.Is(err, payment.ErrConflict) || !errors.Is(err, payment.ErrOtherProvider) {
		t.Errorf("an invoice for a business key with a Vipps payment under way: %v", err)
	}
	before, _ := store.Get(ctx, i2)
	ev := payment.Event{Name: payment.EventAborted, PSPReference: "psp-x", Success: true, Time: time.Now()}
	if _, err := vipps.HandleEvent(ctx, i2, ev); !errors.Is(err, payment.ErrOtherProvider) {
		t.Errorf("a Vipps event for an invoice: %v", err)
	}
	if after, _ := store.Get(ctx, i2); after.Version != before.Version {
		t.Errorf("a Vipps event changed an invoice (v%d -> v%d)", before.Version, after.Version)
	}

}
