#!/bin/sh
# bench/perfdata.sh BUILD [SAMPLES]: reading a perf.data file with cprof next
# to perf itself: `perf script` dumping it (text, symbolized: what
# stackcollapse-perf.pl and every converter start from) against cprof-top
# reading it, symbolizing (libdwfl, inline frames) and aggregating it.
# Goal: cprof >= 5x faster. Also `perf report` (perf's own aggregation).
#
# The input is recorded here: samples/abc under `perf record -g` at 20 kHz
# until about SAMPLES (default 100000) samples; PERFDATA=FILE uses a given
# file instead. Each tool runs 3 times; the run of median CPU time counts
# (user + system: on a busy machine the wall time also counts waiting for a
# CPU). Both tools' sample counts are compared.
set -eu
BUILD=${1:-build}
N=${2:-100000}
TOP=$BUILD/bin/cprof-top
command -v perf > /dev/null || { echo "bench-perfdata: SKIP: perf is not installed"; exit 0; }
[ -x /usr/bin/time ] || { echo "bench-perfdata: SKIP: needs GNU time (/usr/bin/time)"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-perfdata.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

if [ -n "${PERFDATA:-}" ]; then
	cp "$PERFDATA" "$W/in.data"
else
	secs=$(( (N + 19999) / 20000 ))
	perf record -q -F 20000 -g -o "$W/in.data" -- "$BUILD/samples/abc" "$secs" \
		> /dev/null 2>&1 || { echo "bench-perfdata: SKIP: perf record failed"; exit 0; }
fi
n=$(perf script -i "$W/in.data" -F tid 2> /dev/null | wc -l)
echo "input: $n samples, $(wc -c < "$W/in.data") bytes of perf.data"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# median NAME CMD...: 3 runs, prints "wall-s cpu-s peak-KB" of the median
median() {
	name=$1; shift
	for r in 1 2 3; do
		/usr/bin/time -f "%e %U %S %M" -o "$W/t" "$@" > "$W/$name.out" 2> /dev/null
		awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/t" > "$W/$name.run$r"
	done
	sort -k2,2n "$W"/$name.run? | sed -n 2p
}
set -- $(median cprof "$TOP" -n 5 "$W/in.data"); c_s=$1; c_cpu=$2; c_kb=$3
set -- $(median nosym "$TOP" -n 5 --no-symbolize "$W/in.data"); n_s=$1; n_cpu=$2; n_kb=$3
set -- $(median script perf script -i "$W/in.data"); s_s=$1; s_cpu=$2; s_kb=$3
set -- $(median report perf report -i "$W/in.data" --stdio --no-children --sort sym -g none); r_s=$1; r_cpu=$2; r_kb=$3

printf '%-34s %8s %8s %12s\n' "" "wall s" "cpu s" "peak RSS KB"
printf '%-34s %8s %8s %12s\n' "cprof-top (read, symbolize, top)" "$c_s" "$c_cpu" "$c_kb"
printf '%-34s %8s %8s %12s\n' "cprof-top --no-symbolize" "$n_s" "$n_cpu" "$n_kb"
printf '%-34s %8s %8s %12s\n' "perf script (dump)" "$s_s" "$s_cpu" "$s_kb"
printf '%-34s %8s %8s %12s\n' "perf report (aggregate)" "$r_s" "$r_cpu" "$r_kb"
awk -v cs="$c_s" -v ss="$s_s" -v cc="$c_cpu" -v sc="$s_cpu" -v rc="$r_cpu" 'BEGIN {
	if (cs < 0.01) cs = 0.01
	if (cc < 0.01) cc = 0.01
	printf "speed: cprof-top is %.1fx faster than perf script in wall time, %.1fx in CPU time (goal >= 5x): %s\n",
		ss / cs, sc / cc, (sc / cc >= 5 ? "met" : "NOT met")
	printf "       and %.1fx perf report in CPU time\n", rc / cc
}'
c_n=$("$TOP" --value samples --nodefraction 0 "$W/in.data" 2> /dev/null |
	awk '/^Showing nodes accounting for/ { sub(/,.*/, "", $5); print $5 }')
echo "samples: perf script $n, cprof-top $c_n"
