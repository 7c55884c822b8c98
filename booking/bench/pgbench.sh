#!/bin/sh
# pgbench.sh compares bookings on PostgreSQL with pgbench -N on the same
# server, with the same number of clients, in alternating rounds, so that both
# see the same load on the machine. It prints each round and the median ratio
# bookings/s ÷ pgbench TPS (issue 22's goal: at least 0.8).
#
#	booking/bench/pgbench.sh                 # 5 rounds of 10 s each, 32 clients
#	CLIENTS=16 RUN_SECONDS=20 ROUNDS=7 booking/bench/pgbench.sh
#
# The bookings run in a fresh schema of GRUNNMUR_TEST_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/test), as the tests do; pgbench's tables
# live in a database of their own, PGBENCH_DB (default grunnmur_pgbench),
# created if missing, so that neither disturbs the tests.
set -eu

CLIENTS=${CLIENTS:-32}
SECONDS_PER_RUN=${RUN_SECONDS:-10}
ROUNDS=${ROUNDS:-5}
PGBENCH_DB=${PGBENCH_DB:-grunnmur_pgbench}
GRUNNMUR_TEST_DATABASE_URL=${GRUNNMUR_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export GRUNNMUR_TEST_DATABASE_URL

# pgbench connects to the same server as the tests, to another database.
server=${GRUNNMUR_TEST_DATABASE_URL%%\?*}
server=${server%/*}
pgbench_url="$server/$PGBENCH_DB"

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(psql "$server/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$PGBENCH_DB'")" != 1 ]; then
	psql "$server/postgres" -qc "CREATE DATABASE $PGBENCH_DB"
fi
pgbench -i -q -s 1 "$pgbench_url" >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log"; exit 1; }
(cd "$root" && go test -c -o "$tmp/postgres.test" ./postgres)

echo "clients=$CLIENTS seconds=$SECONDS_PER_RUN rounds=$ROUNDS"
printf '%-6s %12s %12s %8s\n' round pgbench_tps bookings/s ratio
i=1
while [ "$i" -le "$ROUNDS" ]; do
	tps=$(pgbench -n -N -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" "$pgbench_url" 2>&1 |
		awk '/^tps = / { print $3 }')
	bps=$(cd "$root/postgres" && GRUNNMUR_BENCH_CLIENTS=$CLIENTS "$tmp/postgres.test" -test.run '^$' \
		-test.bench '^BenchmarkBookPostgres$' -test.benchtime "${SECONDS_PER_RUN}s" 2>&1 |
		awk '/bookings\/s/ { for (f = 1; f < NF; f++) if ($(f+1) == "bookings/s") print $f }')
	if [ -z "$tps" ] || [ -z "$bps" ]; then
		echo "round $i: no figure (pgbench tps '$tps', bookings/s '$bps')" >&2
		exit 1
	fi
	ratio=$(awk -v a="$bps" -v b="$tps" 'BEGIN { printf "%.3f", a / b }')
	printf '%-6s %12.1f %12.1f %8s\n' "$i" "$tps" "$bps" "$ratio"
	echo "$ratio" >>"$tmp/ratios"
	i=$((i + 1))
done
sort -n "$tmp/ratios" | awk '{ r[NR] = $1 } END {
	m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
	printf "median ratio bookings/s / pgbench TPS: %.3f\n", m }'
