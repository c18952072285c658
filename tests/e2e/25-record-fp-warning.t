#!/usr/bin/env bash
# --unwind fp through code built without frame pointers (Debian's perl)
# gives stacks that stop after a frame or two: every reading tool warns,
# naming the share of samples whose stacks stop before main or their
# thread's start and what to use instead. A program built with frame
# pointers (samples/abc), or the default unwinder, gets no such warning.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/abc" ] || skip_all "cprof-record or samples not built"
command -v perl >/dev/null || skip_all "perl not installed"
plan 5

PERL=(perl -e 'my $s = 0; for my $i (1 .. 3e6) { $s += $i % 7 } print "$s\n"')
run_limited 60 "$BIN/cprof-record" -q -F 1000 --unwind fp -o "$T/perl-fp.cprof" -- "${PERL[@]}" >/dev/null
ok $? "perl recorded with --unwind fp"
# (cprof-raw puts its warnings in its header)
"$BIN/cprof-raw" "$T/perl-fp.cprof" >"$T/err" 2>&1
like "$(grep '^# warning' "$T/err")" '[0-9]+ of [0-9]+ samples \([0-9]+%\) have stacks that stop before main or their thread.s start: .*--unwind libunwind' \
	"cprof-raw warns that the fp stacks stop early, with the share, and names the unwinder to use"
"$BIN/cprof-top" "$T/perl-fp.cprof" >/dev/null 2>"$T/err.top"
like "$(cat "$T/err.top")" 'have stacks that stop before main' "cprof-top says the same"

run_limited 60 "$BIN/cprof-record" -q -F 1000 -o "$T/perl-lu.cprof" -- "${PERL[@]}" >/dev/null
"$BIN/cprof-raw" "$T/perl-lu.cprof" >"$T/err.lu" 2>&1
is "$(grep -c 'stop before main' "$T/err.lu")" 0 "no warning with the default unwinder"

run_limited 60 "$BIN/cprof-record" -q -F 1000 --unwind fp -o "$T/abc-fp.cprof" -- "$PROGS/abc" 0.5 >/dev/null
"$BIN/cprof-raw" "$T/abc-fp.cprof" >"$T/err.abc" 2>&1
is "$(grep -c 'stop before main' "$T/err.abc")" 0 "no warning for a program built with frame pointers (abc)"
