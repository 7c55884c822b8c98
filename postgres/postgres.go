package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grunnmur/grunnmur/internal/text"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a PostgreSQL connection pool shared by every grunnmur store.
type DB struct {
	// Pool is exposed so that a service can run its own queries in the same
	// database; grunnmur's stores never keep state outside it.
	Pool *pgxpool.Pool
}

// Open connects to the database at url (a postgres:// URL or a key=value DSN)
// and checks the connection. It does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	if url == "" {
		return nil, errors.New("postgres: empty database URL")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx echoes the URL, password included, in its parse errors.
		return nil, errors.New("postgres: cannot parse the database URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Close closes every connection in the pool.
func (db *DB) Close() { db.Pool.Close() }

// Migrate applies every embedded migration that has not been applied yet.
// It is safe to call from several processes at once.
func (db *DB) Migrate(ctx context.Context) error {
	return migrate(ctx, db.Pool, migrationFS)
}

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// absent reports whether a key cannot name a stored row. PostgreSQL text is
// UTF-8 without NUL, so no such key was ever stored; the stores answer their
// own not-found error for it instead of sending it, which would fail the
// query ("invalid byte sequence for encoding UTF8") and turn a URL with bad
// bytes into a 500.
func absent(keys ...string) bool {
	for _, k := range keys {
		if !text.Valid(k) {
			return true
		}
	}
	return false
}
