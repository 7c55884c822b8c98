-- booking.sql is one booking as postgres.BookingStore writes it, as a
-- pgbench script: the statements a Service.Hold then Service.Confirm send,
-- with the defaults the Service sets (a cap on open holds, an idempotency
-- key on each step, the resource's version) and one event per step. pgbench.sh
-- runs it with pgbench's own client next to pgbench -N and the Go benchmark,
-- so that a round shows what the SQL alone allows and what the Go side costs.
--
-- It mirrors, statement for statement:
--   * the hold's batch, holdBatch in postgres/booking.go: the owner's
--     advisory lock, then one statement that inserts the reservation (if
--     the slot is free, the owner has fewer than 3 open holds and the
--     resource is at the version the request was made from), its key and
--     its event, and turns synchronous_commit off for its transaction;
--   * the confirmation, confirmFast there: one statement that confirms the
--     live hold and inserts its key and its event, committed durably.
-- Ids and keys are random, as a service's are, and event ids lead with the
-- time, as events.New's UUIDv7s do; each hold takes the next 15-minute slot
-- of one of 8 halls, as BenchmarkBookPostgres walks them.
-- TestPgbenchBookingScript (postgres) runs it and checks what it wrote.
--
-- Variables: :version is the halls' version (their xmin), set with -D by
-- pgbench.sh after it writes them; the tables are found through the
-- connection's search_path.
\set h random(0, 7)
\set a random(1, 1000000000)
\set b random(1, 1000000000)
\startpipeline
SELECT pg_advisory_xact_lock(hashtext('booking/open'), hashtext('owner-' || :a || '-' || :b));
WITH s AS (SELECT timestamptz '2026-03-01 00:00Z' + nextval('booking_bench_slot') * interval '15 minutes' AS t),
r AS (INSERT INTO booking_reservations (id, resource_id, owner, state, seats, exclusive,
	start_at, end_at, block_start, block_end, hold_expires, created, updated, series_id, recurrence, series_start, price_ore, title)
	SELECT 'res-' || :a || '-' || :b, 'hall-' || :h, 'owner-' || :a || '-' || :b, 'held', 1, true,
		t, t + interval '15 minutes', t, t + interval '15 minutes', now() + interval '15 minutes', now(), now(), '', NULL, NULL, 0, ''
	FROM s
	WHERE NOT EXISTS (SELECT 1 FROM booking_reservations x WHERE x.resource_id = 'hall-' || :h
		AND x.block && tstzrange(s.t, s.t + interval '15 minutes', '[)')
		AND (x.state = 'confirmed' OR (x.state = 'held' AND x.hold_expires > now())))
	AND (SELECT count(*) FROM booking_reservations x
		WHERE x.owner = 'owner-' || :a || '-' || :b AND x.state = 'held' AND x.hold_expires > now() AND x.series_id = '') < 3
	AND EXISTS (SELECT 1 FROM booking_resources WHERE id = 'hall-' || :h AND xmin::text = :version)
	RETURNING id),
k AS (INSERT INTO booking_keys (op, key, reservation_id) SELECT 'hold', 'hold-' || :a || '-' || :b, id FROM r),
e AS (INSERT INTO events_outbox (id, source, type, subject, time, data)
	SELECT id, source, type, subject, time, data
	FROM unnest(ARRAY[to_char(clock_timestamp(), 'YYYYMMDDHH24MISSUS') || '-held-' || :a || '-' || :b], ARRAY['/grunnmur/booking'], ARRAY['no.grunnmur.booking.reservation.held.v1'],
		ARRAY['res-' || :a || '-' || :b], ARRAY[now()],
		ARRAY[convert_to('{"reservation":"res-' || :a || '-' || :b || '","state":"held","resource":"hall-' || :h || '","owner":"owner-' || :a || '-' || :b || '","seats":1,"start":"2026-03-01T10:00:00Z","end":"2026-03-01T10:15:00Z","holdExpires":"2026-03-01T09:15:00Z"}', 'UTF8')])
		WITH ORDINALITY AS e(id, source, type, subject, time, data, ord)
	WHERE EXISTS (SELECT 1 FROM r)
	ORDER BY ord)
SELECT count(*), set_config('synchronous_commit', 'off', true) FROM r;
\endpipeline
WITH c AS (UPDATE booking_reservations SET state = 'confirmed', hold_expires = NULL, updated = now()
	WHERE id = 'res-' || :a || '-' || :b AND state = 'held' AND hold_expires > now()
	RETURNING id, resource_id, owner, state, seats, start_at, end_at, block_start, block_end,
		hold_expires, created, updated, charged, series_id, recurrence, series_start, price_ore, title),
k AS (INSERT INTO booking_keys (op, key, reservation_id) SELECT 'confirm', 'confirm-' || :a || '-' || :b, id FROM c),
e AS (INSERT INTO events_outbox (id, source, type, subject, time, data)
	SELECT id, source, type, subject, time, data
	FROM unnest(ARRAY[to_char(clock_timestamp(), 'YYYYMMDDHH24MISSUS') || '-confirmed-' || :a || '-' || :b], ARRAY['/grunnmur/booking'], ARRAY['no.grunnmur.booking.reservation.confirmed.v1'],
		ARRAY['res-' || :a || '-' || :b], ARRAY[now()],
		ARRAY[convert_to('{"reservation":"res-' || :a || '-' || :b || '","state":"confirmed"}', 'UTF8')])
		WITH ORDINALITY AS e(id, source, type, subject, time, data, ord)
	WHERE EXISTS (SELECT 1 FROM c)
	ORDER BY ord)
SELECT id, resource_id, owner, state, seats, start_at, end_at, block_start, block_end,
	hold_expires, created, updated, charged, series_id, recurrence, series_start, price_ore, title FROM c;
