#!/usr/bin/env bash
# Sampler torture: programs that close every descriptor they did not open
# (daemons at their start; closefrom, close_range, a close() loop) and then
# put files of their own on the freed numbers (tests/torture/t_closefds.c).
# cprof's descriptors (output file, timers, libunwind's pipe) survive, the
# threads are sampled at the asked rate, and the program's files are never
# grown, cut, read or written by cprof. A raw close_range system call, which
# no wrapper sees, costs at most a writer tick of samples per thread, and a
# NOTE says so. Before: 0 samples after the close, and libunwind's pipe
# writes went into the program's file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/60-torture-lib.sh"
plan 13

MS=500
for how in loop range closefrom raw; do
	ms=$MS
	[ $how = raw ] && ms=1000 # a tick (250 ms) a thread may go unsampled
	w=$((ms * 7 / 2)) # 2 threads burn ms each, the main thread 1.5 ms: samples at 1 kHz
	plain cf-$how 60 "$TORTURE/closefds" $how "$T/prog-plain.txt" "$ms" 2
	profiled cf-$how 120 -F 1000 -- "$TORTURE/closefds" $how "$T/prog-$how.txt" "$ms" 2
	same_behaviour cf-$how
	n=$(nsamples "$T/cf-$how.cprof")
	if [ $how = raw ]; then
		ok "$(awk -v g="${n:-0}" -v w="$w" 'BEGIN { exit !(g >= 0.5 * w && g <= 1.1 * w) }'; echo $?)" \
			"cf-$how: sampled after a close_range no wrapper sees ($n samples, CPU x rate $w)"
		like "$("$BIN/cprof-raw" --no-symbolize "$T/cf-$how.cprof" 2>&1 | grep -i warning)" \
			"the program closed or replaced [0-9]+ of cprof's file descriptors" "cf-$how: a NOTE says the descriptors were taken and opened again"
	else
		ok "$(awk -v g="${n:-0}" -v w="$w" 'BEGIN { exit !(g >= 0.85 * w && g <= 1.1 * w) }'; echo $?)" \
			"cf-$how: every thread sampled at the rate after the close ($n samples, CPU x rate $w)"
	fi
done

# the wrapped calls answer as the kernel does: close_range from 0 closes
# (it had closed nothing: close_range(0, N) and closefrom(0) were no-ops
# even without recording), a reversed range is EINVAL, a failed dup2/dup3
# onto one of cprof's numbers leaves no descriptor behind
plain cf-sem 30 "$TORTURE/closefds" semantics
profiled cf-sem 60 -F 1000 -- "$TORTURE/closefds" semantics
same_behaviour cf-sem
like "$(cat "$T/cf-sem.plain.out")" "fd 0 closed" "cf-sem: close_range(0, 0) closes fd 0 (the plain run says so too)"

# a real program: perl closing every descriptor from 3 up, then working
# (it prints its own user CPU time)
script='use POSIX (); POSIX::close($_) for 3 .. 4095; my $s = 0; $s += $_ * $_ for 1 .. 1e7; printf "done %.3f\n", (times)[0]'
run_limited 120 "$BIN/cprof-record" -q -F 500 -o "$T/perl.cprof" -- perl -e "$script" >"$T/perl.out" 2>"$T/perl.err"
like "$(cat "$T/perl.out")" '^done [0-9.]+$' "perl closing every descriptor runs as without the profiler"
cpu=$(awk '{ print $2 }' "$T/perl.out")
n=$(nsamples "$T/perl.cprof")
ok "$(awk -v g="${n:-0}" -v c="${cpu:-0}" 'BEGIN { w = c * 500; exit !(w > 0 && g >= 0.8 * w && g <= 1.2 * w) }'; echo $?)" \
	"perl: sampled at the rate after closing every descriptor ($n samples, user CPU $cpu s x 500 Hz)"
