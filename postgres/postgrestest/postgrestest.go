package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/postgres"
)

// URL creates a fresh schema, drops it when the test ends, and returns a
// database URL whose connections use that schema as their search_path. Open
// as many pools on it as the test needs.
func URL(t testing.TB) string {
	t.Helper()
	base := testenv.DatabaseURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("postgrestest: connect to %s: %v", testenv.EnvDatabaseURL, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgrestest: create schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("postgrestest: drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("postgrestest: drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, base, schema)
}

func withSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("postgrestest: %s is not a URL", testenv.EnvDatabaseURL)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " search_path=" + schema
}

// Open returns a migrated DB in a fresh schema, closed and dropped when the
// test ends.
func Open(t testing.TB) *postgres.DB {
	t.Helper()
	return OpenURL(t, URL(t), true)
}

// OpenURL opens another pool on a URL from URL, for tests that need two
// independent pools on the same schema (so that only the database, never a Go
// mutex, can keep them apart). It migrates when migrate is true.
func OpenURL(t testing.TB, u string, migrate bool) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	t.Cleanup(db.Close)
	if migrate {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("postgrestest: %v", err)
		}
	}
	return db
}
