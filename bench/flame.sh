#!/bin/sh
# bench/flame.sh BUILD [STACKS]: cprof-flame against flamegraph.pl, side by
# side on the same folded input, printing the wall time and peak memory of
# each and the ratios (goal: >= 100x faster, <= 1/10 of the memory).
#
# flamegraph.pl is not part of cprof: point FLAMEGRAPH_PL at a copy of it
# (https://github.com/brendangregg/FlameGraph). Without it the benchmark
# says so and exits 0. The input is generated here: STACKS (default
# 200000) distinct stacks (see below), with a fixed seed so every run
# measures the same input. Both tools' frame totals are compared too.
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

# A profile-like input: stacks are random walks down a fixed call graph of
# 3000 functions (each calls 1-6 others), 6 to 45 frames deep, kept when
# distinct, sorted as stackcollapse tools emit them.
awk -v n="$N" 'BEGIN {
	srand(42); nf = 3000
	for (f = 0; f < nf; f++) { nc[f] = 1 + int(rand() * 6); for (c = 0; c < nc[f]; c++) callee[f, c] = int(rand() * nf) }
	for (f = 0; f < nf; f++) name[f] = "mod" (f % 40) "::func" f
	while (count < n) {
		d = 4 + int(rand() * 40); f = int(rand() * 8); s = "main;" name[f]
		for (j = 0; j < d; j++) { f = callee[f, int(rand() * nc[f])]; s = s ";" name[f] }
		if (!(s in seen)) { seen[s] = 1; count++; print s, 1 + int(rand() * rand() * 1000) }
	}
}' | LC_ALL=C sort > "$W/in.folded"
echo "input: $N stacks, $(wc -c < "$W/in.folded") bytes of folded text"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME CMD...: runs CMD (stdout to $W/NAME.svg), prints
# "wall-seconds cpu-seconds peak-KB" (cpu = user + system: on a busy
# machine the wall time also counts waiting for a CPU)
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$W/$name.time" "$@" > "$W/$name.svg"
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/$name.time"
}
# cprof-flame is quick: run it 3 times and keep the run of median CPU time
# (a busy machine makes single runs noisy); flamegraph.pl runs once.
for r in 1 2 3; do
	measure cprof "$FL" "$W/in.folded" > "$W/cprof.run$r"
done
set -- $(sort -k2,2n "$W"/cprof.run? | sed -n 2p)
c_s=$1; c_cpu=$2; c_kb=$3
echo "cprof-flame runs (wall s, cpu s, peak KB): $(cat "$W"/cprof.run? | tr '\n' '/' | sed 's|/$||; s|/| / |g')"
set -- $(measure fg perl "$FLAMEGRAPH_PL" "$W/in.folded")
f_s=$1; f_cpu=$2; f_kb=$3

# both drew the same total
c_total=$(grep -o '<g class="f" o="0" v="[0-9]*"><title>all (' "$W/cprof.svg" | grep -o 'v="[0-9]*"' | tr -dc 0-9)
f_total=$(grep -o '<title>all ([0-9,]* samples' "$W/fg.svg" | tr -dc 0-9)
echo "total samples drawn: cprof-flame $c_total, flamegraph.pl $f_total"

printf '%-14s %10s %10s %12s %12s\n' "" "wall s" "cpu s" "peak RSS KB" "SVG bytes"
printf '%-14s %10s %10s %12s %12s\n' cprof-flame "$c_s" "$c_cpu" "$c_kb" "$(wc -c < "$W/cprof.svg")"
printf '%-14s %10s %10s %12s %12s\n' flamegraph.pl "$f_s" "$f_cpu" "$f_kb" "$(wc -c < "$W/fg.svg")"
awk -v cs="$c_s" -v fs="$f_s" -v cc="$c_cpu" -v fc="$f_cpu" -v ck="$c_kb" -v fk="$f_kb" 'BEGIN {
	if (cs < 0.01) cs = 0.01
	if (cc < 0.01) cc = 0.01
	wall = fs / cs; cpu = fc / cc; mem = ck / fk
	printf "speed: cprof-flame is %.0fx faster in wall time, %.0fx in CPU time (goal >= 100x): %s\n",
		wall, cpu, (wall >= 100 ? "met" : "NOT met")
	printf "memory: cprof-flame peaks at %.3f of flamegraph.pl (1/%.0f; goal <= 1/10): %s\n",
		mem, 1 / mem, (mem <= 0.1 ? "met" : "NOT met")
}'
[ "$c_total" = "$f_total" ] || { echo "bench-flame: totals differ"; exit 1; }
