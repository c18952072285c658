#!/bin/bash
# cprof-html --speedscope: valid against speedscope's published file format
# schema (checked by tests/web/speedscope-check.js), one sampled profile per
# thread with the same samples as cprof-raw, for raw, pprof and folded input.
. "$(dirname "$0")/../e2e/lib.sh"
G=$ROOT/tests/golden
CHECK=$ROOT/tests/web/speedscope-check.js
plan 19
# check NAME JSON [RAW]: speedscope-check.js's results, numbered in this file's sequence
check() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ok 0 "${line#ok * - }" ;;
		"not ok "*) ok 1 "${line#not ok * - }" ;;
		*) echo "$line" ;;
		esac
	done < <(node "$CHECK" "$@")
}
run_limited 60 "$BIN/cprof-record" -q -F 500 -o "$T/thr.cprof" -- "$PROGS/threads" 3 0.5 > /dev/null 2>&1
ok $? "record samples/threads (3 threads)"
for in in "$T/thr.cprof" "$G/abc.cprof"; do
	base=$(basename "$in")
	"$BIN/cprof-raw" "$in" > "$T/$base.raw" 2> /dev/null
	"$BIN/cprof-html" --speedscope "$in" -o "$T/$base.json" 2> /dev/null
	check "$base" "$T/$base.json" "$T/$base.raw"
done
for in in "$G/go-views.pb.gz" "$G/abc.folded"; do
	base=$(basename "$in")
	"$BIN/cprof-html" --speedscope "$in" -o "$T/$base.json" 2> /dev/null
	check "$base" "$T/$base.json"
done
# same bytes twice; --value picks the weight
"$BIN/cprof-html" --speedscope "$G/abc.cprof" 2> /dev/null | cmp -s - "$T/abc.cprof.json"
ok $? "same input, same speedscope bytes"
w=$("$BIN/cprof-html" --speedscope --value samples "$G/abc.cprof" 2> /dev/null | grep -o '"weights":\[[0-9,]*\]' | head -1 | tr -d '"weights:[]' | tr ',' '\n' | sort -u)
is "$w" "1" "--value samples weighs every sample 1"
[ "$_tap_failed" -eq 0 ]
