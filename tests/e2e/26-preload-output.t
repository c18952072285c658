#!/usr/bin/env bash
# The preloaded sampler never replaces what is not a regular file: with
# CPROF_OUT naming a pipe, a directory or (as root) a device node, the
# program runs as without cprof, one warning says why nothing is recorded,
# and the node is still what it was (as root, rename() would have made
# /dev/null a regular file). A regular file is replaced by the recording.
. "$(dirname "$0")/lib.sh"
[ -f "$LIB/libcprof-sample.so" ] || skip_all "libcprof-sample.so not built"
plan 13

run_preloaded() { # OUT
	run_limited 60 env CPROF_OUT="$1" LD_PRELOAD="$LIB/libcprof-sample.so" "$PROGS/abc" 0.1 >/dev/null 2>"$T/err"
}
kept() { # NAME OUT TEST-FLAG
	run_preloaded "$2"
	is "$?" 0 "$1: the program runs and exits 0"
	ok "$([ "$3" "$2" ]; echo $?)" "$1: still $1 afterwards"
	like "$(cat "$T/err")" "cprof: $2: not a regular file: not replaced" "$1: one warning says why ($(head -c 120 "$T/err"))"
}

mkfifo "$T/fifo"
kept "a pipe" "$T/fifo" -p
mkdir "$T/dir"
kept "a directory" "$T/dir" -d
if [ "$(id -u)" = 0 ] && mknod "$T/null" c 1 3 2>/dev/null; then
	run_preloaded "$T/null"
	ok "$([ -c "$T/null" ]; echo $?)" "as root, a device node (a copy of /dev/null) stays a device"
else
	echo "ok 7 # SKIP not root, or mknod not allowed here"
	_tap_n=$((_tap_n + 1))
fi
echo "old" >"$T/regular"
run_preloaded "$T/regular"
is "$?" 0 "a regular file: the program exits 0"
"$BIN/cprof-raw" "$T/regular" >"$T/raw" 2>&1
ok $? "a regular file is replaced by a recording cprof-raw reads"
like "$(grep -c ';A' "$T/raw")" '^[1-9]' "the recording holds samples in A"

# A CPROF_OUT too long for the sampler's name buffers is refused with one
# warning; it was cut to 4095 bytes and a child's recording was written to
# the cut name (here: PATH without its last 5 bytes, in the same directory).
d=$T/long
while [ ${#d} -lt 3900 ]; do d=$d/$(printf 'd%.0s' $(seq 200)); done
mkdir -p "$d"
name=$(printf 'n%.0s' $(seq $((4100 - ${#d} - 1))))
cut=${name:0:$((${#name} - 5))}
run_limited 60 env CPROF_ROOT_PID=1 CPROF_OUT="$d/$name" LD_PRELOAD="$LIB/libcprof-sample.so" "$PROGS/abc" 0.1 >/dev/null 2>"$T/err"
is "$?" 0 "a 4100-byte CPROF_OUT: the program runs and exits 0"
like "$(cat "$T/err")" "output path longer than" "one warning says why ($(head -c 100 "$T/err" | tail -c 40))"
is "$(ls "$d" | wc -l)" 0 "nothing written under a cut name (${#cut}-byte name of $(ls "$d" | head -c 10)...)"
exit $((_tap_failed > 0))
