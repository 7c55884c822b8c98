package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/postgres"
)

// outbox reads every event in db's outbox, in the order it is relayed, for
// the conformance suites' event checks.
func outbox(t *testing.T, db *postgres.DB) func() []events.Event {
	return func() []events.Event {
		t.Helper()
		rows, err := db.Pool.Query(context.Background(), `SELECT id, source, type, subject, time, data FROM events_outbox ORDER BY seq`)
		if err != nil {
			t.Fatalf("read the outbox: %v", err)
		}
		defer rows.Close()
		var out []events.Event
		for rows.Next() {
			e := events.Event{DataContentType: events.ContentType}
			var at time.Time
			if err := rows.Scan(&e.ID, &e.Source, &e.Type, &e.Subject, &at, &e.Data); err != nil {
				t.Fatalf("read the outbox: %v", err)
			}
			e.Time = at.UTC()
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read the outbox: %v", err)
		}
		return out
	}
}
