package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/events"
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
	b := &pgx.Batch{}
	batched := pgTestEvents(t, "c", 2)
	if err := postgres.QueueEvents(b, batched); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		t.Fatal(err)
	}
	got := outboxIDs(t, db)
	want := []string{kept[0].ID, kept[1].ID, kept[2].ID, batched[0].ID, batched[1].ID}
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
