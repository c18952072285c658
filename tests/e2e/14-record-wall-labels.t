#!/usr/bin/env bash
# --mode wall samples every thread at the rate whether it runs or sleeps:
# samples/sleeper (50 ms on the CPU, 50 ms asleep per cycle) shows its sleep
# in wait_idle. Labels: samples/labels serves /users and /orders from two
# threads; each sample carries the endpoint label set when it was taken.
# The API (cprof_start/cprof_stop) records threads that existed before it.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/sleeper" ] && [ -x "$PROGS/labels" ] ||
	skip_all "cprof-record or samples not built"
[ -x "$BIN/cprof-raw" ] || skip_all "cprof-raw not built"
plan 13

share() { # FILE AWK-CONDITION-ON-LINE
	awk "!/^#/ { n++; if ($2) k++ } END { printf \"%.1f\", n ? 100 * k / n : 0 }" "$1"
}
nsamples() { sed -n 's/^# samples: \([0-9]*\).*/\1/p' "$1"; }

t0=$(date +%s%N)
run_limited 60 "$BIN/cprof-record" -q --mode wall -F 100 -o "$T/wall" -- "$PROGS/sleeper" 2
ok $? "sleeper runs under --mode wall"
t1=$(date +%s%N)
"$BIN/cprof-raw" "$T/wall" 2>/dev/null >"$T/wall.txt"
like "$(grep '^# mode' "$T/wall.txt")" "mode: wall" "the header says wall mode"
# every 10 ms of the run is one sample, asleep or not (the run is a bit
# shorter than what the test measures around cprof-record)
want=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) / 1e7 }')
got=$(nsamples "$T/wall.txt")
diag "wall: $got samples in $(( (t1 - t0) / 1000000 )) ms"
ok "$(awk -v g="$got" -v w="$want" 'BEGIN { print (g >= 0.8 * w && g <= 1.05 * w) ? 0 : 1 }')" \
	"wall time x rate samples ($got for about $want)"
idle=$(share "$T/wall.txt" '$NF ~ /main;wait_idle/')
busy=$(share "$T/wall.txt" '$NF ~ /main;burn/')
diag "wait_idle $idle%, burn $busy%"
ok "$(awk -v i="$idle" 'BEGIN { print (i >= 20 && i <= 65) ? 0 : 1 }')" "the sleep shows: wait_idle has $idle% of the samples"
ok "$(awk -v i="$idle" -v b="$busy" 'BEGIN { print (i + b >= 95) ? 0 : 1 }')" "the rest is burn"

# cpu mode on the same program: the sleep is invisible
run_limited 60 "$BIN/cprof-record" -q -F 100 -o "$T/cpu" -- "$PROGS/sleeper" 1
"$BIN/cprof-raw" "$T/cpu" 2>/dev/null >"$T/cpu.txt"
is "$(awk '!/^#/ && $NF ~ /wait_idle/' "$T/cpu.txt" | wc -l | tr -d ' ')" 0 "cpu mode: no samples while asleep"

# labels
run_limited 30 "$PROGS/labels" 0.2 >"$T/out" 2>&1
ok "$([ $? -eq 0 ] && grep -q 'without cprof' "$T/out"; echo $?)" "labels runs without the library"
run_limited 60 "$BIN/cprof-record" -q -o "$T/lab" -- "$PROGS/labels" 2 >/dev/null
ok $? "labels runs under cprof-record"
"$BIN/cprof-raw" "$T/lab" 2>/dev/null | awk '!/^#/ && $NF ~ /worker;/' >"$T/lab.txt"
u=$(share "$T/lab.txt" '$5 == "{endpoint=/users}"')
o=$(share "$T/lab.txt" '$5 == "{endpoint=/orders}"')
n=$(share "$T/lab.txt" '$5 == "{}"')
diag "labels: /users $u%, /orders $o%, none $n% of $(wc -l <"$T/lab.txt") samples"
ok "$(awk -v u="$u" -v o="$o" -v n="$n" 'BEGIN { d1=u-50; d2=o-25; d3=n-25;
	print (d1<10 && d1>-10 && d2<10 && d2>-10 && d3<10 && d3>-10) ? 0 : 1 }')" \
	"label shares follow the work: /users 50%, /orders 25%, none 25% (within 10 points)"
ok "$(awk '$5 == "{endpoint=/users}" { n++; if ($NF ~ /handle_users$/) k++ } END { print (n && k >= 0.95 * n) ? 0 : 1 }' "$T/lab.txt")" \
	"samples labelled /users are in handle_users"
ok "$(awk '$5 == "{endpoint=/orders}" { n++; if ($NF ~ /handle_orders$/) k++ } END { print (n && k >= 0.95 * n) ? 0 : 1 }' "$T/lab.txt")" \
	"samples labelled /orders are in handle_orders"

# the API: start once the worker threads already run
LD_PRELOAD="$LIB/libcprof-sample.so" run_limited 60 "$PROGS/labels" -o "$T/api" 1 >/dev/null
ok $? "labels -o starts and stops a recording through the API"
is "$("$BIN/cprof-raw" "$T/api" 2>/dev/null | awk '!/^#/ && $NF ~ /worker;/ { print $2 }' | sort -u | wc -l | tr -d ' ')" 2 \
	"both worker threads, started before cprof_start, are sampled"
