package postgres_test

import (
	"context"
	"sync/atomic"
	"time"

	"testing"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

func TestSvarUTStore(t *testing.T) {
	svaruttest.TestStore(t, func(t *testing.T) svarut.Store {
		return postgres.NewSvarUTStore(postgrestest.Open(t))
	})
}

// TestSvarUTOutbox runs the outbox's crash, fault and concurrency scenarios
// on PostgreSQL.
func TestSvarUTOutbox(t *testing.T) {
	svaruttest.TestOutbox(t, func(t *testing.T) svarut.Store {
		return postgres.NewSvarUTStore(postgrestest.Open(t))
	})
}

func TestSvarUTOutboxEvents(t *testing.T) {
	svaruttest.TestEvents(t, func(t *testing.T) (svarut.Store, events.Outbox) {
		db := postgrestest.Open(t)
		return postgres.NewSvarUTStore(db), postgres.NewEventOutbox(db)
	})
}

// TestSvarUTStoreTwoPools runs the store suite through two independent
// pools, so that only the database keeps concurrent writers apart.
func TestSvarUTStoreTwoPools(t *testing.T) {
	svaruttest.TestStore(t, func(t *testing.T) svarut.Store {
		u := postgrestest.URL(t)
		return &alternatingSvarUT{stores: [2]svarut.Store{
			postgres.NewSvarUTStore(postgrestest.OpenURL(t, u, true)),
			postgres.NewSvarUTStore(postgrestest.OpenURL(t, u, false)),
		}}
	})
}

// alternatingSvarUT sends each call to the next of two stores.
type alternatingSvarUT struct {
	stores [2]svarut.Store
	n      atomic.Uint64
}

func (a *alternatingSvarUT) next() svarut.Store { return a.stores[a.n.Add(1)%2] }

func (a *alternatingSvarUT) Create(ctx context.Context, e *svarut.Entry, evs ...events.Event) error {
	return a.next().Create(ctx, e, evs...)
}
func (a *alternatingSvarUT) Get(ctx context.Context, id string) (*svarut.Entry, error) {
	return a.next().Get(ctx, id)
}
func (a *alternatingSvarUT) Update(ctx context.Context, e *svarut.Entry, evs ...events.Event) error {
	return a.next().Update(ctx, e, evs...)
}
func (a *alternatingSvarUT) Due(ctx context.Context, now time.Time, limit int) ([]*svarut.Entry, error) {
	return a.next().Due(ctx, now, limit)
}
