#!/usr/bin/env bash
# Sampler torture: threads that block every signal (tests/torture/t_blockall.c,
# the way liblzma and many thread pools start their workers). They are
# sampled at the asked rate in cpu and wall mode, and see what they would see
# without the profiler: the masks they set and read, no EINTR from sleeping
# calls (nanosleep, poll, epoll_wait, select, sigtimedwait), and the
# program's own SIGPROF through sigwait and sigpending. The kernel sampler
# (--sampler kernel), which sends no signal, samples them at the rate too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/60-torture-lib.sh"
plan 11

MS=600
plain blockall 60 "$TORTURE/blockall" 4 $MS
like "$(cat "$T/blockall.plain.out")" 'bad masks 0, sleeps 10, EINTR 0, sigwait ok' "blockall: runs clean without the profiler"
# kernel: the kernel sampler (perf_event from outside, no signal at all)
for mode in cpu wall kernel; do
	if [ $mode = kernel ]; then
		# where perf_event_open is refused (a container, paranoid 3)
		# cprof-record says so and runs nothing: e2e 28 skips then too
		if ! "$BIN/cprof-record" -q --sampler kernel -o "$T/probe" -- true 2>"$T/probe.err" &&
			grep -q "cannot record with the kernel sampler: perf_event_open" "$T/probe.err"; then
			for i in 1 2 3; do ok 0 "# SKIP blockall-kernel: $(head -1 "$T/probe.err")"; done
			continue
		fi
		profiled blockall-$mode 120 -F 1000 --sampler kernel -- "$TORTURE/blockall" 4 $MS
	else
		profiled blockall-$mode 120 -F 1000 --mode $mode -- "$TORTURE/blockall" 4 $MS
	fi
	cp "$T/blockall.plain.out" "$T/blockall-$mode.plain.out"
	cp "$T/blockall.plain.rc" "$T/blockall-$mode.plain.rc"
	same_behaviour blockall-$mode
	"$BIN/cprof-raw" --no-symbolize "$T/blockall-$mode.cprof" >"$T/raw-$mode" 2>"$T/raw-$mode.err"
	# each busy thread burns MS ms of its own CPU time: 4 x MS samples at 1 kHz
	busy=$(awk '!/^#/ && $3 == "blockall-busy" { n++ } END { print n + 0 }' "$T/raw-$mode")
	want=$((4 * MS))
	ok "$(awk -v g="$busy" -v w="$want" 'BEGIN { exit !(g >= 0.9 * w && g <= 1.1 * w) }'; echo $?)" \
		"blockall-$mode: threads started with every signal blocked get 90-110% of CPU x rate ($busy samples, CPU x rate $want)"
	threads=$(awk '!/^#/ && $3 == "blockall-busy" { print $2 }' "$T/raw-$mode" | sort -u | wc -l | tr -d ' ')
	is "$threads" 4 "blockall-$mode: all 4 busy threads are sampled"
done
# wall mode: the time such threads sleep in calls a signal would cut short
# is not sampled, and the file says so
like "$(grep -i 'note' "$T/raw-wall" "$T/raw-wall.err")" 'off-CPU time of threads that block signals was not sampled' \
	"blockall-wall: a NOTE tells the off-CPU time that could not be sampled"
