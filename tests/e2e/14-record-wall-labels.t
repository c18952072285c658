#!/usr/bin/env bash
# --mode wall samples every thread at the rate whether it runs or sleeps:
# samples/sleeper (50 ms on the CPU, 50 ms asleep per cycle) shows its sleep
# in wait_idle. Labels: samples/labels serves /users and /orders from two
# threads; each sample carries the endpoint label set when it was taken.
# The API (cprof_start/cprof_stop) records threads that existed before it.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/sleeper" ] && [ -x "$PROGS/labels" ] ||
	skip_all "cprof-record or samples not built"
plan 15

share() { # FILE AWK-CONDITION-ON-LINE
	awk "!/^#/ { n++; if ($2) k++ } END { printf \"%.1f\", n ? 100 * k / n : 0 }" "$1"
}
nsamples() { sed -n 's/^# samples: \([0-9]*\).*/\1/p' "$1"; }

run_limited 60 "$BIN/cprof-record" -q --mode wall -F 100 -o "$T/wall" -- "$PROGS/sleeper" 2 >"$T/sleeper.out"
ok $? "sleeper runs under --mode wall"
"$BIN/cprof-raw" "$T/wall" 2>/dev/null >"$T/wall.txt"
like "$(grep '^# mode' "$T/wall.txt")" "mode: wall" "the header says wall mode"
# every 10 ms of the recording is one sample, asleep or not; when a starved
# machine delays the sampling thread, a sample stands for the periods that
# passed (its weight), so the weights add up to the wall time
secs=$(sed -n 's/^# duration: \([0-9.]*\) s$/\1/p' "$T/wall.txt")
got=$(nsamples "$T/wall.txt")
weight=$(awk '!/^#/ { w += $4 } END { printf "%.0f", w }' "$T/wall.txt")
diag "wall: $got samples weighing $weight ns in $secs s"
within "$weight" "$(awk -v s="$secs" 'BEGIN { printf "%.0f", s * 1e9 }')" 10 "the samples' weights add up to the wall time"
# The count is only a sanity check (the weights above carry the time): a
# starved sampling thread takes fewer, heavier samples. Measured at load
# 25-28 on the 2-core build machine: 0.59-0.86 samples per period over 6
# runs, and below 0.5 once during a loaded make check; hence at least a
# quarter (a 10 Hz sampler would give 0.1).
ok "$(awk -v g="$got" -v s="$secs" 'BEGIN { print (g >= 0.25 * s * 100 && g <= 1.05 * s * 100) ? 0 : 1 }')" \
	"about one sample per period ($got in $secs s at 100 Hz)"
# each cycle sleeps 50 ms in wait_idle
cycles=$(sed -n 's/^sleeper: \([0-9]*\) cycles$/\1/p' "$T/sleeper.out")
idle=$(awk '!/^#/ && $NF ~ /main;wait_idle/ { w += $4 } END { printf "%.0f", w }' "$T/wall.txt")
busy=$(awk '!/^#/ && $NF ~ /main;burn/ { w += $4 } END { printf "%.0f", w }' "$T/wall.txt")
diag "$cycles cycles: wait_idle $idle ns, burn $busy ns"
within "$idle" "$((cycles * 50000000))" 30 "the sleep shows: 50 ms of wait_idle per cycle"
ok "$(awk -v i="$idle" -v b="$busy" -v w="$weight" 'BEGIN { print (i + b >= 0.9 * w) ? 0 : 1 }')" "the rest (90%) is burn"
# the samples in wait_idle are flagged off-CPU (the thread was blocked)
off=$(sed -n 's/^# off-cpu: \([0-9]*\) samples.*/\1/p' "$T/wall.txt")
nidle=$(awk '!/^#/ && $NF ~ /main;wait_idle/' "$T/wall.txt" | wc -l | tr -d ' ')
diag "off-CPU: $off samples, $nidle in wait_idle"
within "${off:-0}" "$nidle" 20 "blocked samples are flagged off-CPU"

# cpu mode on the same program: the sleep is invisible
run_limited 60 "$BIN/cprof-record" -q -F 100 -o "$T/cpu" -- "$PROGS/sleeper" 1 >/dev/null
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
# A sample taken between setting the label and entering the handler (or
# after leaving it) is labelled but elsewhere: with 12-25 labelled samples
# on the loaded build machine one such sample is 4-8 %, and one make check
# failed on it; so 95 %, or all but one.
ok "$(awk '$5 == "{endpoint=/users}" { n++; if ($NF ~ /worker;handle_users/) k++ } END { print (n && (k >= 0.95 * n || k >= n - 1)) ? 0 : 1 }' "$T/lab.txt")" \
	"samples labelled /users are in handle_users"
ok "$(awk '$5 == "{endpoint=/orders}" { n++; if ($NF ~ /worker;handle_orders/) k++ } END { print (n && (k >= 0.95 * n || k >= n - 1)) ? 0 : 1 }' "$T/lab.txt")" \
	"samples labelled /orders are in handle_orders"

# the API: start once the worker threads already run
LD_PRELOAD="$LIB/libcprof-sample.so" run_limited 60 "$PROGS/labels" -o "$T/api" 1 >/dev/null
ok $? "labels -o starts and stops a recording through the API"
is "$("$BIN/cprof-raw" "$T/api" 2>/dev/null | awk '!/^#/ && $NF ~ /worker;/ { print $2 }' | sort -u | wc -l | tr -d ' ')" 2 \
	"both worker threads, started before cprof_start, are sampled"
