package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/notify"
)

// NotifyChannels is notify.Channels on PostgreSQL: a row per owner key.
type NotifyChannels struct{ db *DB }

// NewNotifyChannels returns notify.Channels on db. Run db.Migrate first.
func NewNotifyChannels(db *DB) *NotifyChannels { return &NotifyChannels{db: db} }

var _ notify.Channels = (*NotifyChannels)(nil)

// Channel implements notify.Channels.
func (s *NotifyChannels) Channel(ctx context.Context, owner string) (notify.Channel, bool, error) {
	var c string
	err := s.db.Pool.QueryRow(ctx, `SELECT channel FROM notify_channels WHERE owner = $1`, owner).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("postgres: notify channels: %w", err)
	}
	return notify.Channel(c), true, nil
}

// SetChannel implements notify.Channels.
func (s *NotifyChannels) SetChannel(ctx context.Context, owner string, c notify.Channel) error {
	if err := notify.CheckChannel(owner, c); err != nil {
		return err
	}
	if absent(owner) {
		return fmt.Errorf("%w: the owner key holds text PostgreSQL cannot keep", notify.ErrInvalid)
	}
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO notify_channels (owner, channel) VALUES ($1, $2)
		ON CONFLICT (owner) DO UPDATE SET channel = EXCLUDED.channel`, owner, string(c))
	if err != nil {
		return fmt.Errorf("postgres: notify channels: %w", err)
	}
	return nil
}
