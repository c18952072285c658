#!/bin/bash
# The report's filters and view state in headless Chromium: label filter on
# samples/labels, thread filter, on/off-CPU on a wall-mode samples/sleeper,
# icicle and flame zoom restored from the URL.
. "$(dirname "$0")/../e2e/lib.sh"
[ -x /usr/bin/chromium ] || { echo "1..1"; echo "not ok 1 - /usr/bin/chromium is missing (scripts/deps.sh web)"; exit 1; }
fail() { echo "1..1"; echo "not ok 1 - $1"; diag "$(cat "$T/err" 2>/dev/null)"; exit 1; }
run_limited 60 "$BIN/cprof-record" -q -F 500 -o "$T/lb.cprof" -- "$PROGS/labels" 1 > /dev/null 2> "$T/err" || fail "record samples/labels"
# the time the sleeper spent in wait_idle: 50 ms a cycle, whatever the load
# (burn() spins for CPU time, so on a loaded machine it waits for a CPU and
# there are fewer cycles, and that waiting is off-CPU too). The run is
# lengthened until it has slept 10 cycles (beside browser benchmarks it once
# managed 1 cycle in 1 s, too few to measure at 200 Hz).
for secs in 1 3 8; do
	run_limited 60 "$BIN/cprof-record" -q -F 200 --mode wall -o "$T/sl.cprof" -- "$PROGS/sleeper" $secs > "$T/sl.out" 2> "$T/err" ||
		fail "record samples/sleeper --mode wall"
	[ "$(awk '/cycles/ { print $2 }' "$T/sl.out")" -lt 10 ] 2> /dev/null || break
done
export SLEEP_NS=$(awk '/cycles/ { print $2 * 50000000 }' "$T/sl.out")
for x in lb sl; do
	"$BIN/cprof-raw" "$T/$x.cprof" > "$T/$x.raw" 2> /dev/null && "$BIN/cprof-html" "$T/$x.cprof" -o "$T/$x.html" 2> "$T/err" ||
		fail "cprof-raw/cprof-html $x.cprof"
done
cd "$ROOT/tests/web" && exec timeout -k 5 120 node report-filters.js "$T/lb.html" "$T/lb.raw" "$T/sl.html" "$T/sl.raw"
