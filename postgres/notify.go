package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/grunnmur/grunnmur/notify"
)

// NotifyStore is a notify.Store on PostgreSQL: one row per idempotency key
// (the primary key keeps racing senders to one notification), a version
// column for optimistic locking, so several processes can send from one
// outbox.
type NotifyStore struct{ db *DB }

// NewNotifyStore returns a notify.Store on db. Run db.Migrate first.
func NewNotifyStore(db *DB) *NotifyStore { return &NotifyStore{db: db} }

var _ notify.Store = (*NotifyStore)(nil)

const notifyColumns = `key, channel, recipient, reply_to, subject, body_text, body_html, template, lang,
	status, urgent, condition, attempts, next_attempt, provider_id, reason, created, updated, version`

func notifyValid(r *notify.Record) bool {
	return !absent(r.Key, string(r.Channel), r.To.Reveal(), r.ReplyTo.Reveal(), r.Subject, r.Text, r.HTML,
		r.Template, r.Lang, string(r.Status), r.Condition, r.ProviderID, r.Reason)
}

// Create implements notify.Store.
func (s *NotifyStore) Create(ctx context.Context, r *notify.Record) error {
	if r.Key == "" || !notifyValid(r) {
		return fmt.Errorf("%w: the record holds text PostgreSQL cannot keep", notify.ErrInvalid)
	}
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO notify_outbox (`+notifyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1)`,
		r.Key, string(r.Channel), r.To.Reveal(), r.ReplyTo.Reveal(), r.Subject, r.Text, r.HTML, r.Template, r.Lang,
		string(r.Status), r.Urgent, r.Condition, r.Attempts, nullTime(r.NotBefore), r.ProviderID, r.Reason, r.Created, r.Updated)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return notify.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("postgres: notify: create: %w", err)
	}
	r.Version = 1
	return nil
}

func scanNotify(row pgx.Row) (*notify.Record, error) {
	var (
		r               notify.Record
		channel, status string
		to, replyTo     string
		next            *time.Time
	)
	err := row.Scan(&r.Key, &channel, &to, &replyTo, &r.Subject, &r.Text, &r.HTML, &r.Template, &r.Lang,
		&status, &r.Urgent, &r.Condition, &r.Attempts, &next, &r.ProviderID, &r.Reason, &r.Created, &r.Updated, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Channel, r.Status = notify.Channel(channel), notify.Status(status)
	r.To, r.ReplyTo = notify.NewAddress(to), notify.NewAddress(replyTo)
	if next != nil {
		r.NotBefore = *next
	}
	return &r, nil
}

// Get implements notify.Store.
func (s *NotifyStore) Get(ctx context.Context, key string) (*notify.Record, error) {
	if absent(key) {
		return nil, notify.ErrNotFound
	}
	r, err := scanNotify(s.db.Pool.QueryRow(ctx, `SELECT `+notifyColumns+` FROM notify_outbox WHERE key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notify.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: notify: get: %w", err)
	}
	return r, nil
}

// Update implements notify.Store.
func (s *NotifyStore) Update(ctx context.Context, r *notify.Record) error {
	if absent(r.Key) {
		return notify.ErrNotFound
	}
	if !notifyValid(r) {
		return fmt.Errorf("%w: the record holds text PostgreSQL cannot keep", notify.ErrInvalid)
	}
	tag, err := s.db.Pool.Exec(ctx, `UPDATE notify_outbox SET channel = $2, recipient = $3, reply_to = $4,
		subject = $5, body_text = $6, body_html = $7, template = $8, lang = $9, status = $10, urgent = $11,
		condition = $12, attempts = $13, next_attempt = $14, provider_id = $15, reason = $16, created = $17, updated = $18,
		version = version + 1
		WHERE key = $1 AND version = $19`,
		r.Key, string(r.Channel), r.To.Reveal(), r.ReplyTo.Reveal(), r.Subject, r.Text, r.HTML, r.Template, r.Lang,
		string(r.Status), r.Urgent, r.Condition, r.Attempts, nullTime(r.NotBefore), r.ProviderID, r.Reason, r.Created, r.Updated, r.Version)
	if err != nil {
		return fmt.Errorf("postgres: notify: update: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := s.Get(ctx, r.Key); err != nil {
			return err
		}
		return notify.ErrConflict
	}
	r.Version++
	return nil
}

// Due implements notify.Store.
func (s *NotifyStore) Due(ctx context.Context, now time.Time, limit int) ([]*notify.Record, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+notifyColumns+` FROM notify_outbox
		WHERE status IN ('queued', 'sending', 'failed-temporary') AND next_attempt IS NOT NULL AND next_attempt <= $1
		ORDER BY next_attempt, key LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: notify: due: %w", err)
	}
	defer rows.Close()
	var out []*notify.Record
	for rows.Next() {
		r, err := scanNotify(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: notify: due: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: notify: due: %w", err)
	}
	return out, nil
}
