package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// fillBookings writes reservations on 20 resources, exclusive and shared,
// in every state, and has the planner count them.
func fillBookings(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO booking_resources (id, doc) SELECT 'hall-' || h, '{}' FROM generate_series(0, 19) h`,
		`INSERT INTO booking_reservations (id, resource_id, owner, state, seats, exclusive,
			start_at, end_at, block_start, block_end, hold_expires, created, updated)
		SELECT 'r-' || h || '-' || s, 'hall-' || h, 'o' || s % 97,
			(ARRAY['held', 'confirmed', 'cancelled', 'expired'])[1 + s % 4], 1, h < 15,
			t, t + interval '15 minutes', t, t + interval '15 minutes', t, t, t
		FROM generate_series(0, 19) h, generate_series(0, 499) s,
			LATERAL (SELECT timestamptz '2026-03-02 00:00Z' + s * interval '15 minutes' AS t) x`,
		`ANALYZE booking_reservations`,
		// The table is small: make the planner show the plan it has for a big one.
		`SET enable_seqscan = off`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBookingSlotPlans: every query of a slot, on an exclusive resource and
// on a shared one, finds its rows through an index, not by reading the
// table, now that booking_no_double_booking's index is the only one on
// (resource_id, block) (migration 0320).
func TestBookingSlotPlans(t *testing.T) {
	db := postgrestest.Open(t)
	ctx := context.Background()
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	fillBookings(t, conn.Conn())
	from := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	to, at := from.Add(24*time.Hour), from.Add(time.Hour)
	type query struct {
		name, sql string
		args      []any
	}
	var qs []query
	for _, hall := range []string{"hall-1", "hall-17"} { // exclusive, shared
		slot := []any{hall, from, to, at}
		list, largs := postgres.BookingReservationsQuery(booking.Query{ResourceID: hall, From: from, To: to, ActiveAt: at})
		qs = append(qs,
			query{hall + " version", postgres.BookingVersionQuery, slot[:3]},
			query{hall + " expire holds", postgres.BookingExpireHoldsQuery, slot},
			query{hall + " overlapping", postgres.BookingOverlappingQuery, slot},
			query{hall + " hold", postgres.BookingInsertHoldQuery, []any{"new", hall, "o", 1, from, from.Add(15 * time.Minute),
				from, from.Add(15 * time.Minute), at, at, at, "", nil, nil, 0, "", at}},
			query{hall + " reservations", list, largs})
	}
	for _, q := range qs {
		all := explain(t, conn, q.sql, q.args...)
		if !strings.Contains(all, "on booking_no_double_booking") || strings.Contains(all, "Seq Scan on booking_reservations") {
			t.Errorf("%s: not through the slot index:\n%s", q.name, all)
		}
	}
}

// TestBookingConfirmInPlace: confirming a hold changes no indexed column,
// so PostgreSQL makes it a HOT update (no new index entries), as long as
// the row's page has room.
func TestBookingConfirmInPlace(t *testing.T) {
	db := postgrestest.Open(t)
	ctx := context.Background()
	s := postgres.NewBookingStore(db)
	if err := s.PutResource(ctx, &booking.Resource{ID: "hall", Capacity: 1, Slot: time.Hour}); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	at := start.Add(-time.Hour)
	if _, err := tx.Exec(ctx, `INSERT INTO booking_reservations (id, resource_id, owner, state, seats, exclusive,
		start_at, end_at, block_start, block_end, hold_expires, created, updated)
		VALUES ('h', 'hall', 'o', 'held', 1, true, $1, $2, $1, $2, $3, $4, $4)`, start, start.Add(time.Hour), start, at); err != nil {
		t.Fatal(err)
	}
	tag, err := tx.Exec(ctx, postgres.BookingConfirmHeldQuery, "h", at)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("confirm: %v %v", tag, err)
	}
	var hot int
	if err := tx.QueryRow(ctx, `SELECT pg_stat_get_xact_tuples_hot_updated('booking_reservations'::regclass)`).Scan(&hot); err != nil {
		t.Fatal(err)
	}
	if hot != 1 {
		t.Errorf("the confirmation was not a HOT update (%d HOT updates)", hot)
	}
}

// TestBookingExclusionRows: booking_no_double_booking keeps apart exactly
// the exclusive reservations that are held or confirmed, whatever else
// overlaps them: a cancelled or expired one frees its block, a shared-seat
// one neither blocks nor is blocked by it (the capacity checks count those).
func TestBookingExclusionRows(t *testing.T) {
	db := postgrestest.Open(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO booking_resources (id, doc) VALUES ('hall', '{}')`); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	n := 0
	put := func(state string, exclusive bool, offset time.Duration) error {
		n++
		_, err := db.Pool.Exec(ctx, `INSERT INTO booking_reservations (id, resource_id, owner, state, seats, exclusive,
			start_at, end_at, block_start, block_end, created, updated)
			VALUES ($1, 'hall', 'o', $2, 1, $3, $4, $5, $4, $5, $4, $4)`,
			"r"+strconv.Itoa(n), state, exclusive, start.Add(offset), start.Add(offset+time.Hour))
		return err
	}
	for _, step := range []struct {
		state     string
		exclusive bool
		offset    time.Duration
		refused   bool
	}{
		{"cancelled", true, 0, false},
		{"expired", true, 0, false},
		{"held", false, 0, false},
		{"confirmed", false, 0, false},
		{"held", true, 30 * time.Minute, false}, // blocks [10:30, 11:30)
		{"held", true, 0, true},
		{"confirmed", true, time.Hour, true},
		{"cancelled", true, time.Hour, false},
		{"held", false, time.Hour, false},
		{"confirmed", true, 90 * time.Minute, false}, // blocks [11:30, 12:30)
		{"held", true, 2 * time.Hour, true},
	} {
		err := put(step.state, step.exclusive, step.offset)
		if refused := err != nil && strings.Contains(err.Error(), "23P01"); refused != step.refused || (err != nil && !refused) {
			t.Errorf("%s exclusive=%v at +%v: %v, want refused %v", step.state, step.exclusive, step.offset, err, step.refused)
		}
	}
	// Confirming the hold at 10:30 keeps its block; cancelling it frees it.
	for _, state := range []string{"confirmed", "cancelled"} {
		if _, err := db.Pool.Exec(ctx, `UPDATE booking_reservations SET state = $1 WHERE id = 'r5'`, state); err != nil {
			t.Fatal(err)
		}
		if err := put("held", true, 0); (err == nil) != (state == "cancelled") {
			t.Errorf("a hold over r5 %s: %v", state, err)
		}
	}
}
