#!/usr/bin/env bash
# A library loaded with dlopen is symbolized (its MAPPING is recorded after
# the dlopen), also after dlclose; a program with its own SIGPROF handler
# keeps getting its signals while cprof samples, and the conflict is
# reported; the fallback timers (timer_create, setitimer) still record and
# the header names them; a program killed by SIGTERM leaves a closed file.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/dlopener" ] && [ -x "$PROGS/ownprof" ] ||
	skip_all "cprof-record or samples not built"
plan 21

stacks() { "$BIN/cprof-raw" "$@" 2>/dev/null | awk '!/^#/ { print $NF }'; }

run_limited 60 "$BIN/cprof-record" -q -o "$T/dl" -- "$PROGS/dlopener" 0.5 >/dev/null
ok $? "dlopener runs under cprof-record"
ok "$([ "$(stacks "$T/dl" | grep -c 'main;plugin_work;plugin_inner$')" -ge 20 ]; echo $?)" \
	"samples in the dlopen'ed plugin have its function names"
ok "$([ "$(stacks "$T/dl" | grep -c 'main;after_unload$')" -ge 20 ]; echo $?)" \
	"samples after the dlclose are there too"
like "$(stacks --no-symbolize "$T/dl" | grep -m1 'libcprof-plugin')" 'libcprof-plugin\.so\+0x' \
	"plugin addresses fall in the plugin's mapping"

run_limited 60 "$BIN/cprof-record" -q -o "$T/own" -- "$PROGS/ownprof" 1 >"$T/own.out" 2>"$T/own.err"
ok $? "a program with its own SIGPROF handler and setitimer still works (its check passes)"
like "$(cat "$T/own.err")" "own SIGPROF handler" "the conflict is reported on stderr"
like "$("$BIN/cprof-raw" "$T/own" 2>/dev/null | grep '^# warning')" "SIGPROF" "... and in the file"
ok "$([ "$(stacks "$T/own" | grep -c 'main;spin$')" -ge 50 ]; echo $?)" "cprof keeps sampling it"

# CPU time (user + system, ns) a command really used, from bash's rusage of
# it: the reference the sample weights must add up to (abc's own budget is
# 1 s, but start-up, exit and the sampler's handler add to it, more so on a
# busy machine).
cpu_ns_of() {
	local TIMEFORMAT='%3U %3S'
	{ time run_limited 60 "$@" >/dev/null 2>&1; } 2>"$T/time.out"
	awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$T/time.out" # %d stops at 2^31 in mawk
}

for timer in timer_create setitimer; do
	cpu_ns=$(cpu_ns_of env CPROF_TIMER=$timer LD_PRELOAD="$LIB/libcprof-sample.so" \
		CPROF_OUT="$T/$timer" CPROF_HZ=100 "$PROGS/abc" 1)
	"$BIN/cprof-raw" "$T/$timer" >"$T/$timer.txt" 2>/dev/null
	like "$(grep '^# mode' "$T/$timer.txt")" "timer: $timer" "CPROF_TIMER=$timer: the header names the fallback"
	# tick-driven timers are weighed by the CPU time each sample stands for
	total=$(sed -n 's/^# samples: .*total cpu: \([0-9]*\) nanoseconds.*/\1/p' "$T/$timer.txt")
	within "$total" "$cpu_ns" 15 "$timer: the samples' weights add up to the CPU time"
done

# SIGTERM: the library's handler closes the file, then the default action
# ends the program as before
LD_PRELOAD="$LIB/libcprof-sample.so" CPROF_OUT="$T/term" "$PROGS/abc" 20 >/dev/null &
pid=$!
sleep 0.5
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM still ends the program with the signal"
warn=$("$BIN/cprof-raw" "$T/term" 2>/dev/null | grep '^# warning')
ok "$(printf '%s' "$warn" | grep -q 'no END'; [ $? -ne 0 ]; echo $?)" "the file was closed with an END record"
like "$warn" "signal 15" "... and a note saying the program was ended by signal 15"

# a full file: samples that find no room are dropped and counted, never
# silently lost, and the file still ends cleanly (4 s at 1 kHz: ~4000
# samples of 24 bytes, more than the smallest limit, 64 KiB, holds)
cpu_ns=$(cpu_ns_of env CPROF_MAX_SIZE=65536 LD_PRELOAD="$LIB/libcprof-sample.so" \
	CPROF_OUT="$T/full" CPROF_HZ=1000 "$PROGS/abc" 4)
ok "$([ -n "$cpu_ns" ] && [ -s "$T/full" ]; echo $?)" "abc with a 64 KiB file limit"
"$BIN/cprof-raw" "$T/full" >"$T/full.txt" 2>/dev/null
dropped=$(sed -n 's/^# samples: [0-9]*, dropped: \([0-9]*\).*/\1/p' "$T/full.txt")
written=$(sed -n 's/^# samples: \([0-9]*\),.*/\1/p' "$T/full.txt")
diag "64 KiB: $written written, $dropped dropped"
ok "$([ "${dropped:-0}" -gt 0 ] && [ "$(stat -c %s "$T/full")" -le 65536 ]; echo $?)" \
	"samples beyond the limit are counted as dropped; the file stays within it"
within "$((written + dropped))" "$((cpu_ns / 1000000))" 10 "written + dropped = CPU time x rate"

# the program's own file size limit (ulimit -f): growing the file past it
# raised SIGXFSZ, whose default action killed the program (bash -c 'ulimit
# -f 100; ...' under cprof-record died at once); the file now stops at the
# limit, and the samples past it are dropped and counted as above
if command -v prlimit >/dev/null; then
	run_limited 60 prlimit --fsize=65536 env LD_PRELOAD="$LIB/libcprof-sample.so" CPROF_OUT="$T/fsize" \
		CPROF_HZ=1000 "$PROGS/abc" 4 >/dev/null 2>"$T/fsize.err"
	is "$?" 0 "a program with a 64 KiB file size limit (prlimit --fsize) runs to its end"
	"$BIN/cprof-raw" "$T/fsize" >"$T/fsize.txt" 2>/dev/null
	dropped=$(sed -n 's/^# samples: [0-9]*, dropped: \([0-9]*\).*/\1/p' "$T/fsize.txt")
	ok "$([ "${dropped:-0}" -gt 0 ] && [ "$(stat -c %s "$T/fsize")" -le 65536 ] &&
		grep -q "file size limit (ulimit -f: 65536 bytes)" "$T/fsize.err"; echo $?)" \
		"... its file stops at the limit, with one line saying so, and the samples past it are counted as dropped"
	# a limit on the address space (ulimit -v): the 4 GiB the file's mapping
	# reserves did not fit in it, and nothing was recorded ("cannot map
	# the output file"); now the mapping takes an eighth of the limit
	cpu_ns=$(cpu_ns_of prlimit --as=400000000 env LD_PRELOAD="$LIB/libcprof-sample.so" \
		CPROF_OUT="$T/as" CPROF_HZ=1000 "$PROGS/abc" 1)
	written=$("$BIN/cprof-raw" "$T/as" 2>/dev/null | sed -n 's/^# samples: \([0-9]*\),.*/\1/p')
	within "${written:-0}" "$((cpu_ns / 1000000))" 10 "a program under a 400 MB address space limit (prlimit --as) is recorded"
else
	for i in 1 2 3; do ok 0 "# SKIP prlimit (util-linux) not installed"; done
fi
