package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/grunnmur/grunnmur/fiksarkiv"
)

// FiksArkivStore is a fiksarkiv.Store on PostgreSQL: the exchanges with the
// archive survive restarts, and several processes share them (the version
// column keeps concurrent writers apart).
type FiksArkivStore struct{ db *DB }

// NewFiksArkivStore returns a fiksarkiv.Store on db. Run db.Migrate first.
func NewFiksArkivStore(db *DB) *FiksArkivStore { return &FiksArkivStore{db: db} }

var _ fiksarkiv.Store = (*FiksArkivStore)(nil)

const exchangeColumns = `klient_melding_id, type, state, attempts, objekt, key_fagsystem, key_noekkel,
	reply_type, reply_payload, created, updated, version`

func keyCols(e *fiksarkiv.Exchange) (*string, *string) {
	if e.Key == nil {
		return nil, nil
	}
	return &e.Key.Fagsystem, &e.Key.Noekkel
}

// Create implements fiksarkiv.Store.
func (s *FiksArkivStore) Create(ctx context.Context, e *fiksarkiv.Exchange) error {
	if e.KlientMeldingID == "" || absent(e.KlientMeldingID) {
		return &fiksarkiv.FieldError{Field: "klientMeldingId", Reason: "required"}
	}
	return pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		f, n := keyCols(e)
		_, err := tx.Exec(ctx, `INSERT INTO fiksarkiv_exchanges (`+exchangeColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)`,
			e.KlientMeldingID, e.Type, string(e.State), e.Attempts, e.Objekt, f, n, e.ReplyType, e.ReplyPayload,
			e.Created, e.Updated)
		if err := s.writeSends(ctx, tx, e, err, fiksarkiv.ErrExists); err != nil {
			return err
		}
		e.Version = 1
		return nil
	})
}

// writeSends records e's melding ids not yet recorded, after prev (the
// exchange's own write) succeeded. A unique violation is dup: ErrExists on
// create, ErrConflict on update (a melding id of another exchange).
func (s *FiksArkivStore) writeSends(ctx context.Context, tx pgx.Tx, e *fiksarkiv.Exchange, prev, dup error) error {
	err := prev
	for i, m := range e.MeldingIDs {
		if err != nil {
			break
		}
		var tag pgconn.CommandTag
		tag, err = tx.Exec(ctx, `INSERT INTO fiksarkiv_sends (melding_id, klient_melding_id, seq) VALUES ($1, $2, $3)
			ON CONFLICT (melding_id) DO NOTHING`, m, e.KlientMeldingID, i)
		if err == nil && tag.RowsAffected() == 0 {
			var owner string
			if err = tx.QueryRow(ctx, `SELECT klient_melding_id FROM fiksarkiv_sends WHERE melding_id = $1`, m).Scan(&owner); err == nil && owner != e.KlientMeldingID {
				return dup
			}
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return dup
	}
	if err != nil {
		return fmt.Errorf("postgres: fiksarkiv: %w", err)
	}
	return nil
}

// Get implements fiksarkiv.Store.
func (s *FiksArkivStore) Get(ctx context.Context, id string) (*fiksarkiv.Exchange, error) {
	if absent(id) {
		return nil, fiksarkiv.ErrNotFound
	}
	e, err := scanExchange(s.db.Pool.QueryRow(ctx, `SELECT `+exchangeColumns+` FROM fiksarkiv_exchanges WHERE klient_melding_id = $1`, id))
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT melding_id FROM fiksarkiv_sends WHERE klient_melding_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: fiksarkiv: %w", err)
	}
	e.MeldingIDs, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("postgres: fiksarkiv: %w", err)
	}
	return e, nil
}

func scanExchange(row pgx.Row) (*fiksarkiv.Exchange, error) {
	var (
		e     fiksarkiv.Exchange
		state string
		f, n  *string
	)
	err := row.Scan(&e.KlientMeldingID, &e.Type, &state, &e.Attempts, &e.Objekt, &f, &n, &e.ReplyType, &e.ReplyPayload,
		&e.Created, &e.Updated, &e.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fiksarkiv.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: fiksarkiv: %w", err)
	}
	e.State = fiksarkiv.State(state)
	if f != nil && n != nil {
		e.Key = &fiksarkiv.EksternNoekkel{Fagsystem: *f, Noekkel: *n}
	}
	return &e, nil
}

// ByMeldingID implements fiksarkiv.Store.
func (s *FiksArkivStore) ByMeldingID(ctx context.Context, m uuid.UUID) (*fiksarkiv.Exchange, error) {
	var id string
	err := s.db.Pool.QueryRow(ctx, `SELECT klient_melding_id FROM fiksarkiv_sends WHERE melding_id = $1`, m).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fiksarkiv.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: fiksarkiv: %w", err)
	}
	return s.Get(ctx, id)
}

// Update implements fiksarkiv.Store.
func (s *FiksArkivStore) Update(ctx context.Context, e *fiksarkiv.Exchange) error {
	if absent(e.KlientMeldingID) {
		return fiksarkiv.ErrNotFound
	}
	return pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		f, n := keyCols(e)
		tag, err := tx.Exec(ctx, `UPDATE fiksarkiv_exchanges SET type = $3, state = $4, attempts = $5, objekt = $6,
			key_fagsystem = $7, key_noekkel = $8, reply_type = $9, reply_payload = $10, updated = $11, version = version + 1
			WHERE klient_melding_id = $1 AND version = $2`,
			e.KlientMeldingID, e.Version, e.Type, string(e.State), e.Attempts, e.Objekt, f, n, e.ReplyType, e.ReplyPayload, e.Updated)
		if err != nil {
			return fmt.Errorf("postgres: fiksarkiv: update: %w", err)
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM fiksarkiv_exchanges WHERE klient_melding_id = $1)`,
				e.KlientMeldingID).Scan(&exists); err != nil {
				return fmt.Errorf("postgres: fiksarkiv: update: %w", err)
			}
			if !exists {
				return fiksarkiv.ErrNotFound
			}
			return fiksarkiv.ErrConflict
		}
		if err := s.writeSends(ctx, tx, e, nil, fiksarkiv.ErrConflict); err != nil {
			return err
		}
		e.Version++
		return nil
	})
}

// Unfinished implements fiksarkiv.Store.
func (s *FiksArkivStore) Unfinished(ctx context.Context, before time.Time, limit int) ([]*fiksarkiv.Exchange, error) {
	q := `SELECT klient_melding_id FROM fiksarkiv_exchanges WHERE state NOT IN ('done', 'failed') AND updated <= $1
		ORDER BY updated, klient_melding_id`
	args := []any{before}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	rows, err := s.db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: fiksarkiv: unfinished: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: fiksarkiv: unfinished: %w", err)
	}
	out := make([]*fiksarkiv.Exchange, 0, len(ids))
	for _, id := range ids {
		e, err := s.Get(ctx, id)
		if errors.Is(err, fiksarkiv.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
