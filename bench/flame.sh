#!/bin/sh
# bench/flame.sh BUILD [STACKS]: cprof-flame against flamegraph.pl, side by
# side on the same folded input, printing the wall time and peak memory of
# each and the ratios (goal: >= 100x faster, <= 1/10 of the memory).
#
# flamegraph.pl is not part of cprof: point FLAMEGRAPH_PL at a copy of it
# (https://github.com/brendangregg/FlameGraph). Without it the benchmark
# says so and exits 0. The input is generated here: STACKS (default
# 200000) distinct stacks, 3 to 40 frames deep, over ~3000 function names,
# with a fixed seed so every run measures the same input.
set -eu
BUILD=${1:-build}
N=${2:-200000}
FL=$BUILD/bin/cprof-flame
if [ -z "${FLAMEGRAPH_PL:-}" ] || [ ! -f "$FLAMEGRAPH_PL" ]; then
	echo "bench-flame: SKIP: set FLAMEGRAPH_PL=/path/to/flamegraph.pl to compare with it"
	exit 0
fi
[ -x /usr/bin/time ] || { echo "bench-flame: SKIP: needs GNU time (/usr/bin/time)"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-flame.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

awk -v n="$N" 'BEGIN {
	srand(42)
	for (i = 0; i < n; i++) {
		d = 3 + int(rand() * 38); s = "main"
		for (j = 0; j < d; j++) s = s ";pkg" int(rand() * 30) "::fn" int(rand() * 100)
		print s, 1 + int(rand() * 1000)
	}
}' > "$W/in.folded"
echo "input: $N stacks, $(wc -c < "$W/in.folded") bytes of folded text"

# measure NAME CMD...: runs CMD (stdout to $W/NAME.svg), prints "seconds KB"
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %M" -o "$W/$name.time" "$@" > "$W/$name.svg"
	cat "$W/$name.time"
}
set -- $(measure cprof "$FL" "$W/in.folded")
c_s=$1; c_kb=$2
set -- $(measure fg perl "$FLAMEGRAPH_PL" "$W/in.folded")
f_s=$1; f_kb=$2

# both drew the same total
c_total=$(grep -o '<g class="f" o="0" v="[0-9]*"><title>all<' "$W/cprof.svg" | grep -o 'v="[0-9]*"' | tr -dc 0-9)
f_total=$(grep -o '<title>all ([0-9,]* samples' "$W/fg.svg" | tr -dc 0-9)
echo "total samples drawn: cprof-flame $c_total, flamegraph.pl $f_total"

printf '%-14s %10s %12s %12s\n' "" "seconds" "peak RSS KB" "SVG bytes"
printf '%-14s %10s %12s %12s\n' cprof-flame "$c_s" "$c_kb" "$(wc -c < "$W/cprof.svg")"
printf '%-14s %10s %12s %12s\n' flamegraph.pl "$f_s" "$f_kb" "$(wc -c < "$W/fg.svg")"
awk -v cs="$c_s" -v fs="$f_s" -v ck="$c_kb" -v fk="$f_kb" 'BEGIN {
	if (cs < 0.01) cs = 0.01
	sp = fs / cs; mem = ck / fk
	printf "speed: cprof-flame is %.0fx faster (goal >= 100x): %s\n", sp, sp >= 100 ? "met" : "NOT met"
	printf "memory: cprof-flame uses %.3f of flamegraph.pl'\''s peak (goal <= 0.1): %s\n", mem, mem <= 0.1 ? "met" : "NOT met"
}'
[ "$c_total" = "$f_total" ] || { echo "bench-flame: totals differ"; exit 1; }
