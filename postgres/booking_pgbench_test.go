package postgres_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// TestPgbenchBookingScript keeps booking/bench/booking.sql, which
// booking/bench/pgbench.sh measures as what a booking's SQL costs without Go,
// true to BookingStore: run by pgbench on a migrated schema, each of its
// transactions leaves what one Service.Hold and Service.Confirm with keys
// leave (a confirmed reservation, a hold key and a confirm key, a held and a
// confirmed event whose payloads decode as the booking package's), and
// nothing fails. A migration that the script no longer fits fails it here.
func TestPgbenchBookingScript(t *testing.T) {
	pgbench := testenv.Pgbench(t)
	u := postgrestest.URL(t)
	db := postgrestest.OpenURL(t, u, true)
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	schema := parsed.Query().Get("search_path")
	ctx := context.Background()

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
	h, err := svc.Hold(ctx, booking.HoldInput{ResourceID: hall.ID, Owner: "store-owner", Start: now.Add(24 * time.Hour), Key: "store-hold"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Confirm(ctx, h.ID, "store-confirm"); err != nil {
		t.Fatal(err)
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

	// The script's halls, written at once so that they share a version, and
	// its slot sequence, as pgbench.sh makes them.
	if _, err := db.Pool.Exec(ctx, `CREATE SEQUENCE booking_bench_slot`); err != nil {
		t.Fatal(err)
	}
	var version string
	if err := db.Pool.QueryRow(ctx, `INSERT INTO booking_resources (id, doc) SELECT 'hall-' || i, '{}' FROM generate_series(0, 7) i
		RETURNING xmin::text`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	const clients, each = 4, 25
	script, err := filepath.Abs("../booking/bench/booking.sql")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2", "-t", strconv.Itoa(each), "-D", "version="+version, "-f", script,
		testenv.DatabaseURL(t))
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
