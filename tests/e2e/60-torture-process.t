#!/usr/bin/env bash
# Sampler torture, processes and threads at 1 kHz: thousands of short-lived
# threads, a storm of 100 forks (and grandchildren) that work, an exec chain,
# vfork and posix_spawn. The programs print the same and exit the same with
# and without the profiler, nothing hangs (every run has a time limit), and
# every file written (one per process image) reads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/60-torture-lib.sh"
plan 15

# thread churn: 3000 threads, 16 at a time, each named
plain threads 60 "$TORTURE/threads" 3000 16
profiled threads 120 -F 1000 -- "$TORTURE/threads" 3000 16
same_behaviour threads
"$BIN/cprof-raw" --no-symbolize "$T/threads.cprof" >"$T/threads.txt" 2>"$T/threads.err"
ok $? "threads: the file reads"
nthr=$(sed -n 's/^# threads: \([0-9]*\).*/\1/p' "$T/threads.txt")
ok "$([ "${nthr:-0}" -ge 3001 ]; echo $?)" "threads: all 3000 short-lived threads were seen (${nthr:-0} threads)"
diag "thread churn: $(grep -c '' "$T/threads.txt") lines, $(nsamples "$T/threads.cprof") samples; stderr: $(head -c 200 "$T/threads.err")"

# fork storm: 100 children (every tenth forks a grandchild), 20 ms of work each
plain fork 60 "$TORTURE/fork" 100 20
profiled fork 180 -F 1000 -- "$TORTURE/fork" 100 20
same_behaviour fork
files=$(ls "$T"/fork.cprof* | wc -l)
is "$files" 111 "fork: one file per process (1 parent + 100 children + 10 grandchildren)"
total=$(readable "$T"/fork.cprof*)
ok $? "fork: all $files files read"
with=$(grep -v ' [^ ]*/fork.cprof$' "$T/readable.counts" | awk '$1 > 0' | wc -l)
ok "$([ "$with" -ge 100 ]; echo $?)" "fork: the children's files hold their samples ($with of 110 have samples, $total samples in all)"
ok "$(stacks "$T"/fork.cprof.* | grep -q 'child'; echo $?)" "fork: children's samples are in child()"

# exec chain: 5 execs of itself, then exit 4
plain exec 30 "$TORTURE/exec" 5
profiled exec 60 -F 1000 -- "$TORTURE/exec" 5
same_behaviour exec
is "$(ls "$T"/exec.cprof* | wc -l)" 6 "exec: one file per image (6)"
readable "$T"/exec.cprof* >/dev/null
ok $? "exec: every image's file reads"
noend=0
for f in "$T"/exec.cprof*; do "$BIN/cprof-raw" --no-symbolize "$f" 2>/dev/null | grep -q '^# warning.*no END' && noend=$((noend + 1)); done
is "$noend" 0 "exec: every image's file was closed cleanly (END record)"

# vfork (with and without exec) and posix_spawn, 20 rounds
plain spawn 60 "$TORTURE/spawn" 20
profiled spawn 120 -F 1000 -- "$TORTURE/spawn" 20
same_behaviour spawn
readable "$T"/spawn.cprof* >/dev/null
ok $? "spawn: every file reads ($(ls "$T"/spawn.cprof* | wc -l) files)"
"$BIN/cprof-raw" --no-symbolize "$T/spawn.cprof" 2>/dev/null | grep -q '^# warning.*no END'
ok "$([ $? -ne 0 ]; echo $?)" "spawn: the parent's file ends cleanly although vfork children ran in its memory"
