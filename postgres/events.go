package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grunnmur/grunnmur/events"
)

// insertEvents is the statement that appends events to the outbox, one
// round trip for any number, in their order (seq follows ord).
var insertEvents = insertEventsWhere(1, "true")

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

// claimRows locks the oldest unrelayed rows that no other claim holds
// (FOR UPDATE SKIP LOCKED) and says of each whether it is the oldest
// unrelayed row of its subject outside this claim's earlier rows: held lists,
// per subject, the oldest unrelayed row below the claim's last that the claim
// does not hold (SKIP LOCKED passed it: another claim holds it). A row with
// such an earlier row of its subject waits, so each subject is relayed in
// order. held is one range scan of events_outbox_pending, an anti-join with
// the claim and a join on subject: no sort on subject, no look-up per
// subject.
const claimRows = `WITH c AS (
    SELECT seq, id, source, type, subject, time, data FROM events_outbox
    WHERE relayed_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
), held AS (
    SELECT o.subject, min(o.seq) AS first FROM events_outbox o
    WHERE o.relayed_at IS NULL AND o.seq < (SELECT max(seq) FROM c)
    AND NOT EXISTS (SELECT 1 FROM c WHERE c.seq = o.seq)
    GROUP BY o.subject
)
SELECT c.seq, c.id, c.source, c.type, c.subject, c.time, c.data, coalesce(h.first > c.seq, true)
FROM c LEFT JOIN held h ON h.subject = c.subject ORDER BY c.seq`

// Claim claims up to max events in a transaction that stays open until
// Finish: the rows are locked FOR UPDATE SKIP LOCKED, so another relay
// claims others, and a subject whose earlier row another claim holds is
// left out, so each subject is relayed in order. See events.Outbox.
//
// A claim costs two round trips: BEGIN and the claim go in one pipeline,
// the marks and COMMIT in another. The transaction does not wait for the
// WAL at commit: a mark lost to a crash costs a second publish, which
// JetStream and the consumers drop as a copy.
func (o *EventOutbox) Claim(ctx context.Context, max int) (events.Claim, error) {
	conn, err := o.db.Pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim events: %w", err)
	}
	c := &eventClaim{conn: conn, seqs: map[string]int64{}}
	if err := c.claim(ctx, max); err != nil {
		c.abort()
		return nil, fmt.Errorf("postgres: claim events: %w", err)
	}
	return c, nil
}

func (c *eventClaim) claim(ctx context.Context, max int) error {
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`SET LOCAL synchronous_commit TO OFF`)
	var r struct {
		seq int64
		ev  events.Event
	}
	var inOrder bool
	e := &r.ev
	b.Queue(claimRows, max).Query(func(rows pgx.Rows) error {
		_, err := pgx.ForEachRow(rows, []any{&r.seq, &e.ID, &e.Source, &e.Type, &e.Subject, &e.Time, &e.Data, &inOrder}, func() error {
			if !inOrder {
				return nil
			}
			ev := r.ev
			ev.Time, ev.DataContentType = ev.Time.UTC(), events.ContentType
			c.evs = append(c.evs, ev)
			c.seqs[ev.ID] = r.seq
			return nil
		})
		return err
	})
	return c.conn.SendBatch(ctx, b).Close()
}

// abort rolls the claim's transaction back and gives the connection back,
// on a context of its own: the caller's may be the one that was cancelled.
// A connection that cannot roll back is closed, not reused.
func (c *eventClaim) abort() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.conn.Exec(ctx, `ROLLBACK`); err != nil {
		_ = c.conn.Conn().Close(ctx)
	}
	c.conn.Release()
}

// rollback ends tx after a failure, on a context of its own.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx)
}

// eventClaim is a claim on the outbox: the transaction open on conn holds
// the row locks.
type eventClaim struct {
	conn *pgxpool.Conn
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
	b.Queue(`COMMIT`)
	if err := c.conn.SendBatch(ctx, b).Close(); err != nil {
		c.abort()
		return fmt.Errorf("postgres: finish the events claim: %w", err)
	}
	c.conn.Release()
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
