#!/bin/bash
# The HTML report of a real recording of samples/abc, opened from file:// in
# headless Chromium: timeline counts per thread, flame graph widths, search
# (highlighted pixels), a time-range selection re-aggregating the tables,
# state in the URL, no console errors, no network. Saves a screenshot.
. "$(dirname "$0")/../e2e/lib.sh"
OUT=$BUILD/test-output/web
mkdir -p "$OUT"
[ -x /usr/bin/chromium ] || { echo "1..1"; echo "not ok 1 - /usr/bin/chromium is missing (scripts/deps.sh web)"; exit 1; }
if ! run_limited 60 "$BIN/cprof-record" -q -F 1000 -o "$T/abc.cprof" -- "$PROGS/abc" 1 > /dev/null 2> "$T/rec.err"; then
	echo "1..1"; echo "not ok 1 - cprof-record samples/abc"; diag "$(cat "$T/rec.err")"; exit 1
fi
"$BIN/cprof-raw" "$T/abc.cprof" > "$T/abc.raw" 2> /dev/null &&
	"$BIN/cprof-html" "$T/abc.cprof" -o "$OUT/abc.html" 2> "$T/html.err" || {
	echo "1..1"; echo "not ok 1 - cprof-html abc.cprof"; diag "$(cat "$T/html.err")"; exit 1; }
cd "$ROOT/tests/web" && exec timeout -k 5 120 node report-abc.js "$OUT/abc.html" "$T/abc.raw" "$OUT"
