#!/bin/sh
# bench/threads.sh BUILD [NTHREADS [REPS]]
#
# The cost of thread creation under the profiler: tests/torture/t_threads.c
# creates and joins NTHREADS short threads (each names itself and does ~20 us
# of work), 16 at a time and one at a time, side by side with no profiler,
# cprof at 1 kHz (perf_event and timer_create per-thread timers) and
# gperftools' libprofiler at 1 kHz (one process-wide setitimer: nothing per
# thread, but short threads are rarely sampled either). Runs are interleaved
# REPS times and the median is kept. CPU is user + system time of the whole
# run; the ratio is against no profiler. Read CPU, not wall, on a shared
# machine: wall time there is mostly waiting for a core.
set -eu
BUILD=${1:-build}
N=${2:-3000}
REPS=${3:-5}
OV=$BUILD/bench/overhead
TH=$BUILD/torture/threads
LIB=$(cd "$BUILD/lib" && pwd)/libcprof-sample.so
GPERF=/usr/lib/x86_64-linux-gnu/libprofiler.so
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
[ -x "$OV" ] && [ -x "$TH" ] || { echo "threads: build $OV and $TH first (make bench-threads)" >&2; exit 1; }
[ -f "$GPERF" ] || { echo "threads: $GPERF missing (Debian package libgoogle-perftools4)"; GPERF=; }

setups="none cprof-perf cprof-timer"
[ -n "$GPERF" ] && setups="$setups gperf"

run() { # SETUP BATCH OUTFILE
	case $1 in
	none) "$OV" measure "$TH" "$N" "$2" ;;
	cprof-perf) "$OV" measure env LD_PRELOAD="$LIB" CPROF_OUT="$3" CPROF_HZ=1000 \
		CPROF_TIMER=perf_event "$TH" "$N" "$2" ;;
	cprof-timer) "$OV" measure env LD_PRELOAD="$LIB" CPROF_OUT="$3" CPROF_HZ=1000 \
		CPROF_TIMER=timer_create "$TH" "$N" "$2" ;;
	gperf) "$OV" measure env LD_PRELOAD="$GPERF" CPUPROFILE="$3" CPUPROFILE_FREQUENCY=1000 \
		"$TH" "$N" "$2" 2>/dev/null ;;
	esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { for f in "$TMP"/"$1".*.time; do awk -v c="$2" '{ print $c }' "$f"; done | median; }

for batch in 16 1; do
	i=0
	while [ "$i" -lt "$REPS" ]; do
		for s in $setups; do
			run "$s" "$batch" "$TMP/$s.$batch.$i.out" >"$TMP/run" ||
				{ echo "threads: $s failed" >&2; exit 1; }
			# the program's own line must not change under a profiler
			grep '^threads ' "$TMP/run" >"$TMP/said.$s"
			cmp -s "$TMP/said.$s" "$TMP/said.none" ||
				{ echo "threads: $s changed the program's output" >&2; exit 1; }
			grep -v '^threads ' "$TMP/run" >"$TMP/$s-$batch.$i.time"
			rm -f "$TMP/$s.$batch.$i.out"
		done
		i=$((i + 1))
	done
done

printf '%s threads created and joined, %s runs each (median)\n' "$N" "$REPS"
printf '%-12s %6s %8s %8s %10s %12s\n' setup batch wall_s cpu_s cpu_ratio us/thread
for batch in 16 1; do
	base=$(col "none-$batch" 2)
	for s in $setups; do
		wall=$(col "$s-$batch" 1)
		cpu=$(col "$s-$batch" 2)
		awk -v s="$s" -v b="$batch" -v w="$wall" -v c="$cpu" -v base="$base" -v n="$N" 'BEGIN {
			printf "%-12s %6d %8.3f %8.3f %9.2fx %12.1f\n", s, b, w, c, c / base, (c - base) * 1e6 / n }'
	done
done
