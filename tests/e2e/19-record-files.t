#!/usr/bin/env bash
# The files of a run, as cprof-record leaves and reports them: a process
# that died without closing its file (SIGKILL) has
# its zero padding cut off once cprof-record sees the command end; a
# process still running (a background job the command left behind) keeps
# its file untouched and finishes it itself; the summary has one line per
# file that holds samples (pid, command, samples, duration), never leads
# with an empty file, and ends with the total.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/forker" ] && [ -x "$PROGS/abc" ] && [ -x "$PROGS/sleeper" ] ||
	skip_all "cprof-record or samples not built"
plan 17

nsamples() { "$BIN/cprof-raw" "$1" 2>/dev/null | sed -n 's/^# samples: \([0-9]*\).*/\1/p'; }
size() { stat -c %s "$1"; }
# the file of PID whose executable's name is NAME (a forked shell writes
# PREFIX.<pid>, the program it execs PREFIX.<pid>.1)
file_of() { # PREFIX PID NAME
	local f
	for f in "$1.$2" "$1.$2".*; do
		[ -f "$f" ] && "$BIN/cprof-raw" "$f" 2>/dev/null | grep -q "^# executable: .*/$3\$" && echo "$f" && return
	done
	echo "$1.$2.missing"
}

# a forked child that ends with _exit: its file holds only its records
run_limited 60 "$BIN/cprof-record" -o "$T/fx" -- "$PROGS/forker" 0.5 _exit >"$T/out" 2>"$T/err"
ok $? "forker with an _exit child"
child=$(sed -n 's/^forker: parent [0-9]*, child \([0-9]*\)$/\1/p' "$T/out")
ok "$([ "$(size "$T/fx.$child")" -lt 262144 ]; echo $?)" "the _exit child's file has no zero padding ($(size "$T/fx.$child") bytes)"
ok "$([ "$(nsamples "$T/fx.$child")" -ge 20 ]; echo $?)" "... and holds its samples ($(nsamples "$T/fx.$child"))"
like "$(grep "fx.$child:" "$T/err")" "samples \(0 dropped\) in [0-9.]* s, pid $child \(.*forker 0.5 _exit\)" \
	"the summary names the child's file, pid and command"

# SIGKILL in the middle of a recording (once the file holds samples)
"$BIN/cprof-record" -o "$T/k" -- "$PROGS/abc" 30 >/dev/null 2>"$T/err" &
rp=$!
for i in $(seq 1 200); do
	[ -s "$T/k" ] && [ "$(nsamples "$T/k")" -ge 5 ] && break
	sleep 0.1
done
kill -9 "$(pgrep -P "$rp")"
wait "$rp"
is "$?" 137 "cprof-record exits 128+9 when its command is SIGKILLed"
kf=$T/k
ok "$([ -s "$kf" ] && [ "$(size "$kf")" -lt 262144 ]; echo $?)" "a SIGKILLed process's file is cut to its records ($(size "$kf") bytes)"
like "$("$BIN/cprof-raw" "$kf" 2>&1 | grep '^# warning')" "no END record" "... and still says it did not end cleanly"
like "$(cat "$T/err")" "k: .*no END record.*; [0-9]* bytes of zero padding cut off" "the summary says how much padding was cut"
ok "$([ "$(nsamples "$kf")" -ge 5 ]; echo $?)" "... with its samples ($(nsamples "$kf"))"

# a shell that runs two programs: three files, the shell's with few samples
run_limited 60 "$BIN/cprof-record" -o "$T/two" -- sh -c "\"$PROGS/abc\" 0.3 >/dev/null; \"$PROGS/abc\" 0.4 >/dev/null" 2>"$T/err"
ok $? "sh running abc twice"
diag "$(cat "$T/err")"
is "$(grep -c 'samples (0 dropped) in [0-9.]* s, pid [0-9]* (.*abc 0.[34])' "$T/err")" 2 "one summary line for each abc, with pid and command"
like "$(head -1 "$T/err")" "^cprof-record: .*two[.0-9]*: [1-9][0-9]* samples" "the first line is a file with samples"
total=0
for f in "$T"/two*; do total=$((total + $(nsamples "$f"))); done
like "$(tail -1 "$T/err")" "^cprof-record: total: $total samples \(0 dropped, [0-9.]* s of CPU\) in [23] files" \
	"the last line is the total over every file ($total)"

# a background job outlives the command: its file is not touched (the
# command waits until the job's exec'd image has its file)
run_limited 60 "$BIN/cprof-record" -o "$T/bg" -- sh -c "\"$PROGS/sleeper\" 1.5 >/dev/null 2>&1 & echo \$! >\"$T/bgpid\"; while [ ! -e \"$T/bg.\$!.1\" ]; do sleep 0.05; done" 2>"$T/err"
ok $? "a command that leaves a job running returns"
bp=$(cat "$T/bgpid")
bf=$(file_of "$T/bg" "$bp" sleeper)
like "$(cat "$T/err")" "$bf: .*still being written by pid $bp" "the summary says the job's file is still being written"
for i in $(seq 1 50); do kill -0 "$bp" 2>/dev/null || break; sleep 0.1; done
ok "$(! kill -0 "$bp" 2>/dev/null; echo $?)" "the job ran to its end"
is "$("$BIN/cprof-raw" "$bf" 2>&1 | grep -c '^# warning')" 0 "... and closed its file cleanly (END record, no warning)"
