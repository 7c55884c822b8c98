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

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/money"
)

// BookingStore is a booking.Store on PostgreSQL. The database itself keeps
// seats from being booked twice: an exclusion constraint for resources of
// capacity 1, and a lock on the resource row for larger ones (see the 0300
// and 0320 migrations). Two processes with their own pools are as safe as one.
type BookingStore struct{ db *DB }

// NewBookingStore returns a booking.Store on db. Run db.Migrate first.
func NewBookingStore(db *DB) *BookingStore { return &BookingStore{db: db} }

var _ booking.Store = (*BookingStore)(nil)

const (
	pgUniqueViolation    = "23505"
	pgExclusionViolation = "23P01"
	pgDeadlock           = "40P01"
	pgSerialization      = "40001"
)

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// tx runs f in a transaction, again when PostgreSQL reports a deadlock or a
// serialization failure (both mean: nothing was written, try again).
func (s *BookingStore) tx(ctx context.Context, f func(tx pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = pgx.BeginFunc(ctx, s.db.Pool, f)
		if c := pgCode(err); c != pgDeadlock && c != pgSerialization {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	return err
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	for _, e := range []error{booking.ErrSlotTaken, booking.ErrLimitReached, booking.ErrTooManyHolds, booking.ErrNotFound, booking.ErrHoldExpired,
		booking.ErrState, booking.ErrKeyReused, booking.ErrFeedRevoked, booking.ErrInvalid, booking.ErrResourceChanged, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, e) {
			return err
		}
	}
	return fmt.Errorf("postgres: booking: %s: %w", op, err)
}

// PutResource implements booking.Store.
func (s *BookingStore) PutResource(ctx context.Context, r *booking.Resource) error {
	if err := r.Validate(); err != nil {
		return err
	}
	doc, err := json.Marshal(r)
	if err != nil {
		return wrap("put resource", err)
	}
	_, err = s.db.Pool.Exec(ctx, `INSERT INTO booking_resources (id, doc) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc`, r.ID, doc)
	return wrap("put resource", err)
}

// Resource implements booking.Store.
func (s *BookingStore) Resource(ctx context.Context, id string) (*booking.Resource, error) {
	r, _, err := s.ResourceVersion(ctx, id)
	return r, err
}

var _ booking.ResourceVersioner = (*BookingStore)(nil)

// ResourceVersion implements booking.ResourceVersioner. The version is the
// row's xmin, the transaction that wrote it: every PutResource writes the
// row anew, and nothing else writes it (a lock for update leaves xmin
// alone). VACUUM's freezing of an old row changes it too, which costs
// Service one read more.
func (s *BookingStore) ResourceVersion(ctx context.Context, id string) (*booking.Resource, string, error) {
	if absent(id) {
		return nil, "", booking.ErrNotFound
	}
	var doc []byte
	var version string
	err := s.db.Pool.QueryRow(ctx, `SELECT doc, xmin::text FROM booking_resources WHERE id = $1`, id).Scan(&doc, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", booking.ErrNotFound
	}
	if err != nil {
		return nil, "", wrap("resource", err)
	}
	var r booking.Resource
	if err := json.Unmarshal(doc, &r); err != nil {
		return nil, "", wrap("stored resource does not decode", err)
	}
	return &r, version, nil
}

// Resources implements booking.Store.
func (s *BookingStore) Resources(ctx context.Context) ([]*booking.Resource, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT doc FROM booking_resources ORDER BY id`)
	if err != nil {
		return nil, wrap("resources", err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, wrap("resources", err)
	}
	out := make([]*booking.Resource, 0, len(docs))
	for _, d := range docs {
		var r booking.Resource
		if err := json.Unmarshal(d, &r); err != nil {
			return nil, wrap("stored resource does not decode", err)
		}
		out = append(out, &r)
	}
	return out, nil
}

var _ booking.Versioned = (*BookingStore)(nil)

// Version implements booking.Versioned: the row count and a sum of 64-bit
// hashes of every row (with its xmin, which each write renews) of the
// resource and of its reservations overlapping [from, to). It takes no
// lock and adds nothing to the write path: any insert, update or expiry of
// such a row changes it (a collision is about 2⁻⁶⁴).
func (s *BookingStore) Version(ctx context.Context, resourceID string, from, to time.Time) (string, error) {
	var v string
	err := s.db.Pool.QueryRow(ctx, versionQuery, resourceID, from, to).Scan(&v)
	return v, wrap("version", err)
}

// The queries of a slot, [$2, $3) on resource $1. Each finds its rows with
// the index of booking_no_double_booking (migration 0320), which holds every
// reservation, whatever its state or seats; TestBookingSlotPlans checks it.
const (
	versionQuery = `SELECT concat_ws(':',
		(SELECT hashtextextended(r::text || r.xmin::text, 0) FROM booking_resources r WHERE r.id = $1),
		count(*), coalesce(sum(hashtextextended(b::text || b.xmin::text, 0)), 0))
		FROM booking_reservations b WHERE b.resource_id = $1 AND b.block && tstzrange($2, $3, '[)')`
	expireHoldsQuery = `UPDATE booking_reservations SET state = 'expired'
		WHERE resource_id = $1 AND state = 'held' AND hold_expires <= $4
		AND block && tstzrange($2, $3, '[)')`
	overlappingQuery = `SELECT ` + resCols + ` FROM booking_reservations
		WHERE resource_id = $1 AND block && tstzrange($2, $3, '[)')
		AND (state = 'confirmed' OR (state = 'held' AND hold_expires > $4))`
)

const resCols = `id, resource_id, owner, state, seats, start_at, end_at, block_start, block_end,
	hold_expires, created, updated, charged, series_id, recurrence, series_start, price_ore, title`

func scanReservation(row pgx.Row) (*booking.Reservation, error) {
	var (
		r                    booking.Reservation
		state                string
		holdExp, seriesStart *time.Time
		rec                  []byte
		priceOre             int64
	)
	err := row.Scan(&r.ID, &r.ResourceID, &r.Owner, &state, &r.Seats, &r.Start, &r.End, &r.BlockStart, &r.BlockEnd,
		&holdExp, &r.Created, &r.Updated, &r.Charged, &r.SeriesID, &rec, &seriesStart, &priceOre, &r.Title)
	if err != nil {
		return nil, err
	}
	r.State, r.Price = booking.State(state), money.Amount(priceOre)
	if holdExp != nil {
		r.HoldExpires = *holdExp
	}
	if seriesStart != nil {
		r.SeriesStart = *seriesStart
	}
	if len(rec) > 0 {
		r.Recurrence = new(booking.Recurrence)
		if err := json.Unmarshal(rec, r.Recurrence); err != nil {
			return nil, fmt.Errorf("stored recurrence does not decode: %w", err)
		}
	}
	return &r, nil
}

func collectReservations(rows pgx.Rows) ([]*booking.Reservation, error) {
	defer rows.Close()
	var out []*booking.Reservation
	for rows.Next() {
		r, err := scanReservation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func reservationByID(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id string, lock bool) (*booking.Reservation, error) {
	sql := `SELECT ` + resCols + ` FROM booking_reservations WHERE id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	r, err := scanReservation(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound
	}
	return r, err
}

// claimKey records (op, key) for id in tx. If the key was claimed before, it
// returns the reservation id stored with it (after waiting for the
// transaction that claimed it, if that is still running).
func claimKey(ctx context.Context, tx pgx.Tx, op, key, id string) (prior string, err error) {
	if key == "" {
		return "", nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO booking_keys (op, key, reservation_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, op, key, id)
	if err != nil {
		return "", err
	}
	if tag.RowsAffected() == 1 {
		return "", nil
	}
	err = tx.QueryRow(ctx, `SELECT reservation_id FROM booking_keys WHERE op = $1 AND key = $2`, op, key).Scan(&prior)
	return prior, err
}

// expireHolds marks the holds on the resource that overlap [from, to) and
// have run out at at as expired, so they stop counting for the exclusion
// constraint. It locks those rows, so concurrent callers agree.
func expireHolds(ctx context.Context, tx pgx.Tx, resourceID string, from, to, at time.Time) error {
	_, err := tx.Exec(ctx, expireHoldsQuery, resourceID, from, to, at)
	return err
}

// overlapping returns the active reservations on the resource overlapping
// [from, to) at at.
func overlapping(ctx context.Context, tx pgx.Tx, resourceID string, from, to, at time.Time) ([]*booking.Reservation, error) {
	rows, err := tx.Query(ctx, overlappingQuery, resourceID, from, to, at)
	if err != nil {
		return nil, err
	}
	return collectReservations(rows)
}

// ownerActive returns the owner's active reservations on the resource that
// start in one of the limit windows.
func ownerActive(ctx context.Context, tx pgx.Tx, resourceID, owner string, limits []booking.Limit, at time.Time) ([]*booking.Reservation, error) {
	from, to := limits[0].From, limits[0].To
	for _, l := range limits[1:] {
		if l.From.Before(from) {
			from = l.From
		}
		if l.To.After(to) {
			to = l.To
		}
	}
	rows, err := tx.Query(ctx, `SELECT `+resCols+` FROM booking_reservations
		WHERE resource_id = $1 AND owner = $2 AND start_at >= $3 AND start_at < $4
		AND (state = 'confirmed' OR (state = 'held' AND hold_expires > $5))`, resourceID, owner, from, to, at)
	if err != nil {
		return nil, err
	}
	return collectReservations(rows)
}

// lockFor takes the locks a change to the resource's bookings needs:
// the resource row when seats are shared (capacity > 1), else, when limits
// apply, a transaction advisory lock per (resource, owner), so that one
// citizen's concurrent holds are counted one at a time while other
// citizens' holds run in parallel under the exclusion constraint.
func lockFor(ctx context.Context, tx pgx.Tx, resourceID, owner string, capacity int, limits []booking.Limit) error {
	if capacity > 1 {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM booking_resources WHERE id = $1 FOR UPDATE`, resourceID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound
		}
		return err
	}
	if len(limits) > 0 {
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, resourceID, owner)
		return err
	}
	return nil
}

// check applies the capacity and limit rules inside tx.
func check(ctx context.Context, tx pgx.Tx, resourceID, owner, skip string, seats, capacity int, from, to time.Time, limits []booking.Limit, at time.Time) error {
	// Lock first, then expire: every writer takes the locks in one order.
	if err := lockFor(ctx, tx, resourceID, owner, capacity, limits); err != nil {
		return err
	}
	if err := expireHolds(ctx, tx, resourceID, from, to, at); err != nil {
		return err
	}
	over, err := overlapping(ctx, tx, resourceID, from, to, at)
	if err != nil {
		return err
	}
	if booking.PeakSeats(over, from, to, at, skip)+seats > max(capacity, 1) {
		return booking.ErrSlotTaken
	}
	if len(limits) > 0 {
		mine, err := ownerActive(ctx, tx, resourceID, owner, limits, at)
		if err != nil {
			return err
		}
		if err := booking.CheckLimits(mine, owner, limits, at, skip); err != nil {
			return err
		}
	}
	return nil
}

// checkOpen applies req.Open inside tx. An advisory lock per owner, taken
// before any lock of check, makes one owner's concurrent holds count one at
// a time, on every resource.
func checkOpen(ctx context.Context, tx pgx.Tx, owner, series string, l booking.OpenLimit, at time.Time) error {
	if l == (booking.OpenLimit{}) {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('booking/open'), hashtext($1))`, owner); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT series_id FROM booking_reservations
		WHERE owner = $1 AND state = 'held' AND hold_expires > $2`, owner, at)
	if err != nil {
		return err
	}
	var open []*booking.Reservation
	for rows.Next() {
		var r booking.Reservation
		if err := rows.Scan(&r.SeriesID); err != nil {
			rows.Close()
			return err
		}
		open = append(open, &r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if booking.OpenLimitExceeded(l, open, series) {
		return booking.ErrTooManyHolds
	}
	return nil
}

// Hold implements booking.Store.
func (s *BookingStore) Hold(ctx context.Context, req booking.HoldRequest, evs ...events.Event) (*booking.Reservation, error) {
	if !text.ValidValue(req) {
		return nil, booking.ErrInvalidText
	}
	if req.Capacity <= 1 && len(req.Limits) == 0 {
		if out, ok, err := s.holdExclusive(ctx, req, false, evs); ok {
			return out, err
		}
	}
	return s.holdTx(ctx, req, evs)
}

// holdTx holds seats in a transaction that takes the locks the request's
// capacity and limits need, counts and writes. Like holdExclusive, it commits
// without waiting for the flush (see there why that is safe).
func (s *BookingStore) holdTx(ctx context.Context, req booking.HoldRequest, evs []events.Event) (*booking.Reservation, error) {
	nr := req.Reservation
	var out *booking.Reservation
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		prior, err := claimKey(ctx, tx, "hold", req.Key, nr.ID)
		if err != nil {
			return err
		}
		if prior != "" {
			old, err := reservationByID(ctx, tx, prior, false)
			if err != nil {
				return err
			}
			if !booking.SameHold(old, nr) {
				return booking.ErrKeyReused
			}
			out = old
			return nil
		}
		if err := checkOpen(ctx, tx, nr.Owner, nr.SeriesID, req.Open, req.At); err != nil {
			return err
		}
		if err := checkVersion(ctx, tx, nr.ResourceID, req.ResourceVersion, req.Capacity > 1); err != nil {
			return err
		}
		if err := check(ctx, tx, nr.ResourceID, nr.Owner, "", nr.Seats, req.Capacity, nr.BlockStart, nr.BlockEnd, req.Limits, req.At); err != nil {
			return err
		}
		var rec []byte
		if nr.Recurrence != nil {
			if rec, err = json.Marshal(nr.Recurrence); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO booking_reservations (id, resource_id, owner, state, seats, exclusive,
			start_at, end_at, block_start, block_end, hold_expires, created, updated, series_id, recurrence, series_start, price_ore, title)
			VALUES ($1, $2, $3, 'held', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			nr.ID, nr.ResourceID, nr.Owner, nr.Seats, req.Capacity <= 1, nr.Start, nr.End, nr.BlockStart, nr.BlockEnd,
			nullTime(nr.HoldExpires), nr.Created, nr.Updated, nr.SeriesID, rec, nullTime(nr.SeriesStart), nr.Price.Ore(), nr.Title)
		if err != nil {
			return err
		}
		if err := appendEvents(ctx, tx, evs); err != nil {
			return err
		}
		out = nr.Clone()
		out.State = booking.Held
		return nil
	})
	switch pgCode(err) {
	case pgExclusionViolation:
		return nil, booking.ErrSlotTaken
	case pgUniqueViolation:
		return nil, booking.ErrKeyReused
	}
	if err != nil {
		return nil, wrap("hold", err)
	}
	return out, nil
}

// checkVersion refuses a request made from another version of the resource
// than the stored one, before anything is counted against its capacity.
// When seats are shared it takes the row lock that check takes next (the
// same lock, in the same order), so the version cannot change before the
// commit.
func checkVersion(ctx context.Context, tx pgx.Tx, resourceID, version string, lock bool) error {
	if version == "" {
		return nil
	}
	q := `SELECT xmin::text FROM booking_resources WHERE id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	var now string
	if err := tx.QueryRow(ctx, q, resourceID).Scan(&now); err != nil {
		return err
	}
	if now != version {
		return booking.ErrResourceChanged
	}
	return nil
}

const insertReservation = `INSERT INTO booking_reservations (id, resource_id, owner, state, seats, exclusive,
	start_at, end_at, block_start, block_end, hold_expires, created, updated, series_id, recurrence, series_start, price_ore, title)
	SELECT $1, $2, $3, 'held', $4, true, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16
	WHERE NOT EXISTS (SELECT 1 FROM booking_reservations WHERE resource_id = $2 AND block && tstzrange($7, $8, '[)')
		AND (state = 'confirmed' OR (state = 'held' AND hold_expires > $17)))`

// The owner's open holds at $17, as checkOpen reads them, for the SQL form of
// booking.OpenLimitExceeded in holdExclusive: singles for a hold outside a
// series, the other series for a hold in one.
const (
	openSinglesBelow = ` AND (SELECT count(*) FROM booking_reservations
		WHERE owner = $3 AND state = 'held' AND hold_expires > $17 AND series_id = '') < $19`
	openSeriesBelow = ` AND (SELECT count(DISTINCT series_id) FROM booking_reservations
		WHERE owner = $3 AND state = 'held' AND hold_expires > $17 AND series_id <> '' AND series_id <> $12) < $19`
)

// holdExclusive holds a seat of a capacity-1 resource without per-citizen
// limits in one round trip: a pipelined batch that PostgreSQL runs as one
// implicit transaction. The exclusion constraint is what stops a concurrent
// double booking; the NOT EXISTS only saves a failed insert in the common
// case. req.Open is checked in the insert itself, under the same per-owner
// advisory lock as checkOpen, so one owner's holds are counted one at a time
// on both paths.
//
// The batch commits with synchronous_commit off: PostgreSQL answers before
// the commit record is flushed to disk. That is safe for a hold, and only
// for a hold:
//   - a crash of the server can lose at most the last few hundred
//     milliseconds of such commits (3 × wal_writer_delay), never corrupt
//     anything or reorder them;
//   - a lost hold is a hold that expired early: it stops keeping its seat,
//     which is what every hold does by itself after its TTL, and a Confirm of
//     it fails (ErrNotFound), as it would for a hold cancelled meanwhile;
//   - the confirmation commits durably, and the WAL is flushed in order, so
//     a confirmation that survives a crash brings its hold with it: no
//     booking can ever rest on a lost hold, and no seat is booked twice.
//
// Expired holds still marked held in the slot would trip the exclusion
// constraint; the NOT EXISTS already looks past them. Only when the
// constraint fires does the batch run again with expire set, marking them
// expired first, so the common hold scans the slot once, not twice.
//
// ok is false when the batch inserted nothing for a reason it cannot tell
// (the slot taken, too many open holds, or the resource changed): holdTx
// then decides, with the same rules as for every other request.
func (s *BookingStore) holdExclusive(ctx context.Context, req booking.HoldRequest, expire bool, evs []events.Event) (out *booking.Reservation, ok bool, err error) {
	nr := req.Reservation
	b, inserted, err := holdBatch(req, expire, evs)
	if err != nil {
		return nil, true, wrap("hold", err)
	}
	err = s.db.Pool.SendBatch(ctx, b).Close()
	switch code := pgCode(err); {
	case code == pgExclusionViolation && !expire:
		return s.holdExclusive(ctx, req, true, evs)
	case err == nil && *inserted == 1:
		out := nr.Clone()
		out.State = booking.Held
		return out, true, nil
	case err == nil, code == pgExclusionViolation, code == pgUniqueViolation:
		if req.Key != "" {
			var prior string
			e := s.db.Pool.QueryRow(ctx, `SELECT reservation_id FROM booking_keys WHERE op = 'hold' AND key = $1`, req.Key).Scan(&prior)
			if e == nil {
				old, err := reservationByID(ctx, s.db.Pool, prior, false)
				if err != nil {
					return nil, true, wrap("hold", err)
				}
				if !booking.SameHold(old, nr) {
					return nil, true, booking.ErrKeyReused
				}
				return old, true, nil
			}
			if !errors.Is(e, pgx.ErrNoRows) {
				return nil, true, wrap("hold", e)
			}
		}
		switch {
		case code == pgUniqueViolation:
			return nil, true, booking.ErrKeyReused // the reservation id itself was taken
		case code == pgExclusionViolation:
			return nil, true, booking.ErrSlotTaken
		case req.Open == (booking.OpenLimit{}) && req.ResourceVersion == "":
			return nil, true, booking.ErrSlotTaken // the only reason left
		}
		return nil, false, nil
	}
	return nil, true, wrap("hold", err)
}

// holdBatch is holdExclusive's batch. Its last statement makes the hold:
// the insert of the reservation under its conditions, with, as further
// steps of the same statement, the insert of its key (if any) and of its
// events, both only if the reservation was inserted, and the commit mode.
// Its one row counts the reservations inserted (*inserted, once the batch
// is closed: 1 or 0). A key already taken fails the key's insert, and with
// it the statement: holdExclusive then looks for the hold it names.
//
// Before it come, when needed, the owner's advisory lock for req.Open (in a
// statement of its own, so that the hold's statement, which counts the
// owner's open holds, starts after the lock is granted and sees every hold
// committed before it), and, if expire is set, the marking of expired
// holds in the slot.
func holdBatch(req booking.HoldRequest, expire bool, evs []events.Event) (*pgx.Batch, *int64, error) {
	if err := checkEvents(evs); err != nil {
		return nil, nil, err
	}
	nr := req.Reservation
	var rec []byte
	if nr.Recurrence != nil {
		var err error
		if rec, err = json.Marshal(nr.Recurrence); err != nil {
			return nil, nil, err
		}
	}
	insert := insertReservation
	args := []any{nr.ID, nr.ResourceID, nr.Owner, nr.Seats, nr.Start, nr.End, nr.BlockStart, nr.BlockEnd,
		nullTime(nr.HoldExpires), nr.Created, nr.Updated, nr.SeriesID, rec, nullTime(nr.SeriesStart), nr.Price.Ore(), nr.Title, req.At, req.Key}
	switch open := req.Open; {
	case nr.SeriesID == "" && open.Holds > 0:
		insert, args = insert+openSinglesBelow, append(args, open.Holds)
	case nr.SeriesID != "" && open.Series > 0:
		insert, args = insert+openSeriesBelow, append(args, open.Series)
	}
	if req.ResourceVersion != "" {
		// Made from the stored resource, not one since put.
		args = append(args, req.ResourceVersion)
		insert += fmt.Sprintf(` AND EXISTS (SELECT 1 FROM booking_resources WHERE id = $2 AND xmin::text = $%d)`, len(args))
	}
	// The key goes with the reservation: a concurrent request with the same
	// key fails this insert, which rolls the reservation back too.
	sql := `WITH r AS (` + insert + ` RETURNING id),
		k AS (INSERT INTO booking_keys (op, key, reservation_id) SELECT 'hold', $18, id FROM r WHERE $18 <> '')`
	if len(evs) > 0 {
		sql += `,
		e AS (` + insertEventsWhere(len(args)+1, `EXISTS (SELECT 1 FROM r)`) + `)`
		args = append(args, eventArgs(evs)...)
	}
	sql += `
		SELECT count(*), set_config('synchronous_commit', 'off', true) FROM r`
	b := &pgx.Batch{}
	if req.Open != (booking.OpenLimit{}) {
		b.Queue(`SELECT pg_advisory_xact_lock(hashtext('booking/open'), hashtext($1))`, nr.Owner)
	}
	if expire {
		b.Queue(`UPDATE booking_reservations SET state = 'expired'
			WHERE resource_id = $1 AND state = 'held' AND hold_expires <= $4 AND block && tstzrange($2, $3, '[)')`,
			nr.ResourceID, nr.BlockStart, nr.BlockEnd, req.At)
	}
	inserted := new(int64)
	b.Queue(sql, args...).QueryRow(func(row pgx.Row) error {
		var mode string
		return row.Scan(inserted, &mode)
	})
	return b, inserted, nil
}

// confirmFast confirms a live hold in one round trip. It reports ok=false
// for everything else (already confirmed, expired, a reused key, ...), which
// the transactional path then sorts out.
func (s *BookingStore) confirmFast(ctx context.Context, id, key string, at time.Time, evs []events.Event) (*booking.Reservation, bool) {
	// The key (if any) and the events go with the confirmation, in the same
	// statement, and only if it confirmed. A key already taken fails the
	// key's insert, and the statement with it.
	sql := `WITH c AS (` + confirmHeld + `),
		k AS (INSERT INTO booking_keys (op, key, reservation_id) SELECT 'confirm', $3, id FROM c WHERE $3 <> '')`
	args := []any{id, at, key}
	if len(evs) > 0 {
		sql += `,
		e AS (` + insertEventsWhere(4, `EXISTS (SELECT 1 FROM c)`) + `)`
		args = append(args, eventArgs(evs)...)
	}
	sql += `
		SELECT ` + resCols + ` FROM c`
	r, err := scanReservation(s.db.Pool.QueryRow(ctx, sql, args...))
	return r, err == nil
}

const confirmHeld = `UPDATE booking_reservations SET state = 'confirmed', hold_expires = NULL, updated = $2
	WHERE id = $1 AND state = 'held' AND hold_expires > $2
	RETURNING ` + resCols

// change runs one keyed state change on a locked reservation.
func (s *BookingStore) change(ctx context.Context, op, id, key string, f func(tx pgx.Tx, r *booking.Reservation) error) (*booking.Reservation, error) {
	var out *booking.Reservation
	err := s.tx(ctx, func(tx pgx.Tx) error {
		prior, err := claimKey(ctx, tx, op, key, id)
		if err != nil {
			return err
		}
		if prior != "" && prior != id {
			return booking.ErrKeyReused
		}
		r, err := reservationByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if prior == "" {
			if err := f(tx, r); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	if pgCode(err) == pgExclusionViolation {
		return nil, booking.ErrSlotTaken
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// Confirm implements booking.Store.
func (s *BookingStore) Confirm(ctx context.Context, id, key string, at time.Time, evs ...events.Event) (*booking.Reservation, error) {
	if absent(id, key) {
		return nil, booking.ErrNotFound
	}
	if err := checkEvents(evs); err != nil {
		return nil, err
	}
	if r, ok := s.confirmFast(ctx, id, key, at, evs); ok {
		return r, nil
	}
	return s.change(ctx, "confirm", id, key, func(tx pgx.Tx, r *booking.Reservation) error {
		switch r.StateAt(at) {
		case booking.Expired:
			return booking.ErrHoldExpired
		case booking.Cancelled:
			return booking.ErrState
		case booking.Confirmed:
			return nil
		}
		r.State, r.HoldExpires, r.Updated = booking.Confirmed, time.Time{}, at
		if _, err := tx.Exec(ctx, `UPDATE booking_reservations SET state = 'confirmed', hold_expires = NULL, updated = $2 WHERE id = $1`, r.ID, at); err != nil {
			return err
		}
		return appendEvents(ctx, tx, evs)
	})
}

// Cancel implements booking.Store.
func (s *BookingStore) Cancel(ctx context.Context, id, key string, at time.Time, charged bool, evs ...events.Event) (*booking.Reservation, error) {
	if absent(id, key) {
		return nil, booking.ErrNotFound
	}
	return s.change(ctx, "cancel", id, key, func(tx pgx.Tx, r *booking.Reservation) error {
		switch r.StateAt(at) {
		case booking.Expired:
			return booking.ErrHoldExpired
		case booking.Cancelled:
			return nil
		}
		r.State, r.Charged, r.Updated = booking.Cancelled, charged, at
		if _, err := tx.Exec(ctx, `UPDATE booking_reservations SET state = 'cancelled', charged = $2, updated = $3 WHERE id = $1`, r.ID, charged, at); err != nil {
			return err
		}
		return appendEvents(ctx, tx, evs)
	})
}

// Reschedule implements booking.Store.
func (s *BookingStore) Reschedule(ctx context.Context, req booking.RescheduleRequest, evs ...events.Event) (*booking.Reservation, error) {
	if absent(req.ID, req.Key) {
		return nil, booking.ErrNotFound
	}
	return s.change(ctx, "reschedule", req.ID, req.Key, func(tx pgx.Tx, r *booking.Reservation) error {
		switch r.StateAt(req.At) {
		case booking.Expired:
			return booking.ErrHoldExpired
		case booking.Cancelled:
			return booking.ErrState
		}
		if err := check(ctx, tx, r.ResourceID, r.Owner, r.ID, r.Seats, req.Capacity, req.BlockStart, req.BlockEnd, req.Limits, req.At); err != nil {
			return err
		}
		r.Start, r.End, r.BlockStart, r.BlockEnd, r.Updated = req.Start, req.End, req.BlockStart, req.BlockEnd, req.At
		if _, err := tx.Exec(ctx, `UPDATE booking_reservations SET start_at = $2, end_at = $3, block_start = $4, block_end = $5,
			updated = $6, exclusive = $7 WHERE id = $1`, r.ID, req.Start, req.End, req.BlockStart, req.BlockEnd, req.At, req.Capacity <= 1); err != nil {
			return err
		}
		return appendEvents(ctx, tx, evs)
	})
}

// Reservation implements booking.Store.
func (s *BookingStore) Reservation(ctx context.Context, id string) (*booking.Reservation, error) {
	if absent(id) {
		return nil, booking.ErrNotFound
	}
	r, err := reservationByID(ctx, s.db.Pool, id, false)
	if err != nil {
		return nil, wrap("reservation", err)
	}
	return r, nil
}

// Reservations implements booking.Store.
func (s *BookingStore) Reservations(ctx context.Context, q booking.Query) ([]*booking.Reservation, error) {
	if absent(q.ResourceID, q.Owner, q.SeriesID) {
		return nil, nil
	}
	sql, args := reservationsQuery(q)
	rows, err := s.db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap("reservations", err)
	}
	out, err := collectReservations(rows)
	return out, wrap("reservations", err)
}

// reservationsQuery is Reservations' query for q, and its arguments.
func reservationsQuery(q booking.Query) (string, []any) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if q.ResourceID != "" {
		add("resource_id = $?", q.ResourceID)
	}
	if q.Owner != "" {
		add("owner = $?", q.Owner)
	}
	if q.SeriesID != "" {
		add("series_id = $?", q.SeriesID)
	}
	if !q.From.IsZero() {
		add("block_end > $?", q.From)
	}
	if !q.To.IsZero() {
		add("block_start < $?", q.To)
	}
	if !q.ActiveAt.IsZero() {
		add("(state = 'confirmed' OR (state = 'held' AND hold_expires > $?))", q.ActiveAt)
	}
	sql := `SELECT ` + resCols + ` FROM booking_reservations`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	return sql + " ORDER BY start_at, id COLLATE \"C\"", args
}

// AddWaiter implements booking.Store.
func (s *BookingStore) AddWaiter(ctx context.Context, w *booking.Waiter) error {
	if !text.ValidValue(w) {
		return booking.ErrInvalidText
	}
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO booking_waiters (id, resource_id, owner, start_at, end_at, seats, state, reservation_id, created, updated)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		w.ID, w.ResourceID, w.Owner, w.Start, w.End, w.Seats, string(w.State), w.ReservationID, w.Created, w.Updated)
	if pgCode(err) == pgUniqueViolation {
		return booking.ErrKeyReused
	}
	return wrap("add waiter", err)
}

// Waiters implements booking.Store.
func (s *BookingStore) Waiters(ctx context.Context, resourceID string, from, to time.Time) ([]*booking.Waiter, error) {
	if absent(resourceID) {
		return nil, nil
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT id, resource_id, owner, start_at, end_at, seats, state, reservation_id, created, updated
		FROM booking_waiters WHERE resource_id = $1 AND state = 'waiting' AND start_at < $3 AND end_at > $2
		ORDER BY created, id COLLATE "C"`, resourceID, from, to)
	if err != nil {
		return nil, wrap("waiters", err)
	}
	defer rows.Close()
	var out []*booking.Waiter
	for rows.Next() {
		var (
			w     booking.Waiter
			state string
		)
		if err := rows.Scan(&w.ID, &w.ResourceID, &w.Owner, &w.Start, &w.End, &w.Seats, &state, &w.ReservationID, &w.Created, &w.Updated); err != nil {
			return nil, wrap("waiters", err)
		}
		w.State = booking.WaiterState(state)
		out = append(out, &w)
	}
	return out, wrap("waiters", rows.Err())
}

// SetWaiter implements booking.Store.
func (s *BookingStore) SetWaiter(ctx context.Context, id string, state booking.WaiterState, reservationID string, at time.Time, evs ...events.Event) error {
	if absent(id) {
		return booking.ErrNotFound
	}
	tag, err := execEmitting(ctx, s.db, evs, `UPDATE booking_waiters SET state = $2, reservation_id = $3, updated = $4 WHERE id = $1`,
		id, string(state), reservationID, at)
	if err != nil {
		return wrap("set waiter", err)
	}
	if tag.RowsAffected() == 0 {
		return booking.ErrNotFound
	}
	return nil
}

// PutFeed implements booking.Store.
func (s *BookingStore) PutFeed(ctx context.Context, f *booking.Feed) error {
	if !text.ValidValue(f) {
		return booking.ErrInvalidText
	}
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO booking_feeds (id, hash, owner, resource_id, created, revoked) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET revoked = EXCLUDED.revoked`,
		f.ID, f.Hash, f.Owner, f.ResourceID, f.Created, nullTime(f.Revoked))
	return wrap("put feed", err)
}

// FeedByHash implements booking.Store.
func (s *BookingStore) FeedByHash(ctx context.Context, hash string) (*booking.Feed, error) {
	if absent(hash) {
		return nil, booking.ErrFeedRevoked
	}
	var f booking.Feed
	err := s.db.Pool.QueryRow(ctx, `SELECT id, hash, owner, resource_id, created FROM booking_feeds WHERE hash = $1 AND revoked IS NULL`, hash).
		Scan(&f.ID, &f.Hash, &f.Owner, &f.ResourceID, &f.Created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrFeedRevoked
	}
	if err != nil {
		return nil, wrap("feed", err)
	}
	return &f, nil
}

// RevokeFeed implements booking.Store.
func (s *BookingStore) RevokeFeed(ctx context.Context, id string, at time.Time) error {
	if absent(id) {
		return booking.ErrNotFound
	}
	tag, err := s.db.Pool.Exec(ctx, `UPDATE booking_feeds SET revoked = COALESCE(revoked, $2) WHERE id = $1`, id, at)
	if err != nil {
		return wrap("revoke feed", err)
	}
	if tag.RowsAffected() == 0 {
		return booking.ErrNotFound
	}
	return nil
}

// RevokeFeeds implements booking.Store.
func (s *BookingStore) RevokeFeeds(ctx context.Context, owner, resourceID string, at time.Time) (int, error) {
	if absent(owner, resourceID) {
		return 0, nil
	}
	q := `UPDATE booking_feeds SET revoked = $2 WHERE owner = $1 AND revoked IS NULL`
	key := owner
	if owner == "" {
		q, key = `UPDATE booking_feeds SET revoked = $2 WHERE owner = '' AND resource_id = $1 AND revoked IS NULL`, resourceID
	}
	tag, err := s.db.Pool.Exec(ctx, q, key, at)
	if err != nil {
		return 0, wrap("revoke feeds", err)
	}
	return int(tag.RowsAffected()), nil
}
