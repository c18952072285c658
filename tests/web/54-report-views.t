#!/bin/bash
# The report's analysis views in headless Chromium: callers/callees and the
# source view of a picked function against cprof-raw, cprof-fold --lines and
# the source file; the title, a deep graph and long names (report-views.js).
. "$(dirname "$0")/../e2e/lib.sh"
OUT=$BUILD/test-output/web
mkdir -p "$OUT"
[ -x /usr/bin/chromium ] || { echo "1..1"; echo "not ok 1 - /usr/bin/chromium is missing (scripts/deps.sh web)"; exit 1; }
fail() { echo "1..1"; echo "not ok 1 - $1"; diag "$(cat "$2" 2>/dev/null)"; exit 1; }
# from the top of the tree, so that the debug info's relative path samples/abc.c is found
cd "$ROOT" || exit 1
run_limited 60 "$BIN/cprof-record" -q -F 1000 -o "$T/abc.cprof" -- "$PROGS/abc" 1 > /dev/null 2> "$T/rec.err" ||
	fail "cprof-record samples/abc" "$T/rec.err"
title=$(printf 'a title that goes on%.0s and on' $(seq 40))
"$BIN/cprof-raw" "$T/abc.cprof" > "$T/abc.raw" 2> /dev/null &&
	"$BIN/cprof-fold" --lines --value cpu "$T/abc.cprof" > "$T/abc.lines" 2> /dev/null &&
	"$BIN/cprof-html" --title "$title" "$T/abc.cprof" -o "$OUT/views-abc.html" 2> "$T/html.err" &&
	"$BIN/cprof-html" --no-source "$T/abc.cprof" -o "$OUT/views-nosrc.html" 2>> "$T/html.err" || fail "cprof-html abc.cprof" "$T/html.err"
# a 400-deep stack beside a shallow one, and a 600-character name
long=$(printf 'very_long_function_name_%.0s' $(seq 25))
{ seq 400 | sed 's/^/f/' | paste -sd';'; } | sed 's/$/ 5/' > "$T/deep.folded"
echo "main;$long 3" >> "$T/deep.folded"
echo "main;short 2" >> "$T/deep.folded"
"$BIN/cprof-html" "$T/deep.folded" -o "$OUT/views-deep.html" 2> "$T/html.err" || fail "cprof-html deep.folded" "$T/html.err"
# fractional counts (flamegraph.pl's "a;b 1.5")
printf 'main;A 1.5\nmain;B 0.25\nmain 3\n' > "$T/frac.folded"
"$BIN/cprof-html" "$T/frac.folded" -o "$OUT/views-frac.html" 2> "$T/html.err" || fail "cprof-html frac.folded" "$T/html.err"
cd "$ROOT/tests/web" && exec timeout -k 5 120 node report-views.js "$OUT/views-abc.html" "$T/abc.raw" "$T/abc.lines" \
	"$OUT/views-nosrc.html" "$OUT/views-deep.html" "$long" "$title" "$ROOT" "$OUT/views-frac.html"
