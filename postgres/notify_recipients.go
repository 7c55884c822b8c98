package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/notify"
)

// NotifyRecipients is notify.Recipients on PostgreSQL: a row per subject,
// the first person recorded kept by the primary key.
type NotifyRecipients struct{ db *DB }

// NewNotifyRecipients returns notify.Recipients on db. Run db.Migrate first.
func NewNotifyRecipients(db *DB) *NotifyRecipients { return &NotifyRecipients{db: db} }

var _ notify.Recipients = (*NotifyRecipients)(nil)

// AddRecipient implements notify.Recipients.
func (s *NotifyRecipients) AddRecipient(ctx context.Context, subject string, person ident.Fodselsnummer) (bool, error) {
	if err := notify.CheckRecipient(subject, person); err != nil {
		return false, err
	}
	tag, err := s.db.Pool.Exec(ctx, `INSERT INTO notify_recipients (subject, person) VALUES ($1, $2)
		ON CONFLICT (subject) DO NOTHING`, subject, person.Reveal())
	if err != nil {
		return false, fmt.Errorf("postgres: notify recipients: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Recipient implements notify.Recipients.
func (s *NotifyRecipients) Recipient(ctx context.Context, subject string) (ident.Fodselsnummer, bool, error) {
	if absent(subject) {
		return ident.Fodselsnummer{}, false, nil
	}
	var raw string
	err := s.db.Pool.QueryRow(ctx, `SELECT person FROM notify_recipients WHERE subject = $1`, subject).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return ident.Fodselsnummer{}, false, nil
	}
	if err != nil {
		return ident.Fodselsnummer{}, false, fmt.Errorf("postgres: notify recipients: %w", err)
	}
	p, err := ident.ParseFodselsnummer(raw)
	if err != nil { // the error names no digits
		return ident.Fodselsnummer{}, false, fmt.Errorf("postgres: notify recipients: a stored person: %w", err)
	}
	return p, true, nil
}
