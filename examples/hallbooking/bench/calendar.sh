#!/bin/sh
# calendar.sh measures issue 22's goal: the week calendar page serves at
# least 0.8x the start page's requests/s. It builds and starts the example
# on its in-process fakes (everything in memory), warms both pages up, then
# runs wrk -t2 -c16 on / and on the calendar in turn, ROUNDS times, and
# prints each round, the medians and their ratio.
#
#	examples/hallbooking/bench/calendar.sh        # from the repository root
#	ROUNDS=7 SECONDS_PER_RUN=10 examples/hallbooking/bench/calendar.sh
#
# wrk (https://github.com/wg/wrk; apt-get install wrk) is needed only here,
# not by the tests or CI. The handlers alone: BenchmarkCalendarPage and
# BenchmarkStartPage in examples/hallbooking.
set -eu
rounds=${ROUNDS:-5}
secs=${SECONDS_PER_RUN:-5}
addr=${ADDR:-127.0.0.1:18081}
calendar=${CALENDAR:-/hall/storhallen}

if ! command -v wrk >/dev/null 2>&1; then
	echo "calendar.sh: wrk is not installed (apt-get install wrk); it is needed for this measurement only, not by CI" >&2
	exit 2
fi
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM
go build -o "$dir/hallbooking" ./examples/hallbooking
GRUNNMUR_ADDR=$addr "$dir/hallbooking" >"$dir/log" 2>&1 &
pid=$!
i=0
until curl -fsS -o /dev/null "http://$addr/" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		echo "calendar.sh: the example did not start:" >&2
		cat "$dir/log" >&2
		exit 1
	fi
	sleep 0.2
done
curl -fsS -o /dev/null "http://$addr$calendar"

rps() { wrk -t2 -c16 -d"$1"s "http://$addr$2" | awk '/^Requests\/sec:/ {print $2}'; }
rps 2 / >/dev/null
rps 2 "$calendar" >/dev/null

echo "round  start req/s  calendar req/s  ratio"
: >"$dir/start"
: >"$dir/cal"
r=1
while [ $r -le "$rounds" ]; do
	s=$(rps "$secs" /)
	c=$(rps "$secs" "$calendar")
	echo "$s" >>"$dir/start"
	echo "$c" >>"$dir/cal"
	awk -v r="$r" -v s="$s" -v c="$c" 'BEGIN {printf "%5d  %11.0f  %14.0f  %5.2f\n", r, s, c, c / s}'
	r=$((r + 1))
done
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
awk -v s="$(median "$dir/start")" -v c="$(median "$dir/cal")" 'BEGIN {
	printf "median %11.0f  %14.0f  %5.2f (goal >= 0.80)\n", s, c, c / s }'
