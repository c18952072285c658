#!/bin/bash
# The views on raw recordings: samples/abc aggregated by cprof-top --by stack
# is the seed's table (main;A / main;A;C / main;B with samples and cpu), the
# folded counts equal the raw samples stack by stack, thread and time
# filters keep exactly the samples cprof-raw shows for them, and the flame
# chart has one frame per run of consecutive samples.
. "$(dirname "$0")/lib.sh"
[ -x "$PROGS/abc" ] && [ -f "$LIB/libcprof-sample.so" ] || skip_all "samples/abc or the sampler not built"
[ -x "$BIN/cprof-raw" ] || skip_all "cprof-raw not built"
plan 13
rec() { # OUT PROG ARGS...
	local out=$1; shift
	# env, not a prefix: the sampler must be preloaded into the program, not into timeout
	run_limited 60 env CPROF_OUT="$out" LD_PRELOAD="$LIB/libcprof-sample.so" "$@" > /dev/null 2>&1
}
raw_lines() { "$BIN/cprof-raw" "$@" | grep -v '^#'; }

rec "$T/abc.cprof" "$PROGS/abc" 1
ok $? "samples/abc recorded"
"$BIN/cprof-top" --by stack "$T/abc.cprof" > "$T/stack.txt"
# (a sample may also catch abc in its clock reads: small extra rows)
is "$(awk 'p && n < 3 { print $NF; n++ } /stack \(root first\)/ { p = 1 }' "$T/stack.txt" | LC_ALL=C sort | tr '\n' ' ')" \
	"main;A main;A;C main;B " "--by stack: the top rows are the three stacks, from main"
like "$(grep 'stack (root first)' "$T/stack.txt")" 'samples/count +% +cpu/nanoseconds +%' \
	"--by stack: samples/count and cpu/nanoseconds columns"
nraw=$(raw_lines "$T/abc.cprof" | wc -l)
top3=$(awk 'p && n < 3 { s += $1; n++ } /stack \(root first\)/ { p = 1 } END { print s }' "$T/stack.txt")
[ $((top3 * 10)) -ge $((nraw * 9)) ]
ok $? "--by stack: the three stacks hold at least 90% of the samples ($top3 of $nraw)"
is "$(awk 'p { s += $1 } /stack \(root first\)/ { p = 1 } END { print s }' "$T/stack.txt")" "$nraw" \
	"--by stack: the samples add up to the raw samples ($nraw)"

# Folded counts equal the raw samples, stack by stack (samples, then cpu ns).
raw_lines "$T/abc.cprof" | awk '{ n[$NF]++; w[$NF] += $4 } END { for (s in n) printf "%s %d %.0f\n", s, n[s], w[s] }' |
	LC_ALL=C sort > "$T/want"
"$BIN/cprof-fold" "$T/abc.cprof" > "$T/n.txt"
"$BIN/cprof-fold" --value cpu "$T/abc.cprof" > "$T/w.txt"
join "$T/n.txt" "$T/w.txt" > "$T/got"
cmp -s "$T/want" "$T/got"
ok $? "cprof-fold (samples and --value cpu) = raw samples per stack" || diff "$T/want" "$T/got" | sed 's/^/# /'

# The flame chart: frames of A = runs of consecutive samples with the same
# path down to A (a sample with another prefix, e.g. one frame more above
# main, starts a new A frame in the chart, as in any flame chart).
runs=$(raw_lines "$T/abc.cprof" | awk '{ k = ""; if (match($NF, /^.*;main;A(;|$)/)) { k = substr($NF, 1, RLENGTH); sub(/;$/, "", k) } }
	k != "" && k != prev { r++ } { prev = k } END { print r }')
"$BIN/cprof-flame" --flamechart --minwidth 0 "$T/abc.cprof" > "$T/chart.svg"
is "$(grep -c '<title>A (' "$T/chart.svg")" "$runs" "flame chart: one A frame per run of consecutive samples ($runs)"
"$BIN/cprof-flame" --minwidth 0 "$T/abc.cprof" > "$T/flame.svg"
is "$(grep -c '<title>A (' "$T/flame.svg")" 1 "flame graph: A merged into one frame"

# Threads: names as root frames, --thread and --from/--to select what cprof-raw shows.
# (1 kHz and 1 s: three threads on two CPUs beside other builds got 0
# samples for one of them once in a make check at 100 Hz and 0.5 s)
CPROF_HZ=1000 rec "$T/thr.cprof" "$PROGS/threads" 3 1
ok $? "samples/threads recorded"
roots=$("$BIN/cprof-fold" --threads "$T/thr.cprof" | cut -d';' -f1 | sort -u | grep -c '^busy-')
is "$roots" 3 "--threads: the three thread names are root frames"
tid=$(raw_lines "$T/thr.cprof" | awk '$3 ~ /^busy-/ { print $2; exit }')
is "$("$BIN/cprof-fold" --thread "$tid" "$T/thr.cprof" | awk '{ s += $NF } END { print s + 0 }')" \
	"$(raw_lines --thread "$tid" "$T/thr.cprof" | wc -l)" "--thread $tid keeps that thread's samples"
is "$("$BIN/cprof-fold" --from 100ms --to 300ms "$T/thr.cprof" | awk '{ s += $NF } END { print s + 0 }')" \
	"$(raw_lines --from 100ms --to 300ms "$T/thr.cprof" | wc -l)" "--from/--to keep the samples of that window"
"$BIN/cprof-fold" --thread 1 "$ROOT/tests/golden/abc.folded" > /dev/null 2> "$T/err"
like "$(cat "$T/err")" "needs raw input" "--thread on folded input: a clear error"
exit $((_tap_failed > 0))
