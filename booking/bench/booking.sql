-- booking.sql is one booking as postgres.BookingStore writes it, as a
-- pgbench script: the statements that Service.Hold then Service.Confirm send
-- with the Service's default cap on open holds, the resource's version, one
-- event per step and an idempotency key on each step (as a service passes
-- them, and BenchmarkBookPostgres does). pgbench.sh runs it with pgbench's
-- own client beside pgbench -N and the Go benchmark, so that a round shows
-- what the SQL alone allows and what the Go side costs.
--
-- It follows, statement for statement:
--   * the hold's batch, holdBatch in postgres/booking.go: the owner's
--     advisory lock, then one statement that inserts the reservation (if the
--     slot is free, the owner has fewer than 3 open holds and the resource is
--     at the version the request was made from), its key and its event, and
--     turns synchronous_commit off for its transaction; pipelined, so that
--     the two run as one implicit transaction in one round trip;
--   * the confirmation, confirmFast there: one statement that confirms the
--     live hold and inserts its key and its event, committed durably.
-- TestPgbenchBookingScript (postgres) checks that its statements keep the
-- shape of those the store sends, and that it writes what the store writes.
--
-- Where the store binds values, the script makes them in SQL from pgbench's
-- variables, and its clock is now() where the store binds the Service's:
-- ids, owners and keys are random UUIDs, as a service's are; event ids are
-- UUID-shaped and lead with the time, as events.New's UUIDv7s do; the
-- payloads carry the booking's own fields. Each client books the 8 halls in
-- turn, as BenchmarkBookPostgres does, in 15-minute slots that no other
-- client (of up to 1,024) books, so every slot is free when it is held. Its
-- conditions test no column the store's do not, so the planner gives them
-- the store's plans.
--
-- pgbench reads a colon before a letter as a variable, even in a string, so
-- the times' colons are made with chr(58). Variables, set with -D: n=0 (the
-- client's bookings so far) and version, the halls' version (their xmin,
-- one for all 8: pgbench.sh writes them in one statement). The tables are
-- found through the connection's search_path.
\set n :n + 1
\set s :n * 1024 + :client_id
\set h (:n + :client_id) % 8
\set a random(1, 1000000000)
\set b random(1, 1000000000)
\startpipeline
SELECT pg_advisory_xact_lock(hashtext('booking/open'),
	hashtext(md5('owner-' || :a || '-' || :b)::uuid::text));
WITH r AS (INSERT INTO booking_reservations (id, resource_id, owner, state, seats, exclusive,
		start_at, end_at, block_start, block_end, hold_expires, created, updated,
		series_id, recurrence, series_start, price_ore, title)
	SELECT md5('res-' || :a || '-' || :b)::uuid::text, 'hall-' || :h,
		md5('owner-' || :a || '-' || :b)::uuid::text, 'held', 1, true,
		timestamptz '2026-03-01 00:00Z' + :s::bigint * interval '15 minutes',
		timestamptz '2026-03-01 00:15Z' + :s::bigint * interval '15 minutes',
		timestamptz '2026-03-01 00:00Z' + :s::bigint * interval '15 minutes',
		timestamptz '2026-03-01 00:15Z' + :s::bigint * interval '15 minutes',
		now() + interval '15 minutes', now(), now(), '', NULL, NULL, 0, ''
	WHERE NOT EXISTS (SELECT 1 FROM booking_reservations
		WHERE resource_id = 'hall-' || :h
		AND block && tstzrange(timestamptz '2026-03-01 00:00Z' + :s::bigint * interval '15 minutes',
			timestamptz '2026-03-01 00:15Z' + :s::bigint * interval '15 minutes', '[)')
		AND (state = 'confirmed' OR (state = 'held' AND hold_expires > now())))
	AND (SELECT count(*) FROM booking_reservations
		WHERE owner = md5('owner-' || :a || '-' || :b)::uuid::text
		AND state = 'held' AND hold_expires > now() AND series_id = '') < 3
	AND EXISTS (SELECT 1 FROM booking_resources WHERE id = 'hall-' || :h AND xmin::text = :version)
	RETURNING id),
k AS (INSERT INTO booking_keys (op, key, reservation_id)
	SELECT 'hold', md5('hold-' || :a || '-' || :b)::uuid::text, id FROM r),
e AS (INSERT INTO events_outbox (id, source, type, subject, time, data)
	SELECT id, source, type, subject, time, data
	FROM unnest(
		ARRAY[(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
			|| substr(md5('held-' || :a || '-' || :b), 13))::uuid::text],
		ARRAY['/grunnmur/booking'],
		ARRAY['no.grunnmur.booking.reservation.held.v1'],
		ARRAY[md5('res-' || :a || '-' || :b)::uuid::text],
		ARRAY[now()],
		ARRAY[convert_to('{"reservation":"' || md5('res-' || :a || '-' || :b)::uuid::text
			|| '","state":"held","resource":"hall-' || :h
			|| '","owner":"' || md5('owner-' || :a || '-' || :b)::uuid::text
			|| '","start":"' || translate(to_char((timestamptz '2026-03-01 00:00Z'
				+ :s::bigint * interval '15 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24.MI.SS"Z"'), '.', chr(58))
			|| '","end":"' || translate(to_char((timestamptz '2026-03-01 00:15Z'
				+ :s::bigint * interval '15 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24.MI.SS"Z"'), '.', chr(58))
			|| '","seats":1,"holdExpires":"' || translate(to_char((now() + interval '15 minutes')
				AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24.MI.SS"Z"'), '.', chr(58))
			|| '"}', 'UTF8')])
		WITH ORDINALITY AS e(id, source, type, subject, time, data, ord)
	WHERE EXISTS (SELECT 1 FROM r)
	ORDER BY ord)
SELECT count(*), set_config('synchronous_commit', 'off', true) FROM r;
\endpipeline
WITH c AS (UPDATE booking_reservations SET state = 'confirmed', hold_expires = NULL, updated = now()
	WHERE id = md5('res-' || :a || '-' || :b)::uuid::text AND state = 'held' AND hold_expires > now()
	RETURNING id, resource_id, owner, state, seats, start_at, end_at, block_start, block_end,
		hold_expires, created, updated, charged, series_id, recurrence, series_start, price_ore, title),
k AS (INSERT INTO booking_keys (op, key, reservation_id)
	SELECT 'confirm', md5('confirm-' || :a || '-' || :b)::uuid::text, id FROM c),
e AS (INSERT INTO events_outbox (id, source, type, subject, time, data)
	SELECT id, source, type, subject, time, data
	FROM unnest(
		ARRAY[(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
			|| substr(md5('confirmed-' || :a || '-' || :b), 13))::uuid::text],
		ARRAY['/grunnmur/booking'],
		ARRAY['no.grunnmur.booking.reservation.confirmed.v1'],
		ARRAY[md5('res-' || :a || '-' || :b)::uuid::text],
		ARRAY[now()],
		ARRAY[convert_to('{"reservation":"' || md5('res-' || :a || '-' || :b)::uuid::text
			|| '","state":"confirmed"}', 'UTF8')])
		WITH ORDINALITY AS e(id, source, type, subject, time, data, ord)
	WHERE EXISTS (SELECT 1 FROM c)
	ORDER BY ord)
SELECT id, resource_id, owner, state, seats, start_at, end_at, block_start, block_end,
	hold_expires, created, updated, charged, series_id, recurrence, series_start, price_ore, title FROM c;
