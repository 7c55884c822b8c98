package postgres_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// TestPgbenchBookingScript keeps booking/bench/booking.sql, which
// booking/bench/pgbench.sh measures as what a booking's SQL costs without Go,
// in step with BookingStore, in two ways:
//   - its statements have the shape of those one Service.Hold and
//     Service.Confirm send (traced on the pool): as many, in the same order,
//     in the same pipeline, each writing the same tables, with the same
//     locks, testing the same columns, with the same commit mode
//     (statementShape);
//   - run by pgbench on a migrated schema, each of its transactions leaves
//     what that booking leaves (a confirmed reservation, a hold key and a
//     confirm key, a held and a confirmed event whose payloads decode as the
//     booking package's), and none fails.
//
// A change to the store's statements or to the migrations that the script
// does not follow fails it here. It does not compare the values compared
// (the script makes in SQL what the store binds) nor plans.
func TestPgbenchBookingScript(t *testing.T) {
	pgbench := testenv.Pgbench(t)
	u := postgrestest.URL(t)
	postgrestest.OpenURL(t, u, true) // migrates
	ctx := t.Context()
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	traced := &statementTrace{}
	cfg.ConnConfig.Tracer = traced
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db := &postgres.DB{Pool: pool}
	var schema string
	if err := db.Pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}

	// One booking through the store, for what the script must match.
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc := &booking.Service{Store: postgres.NewBookingStore(db), Now: func() time.Time { return now }}
	hall := &booking.Resource{ID: "store-hall", Capacity: 1, Slot: 15 * time.Minute, Hours: booking.EveryDay(booking.Span{From: 0, To: booking.At(24, 0)})}
	if err := svc.PutResource(ctx, hall); err != nil {
		t.Fatal(err)
	}
	counts := func() map[string]int {
		t.Helper()
		out := map[string]int{}
		for name, q := range map[string]string{
			"confirmed reservations": `SELECT count(*) FROM booking_reservations WHERE state = 'confirmed' AND hold_expires IS NULL`,
			"reservations":           `SELECT count(*) FROM booking_reservations`,
			"hold keys":              `SELECT count(*) FROM booking_keys WHERE op = 'hold'`,
			"confirm keys":           `SELECT count(*) FROM booking_keys WHERE op = 'confirm'`,
			"held events":            `SELECT count(*) FROM events_outbox WHERE type = '` + booking.ReservationHeld.Name() + `'`,
			"confirmed events":       `SELECT count(*) FROM events_outbox WHERE type = '` + booking.ReservationConfirmed.Name() + `'`,
			"events":                 `SELECT count(*) FROM events_outbox`,
		} {
			var n int
			if err := db.Pool.QueryRow(ctx, q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out[name] = n
		}
		return out
	}
	// A first hold reads the resource; the Service keeps it, so a service's
	// usual hold is the next one, which the trace records.
	if _, err := svc.Hold(ctx, booking.HoldInput{ResourceID: hall.ID, Owner: "warm-up", Start: now.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM events_outbox; DELETE FROM booking_keys; DELETE FROM booking_reservations`); err != nil {
		t.Fatal(err)
	}
	traced.start()
	h, err := svc.Hold(ctx, booking.HoldInput{ResourceID: hall.ID, Owner: "store-owner", Start: now.Add(24 * time.Hour), Key: "store-hold"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Confirm(ctx, h.ID, "store-confirm"); err != nil {
		t.Fatal(err)
	}
	storeSQL := traced.stop()

	script, err := filepath.Abs("../booking/bench/booking.sql")
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	scriptSQL := scriptStatements(string(text))
	if len(scriptSQL) != len(storeSQL) {
		t.Fatalf("booking.sql has %d statements, the store sent %d:\n%s", len(scriptSQL), len(storeSQL), strings.Join(storeSQL, "\n----\n"))
	}
	for i := range storeSQL {
		if got, want := statementShape(scriptSQL[i]), statementShape(storeSQL[i]); !slices.Equal(got, want) {
			t.Errorf("statement %d: booking.sql's has the shape %v, the store's %v:\n%s", i+1, got, want, storeSQL[i])
		}
	}
	// What one booking leaves: one of each, and two events in all.
	per := func(name string) int {
		if name == "events" {
			return 2
		}
		return 1
	}
	for name, n := range counts() {
		if n != per(name) {
			t.Fatalf("one booking through the store left %d %s, want %d: the test's counts no longer fit the store", n, name, per(name))
		}
	}

	// The script's halls, written at once so that they share a version, as
	// pgbench.sh makes them.
	var version string
	if err := db.Pool.QueryRow(ctx, `INSERT INTO booking_resources (id, doc) SELECT 'hall-' || i, '{}' FROM generate_series(0, 7) i
		RETURNING xmin::text`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	const clients, each = 4, 25
	cmd := exec.CommandContext(ctx, pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2", "-t", strconv.Itoa(each),
		"-D", "n=0", "-D", "version="+version, "-f", script, libpqURL(t))
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c search_path="+schema+",public")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "number of transactions actually processed: "+strconv.Itoa(clients*each)+"/"+strconv.Itoa(clients*each)) {
		t.Fatalf("pgbench did not run every transaction:\n%s", out)
	}
	got := counts()
	for name, n := range got {
		if want := per(name) * (1 + clients*each); n != want {
			t.Errorf("after %d bookings by the script and 1 by the store: %d %s, want %d", clients*each, n, name, want)
		}
	}

	// Their events are the booking package's, about the reservations written.
	evs, err := postgres.NewEventOutbox(db).Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		var d booking.ReservationData
		switch {
		case booking.ReservationHeld.Is(e):
			d, err = booking.ReservationHeld.Decode(e)
		case booking.ReservationConfirmed.Is(e):
			d, err = booking.ReservationConfirmed.Decode(e)
		default:
			t.Fatalf("an event of type %s", e.Type)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Validate(); err != nil {
			t.Errorf("event %s: %v", e.ID, err)
		}
		if d.Reservation != e.Subject {
			t.Errorf("event %s is about %q, its payload about %q", e.ID, e.Subject, d.Reservation)
		}
		if _, err := svc.Reservation(ctx, d.Reservation); err != nil {
			t.Errorf("event %s: its reservation: %v", e.ID, err)
		}
	}
}

// statementTrace records the SQL of every query and batched query the pool
// runs between start and stop.
type statementTrace struct {
	mu  sync.Mutex
	on  bool
	sql []string
}

func (s *statementTrace) start() { s.mu.Lock(); s.on, s.sql = true, nil; s.mu.Unlock() }

func (s *statementTrace) stop() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	return s.sql
}

func (s *statementTrace) add(sql string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on {
		s.sql = append(s.sql, sql)
	}
}

func (s *statementTrace) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.add(d.SQL)
	return ctx
}

func (s *statementTrace) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (s *statementTrace) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	s.add(pipelineStart)
	return ctx
}

func (s *statementTrace) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	s.add(d.SQL)
}

func (s *statementTrace) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {
	s.add(pipelineEnd)
}

var (
	_ pgx.QueryTracer = (*statementTrace)(nil)
	_ pgx.BatchTracer = (*statementTrace)(nil)
)

// A batch (the store) and a pipeline (the script) are one implicit
// transaction sent in one round trip; both sides mark where one starts and
// ends.
const (
	pipelineStart = "-- pipeline {"
	pipelineEnd   = "-- pipeline }"
)

// scriptStatements splits a pgbench script into its SQL statements (what is
// not a comment nor a meta-command, up to each semicolon that ends a line)
// and its pipelines' marks.
func scriptStatements(script string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.Lines(script) {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == `\startpipeline`:
			out = append(out, pipelineStart)
			continue
		case trimmed == `\endpipeline`:
			out = append(out, pipelineEnd)
			continue
		case trimmed == "" || strings.HasPrefix(trimmed, "--") || strings.HasPrefix(trimmed, `\`):
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	return out
}

// statementShape lists, in order, what in a booking statement decides its
// cost and effect: the tables it inserts into and updates, its locks, the
// columns its conditions test (the slot, the owner, the state, the id, the
// version, the hold's expiry), RETURNING and the commit mode. A pipeline's
// mark is its own shape. Case and spacing do not count.
func statementShape(sql string) []string {
	if sql == pipelineStart || sql == pipelineEnd {
		return []string{sql}
	}
	var out []string
	for _, m := range shapeParts.FindAllString(sql, -1) {
		out = append(out, strings.ToLower(strings.Join(strings.Fields(m), " ")))
	}
	return out
}

var shapeParts = regexp.MustCompile(`(?i)\binsert\s+into\s+\w+|\bupdate\s+\w+\s+set\b|pg_advisory_xact_lock|\bfor\s+update\b|\bnot\s+exists\b|` +
	`count\(\s*(?:\*|distinct\s+series_id)\s*\)|\bresource_id\s*=|\bblock\s*&&|\bowner\s*=|\bstate\s*=\s*'\w+'|\bseries_id\s*=|\bid\s*=|` +
	`xmin::text\s*=|\bhold_expires\s*>|\breturning\b|set_config\(\s*'synchronous_commit'|\bunnest\b|\bwith\s+ordinality\b`)

// libpqURL is the test database's URL for libpq (pgbench): the URL without
// the settings that only pgx knows. A key=value DSN goes as it is.
func libpqURL(t *testing.T) string {
	t.Helper()
	base := testenv.DatabaseURL(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return base
	}
	q := u.Query()
	for k := range q {
		switch {
		case strings.HasPrefix(k, "pool_"), k == "search_path", k == "default_query_exec_mode",
			k == "statement_cache_capacity", k == "description_cache_capacity":
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
