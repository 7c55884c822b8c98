#!/bin/sh
# pgbench.sh compares bookings on PostgreSQL with pgbench -N on the same
# server, with the same number of clients, in alternating rounds, so that all
# see the same load on the machine. Each round runs three things:
#
#	pgbench_tps  pgbench -N, the built-in simple-update transaction;
#	sql_tps      booking.sql with pgbench's own client: the statements a
#	             hold and its confirmation send, without any Go;
#	bookings/s   BenchmarkBookPostgres: Service.Hold then Service.Confirm
#	             through postgres.BookingStore.
#
# The three take turns at going first, round by round, so that none always
# runs in the wake of another's writes (WAL, dirty pages, autovacuum). It
# prints each round and the medians of bookings/s ÷ pgbench TPS (issue 22's
# goal: at least 0.8), of sql ÷ pgbench (what the SQL itself allows) and of
# bookings ÷ sql (what the Go side keeps of that). A round in which any of
# them fails, or booking.sql confirms fewer bookings than it ran, stops the
# script.
#
#	booking/bench/pgbench.sh                 # 5 rounds of 10 s each, 32 clients
#	CLIENTS=16 RUN_SECONDS=20 ROUNDS=7 booking/bench/pgbench.sh
#
# The bookings run in a fresh schema of GRUNNMUR_TEST_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/test), as the tests do; pgbench's tables
# and booking.sql's schema (booking_bench, made anew each round from the
# booking and events migrations) live in a database of their own,
# PGBENCH_DB (default grunnmur_pgbench), created if missing, so that none
# disturbs the tests.
set -eu

CLIENTS=${CLIENTS:-32}
SECONDS_PER_RUN=${RUN_SECONDS:-10}
ROUNDS=${ROUNDS:-5}
PGBENCH_DB=${PGBENCH_DB:-grunnmur_pgbench}
if [ "$CLIENTS" -lt 1 ] || [ "$CLIENTS" -gt 1024 ]; then
	echo "CLIENTS=$CLIENTS: booking.sql gives each of at most 1024 clients slots of its own" >&2
	exit 2
fi
GRUNNMUR_TEST_DATABASE_URL=${GRUNNMUR_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export GRUNNMUR_TEST_DATABASE_URL

# pgbench connects to the same server as the tests, to another database.
server=${GRUNNMUR_TEST_DATABASE_URL%%\?*}
server=${server%/*}
pgbench_url="$server/$PGBENCH_DB"

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'psql -qc "DROP SCHEMA IF EXISTS booking_bench CASCADE" "$pgbench_url" >/dev/null 2>&1 || :; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

if [ "$(psql "$server/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$PGBENCH_DB'")" != 1 ]; then
	psql "$server/postgres" -qc "CREATE DATABASE $PGBENCH_DB"
fi
pgbench -i -q -s 1 "$pgbench_url" >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log"; exit 1; }
(cd "$root" && go test -c -o "$tmp/postgres.test" ./postgres)

# run_pgbench runs pgbench -N; tps is its TPS.
run_pgbench() {
	pgbench -n -N -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" "$pgbench_url" >"$tmp/pgbench.log" 2>&1 ||
		{ cat "$tmp/pgbench.log" >&2; exit 1; }
	tps=$(awk '/^tps = / { print $3 }' "$tmp/pgbench.log")
}

# run_sql makes booking.sql's schema anew (the booking and events migrations
# and 8 halls, written in one statement so that they share a version), runs
# the script and checks that every transaction it ran confirmed a booking;
# sql is its TPS.
run_sql() {
	{
		echo 'DROP SCHEMA IF EXISTS booking_bench CASCADE; CREATE SCHEMA booking_bench; SET search_path = booking_bench, public;'
		cat "$root"/postgres/migrations/03*.sql "$root"/postgres/migrations/09*.sql
		echo "INSERT INTO booking_resources (id, doc) SELECT 'hall-' || i, '{}' FROM generate_series(0, 7) i;"
	} | psql -q -v ON_ERROR_STOP=1 "$pgbench_url" >"$tmp/schema.log" 2>&1 || { cat "$tmp/schema.log" >&2; exit 1; }
	version=$(psql -Atc "SELECT DISTINCT xmin FROM booking_bench.booking_resources" "$pgbench_url")
	PGOPTIONS="-c search_path=booking_bench,public" pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" \
		-D n=0 -D version="$version" -f "$root/booking/bench/booking.sql" "$pgbench_url" >"$tmp/sql.log" 2>&1 ||
		{ cat "$tmp/sql.log" >&2; exit 1; }
	sql=$(awk '/^tps = / { print $3 }' "$tmp/sql.log")
	ran=$(awk '/^number of transactions actually processed: / { split($6, n, "/"); print n[1] }' "$tmp/sql.log")
	confirmed=$(psql -Atc "SELECT count(*) FROM booking_bench.booking_reservations WHERE state = 'confirmed'" "$pgbench_url")
	if [ "$ran" != "$confirmed" ]; then
		echo "booking.sql ran $ran transactions but confirmed $confirmed bookings" >&2
		exit 1
	fi
}

# run_go runs BenchmarkBookPostgres; bps is its bookings/s.
run_go() {
	(cd "$root/postgres" && GRUNNMUR_BENCH_CLIENTS=$CLIENTS "$tmp/postgres.test" -test.run '^$' \
		-test.bench '^BenchmarkBookPostgres$' -test.benchtime "${SECONDS_PER_RUN}s") >"$tmp/go.log" 2>&1 ||
		{ cat "$tmp/go.log" >&2; exit 1; }
	bps=$(awk '/bookings\/s/ { for (f = 1; f < NF; f++) if ($(f+1) == "bookings/s") print $f }' "$tmp/go.log")
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "clients=$CLIENTS seconds=$SECONDS_PER_RUN rounds=$ROUNDS"
printf '%-6s %12s %12s %12s %9s %9s %9s\n' round pgbench_tps sql_tps bookings/s book/pgb sql/pgb book/sql
i=1
while [ "$i" -le "$ROUNDS" ]; do
	tps='' sql='' bps=''
	case $((i % 3)) in
	1) run_pgbench; run_sql; run_go ;;
	2) run_sql; run_go; run_pgbench ;;
	0) run_go; run_pgbench; run_sql ;;
	esac
	if [ -z "$tps" ] || [ -z "$sql" ] || [ -z "$bps" ]; then
		echo "round $i: no figure (pgbench tps '$tps', sql tps '$sql', bookings/s '$bps')" >&2
		exit 1
	fi
	bp=$(ratio "$bps" "$tps")
	sp=$(ratio "$sql" "$tps")
	bs=$(ratio "$bps" "$sql")
	printf '%-6s %12.1f %12.1f %12.1f %9s %9s %9s\n' "$i" "$tps" "$sql" "$bps" "$bp" "$sp" "$bs"
	echo "$bp" >>"$tmp/book_pgb"
	echo "$sp" >>"$tmp/sql_pgb"
	echo "$bs" >>"$tmp/book_sql"
	i=$((i + 1))
done
median() {
	sort -n "$1" | awk -v what="$2" '{ r[NR] = $1 } END {
		m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
		printf "median %s: %.3f\n", what, m }'
}
median "$tmp/book_pgb" "ratio bookings/s / pgbench TPS"
median "$tmp/sql_pgb" "ratio booking.sql TPS / pgbench TPS"
median "$tmp/book_sql" "ratio bookings/s / booking.sql TPS"
