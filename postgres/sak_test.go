package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/grunnmur/grunnmur/events"
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

func TestSakStoreEvents(t *testing.T) {
	saktest.TestEvents(t, func(t *testing.T) (sak.Store, events.Outbox) {
		db := postgrestest.Open(t)
		return postgres.NewSakStore(db), postgres.NewEventOutbox(db)
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

func (a *alternating) Create(ctx context.Context, c *sak.Case, evs ...events.Event) error {
	return a.next().Create(ctx, c, evs...)
}
func (a *alternating) Get(ctx context.Context, id string) (*sak.Case, error) {
	return a.next().Get(ctx, id)
}
func (a *alternating) Update(ctx context.Context, c *sak.Case, evs ...events.Event) error {
	return a.next().Update(ctx, c, evs...)
}
func (a *alternating) List(ctx context.Context, f sak.Filter, p sak.Page) ([]*sak.Case, string, error) {
	return a.next().List(ctx, f, p)
}
func (a *alternating) NextSequence(ctx context.Context, series string, year int) (int, error) {
	return a.next().NextSequence(ctx, series, year)
}

// TestSakListUsesIndex: every page the services ask for is an index range
// scan from the cursor on, in the list's order, with no sort of the
// matching cases and no OFFSET. (Several states at once merge several
// ranges of the state index, which takes a sort.)
func TestSakListUsesIndex(t *testing.T) {
	db := postgrestest.Open(t)
	ctx := context.Background()
	svc := &sak.Service{Store: postgres.NewSakStore(db)}
	for i := range 30 {
		if _, err := svc.Open(ctx, sak.Application{Kind: "k", Title: "t", Owner: "o" + strconv.Itoa(i%3)}); err != nil {
			t.Fatal(err)
		}
	}
	c, _, err := svc.List(ctx, sak.Filter{}, sak.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := sak.Page{After: sak.CursorOf(c[0])}.Bound()
	back, _ := sak.Page{Before: sak.CursorOf(c[0])}.Bound()
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET enable_seqscan = off"); err != nil { // the table is small: make the planner show the plan it has for a big one
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    sak.Filter
		b    *sak.Bound
	}{
		{"first", sak.Filter{}, nil},
		{"after", sak.Filter{}, bound},
		{"before", sak.Filter{}, back},
		{"owner", sak.Filter{Owner: "o1"}, bound},
		{"kind", sak.Filter{Kind: "k"}, bound},
		{"on behalf of", sak.Filter{OnBehalfOf: "974760673"}, back},
		{"state", sak.Filter{States: []sak.State{sak.Received}}, bound},
	} {
		q, args := postgres.SakListQuery(tc.f, tc.b, 10)
		all := explain(t, conn, q, args...)
		if !strings.Contains(all, "Index") || strings.Contains(all, "Sort") || strings.Contains(q, "OFFSET") {
			t.Errorf("%s: %s\n%s", tc.name, q, all)
		}
	}
}
