package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/grunnmur/grunnmur/events"
)

// execEmitting runs one state write and, when it wrote a row, appends evs
// to the outbox in the same transaction: both commit, or neither. Without
// events it is the single statement it always was.
func execEmitting(ctx context.Context, db *DB, evs []events.Event, sql string, args ...any) (pgconn.CommandTag, error) {
	if len(evs) == 0 {
		return db.Pool.Exec(ctx, sql, args...)
	}
	var tag pgconn.CommandTag
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var err error
		if tag, err = tx.Exec(ctx, sql, args...); err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return appendEvents(ctx, tx, evs)
	})
	return tag, err
}

// insertEventsWhere is the outbox insert of the six arguments eventArgs
// makes, numbered from $first, inserting only where cond holds: for a
// statement (as a CTE) whose state write may write nothing, and whose events
// must then not be written either. insertEvents is it with no condition.
func insertEventsWhere(first int, cond string) string {
	return fmt.Sprintf(`INSERT INTO events_outbox (id, source, type, subject, time, data)
SELECT id, source, type, subject, time, data
FROM unnest($%d::text[], $%d::text[], $%d::text[], $%d::text[], $%d::timestamptz[], $%d::bytea[])
     WITH ORDINALITY AS e(id, source, type, subject, time, data, ord)
WHERE %s
ORDER BY ord`, first, first+1, first+2, first+3, first+4, first+5, cond)
}
