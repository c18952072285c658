#!/usr/bin/env bash
# A program entering a new user namespace (unshare -U: rootless containers,
# sandboxes): the kernel wants a process of one thread, and cprof's writer
# thread made every program a threaded one ("unshare failed: Invalid
# argument" under cprof). cprof's helper threads now stop for the call.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -f "$LIB/libcprof-sample.so" ] || skip_all "sampler not built"
command -v unshare >/dev/null || skip_all "unshare (util-linux) not installed"
unshare -U -r true 2>/dev/null || skip_all "user namespaces are not available here"
plan 4

for mode in cpu wall; do
	run_limited 60 "$BIN/cprof-record" -q --mode $mode -o "$T/u-$mode.cprof" -- \
		unshare -U -r sh -c 'id -u; i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done' >"$T/u-$mode.out" 2>"$T/u-$mode.err"
	is "$?:$(cat "$T/u-$mode.out")" "0:0" "$mode mode: unshare -U -r runs under the profiler (root inside)"
	ok "$("$BIN/cprof-raw" --no-symbolize "$T/u-$mode.cprof"* >/dev/null 2>&1; echo $?)" "$mode mode: its files read"
done
