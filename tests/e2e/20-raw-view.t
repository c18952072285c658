#!/usr/bin/env bash
# cprof-raw, the raw view: every sample in time order in the agreed line
# format, with names from the symbolizer, filters by thread and time, -n,
# --addrs (func@0xaddress), the timeline picture, and clear words for inputs it cannot show
# (pprof has no timestamps; damaged files). The raw files are synthesized
# from a program compiled here (bench/aggregate-gen --abc: its real symbols
# and build-id, the 5:3:4 pattern of A / A;C / B), so the expected output is
# known exactly; a real recording of samples/abc follows when the sampler
# is built.
. "$(dirname "$0")/lib.sh"
GEN=$BUILD/bench/aggregate-gen
[ -x "$BIN/cprof-raw" ] && [ -x "$GEN" ] || skip_all "cprof-raw or bench/aggregate-gen not built"
command -v cc >/dev/null || skip_all "no C compiler to build the test program"
plan 37

build_abc
ok $? "test program compiled"
"$GEN" --abc "$T/abc" -n 120 --threads 1 -o "$T/one.cprof" &&
	"$GEN" --abc "$T/abc" -n 120 --threads 2 -o "$T/two.cprof"
ok $? "raw files synthesized"

lines() { grep -v '^#' "$@"; }

"$BIN/cprof-raw" "$T/one.cprof" > "$T/one.txt" 2> "$T/one.err"
ok $? "cprof-raw exits 0"
is "$(wc -c < "$T/one.err")" "0" "nothing on stderr for a clean file"
is "$(lines "$T/one.txt" | wc -l)" "120" "one line per sample"
bad=$(lines "$T/one.txt" | grep -Evc '^[0-9]+\.[0-9]{3} [0-9]+ [^ ]+ [0-9]+ \{[^ ]*\} [^ ].*$')
is "$bad" "0" "every line is 'ms tid thread weight {labels} stack'"
is "$(lines "$T/one.txt" | awk '{ print $NF }' | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" \
	"main;A=50 main;A;C=30 main;B=40 " "symbolized stacks root first: 5:3:4 of A / A;C / B"
is "$(lines "$T/one.txt" | head -3 | awk '{ print $1, $2, $3, $4, $5 }' | tr '\n' '|')" \
	"0.000 1000 abc 10000000 {}|10.000 1000 abc 10000000 {}|20.000 1000 abc 10000000 {}|" \
	"time in ms since start, tid, thread name, weight ns, empty labels"
like "$(grep '^# ' "$T/one.txt" | tr '\n' '|')" \
	"# executable: $T/abc\|.*# mode: cpu, timer: perf_event\|# rate: 100.0 Hz \(period 10000000 ns\)\|# samples: 120, dropped: 0.*# threads: 1: 1000 abc" \
	"header: executable, mode, timer, rate and period, samples, dropped, threads"

# Two threads whose buffers drained in chunks: the file is out of time order.
"$BIN/cprof-raw" "$T/two.cprof" > "$T/two.txt"
lines "$T/two.txt" | awk '{ if ($1 + 0 < prev) bad++; prev = $1 + 0 } END { exit bad > 0 }'
ok $? "samples print in time order although the file is not"
is "$(lines "$T/two.txt" | awk '{ print $2 }' | sort -u | tr '\n' ' ')" "1000 1001 " "both threads present"
"$BIN/cprof-raw" --thread 1001 "$T/two.txt" > /dev/null 2>&1
ok $(( ! $? )) "a text file that is not a profile is refused"
"$BIN/cprof-raw" --thread 1001 "$T/two.cprof" > "$T/t1001.txt"
is "$(lines "$T/t1001.txt" | awk '{ print $2, $3 }' | sort -u)" "1001 worker-1" "--thread keeps that thread only"
is "$(lines "$T/t1001.txt" | wc -l)" "$(lines "$T/two.txt" | awk '$2 == 1001' | wc -l)" \
	"--thread keeps all of that thread's samples"
"$BIN/cprof-raw" --from 100 --to 200 "$T/one.cprof" > "$T/win.txt"
is "$(lines "$T/win.txt" | awk '{ print $1 }' | tr '\n' ' ')" \
	"100.000 110.000 120.000 130.000 140.000 150.000 160.000 170.000 180.000 190.000 " \
	"--from/--to (ms) keep [from, to)"
is "$(lines <("$BIN/cprof-raw" -n 7 "$T/one.cprof") | wc -l)" "7" "-n 7 prints 7 samples"
like "$(lines <("$BIN/cprof-raw" --addrs "$T/one.cprof") | head -1)" ' main@0x[0-9a-f]+;[AB]@0x[0-9a-f]+$' \
	"--addrs: func@0xaddress frames, as in cprof-fold"
like "$(lines <("$BIN/cprof-raw" --no-symbolize "$T/one.cprof") | head -1)" ' abc\+0x[0-9a-f]+;abc\+0x[0-9a-f]+$' \
	"--no-symbolize: module+0xoffset frames"

# The timeline: per thread, one column per sample, root row first.
"$BIN/cprof-raw" --timeline -n 12 "$T/one.cprof" > "$T/tl.txt"
grep -v '^#' "$T/tl.txt" > "$T/tl.pic"
is "$(sed -n 1p "$T/tl.pic")" "thread 1000 (abc): 12 samples, 0.000 .. 110.000 ms" "timeline: thread header"
is "$(sed -n 2p "$T/tl.pic")" "  main main main main main main main main main main main main" "timeline: root row"
is "$(sed -n 3p "$T/tl.pic")" "  A    A    A    A    A    A    A    A    B    B    B    B" "timeline: callee row, leaf names"
is "$(sed -n 4p "$T/tl.pic")" "                           C    C    C" "timeline: C under the A columns that called it"
"$BIN/cprof-raw" --timeline --max-columns 10 "$T/one.cprof" > "$T/tlm.txt"
ok $? "timeline: a profile larger than --max-columns draws"
like "$(tr '\n' '|' < "$T/tlm.txt")" 'runs of the same stack merged.*\|  x5   x3   x4   x5   x3   x4' \
	"timeline: over --max-columns, runs merge with xN counts"
like "$(cat "$T/tlm.txt")" "more samples not drawn" "timeline: says what it left out"

# Damaged and foreign inputs.
head -c 3000 "$T/one.cprof" > "$T/cut.cprof"
"$BIN/cprof-raw" "$T/cut.cprof" > "$T/cut.txt" 2>&1
ok $? "a truncated file still reads"
like "$(grep '^# warning' "$T/cut.txt")" "truncated at byte [0-9]+ of 3000: read [0-9]+ records" \
	"truncated: a header warning says how much was read"
if [ -x "$BIN/cprof-pprof" ]; then
	"$BIN/cprof-pprof" -o "$T/one.pb.gz" "$T/one.cprof"
	"$BIN/cprof-raw" "$T/one.pb.gz" > "$T/pp.txt" 2>&1
	like "$(cat "$T/pp.txt")" "# notice: pprof input has no timestamps" "pprof input: a notice, samples still listed"
	"$BIN/cprof-raw" --timeline "$T/one.pb.gz" > /dev/null 2> "$T/pp.err"
	st=$?
	like "$st $(cat "$T/pp.err")" "^1 cprof-raw: .*one.pb.gz: pprof input has no timestamps" \
		"--timeline on pprof: one-line error, exit 1"
else
	ok 0 "# SKIP cprof-pprof not built"; ok 0 "# SKIP cprof-pprof not built"
fi
printf 'garbage\x00\x01' > "$T/junk"
"$BIN/cprof-raw" "$T/junk" > /dev/null 2> "$T/junk.err"
like "$? $(cat "$T/junk.err")" "^1 cprof-raw: .*junk: unrecognized format" "junk: one-line error naming the file"

"$BIN/cprof-raw" -o "$T/o.txt" "$T/one.cprof" && cmp -s "$T/o.txt" "$T/one.txt"
ok $? "-o FILE writes what stdout shows"
"$BIN/cprof-raw" -o "$T/o2.txt" "$T/one.cprof" "$T/missing.cprof" 2> /dev/null
like "$? $(ls "$T/o2.txt" 2>&1)" "^1 .*No such file" "-o with an unreadable input: exit 1 and no output file"

# A real recording of samples/abc, when the sampler is built.
if [ -x "$BIN/cprof-record" ] && [ -x "$PROGS/abc" ]; then
	run_limited 60 "$BIN/cprof-record" -q -o "$T/rec.cprof" -- "$PROGS/abc" 1 > /dev/null 2>&1
	"$BIN/cprof-raw" "$T/rec.cprof" > "$T/rec.txt"
	lines "$T/rec.txt" | awk '{ s = $NF; sub(/.*;main;/, "main;", s); n++; c[s]++ }
		END { k = c["main;A"] + c["main;A;C"] + c["main;B"]
		      exit !(c["main;A"] && c["main;A;C"] && c["main;B"] && k >= 0.9 * n) }'
	ok $? "recorded abc: symbolized, >= 90% of stacks end in main;A, main;A;C or main;B"
	lines "$T/rec.txt" | awk '{ if ($1 + 0 < prev) bad++; prev = $1 + 0 } END { exit bad > 0 }'
	ok $? "recorded abc: samples in time order"
	"$BIN/cprof-raw" --timeline -n 20 "$T/rec.cprof" | grep -v '^#' > "$T/rec.tl"
	like "$(awk '/^  main( |$)/ { print; getline; print; exit }' "$T/rec.tl" | tr '\n' '|')" '^  main( +main)+\|  [AB]( +[AB])+' \
		"recorded abc: timeline rows main, then A/B under it"
else
	for i in 1 2 3; do ok 0 "# SKIP cprof-record or samples/abc not built"; done
fi

# A real multi-threaded recording: --thread splits it exactly.
if [ -x "$BIN/cprof-record" ] && [ -x "$PROGS/threads" ]; then
	run_limited 60 "$BIN/cprof-record" -q -o "$T/thr.cprof" -- "$PROGS/threads" 3 0.5 > /dev/null 2>&1
	"$BIN/cprof-raw" "$T/thr.cprof" > "$T/thr.txt"
	total=$(lines "$T/thr.txt" | wc -l)
	sum=0; good=0
	for tid in $(lines "$T/thr.txt" | awk '{ print $2 }' | sort -u); do
		n=$("$BIN/cprof-raw" --thread "$tid" "$T/thr.cprof" | lines | awk -v t="$tid" '$2 != t { bad = 1 } END { print bad ? -1000000 : NR }')
		sum=$((sum + n))
	done
	is "$sum" "$total" "recorded threads: --thread TID for each thread adds up to all $total samples, each only its own"
else
	ok 0 "# SKIP cprof-record or samples/threads not built"
fi

# Wall mode: the header counts the samples taken while blocked.
if [ -x "$BIN/cprof-record" ] && [ -x "$PROGS/sleeper" ]; then
	run_limited 60 "$BIN/cprof-record" -q --mode wall -o "$T/wall.cprof" -- "$PROGS/sleeper" > /dev/null 2>&1
	like "$("$BIN/cprof-raw" "$T/wall.cprof" | grep '^# off-cpu')" '^# off-cpu: [1-9][0-9]* samples \([0-9.]+%\) taken while their thread was blocked$' \
		"wall mode: the header counts off-CPU samples"
else
	ok 0 "# SKIP cprof-record or samples/sleeper not built"
fi
