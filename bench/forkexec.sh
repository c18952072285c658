#!/bin/sh
# bench/forkexec.sh BUILD [JOB [REPS]]
#
# What recording costs a fork/exec-heavy run, beside perf: the same job with
# no profiler, under cprof-record's preloaded sampler (`cprof`: 100 Hz, every
# process image starts its own recording), under its kernel sampler
# (`kernel`: --sampler kernel, 100 Hz, DWARF stack snapshots; `kernel-fp`:
# --unwind fp, callchains only) and under `perf record -g -F 99` (perf's
# usual rate for such runs; it follows children too). CPU is user + system
# time of the whole run (the recorder included, from wait4's rusage, which
# counts every descendant); runs are interleaved REPS times and the median
# is kept. JOB:
#   loop   (default) 300 rounds of a shell pipeline: sh -c 'echo | tr | cat'
#          and expr, ~1200 short processes
#   make   `make -j2 tools` of a copy of this project's sources in a temp
#          directory (several minutes on a shared machine)
set -eu
BUILD=${1:-build}
JOB=${2:-loop}
REPS=${3:-3}
OV=$BUILD/bench/overhead
REC=$BUILD/bin/cprof-record
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
[ -x "$OV" ] && [ -x "$REC" ] || { echo "forkexec: build $OV and $REC first (make bench-forkexec)" >&2; exit 1; }
PERF=perf
command -v perf >/dev/null 2>&1 && perf record -q -o "$TMP/probe.data" true >/dev/null 2>&1 || {
	echo "forkexec: perf record cannot run here (scripts/deps.sh installs linux-perf); no perf column" >&2
	PERF=
}

case $JOB in
loop)
	cat >"$TMP/job.sh" <<'JOBEOF'
i=0
while [ $i -lt 300 ]; do
	sh -c 'echo a | tr a b | cat >/dev/null'
	expr $i + 1 >/dev/null
	i=$((i + 1))
done
JOBEOF
	;;
make)
	# the sources only (no build tree, no .git), rebuilt from scratch each run
	(cd "$ROOT" && tar cf "$TMP/src.tar" --exclude=./build --exclude=./.git .)
	cat >"$TMP/job.sh" <<JOBEOF
rm -rf "$TMP/src" && mkdir "$TMP/src" && tar xf "$TMP/src.tar" -C "$TMP/src" &&
	make -s -C "$TMP/src" -j2 tools >/dev/null 2>&1
JOBEOF
	;;
*) echo "forkexec: unknown job '$JOB' (loop, make)" >&2; exit 2 ;;
esac

setups="none cprof kernel kernel-fp"
[ -n "$PERF" ] && setups="$setups perf"
run() { # SETUP: prints "WALL CPU"
	case $1 in
	none) "$OV" measure sh "$TMP/job.sh" ;;
	cprof) "$OV" measure "$REC" -q -o "$TMP/rec/x.cprof" -- sh "$TMP/job.sh" ;;
	kernel) "$OV" measure "$REC" -q --sampler kernel -o "$TMP/rec/x.data" -- sh "$TMP/job.sh" ;;
	kernel-fp) "$OV" measure "$REC" -q --sampler kernel --unwind fp -o "$TMP/rec/x.data" -- sh "$TMP/job.sh" ;;
	perf) "$OV" measure perf record -q -g -F 99 -o "$TMP/perf.data" -- sh "$TMP/job.sh" ;;
	esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

i=0
while [ "$i" -lt "$REPS" ]; do
	for s in $setups; do
		rm -rf "$TMP/rec" && mkdir "$TMP/rec"
		run "$s" >"$TMP/$s.$i" || { echo "forkexec: $s failed" >&2; exit 1; }
		[ "$s" = cprof ] && ls "$TMP/rec" | wc -l >"$TMP/files.$i"
		[ "$s" = kernel ] && wc -c <"$TMP/rec/x.data" >"$TMP/kbytes.$i"
		[ "$s" = perf ] && rm -f "$TMP/perf.data"
	done
	i=$((i + 1))
done

cpu() { cat "$TMP/$1".* | awk '{ print $2 }' | median; }
wall() { cat "$TMP/$1".* | awk '{ print $1 }' | median; }
base=$(cpu none)
echo "forkexec: job '$JOB', $REPS interleaved runs each, median; CPU = user + system of the whole run"
printf '%-8s %10s %10s %12s\n' setup "wall s" "CPU s" "extra CPU"
for s in $setups; do
	c=$(cpu "$s")
	printf '%-8s %10.2f %10.2f %11.1f%%\n' "$s" "$(wall "$s")" "$c" \
		"$(awk -v c="$c" -v b="$base" 'BEGIN { print (b > 0 ? 100 * (c - b) / b : 0) }')"
done
echo "cprof files per run: $(cat "$TMP"/files.* | median); kernel sampler's perf.data: $(cat "$TMP"/kbytes.* | median | awk '{ printf "%.1f MiB", $1 / 1048576 }')"
if [ -n "$PERF" ]; then
	for s in cprof kernel kernel-fp; do
		awk -v s="$s" -v c="$(cpu "$s")" -v p="$(cpu perf)" -v b="$base" 'BEGIN {
			if (p > b) printf "%s extra / perf extra: %.2f\n", s, (c - b) / (p - b)
			else printf "%s extra CPU: %.2f s; perf cost no measurable CPU here\n", s, c - b }'
	done
fi
