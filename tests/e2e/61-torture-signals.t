#!/usr/bin/env bash
# Sampler torture, signals and stacks at 1 kHz: a program with its own
# SIGPROF handler and timer, threads that block SIGPROF, EINTR-heavy I/O
# (pipes, accept/connect on loopback, nanosleep) in cpu and wall mode,
# recursion 10000 frames deep, and threads on the smallest stacks and on
# 16 KiB signal stacks. Same output and exit status with and without the
# profiler, no hang, no crash, a readable file with samples.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/60-torture-lib.sh"
plan 20

plain sigprof 30 "$TORTURE/sigprof" 400
profiled sigprof 60 -F 1000 -- "$TORTURE/sigprof" 400
same_behaviour sigprof
ok "$(readable "$T/sigprof.cprof" >/dev/null; echo $?)" "sigprof: the file reads"

# the dispositions of the fatal signals cprof takes over (to close its file
# before the process ends) read as SIG_DFL, as without the profiler:
# Python installs its KeyboardInterrupt handler only on a SIG_DFL SIGINT,
# and under cprof a Ctrl-C ended it at once, its finally blocks unrun
plain sigquery 30 "$TORTURE/sigquery"
profiled sigquery 60 -F 1000 -- "$TORTURE/sigquery"
same_behaviour sigquery
if command -v python3 >/dev/null; then
	script='import signal, os, time
try:
    os.kill(os.getpid(), signal.SIGINT); time.sleep(1); print("not interrupted")
except KeyboardInterrupt:
    print("KeyboardInterrupt")'
	# SIGINT as SIG_DFL first: a test's background shell may ignore it
	run_limited 60 "$BIN/cprof-record" -q -o "$T/py.cprof" -- perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
		python3 -c "$script" >"$T/py.out" 2>"$T/py.err"
	is "$(cat "$T/py.out")" KeyboardInterrupt "python3 under the profiler: SIGINT raises KeyboardInterrupt"
	# multiprocessing's forkserver saves signal.getsignal() of SIGINT and
	# SIGCHLD and sets them back in each child: with cprof's handler read as
	# None, signal.signal(SIGINT, None) raised TypeError and the pool hung
	# (a builtin as the task: -c has no module the workers could import)
	script='import multiprocessing as mp
mp.set_start_method("forkserver")
with mp.Pool(2) as p: print(sum(p.map(abs, range(-10, 0))))'
	run_limited 60 "$BIN/cprof-record" -q -o "$T/mp.cprof" -- python3 -c "$script" >"$T/mp.out" 2>"$T/mp.err"
	is "$?:$(cat "$T/mp.out")" "0:55" "python3 multiprocessing with the forkserver under the profiler"
else
	ok 0 "# SKIP python3 not installed"
	ok 0 "# SKIP python3 not installed"
fi

plain sigblock 30 "$TORTURE/sigblock" 6 200
profiled sigblock 60 -F 1000 -- "$TORTURE/sigblock" 6 200
same_behaviour sigblock
n=$(nsamples "$T/sigblock.cprof")
ok "$([ "${n:-0}" -gt 100 ]; echo $?)" "sigblock: the threads are sampled (${n:-0} samples)"
blocked=$("$BIN/cprof-raw" --no-symbolize "$T/sigblock.cprof" 2>/dev/null | awk '!/^#/ && $3 == "blocked"' | wc -l)
# 3 threads block SIGPROF and burn 200 ms each: cprof keeps its signal
# deliverable (the program still reads SIGPROF as blocked)
ok "$([ "$blocked" -ge 300 ]; echo $?)" "sigblock: threads that block SIGPROF are sampled too ($blocked samples, ~600 due)"

for mode in cpu wall; do
	plain eintr-$mode 60 "$TORTURE/eintr" 20000 200 200
	profiled eintr-$mode 120 -F 1000 --mode $mode -- "$TORTURE/eintr" 20000 200 200
	same_behaviour eintr-$mode
	n=$(nsamples "$T/eintr-$mode.cprof")
	ok "$([ "${n:-0}" -gt 0 ]; echo $?)" "eintr-$mode: sampled while in system calls (${n:-0} samples)"
	diag "eintr-$mode: $(cat "$T/eintr-$mode.prof.out")"
done

plain deep 30 "$TORTURE/deep" 10000 300
profiled deep 60 -F 1000 -- "$TORTURE/deep" 10000 300
same_behaviour deep
depth=$("$BIN/cprof-raw" "$T/deep.cprof" 2>/dev/null | awk '!/^#/ { n = split($NF, f, ";"); if (n > m) m = n } END { print m + 0 }')
ok "$([ "$depth" -ge 200 ]; echo $?)" "deep: samples 10000 frames down keep a deep stack, cut at the recorder's limit (deepest: $depth frames)"
ok "$(stacks "$T/deep.cprof" | grep -q 'recurse;recurse;recurse'; echo $?)" "deep: ... made of recurse frames"
# A cut stack (flagged TRUNCATED by the recorder) is shown under a
# "[truncated]" root, not as if its deepest recorded frame were a root; only
# stacks at the recorder's limit carry it.
shape=$("$BIN/cprof-raw" --no-symbolize "$T/deep.cprof" 2>/dev/null | awk '!/^#/ {
	n = split($NF, f, ";"); cut = f[1] == "[truncated]"; if (cut) ncut++
	if (cut && n - 1 > max) max = n - 1
	if (!cut && n > maxfull) maxfull = n
	if (index($NF, "[truncated]") > 1) bad++ }
	END { printf "%d %d %d %d", ncut, max, maxfull, bad }')
read -r ncut max maxfull bad <<<"$shape"
ok "$([ "$ncut" -gt 0 ] && [ "$max" -ge 200 ] && [ "$maxfull" -lt "$max" ] && [ "$bad" -eq 0 ]; echo $?)" \
	"deep: cut stacks have a [truncated] root, and only they ($ncut cut at $max frames; uncut at most $maxfull frames)"
like "$("$BIN/cprof-fold" "$T/deep.cprof" 2>&1 >/dev/null)" "^cprof-fold: .*deep.cprof: warning: $ncut of [0-9]+ samples had stacks deeper than the recorder keeps" "deep: ... and the tools say how many were cut"

plain altstack 30 "$TORTURE/altstack" 200 16384
profiled altstack 60 -F 1000 -- "$TORTURE/altstack" 200 16384
same_behaviour altstack
ok "$(stacks "$T/altstack.cprof" | grep -q 'on_usr1'; echo $?)" "altstack: samples taken inside a handler on a 16 KiB sigaltstack"
ok "$(stacks "$T/altstack.cprof" | grep -q 'small_stack_worker'; echo $?)" "altstack: samples of threads on PTHREAD_STACK_MIN stacks"
