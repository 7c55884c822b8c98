#!/bin/sh
# verifybench.sh measures `grunnmur archive verify` against its baseline,
# `sha256sum` over every file of the same extract (issue 22, item 1).
#
#	archive/verifybench.sh [CASES] [ROUNDS]     (defaults: 20000 cases, 5 rounds)
#
# It builds grunnmur, writes a synthetic extract with `grunnmur archive demo`
# (one document per case, seed 1) into a temporary folder, and then runs, in
# each round, sha256sum over all files and grunnmur archive verify, one after
# the other, so that both see the same machine load and the same page cache.
# It prints each round, then the medians in MB/s, their ratio (verify divided
# by sha256sum; the goal is at least 0.9), the CPU time (user+system) of each
# and the peak RSS of verify. On a loaded machine the wall-clock ratio swings
# from round to round; the CPU times show the work each does. Set
# GRUNNMUR_BENCH_DIR to keep the extract (and reuse it) between runs, and
# GRUNNMUR_BIN to measure a grunnmur binary built elsewhere (an older commit).
set -eu
cases=${1:-20000}
rounds=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${GRUNNMUR_BIN:-}" ]; then
	cp "$GRUNNMUR_BIN" "$tmp/grunnmur"
else
	(cd "$root" && go build -o "$tmp/grunnmur" ./cmd/grunnmur)
fi
dir=${GRUNNMUR_BENCH_DIR:-$tmp/extract}
if [ ! -f "$dir/arkivuttrekk.xml" ]; then
	rm -rf "$dir"
	"$tmp/grunnmur" archive demo -out "$dir" -cases "$cases" -docs-per-case 1 -seed 1 >/dev/null
fi
bytes=$(find "$dir" -type f -printf '%s\n' | awk '{n += $1} END {print n}')
# Warm the page cache so that the first round is not the only one from disk.
find "$dir" -type f -print0 | xargs -0 cat >/dev/null
now() { date +%s.%N; }
echo "extract: $dir, $cases cases, $bytes bytes; load: $(uptime | sed 's/.*load/load/')"
printf '%-6s %14s %12s %7s %14s %12s %9s\n' round sha256sum_MB/s verify_MB/s ratio sha256sum_cpu_s verify_cpu_s verify_RSS_MB
: >"$tmp/rounds"
for r in $(seq "$rounds"); do
	t0=$(now)
	/usr/bin/time -f '%U %S' -o "$tmp/sha" sh -c 'find "$1" -type f -print0 | xargs -0 sha256sum >/dev/null' sh "$dir"
	t1=$(now)
	/usr/bin/time -f '%U %S %M' -o "$tmp/ver" "$tmp/grunnmur" archive verify "$dir" >/dev/null
	t2=$(now)
	awk -v b="$bytes" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v r="$r" -v sha="$(cat "$tmp/sha")" -v ver="$(cat "$tmp/ver")" 'BEGIN {
		split(sha, a, " "); split(ver, c, " ")
		s = b / (t1 - t0) / 1e6; v = b / (t2 - t1) / 1e6
		printf "%-6s %14.1f %12.1f %7.2f %14.2f %12.2f %9.1f\n", r, s, v, v / s, a[1] + a[2], c[1] + c[2], c[3] / 1024
	}' | tee -a "$tmp/rounds"
done
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
s=$(awk '{print $2}' "$tmp/rounds" | median)
v=$(awk '{print $3}' "$tmp/rounds" | median)
ratio=$(awk '{print $4}' "$tmp/rounds" | median)
scpu=$(awk '{print $5}' "$tmp/rounds" | median)
vcpu=$(awk '{print $6}' "$tmp/rounds" | median)
rss=$(awk '{print $7}' "$tmp/rounds" | median)
echo "median: sha256sum $s MB/s, verify $v MB/s, ratio $ratio (median of the rounds' ratios);" \
	"CPU time sha256sum $scpu s, verify $vcpu s; verify peak RSS $rss MB; load: $(uptime | sed 's/.*load/load/')"
