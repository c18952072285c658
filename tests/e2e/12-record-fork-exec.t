#!/usr/bin/env bash
# fork: the child records into its own file, CPROF_OUT.<child pid>, and
# parent and child files each hold their own samples; a child that ends
# with _exit (no exit hooks) leaves a complete file (_exit is wrapped). exec: the new
# image is profiled again, into CPROF_OUT.<pid>, and the file of the image
# before the exec is complete (it has its END record).
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/forker" ] && [ -x "$PROGS/execer" ] ||
	skip_all "cprof-record or samples not built"
plan 18

stacks() { "$BIN/cprof-raw" "$1" 2>/dev/null | awk '!/^#/ { print $NF }'; }
count() { stacks "$1" | grep -c -- "$2"; }
warnings() { "$BIN/cprof-raw" "$1" 2>&1 >/dev/null | grep -v '^pass\|^sort'; "$BIN/cprof-raw" "$1" 2>/dev/null | grep '^# warning'; }

run_limited 60 "$BIN/cprof-record" -q -o "$T/fork" -- "$PROGS/forker" 0.5 >"$T/out"
ok $? "forker runs under cprof-record"
child=$(sed -n 's/^forker: parent [0-9]*, child \([0-9]*\)$/\1/p' "$T/out")
parent=$(sed -n 's/^forker: parent \([0-9]*\), child.*/\1/p' "$T/out")
ok "$([ -s "$T/fork" ] && [ -s "$T/fork.$child" ]; echo $?)" "the parent wrote fork, the child fork.<its pid>"
ok "$([ "$(count "$T/fork" 'main;parent_work$')" -ge 20 ]; echo $?)" "the parent's file has parent_work samples"
is "$(count "$T/fork" 'child_work')" 0 "... and none of the child's"
ok "$([ "$(count "$T/fork.$child" 'main;child_work$')" -ge 20 ]; echo $?)" "the child's file has child_work samples"
is "$(count "$T/fork.$child" 'parent_work')" 0 "... and none of the parent's"
is "$("$BIN/cprof-raw" "$T/fork.$child" 2>/dev/null | sed -n 's/^# pid: //p')" "$child" "the child's file says the child's pid"
is "$(warnings "$T/fork.$child" | grep -c 'END')" 0 "the child's file ended cleanly (exit)"

run_limited 60 "$BIN/cprof-record" -q -o "$T/fx" -- "$PROGS/forker" 0.5 _exit >"$T/out"
ok $? "forker with a child that calls _exit"
child=$(sed -n 's/^forker: parent [0-9]*, child \([0-9]*\)$/\1/p' "$T/out")
ok "$([ "$(count "$T/fx.$child" 'main;child_work$')" -ge 20 ]; echo $?)" "the _exit child's file is readable and has its samples"
is "$(warnings "$T/fx.$child" | grep -c 'END')" 0 "... and it ended cleanly (_exit is wrapped: END written, file cut)"

run_limited 60 "$BIN/cprof-record" -q -o "$T/ex" -- "$PROGS/execer" 0.5 >"$T/out"
ok $? "execer runs under cprof-record"
pid=$(sed -n 's/^execer: after exec, pid \([0-9]*\)$/\1/p' "$T/out")
ok "$([ "$(count "$T/ex" 'main;before_exec$')" -ge 20 ] && [ "$(count "$T/ex" 'after_exec')" -eq 0 ]; echo $?)" \
	"the image before exec: before_exec samples in ex"
is "$(warnings "$T/ex" | grep -c 'END')" 0 "... and its file was closed cleanly before the exec"
ok "$([ "$(count "$T/ex.$pid" 'main;after_exec$')" -ge 20 ] && [ "$(count "$T/ex.$pid" 'before_exec')" -eq 0 ]; echo $?)" \
	"the exec'd image is profiled into ex.<pid>"
is "$("$BIN/cprof-raw" "$T/ex.$pid" 2>/dev/null | sed -n 's/^# pid: //p')" "$pid" "both images have the same pid"
# Short images at a high rate: the first tick of a starting image (or one
# pending across an exec) must meet cprof's handler, never SIGPROF's default
# action, which kills the program ("Profiling timer expired": 36 of 100
# /bin/true and 99 of 200 `env true` died at 10 kHz before the handler was
# installed ahead of the timer). Each loop runs 60 starts of an image.
mkdir -p "$T/many"
run_limited 120 "$BIN/cprof-record" -q -F 10000 -o "$T/many/t" -- sh -c \
	'n=0; i=0; while [ $i -lt 60 ]; do /bin/true || n=$((n + 1)); i=$((i + 1)); done; exit $n' 2>"$T/err"
is "$?:$(grep -c 'Profiling timer' "$T/err")" "0:0" "60 x /bin/true at 10 kHz: none killed by SIGPROF"
run_limited 120 "$BIN/cprof-record" -q -F 10000 -o "$T/many/e" -- sh -c \
	'n=0; i=0; while [ $i -lt 60 ]; do env /bin/true || n=$((n + 1)); i=$((i + 1)); done; exit $n' 2>"$T/err"
is "$?:$(grep -c 'Profiling timer' "$T/err")" "0:0" "60 x env /bin/true (an exec after start) at 10 kHz: none killed"
