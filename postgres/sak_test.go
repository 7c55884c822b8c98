package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/sak/saktest"
)

func TestSakStore(t *testing.T) {
	saktest.TestStore(t, func(t *testing.T) sak.Store {
		return postgres.NewSakStore(postgrestest.Open(t))
	})
}

// TestSakStoreTwoPools runs the suite with a store whose reads and writes go
// through two independent pools, so that only the database keeps concurrent
// writers apart.
func TestSakStoreTwoPools(t *testing.T) {
	saktest.TestStore(t, func(t *testing.T) sak.Store {
		u := postgrestest.URL(t)
		a := postgres.NewSakStore(postgrestest.OpenURL(t, u, true))
		b := postgres.NewSakStore(postgrestest.OpenURL(t, u, false))
		return &alternating{stores: [2]sak.Store{a, b}}
	})
}

// alternating sends each call to the next of two stores.
type alternating struct {
	stores [2]sak.Store
	n      atomic.Uint64
}

func (a *alternating) next() sak.Store { return a.stores[a.n.Add(1)%2] }

func (a *alternating) Create(ctx context.Context, c *sak.Case) error { return a.next().Create(ctx, c) }
func (a *alternating) Get(ctx context.Context, id string) (*sak.Case, error) {
	return a.next().Get(ctx, id)
}
func (a *alternating) Update(ctx context.Context, c *sak.Case) error { return a.next().Update(ctx, c) }
func (a *alternating) List(ctx context.Context, f sak.Filter) ([]*sak.Case, error) {
	return a.next().List(ctx, f)
}
func (a *alternating) NextSequence(ctx context.Context, series string, year int) (int, error) {
	return a.next().NextSequence(ctx, series, year)
}
