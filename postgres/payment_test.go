package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/paymenttest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestPaymentStore(t *testing.T) {
	paymenttest.TestStore(t, func(t *testing.T) payment.Store {
		return postgres.NewPaymentStore(postgrestest.Open(t))
	})
}

func TestPaymentStoreEvents(t *testing.T) {
	paymenttest.TestEvents(t, func(t *testing.T) (payment.Store, events.Outbox) {
		db := postgrestest.Open(t)
		return postgres.NewPaymentStore(db), postgres.NewEventOutbox(db)
	})
}

// TestPaymentStoreTwoPools runs the suite through two independent pools, so
// that only the database keeps concurrent claimers apart.
func TestPaymentStoreTwoPools(t *testing.T) {
	paymenttest.TestStore(t, func(t *testing.T) payment.Store {
		u := postgrestest.URL(t)
		a := postgres.NewPaymentStore(postgrestest.OpenURL(t, u, true))
		b := postgres.NewPaymentStore(postgrestest.OpenURL(t, u, false))
		return &alternatingPayments{stores: [2]payment.Store{a, b}}
	})
}

type alternatingPayments struct {
	stores [2]payment.Store
	n      atomic.Uint64
}

func (a *alternatingPayments) next() payment.Store { return a.stores[a.n.Add(1)%2] }

func (a *alternatingPayments) Create(ctx context.Context, p *payment.Payment, evs ...events.Event) error {
	return a.next().Create(ctx, p, evs...)
}
func (a *alternatingPayments) Get(ctx context.Context, ref string) (*payment.Payment, error) {
	return a.next().Get(ctx, ref)
}
func (a *alternatingPayments) Latest(ctx context.Context, bk string) (*payment.Payment, error) {
	return a.next().Latest(ctx, bk)
}
func (a *alternatingPayments) Update(ctx context.Context, p *payment.Payment, evs ...events.Event) error {
	return a.next().Update(ctx, p, evs...)
}
func (a *alternatingPayments) List(ctx context.Context, f payment.Filter) ([]*payment.Payment, error) {
	return a.next().List(ctx, f)
}
func (a *alternatingPayments) Claim(ctx context.Context, op payment.Operation, now time.Time, lease time.Duration) (payment.Operation, bool, error) {
	return a.next().Claim(ctx, op, now, lease)
}
func (a *alternatingPayments) Finish(ctx context.Context, key string, st payment.OpStatus, detail string, now time.Time) error {
	return a.next().Finish(ctx, key, st, detail, now)
}
func (a *alternatingPayments) Operations(ctx context.Context, ref string) ([]payment.Operation, error) {
	return a.next().Operations(ctx, ref)
}
func (a *alternatingPayments) StalePending(ctx context.Context, now time.Time, limit int) ([]payment.Operation, error) {
	return a.next().StalePending(ctx, now, limit)
}
