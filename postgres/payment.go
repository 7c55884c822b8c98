package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// PaymentStore is a payment.Store on PostgreSQL. Claiming an operation is a
// single INSERT ... ON CONFLICT DO UPDATE ... WHERE, so that across any
// number of processes exactly one caller holds an operation at a time.
type PaymentStore struct{ db *DB }

// NewPaymentStore returns a payment.Store on db. Run db.Migrate first.
func NewPaymentStore(db *DB) *PaymentStore { return &PaymentStore{db: db} }

var _ payment.Store = (*PaymentStore)(nil)

// Create implements payment.Store.
func (s *PaymentStore) Create(ctx context.Context, p *payment.Payment, evs ...events.Event) error {
	if !text.ValidValue(p) {
		return payment.ErrInvalidText
	}
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("postgres: payment: %w", err)
	}
	_, err = execEmitting(ctx, s.db, evs, `INSERT INTO payment_payments
		(reference, business_key, attempt, state, version, created, updated, doc)
		VALUES ($1, $2, $3, $4, 1, $5, $6, $7)`,
		p.Reference, p.BusinessKey, p.Attempt, string(p.State), p.Created, p.Updated, doc)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return payment.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: payment: create: %w", err)
	}
	p.Version = 1
	return nil
}

// Get implements payment.Store.
func (s *PaymentStore) Get(ctx context.Context, reference string) (*payment.Payment, error) {
	if absent(reference) {
		return nil, payment.ErrNotFound
	}
	return scanPayment(s.db.Pool.QueryRow(ctx, `SELECT version, doc FROM payment_payments WHERE reference = $1`, reference))
}

// Latest implements payment.Store.
func (s *PaymentStore) Latest(ctx context.Context, businessKey string) (*payment.Payment, error) {
	if absent(businessKey) {
		return nil, payment.ErrNotFound
	}
	return scanPayment(s.db.Pool.QueryRow(ctx, `SELECT version, doc FROM payment_payments
		WHERE business_key = $1 ORDER BY attempt DESC LIMIT 1`, businessKey))
}

// Update implements payment.Store.
func (s *PaymentStore) Update(ctx context.Context, p *payment.Payment, evs ...events.Event) error {
	if absent(p.Reference) {
		return payment.ErrNotFound
	}
	if !text.ValidValue(p) {
		return payment.ErrInvalidText
	}
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("postgres: payment: %w", err)
	}
	tag, err := execEmitting(ctx, s.db, evs, `UPDATE payment_payments
		SET state = $3, version = version + 1, updated = $4, doc = $5
		WHERE reference = $1 AND version = $2`,
		p.Reference, p.Version, string(p.State), p.Updated, doc)
	if err != nil {
		return fmt.Errorf("postgres: payment: update: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := s.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM payment_payments WHERE reference = $1)`, p.Reference).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: payment: update: %w", err)
		}
		if !exists {
			return payment.ErrNotFound
		}
		return payment.ErrConflict
	}
	p.Version++
	return nil
}

// List implements payment.Store.
func (s *PaymentStore) List(ctx context.Context, f payment.Filter) ([]*payment.Payment, error) {
	if absent(f.BusinessKey, string(f.Provider)) {
		return nil, nil
	}
	var (
		where []string
		args  []any
	)
	if f.BusinessKey != "" {
		args = append(args, f.BusinessKey)
		where = append(where, fmt.Sprintf("business_key = $%d", len(args)))
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		args = append(args, states)
		where = append(where, fmt.Sprintf("state = ANY($%d)", len(args)))
	}
	if f.Provider != "" {
		// Read from the document: a provider filter comes with a state
		// filter (open payments), whose index already narrows the rows.
		args = append(args, f.Provider)
		where = append(where, fmt.Sprintf("doc->>'provider' = $%d", len(args)))
	}
	q := `SELECT version, doc FROM payment_payments`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created, reference"
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := s.db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: payment: list: %w", err)
	}
	defer rows.Close()
	var out []*payment.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: payment: list: %w", err)
	}
	return out, nil
}

func scanPayment(row pgx.Row) (*payment.Payment, error) {
	var (
		version int
		doc     []byte
	)
	if err := row.Scan(&version, &doc); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, payment.ErrNotFound
		}
		return nil, fmt.Errorf("postgres: payment: %w", err)
	}
	var p payment.Payment
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, fmt.Errorf("postgres: payment: stored payment does not decode: %w", err)
	}
	p.Version = version
	return &p, nil
}

const opColumns = `key, reference, kind, amount, status, attempts, lease_until, detail, created, updated`

func scanOp(row pgx.Row) (payment.Operation, error) {
	var (
		op           payment.Operation
		kind, status string
		amount       int64
	)
	err := row.Scan(&op.Key, &op.Reference, &kind, &amount, &status, &op.Attempts, &op.LeaseUntil, &op.Detail, &op.Created, &op.Updated)
	op.Kind, op.Status, op.Amount = payment.OpKind(kind), payment.OpStatus(status), money.Amount(amount)
	op.LeaseUntil, op.Created, op.Updated = op.LeaseUntil.UTC(), op.Created.UTC(), op.Updated.UTC()
	return op, err
}

// Claim implements payment.Store.
func (s *PaymentStore) Claim(ctx context.Context, op payment.Operation, now time.Time, lease time.Duration) (payment.Operation, bool, error) {
	// The row lock taken by ON CONFLICT serialises concurrent claims; the
	// WHERE lets only a failed or expired operation be taken over. A failed
	// one starts afresh; an expired one keeps its amount (see payment.Store).
	got, err := scanOp(s.db.Pool.QueryRow(ctx, `INSERT INTO payment_operations AS o
		(key, reference, kind, amount, status, attempts, lease_until, detail, created, updated)
		VALUES ($1, $2, $3, $4, 'pending', 1, $5, '', $6, $6)
		ON CONFLICT (key) DO UPDATE SET status = 'pending',
			attempts = CASE WHEN o.status = 'failed' THEN 1 ELSE o.attempts + 1 END,
			amount = CASE WHEN o.status = 'failed' THEN EXCLUDED.amount ELSE o.amount END,
			lease_until = EXCLUDED.lease_until, detail = '', updated = EXCLUDED.updated
		WHERE o.status = 'failed' OR (o.status = 'pending' AND o.lease_until <= EXCLUDED.updated)
		RETURNING `+opColumns,
		op.Key, op.Reference, string(op.Kind), int64(op.Amount), now.Add(lease), now))
	if err == nil {
		return got, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return payment.Operation{}, false, fmt.Errorf("postgres: payment: claim: %w", err)
	}
	got, err = scanOp(s.db.Pool.QueryRow(ctx, `SELECT `+opColumns+` FROM payment_operations WHERE key = $1`, op.Key))
	if err != nil {
		return payment.Operation{}, false, fmt.Errorf("postgres: payment: claim: %w", err)
	}
	return got, false, nil
}

// Finish implements payment.Store.
func (s *PaymentStore) Finish(ctx context.Context, key string, status payment.OpStatus, detail string, now time.Time) error {
	if absent(key) {
		return payment.ErrNotFound
	}
	tag, err := s.db.Pool.Exec(ctx, `UPDATE payment_operations
		SET status = CASE WHEN status = 'done' THEN status ELSE $2 END,
		    detail = CASE WHEN status = 'done' THEN detail ELSE $3 END,
		    lease_until = CASE WHEN status <> 'done' AND $2 = 'pending' THEN $4 ELSE lease_until END,
		    updated = CASE WHEN status = 'done' THEN updated ELSE $4 END
		WHERE key = $1`, key, string(status), detail, now)
	if err != nil {
		return fmt.Errorf("postgres: payment: finish: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return payment.ErrNotFound
	}
	return nil
}

// Operations implements payment.Store.
func (s *PaymentStore) Operations(ctx context.Context, reference string) ([]payment.Operation, error) {
	if absent(reference) {
		return nil, nil
	}
	return s.ops(ctx, `SELECT `+opColumns+` FROM payment_operations WHERE reference = $1 ORDER BY created, key`, reference)
}

// StalePending implements payment.Store.
func (s *PaymentStore) StalePending(ctx context.Context, now time.Time, limit int) ([]payment.Operation, error) {
	q := `SELECT ` + opColumns + ` FROM payment_operations WHERE status = 'pending' AND lease_until <= $1 ORDER BY created, key`
	args := []any{now}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	return s.ops(ctx, q, args...)
}

func (s *PaymentStore) ops(ctx context.Context, q string, args ...any) ([]payment.Operation, error) {
	rows, err := s.db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: payment: operations: %w", err)
	}
	defer rows.Close()
	var out []payment.Operation
	for rows.Next() {
		op, err := scanOp(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: payment: operations: %w", err)
		}
		out = append(out, op)
	}
	return out, rows.Err()
}
