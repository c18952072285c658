#!/usr/bin/env bash
# Raw files are streamed, not read whole: the aggregated views (cprof-top,
# cprof-fold, cprof-flame, cprof-pprof) group samples while reading, and
# print exactly what they print from a model that keeps every sample (a time
# filter, --from 0, keeps every sample); a file cut while a tool reads it
# gives one line naming the file, or a complete result, never a crash
# (a mapped file raised SIGBUS there).
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/threads" ] || skip_all "cprof-record or samples/threads not built"
GEN=$BUILD/bench/aggregate-gen
[ -x "$GEN" ] || skip_all "bench/aggregate-gen not built"
plan 11

run_limited 60 "$BIN/cprof-record" -q -F 997 -o "$T/t.cprof" -- "$PROGS/threads" 3 1 > /dev/null 2>&1
ok $? "samples/threads recorded"
same() { # NAME TOOL ARGS...: the tool's output aggregated = with --from 0
	local name=$1 tool=$2
	shift 2
	"$BIN/$tool" "$@" "$T/t.cprof" > "$T/agg" 2> "$T/agg.err"
	"$BIN/$tool" --from 0 "$@" "$T/t.cprof" 2> "$T/all.err" |
		grep -v -e '^Active filters:' -e '^   from=0ns' > "$T/all"
	cmp -s "$T/agg" "$T/all" && [ -s "$T/agg" ]
	ok $? "$name: aggregated while reading = every sample kept" ||
		diff "$T/agg" "$T/all" | head -5 | sed 's/^/# /'
}
same "cprof-fold" cprof-fold
same "cprof-fold --threads --value cpu" cprof-fold --threads --value cpu
same "cprof-top" cprof-top
same "cprof-top --by stack" cprof-top --by stack
same "cprof-top --traces" cprof-top --traces
same "cprof-flame" cprof-flame
# cprof-pprof has no time filter: its profile folds to what the raw file
# folds to with every sample kept
"$BIN/cprof-pprof" "$T/t.cprof" -o "$T/t.pb.gz" 2>/dev/null
"$BIN/cprof-fold" "$T/t.pb.gz" > "$T/pp.folded"
"$BIN/cprof-fold" --from 0 "$T/t.cprof" > "$T/raw.folded" 2>/dev/null
cmp -s "$T/pp.folded" "$T/raw.folded"
ok $? "cprof-pprof (aggregated while reading) folds as every sample kept"

# A file cut while it is read: ~130 MB, cut to 1 MB after a moment, in a few
# timings. Either the tool finished first (exit 0) or it says what happened
# in one line naming the file (exit 1); a signal (SIGBUS) fails.
"$GEN" -n 800000 --stacks 100 --depth 16 -o "$T/big.cprof"
ok $? "a 130 MB raw file made"
bad=""
for delay in 0.01 0.05 0.1 0.2 0.4; do
	cp "$T/big.cprof" "$T/cut.cprof"
	"$BIN/cprof-fold" --no-symbolize "$T/cut.cprof" > /dev/null 2> "$T/cut.err" &
	pid=$!
	sleep "$delay"
	truncate -s 1M "$T/cut.cprof"
	wait "$pid"
	rc=$?
	lines=$(wc -l < "$T/cut.err")
	case "$rc" in
	0) ;;
	1) grep -q "^cprof-fold: $T/cut.cprof: the file shrank from [0-9]* to 1048576 bytes while being read\$" "$T/cut.err" &&
		[ "$lines" -eq 1 ] || bad="$bad $delay:$(head -c 200 "$T/cut.err")" ;;
	*) bad="$bad $delay:exit$rc" ;;
	esac
done
is "$bad" "" "a file cut while read: a complete result or one line naming the file, never a signal"
# between the two passes too: a truncated copy is read to its last complete
# record with a warning (a cut file, not one cut under the reader)
head -c 1000000 "$T/big.cprof" > "$T/short.cprof"
"$BIN/cprof-fold" --no-symbolize "$T/short.cprof" > /dev/null 2> "$T/short.err"
like "$(cat "$T/short.err")" "warning: truncated at byte [0-9]+ of 1000000: read [0-9]+ records" \
	"a file cut before reading: read up to its last complete record, with a warning"
