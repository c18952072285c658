#!/bin/sh
# bench/overhead.sh BUILD [MILLIONS [REPS]]
#
# The cost of profiling a CPU-bound program (fixed work at stack depth 30:
# bench/overhead.c "work"), run side by side with no profiler, cprof
# (libunwind and frame-pointer unwinding) and gperftools' libprofiler, at
# 100 Hz and 1 kHz. Runs are interleaved REPS times and the median is kept;
# the machine is shared, so read the ratios, not the last digit.
#
# Prints per setup: wall and CPU seconds, CPU overhead against no profiler,
# samples written, the share of the samples the rate asks for (the run's
# CPU time x rate), and the CPU cost of one sample in microseconds (extra
# CPU time / samples: timer, signal delivery, unwinding, writing).
# floor-HZ is the bare mechanism cprof uses (a perf_event task-clock signal
# per period, empty handler, no unwinding, no writing): on a virtual
# machine its timer interrupts and signal delivery dominate the cost, and
# no sampler using that mechanism can go below it.
# Then the unwinders alone: ns per unwind at depth 30, from a signal frame.
set -eu
BUILD=${1:-build}
MILLIONS=${2:-3000}
REPS=${3:-5}
OV=$BUILD/bench/overhead
LIB=$(cd "$BUILD/lib" && pwd)/libcprof-sample.so
GPERF=/usr/lib/x86_64-linux-gnu/libprofiler.so
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

[ -f "$GPERF" ] || { echo "overhead: $GPERF missing (Debian package libgoogle-perftools4)"; GPERF=; }

setups="none floor-100 floor-1000 cprof-100 cprof-1000 cprof-fp-1000"
[ -n "$GPERF" ] && setups="$setups gperf-100 gperf-1000"

run() { # SETUP OUTFILE
	case $1 in
	none) "$OV" measure "$OV" work 30 "$MILLIONS" ;;
	floor-*) "$OV" measure "$OV" floor "${1##*-}" 30 "$MILLIONS" 2>"$2" ;;
	cprof-fp-*) "$OV" measure env LD_PRELOAD="$LIB" CPROF_OUT="$2" CPROF_HZ="${1##*-}" \
		CPROF_UNWIND=fp "$OV" work 30 "$MILLIONS" ;;
	cprof-*) "$OV" measure env LD_PRELOAD="$LIB" CPROF_OUT="$2" CPROF_HZ="${1##*-}" \
		"$OV" work 30 "$MILLIONS" ;;
	gperf-*) "$OV" measure env LD_PRELOAD="$GPERF" CPUPROFILE="$2" CPUPROFILE_FREQUENCY="${1##*-}" \
		"$OV" work 30 "$MILLIONS" 2>/dev/null ;;
	esac
}

# "measure" runs env, which sets the variables for the workload only: the
# measuring process itself is never profiled.
i=0
while [ "$i" -lt "$REPS" ]; do
	for s in $setups; do
		out=$TMP/$s.$i
		run "$s" "$out" >"$TMP/$s.$i.time"
		case $s in
		cprof-*) "$OV" raw-count "$out" >"$TMP/$s.$i.n" ;;
		gperf-*) "$OV" gperf-count "$out" >"$TMP/$s.$i.n" 2>/dev/null || echo 0 >"$TMP/$s.$i.n" ;;
		floor-*) tail -n 1 "$out" >"$TMP/$s.$i.n" ;;
		*) echo 0 >"$TMP/$s.$i.n" ;;
		esac
	done
	i=$((i + 1))
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { for f in "$TMP"/"$1".*.time; do awk -v c="$2" '{ print $c }' "$f"; done | median; }
nsam() { cat "$TMP"/"$1".*.n | median; }

base_cpu=$(col none 2)
printf 'workload: %s million iterations at stack depth 30, %s runs each (median)\n' "$MILLIONS" "$REPS"
printf '%-15s %8s %8s %10s %9s %9s %12s\n' setup wall_s cpu_s cpu_ovh samples rate_% us/sample
for s in $setups; do
	wall=$(col "$s" 1)
	cpu=$(col "$s" 2)
	n=$(nsam "$s")
	hz=${s##*-}
	awk -v s="$s" -v w="$wall" -v c="$cpu" -v b="$base_cpu" -v n="$n" -v hz="$hz" 'BEGIN {
		ovh = (c / b - 1) * 100
		if (s == "none") { printf "%-15s %8.3f %8.3f %10s %9s %9s %12s\n", s, w, c, "-", "-", "-", "-"; exit }
		rate = n / (c * hz) * 100
		per = n > 0 ? (c - b) * 1e6 / n : 0
		printf "%-15s %8.3f %8.3f %9.2f%% %9d %8.1f%% %12.2f\n", s, w, c, ovh, n, rate, per }'
done
echo
echo "unwinding alone, 30 frames deep, from a signal frame (ns per unwind):"
CPROF_HZ=1 LD_PRELOAD="$LIB" "$OV" unwind 30 20000 "$TMP/unwind.raw" | sed 's/^/  /'
