package postgres

import (
	"context"

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
