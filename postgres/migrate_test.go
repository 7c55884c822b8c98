package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// TestMigrateEmptyToLatest applies every embedded migration to an empty schema,
// then again, concurrently from several pools, which must change nothing.
func TestMigrateEmptyToLatest(t *testing.T) {
	u := postgrestest.URL(t)
	ctx := context.Background()
	db := postgrestest.OpenURL(t, u, false)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM grunnmur_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	want := len(postgres.Migrations())
	if n != want {
		t.Fatalf("applied %d migrations, embedded %d", n, want)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			errs <- postgrestest.OpenURL(t, u, false).Migrate(ctx)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("re-running migrations: %v", err)
		}
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM grunnmur_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("after concurrent re-runs: %d migrations recorded, want %d", n, want)
	}
}

func TestMigrationNames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		ok    bool
	}{
		{"ordered", fstest.MapFS{
			"migrations/0002_core_b.sql": {Data: []byte("SELECT 1")},
			"migrations/0001_core_a.sql": {Data: []byte("SELECT 1")},
		}, true},
		{"duplicate number", fstest.MapFS{
			"migrations/0001_core_a.sql":    {Data: []byte("SELECT 1")},
			"migrations/0001_booking_b.sql": {Data: []byte("SELECT 1")},
		}, false},
		{"misnamed", fstest.MapFS{
			"migrations/1_core.sql": {Data: []byte("SELECT 1")},
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := postgres.MigrationsFrom(tc.files)
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			for i := 1; i < len(ms); i++ {
				if ms[i-1] >= ms[i] {
					t.Fatalf("migrations out of order: %v", ms)
				}
			}
		})
	}
}

func TestOpenDoesNotLeakPassword(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://u:s3cret-pw@[bad")
	if err == nil {
		t.Fatal("bad URL accepted")
	}
	if got := err.Error(); strings.Contains(got, "s3cret-pw") {
		t.Fatalf("error leaks the password: %s", got)
	}
}
