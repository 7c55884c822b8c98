package postgres

import (
	"context"
	"errors"
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

// EventOutbox is the PostgreSQL events.Outbox: the events_outbox table the
// stores append to. Several relays, in one process or many, may claim from it
// at once.
type EventOutbox struct{ db *DB }

// NewEventOutbox returns the outbox in db.
func NewEventOutbox(db *DB) *EventOutbox { return &EventOutbox{db: db} }

var _ events.Outbox = (*EventOutbox)(nil)

// claimRows locks the oldest unrelayed rows that no other claim holds.
const claimRows = `SELECT seq, id, source, type, subject, time, data FROM events_outbox
WHERE relayed_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`

// heldElsewhere finds, for the claimed subjects, the first unrelayed row
// that is not in this claim: another claim holds it (it was skipped as
// locked), so this claim must not relay the subject's later rows.
const heldElsewhere = `SELECT subject, min(seq) FROM events_outbox
WHERE relayed_at IS NULL AND subject = ANY($1) AND seq <= $2 AND NOT seq = ANY($3)
GROUP BY subject`

// Claim claims up to max events in a transaction that stays open until
// Finish: the rows are locked FOR UPDATE SKIP LOCKED, so another relay
// claims others, and a subject whose earlier row another claim holds is
// left out, so each subject is relayed in order. See events.Outbox.
func (o *EventOutbox) Claim(ctx context.Context, max int) (events.Claim, error) {
	tx, err := o.db.Pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim events: %w", err)
	}
	c, err := claim(ctx, tx, max)
	if err != nil {
		rollback(tx)
		return nil, fmt.Errorf("postgres: claim events: %w", err)
	}
	return c, nil
}

type claimedRow struct {
	seq int64
	ev  events.Event
}

func claim(ctx context.Context, tx pgx.Tx, max int) (*eventClaim, error) {
	rows, err := tx.Query(ctx, claimRows, max)
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimedRow, error) {
		var c claimedRow
		e := &c.ev
		err := r.Scan(&c.seq, &e.ID, &e.Source, &e.Type, &e.Subject, &e.Time, &e.Data)
		e.Time, e.DataContentType = e.Time.UTC(), events.ContentType
		return c, err
	})
	if err != nil || len(got) == 0 {
		return &eventClaim{tx: tx}, err
	}
	subjects, seqs := make([]string, len(got)), make([]int64, len(got))
	for i, r := range got {
		subjects[i], seqs[i] = r.ev.Subject, r.seq
	}
	rows, err = tx.Query(ctx, heldElsewhere, subjects, seqs[len(seqs)-1], seqs)
	if err != nil {
		return nil, err
	}
	first := map[string]int64{}
	var s string
	var seq int64
	if _, err := pgx.ForEachRow(rows, []any{&s, &seq}, func() error { first[s] = seq; return nil }); err != nil {
		return nil, err
	}
	c := &eventClaim{tx: tx, seqs: map[string]int64{}}
	for _, r := range got {
		if f, held := first[r.ev.Subject]; held && f < r.seq {
			continue
		}
		c.evs = append(c.evs, r.ev)
		c.seqs[r.ev.ID] = r.seq
	}
	return c, nil
}

// rollback ends tx after a failure, on a context of its own: the caller's
// may be the one that was cancelled.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx)
}

// eventClaim is a claim on the outbox: its transaction holds the row locks.
type eventClaim struct {
	tx   pgx.Tx
	evs  []events.Event
	seqs map[string]int64 // by event id
	done bool
}

func (c *eventClaim) Events() []events.Event { return c.evs }

// Finish marks the relayed events, counts an attempt on the rest, and
// commits, which releases the claim.
func (c *eventClaim) Finish(ctx context.Context, relayed []string) error {
	if c.done {
		return errors.New("postgres: the events claim is finished already")
	}
	c.done = true
	var marked, failed []int64
	ok := make(map[string]bool, len(relayed))
	for _, id := range relayed {
		ok[id] = true
	}
	for _, e := range c.evs {
		if ok[e.ID] {
			marked = append(marked, c.seqs[e.ID])
		} else {
			failed = append(failed, c.seqs[e.ID])
		}
	}
	b := &pgx.Batch{}
	if len(marked) > 0 {
		b.Queue(`UPDATE events_outbox SET relayed_at = now() WHERE seq = ANY($1)`, marked)
	}
	if len(failed) > 0 {
		b.Queue(`UPDATE events_outbox SET attempts = attempts + 1 WHERE seq = ANY($1)`, failed)
	}
	if b.Len() > 0 {
		if err := c.tx.SendBatch(ctx, b).Close(); err != nil {
			rollback(c.tx)
			return fmt.Errorf("postgres: finish the events claim: %w", err)
		}
	}
	if err := c.tx.Commit(ctx); err != nil {
		rollback(c.tx)
		return fmt.Errorf("postgres: finish the events claim: %w", err)
	}
	return nil
}

// Lag counts the unrelayed events and finds the oldest.
func (o *EventOutbox) Lag(ctx context.Context) (events.Lag, error) {
	var l events.Lag
	var oldest *time.Time
	err := o.db.Pool.QueryRow(ctx, `SELECT count(*), min(time) FROM events_outbox WHERE relayed_at IS NULL`).Scan(&l.Pending, &oldest)
	if err != nil {
		return l, fmt.Errorf("postgres: events lag: %w", err)
	}
	if oldest != nil {
		l.Oldest = oldest.UTC()
	}
	return l, nil
}

// Events returns every event in the outbox, in the order appended.
func (o *EventOutbox) Events(ctx context.Context) ([]events.Event, error) {
	rows, err := o.db.Pool.Query(ctx, `SELECT id, source, type, subject, time, data FROM events_outbox ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (events.Event, error) {
		var e events.Event
		err := r.Scan(&e.ID, &e.Source, &e.Type, &e.Subject, &e.Time, &e.Data)
		e.Time, e.DataContentType = e.Time.UTC(), events.ContentType
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	return evs, nil
}

// EventLedger is the PostgreSQL events.Ledger: the events_processed table,
// one row per consumer and event id.
type EventLedger struct{ db *DB }

// NewEventLedger returns the ledger in db.
func NewEventLedger(db *DB) *EventLedger { return &EventLedger{db: db} }

var _ events.Ledger = (*EventLedger)(nil)

// Once runs f in a transaction that inserts the (consumer, id) row first: a
// second call for the same id waits on that row until the first commits
// (and then skips f) or rolls back (and then runs f). See events.Ledger.
func (l *EventLedger) Once(ctx context.Context, consumer, id string, f func(ctx context.Context) error) (bool, error) {
	if absent(consumer, id) {
		return false, fmt.Errorf("postgres: events ledger: %w: the consumer or id is not UTF-8", events.ErrInvalid)
	}
	tx, err := l.db.Pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: events ledger: %w", err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO events_processed (consumer, id, processed) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`, consumer, id)
	if err != nil || tag.RowsAffected() == 0 {
		rollback(tx)
		if err != nil {
			return false, fmt.Errorf("postgres: events ledger: %w", err)
		}
		return false, nil
	}
	if err := f(ctx); err != nil {
		rollback(tx)
		return true, err
	}
	if err := tx.Commit(ctx); err != nil {
		rollback(tx)
		return true, fmt.Errorf("postgres: events ledger: %w", err)
	}
	return true, nil
}
