package postgres_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

type pgTestData struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

var pgTestChanged = events.Define[pgTestData]("no.grunnmur.pgtest.thing.changed.v1")

func pgTestEvents(t *testing.T, subject string, n int) []events.Event {
	t.Helper()
	var evs []events.Event
	for i := range n {
		e, err := pgTestChanged.New(subject, time.Date(2026, 3, 29, 2, 0, i, 0, time.UTC), pgTestData{ID: subject, State: string(rune('a' + i))})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	return evs
}

func outboxIDs(t *testing.T, db *postgres.DB) []string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT id FROM events_outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestAppendEventsInTx: events commit and roll back with the transaction
// they were appended in, in their order.
func TestAppendEventsInTx(t *testing.T) {
	db := postgrestest.Open(t)
	ctx := context.Background()
	kept, dropped := pgTestEvents(t, "a", 3), pgTestEvents(t, "b", 2)
	if err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error { return postgres.AppendEvents(ctx, tx, kept) }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("the state write failed")
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := postgres.AppendEvents(ctx, tx, dropped); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	got := outboxIDs(t, db)
	want := []string{kept[0].ID, kept[1].ID, kept[2].ID}
	if len(got) != len(want) {
		t.Fatalf("outbox %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("outbox[%d] = %s, want %s", i, got[i], want[i])
		}
	}
	bad := kept[0]
	bad.Subject = ""
	if err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error { return postgres.AppendEvents(ctx, tx, []events.Event{bad}) }); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("an invalid event: %v", err)
	}
}

func TestEventOutbox(t *testing.T) {
	eventstest.TestOutbox(t, func(t *testing.T) (events.Outbox, eventstest.Appender) {
		db := postgrestest.Open(t)
		return postgres.NewEventOutbox(db), func(ctx context.Context, evs ...events.Event) error {
			return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error { return postgres.AppendEvents(ctx, tx, evs) })
		}
	})
}

// TestEventOutboxTwoPools: relays on two pools, as two processes would
// run them.
func TestEventOutboxTwoPools(t *testing.T) {
	eventstest.TestOutbox(t, func(t *testing.T) (events.Outbox, eventstest.Appender) {
		u := postgrestest.URL(t)
		a, b := postgrestest.OpenURL(t, u, true), postgrestest.OpenURL(t, u, false)
		return &alternatingOutbox{outboxes: [2]events.Outbox{postgres.NewEventOutbox(a), postgres.NewEventOutbox(b)}},
			func(ctx context.Context, evs ...events.Event) error {
				return pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error { return postgres.AppendEvents(ctx, tx, evs) })
			}
	})
}

// alternatingOutbox sends each call to the next of two outboxes.
type alternatingOutbox struct {
	outboxes [2]events.Outbox
	n        atomic.Uint64
}

func (a *alternatingOutbox) next() events.Outbox { return a.outboxes[a.n.Add(1)%2] }
func (a *alternatingOutbox) Claim(ctx context.Context, max int) (events.Claim, error) {
	return a.next().Claim(ctx, max)
}
func (a *alternatingOutbox) Lag(ctx context.Context) (events.Lag, error) { return a.next().Lag(ctx) }
func (a *alternatingOutbox) Events(ctx context.Context) ([]events.Event, error) {
	return a.next().Events(ctx)
}

func TestEventLedger(t *testing.T) {
	eventstest.TestLedger(t, func(t *testing.T) events.Ledger { return postgres.NewEventLedger(postgrestest.Open(t)) })
}
