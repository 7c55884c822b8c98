package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/events"
)

// insertEvents is the statement that appends events to the outbox, one
// round trip for any number, in their order (seq follows ord).
const insertEvents = `INSERT INTO events_outbox (id, source, type, subject, time, data)
SELECT id, source, type, subject, time, data
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bytea[])
     WITH ORDINALITY AS e(id, source, type, subject, time, data, ord)
ORDER BY ord`

// eventArgs are insertEvents' arguments for evs.
func eventArgs(evs []events.Event) []any {
	ids, sources, types, subjects := make([]string, len(evs)), make([]string, len(evs)), make([]string, len(evs)), make([]string, len(evs))
	times, data := make([]time.Time, len(evs)), make([][]byte, len(evs))
	for i, e := range evs {
		ids[i], sources[i], types[i], subjects[i], times[i], data[i] = e.ID, e.Source, e.Type, e.Subject, e.Time, e.Data
	}
	return []any{ids, sources, types, subjects, times, data}
}

// appendEvents writes evs to the outbox inside tx, the transaction that
// changes the state they describe: they commit or roll back with it. Call it
// after the state write, so the aggregate's row lock orders the events of
// one subject. No events, no statement.
func appendEvents(ctx context.Context, tx pgx.Tx, evs []events.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := checkEvents(evs); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, insertEvents, eventArgs(evs)...); err != nil {
		return fmt.Errorf("postgres: append events: %w", err)
	}
	return nil
}

// queueEvents adds the outbox insert of evs to a batch that runs as one
// transaction (an implicit one: a batch sent outside a tx is one), for the
// stores that write with a batch rather than a pgx.Tx. Its result is a
// command tag like any other statement's; read it with the batch's others.
func queueEvents(b *pgx.Batch, evs []events.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := checkEvents(evs); err != nil {
		return err
	}
	b.Queue(insertEvents, eventArgs(evs)...)
	return nil
}

// checkEvents refuses an event that New would not have made, before the
// transaction writes anything.
func checkEvents(evs []events.Event) error {
	for _, e := range evs {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("postgres: append events: %w", err)
		}
	}
	return nil
}
