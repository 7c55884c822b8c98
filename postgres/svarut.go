package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/svarut"
)

// SvarUTStore is a svarut.Store on PostgreSQL: the outbox survives restarts,
// and several processes can work on it at once (the version column and the
// leases keep them apart).
type SvarUTStore struct{ db *DB }

// NewSvarUTStore returns a svarut.Store on db. Run db.Migrate first.
func NewSvarUTStore(db *DB) *SvarUTStore { return &SvarUTStore{db: db} }

var _ svarut.Store = (*SvarUTStore)(nil)

func externalRef(e *svarut.Entry) string {
	if e.Shipment == nil {
		return e.ID
	}
	return e.Shipment.ExternalRef
}

// Create implements svarut.Store.
func (s *SvarUTStore) Create(ctx context.Context, e *svarut.Entry, evs ...events.Event) error {
	if !text.ValidValue(e) {
		return svarut.ErrInvalidText
	}
	e.Version = 1
	doc, err := svarut.EncodeEntry(e)
	if err != nil {
		e.Version = 0
		return fmt.Errorf("postgres: svarut: %w", err)
	}
	_, err = execEmitting(ctx, s.db, evs, `INSERT INTO svarut_outbox
		(id, external_ref, state, reported, next_attempt, lease_until, shipment_id, version, created, updated, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.ID, externalRef(e), string(e.State), e.Reported, e.NextAttempt, nullTime(e.LeaseUntil), e.ShipmentID,
		e.Version, e.Created, e.Updated, doc)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation: the id or the eksternReferanse
		e.Version = 0
		return svarut.ErrConflict
	}
	if err != nil {
		e.Version = 0
		return fmt.Errorf("postgres: svarut: create: %w", err)
	}
	return nil
}

// Get implements svarut.Store.
func (s *SvarUTStore) Get(ctx context.Context, id string) (*svarut.Entry, error) {
	if absent(id) {
		return nil, svarut.ErrNotFound
	}
	e, err := scanEntry(s.db.Pool.QueryRow(ctx, `SELECT version, doc FROM svarut_outbox WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, svarut.ErrNotFound
	}
	return e, err
}

// Update implements svarut.Store.
func (s *SvarUTStore) Update(ctx context.Context, e *svarut.Entry, evs ...events.Event) error {
	if absent(e.ID) {
		return svarut.ErrNotFound
	}
	if !text.ValidValue(e) {
		return svarut.ErrInvalidText
	}
	next := e.Clone()
	next.Version++
	doc, err := svarut.EncodeEntry(next)
	if err != nil {
		return fmt.Errorf("postgres: svarut: %w", err)
	}
	tag, err := execEmitting(ctx, s.db, evs, `UPDATE svarut_outbox
		SET external_ref = $3, state = $4, reported = $5, next_attempt = $6, lease_until = $7, shipment_id = $8,
		    version = version + 1, updated = $9, doc = $10
		WHERE id = $1 AND version = $2`,
		e.ID, e.Version, externalRef(e), string(e.State), e.Reported, e.NextAttempt, nullTime(e.LeaseUntil),
		e.ShipmentID, e.Updated, doc)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return svarut.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: svarut: update: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := s.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM svarut_outbox WHERE id = $1)`, e.ID).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: svarut: update: %w", err)
		}
		if !exists {
			return svarut.ErrNotFound
		}
		return svarut.ErrConflict
	}
	e.Version = next.Version
	return nil
}

// Due implements svarut.Store.
func (s *SvarUTStore) Due(ctx context.Context, now time.Time, limit int) ([]*svarut.Entry, error) {
	q := `SELECT version, doc FROM svarut_outbox
		WHERE (state IN ('pending', 'sent') OR NOT reported)
		  AND next_attempt <= $1 AND (lease_until IS NULL OR lease_until <= $1)
		ORDER BY next_attempt, created, id`
	args := []any{now}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	rows, err := s.db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: svarut: due: %w", err)
	}
	defer rows.Close()
	var out []*svarut.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: svarut: due: %w", err)
	}
	return out, nil
}

func scanEntry(row pgx.Row) (*svarut.Entry, error) {
	var (
		version int64
		doc     []byte
	)
	if err := row.Scan(&version, &doc); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("postgres: svarut: %w", err)
	}
	e, err := svarut.DecodeEntry(doc)
	if err != nil {
		return nil, fmt.Errorf("postgres: svarut: %w", err)
	}
	e.Version = version
	return e, nil
}
