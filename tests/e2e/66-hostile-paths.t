#!/usr/bin/env bash
# Hostile paths for every tool (tests run as root, so permissions cannot
# make a file unreadable; these can): an empty file, a directory, a missing
# path, a path through a regular file, a symlink loop, /proc/self/mem (reads
# fail with EIO), an empty stdin; and for output: -o into a missing
# directory, onto a directory, onto /dev/full through a symlink. Each is a
# one-line error naming the path, exit 1..127, and no -o file left behind.
# Special files that work must keep working: a FIFO as input (what
# <(...) gives) and as -o target — and -o onto a FIFO or device must write
# through it, never replace it with a regular file.
. "$(dirname "$0")/lib.sh"
tools="raw pprof top fold flame html"
for t in $tools; do [ -x "$BIN/cprof-$t" ] || skip_all "cprof-$t not built"; done
[ -x "$BUILD/fuzz-tools/hostile-gen" ] || skip_all "hostile-gen not built"
"$BUILD/fuzz-tools/hostile-gen" "$T" >/dev/null || { echo "Bail out! hostile-gen failed"; exit 1; }
good=$T/ok.simple.pb.gz
plan $((6 * 12))

: >"$T/empty"
mkdir "$T/dir"
ln -s "$T/loop" "$T/loop"
inputs="$T/empty $T/dir $T/missing $good/x $T/loop /proc/self/mem"

one_error() { # tool rc stderr-file path what
	local t=$1 rc=$2 err=$3 path=$4 what=$5
	if [ "$rc" -ge 1 ] && [ "$rc" -lt 124 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
		grep -q "^cprof-$t: .*${path##*/}" "$err" && ! grep -q 'Sanitizer' "$err"; then
		ok 0 "cprof-$t $what: one-line error ($(head -c 120 "$err"))"
	else
		ok 1 "cprof-$t $what"
		diag "exit $rc: $(head -c 300 "$err")"
	fi
}

for t in $tools; do
	for in in $inputs; do
		rm -rf "$T/out"
		run_limited 30 "$BIN/cprof-$t" "$in" -o "$T/out" >/dev/null 2>"$T/err"
		rc=$?
		if [ -e "$T/out" ]; then ok 1 "cprof-$t ${in#$T/}: no -o file after a failure"; continue; fi
		one_error "$t" $rc "$T/err" "$in" "${in#$T/}"
	done
	# empty stdin
	run_limited 30 "$BIN/cprof-$t" - -o "$T/out" </dev/null >/dev/null 2>"$T/err"
	one_error "$t" $? "$T/err" "stdin" "- (empty stdin)"
	# output errors, after a good read
	run_limited 30 "$BIN/cprof-$t" "$good" -o "$T/nodir/out" >/dev/null 2>"$T/err"
	one_error "$t" $? "$T/err" "out" "-o into a missing directory"
	run_limited 30 "$BIN/cprof-$t" "$good" -o "$T/dir" >/dev/null 2>"$T/err"
	rc=$?
	left=$(ls "$T" | grep -c '^dir\.') # temporaries next to the target
	if [ "$left" -ne 0 ] || [ ! -d "$T/dir" ]; then ok 1 "cprof-$t -o onto a directory leaves it alone"; else
		one_error "$t" $rc "$T/err" "dir" "-o onto a directory"; fi
	ln -sf /dev/full "$T/full"
	run_limited 30 "$BIN/cprof-$t" "$good" -o "$T/full" >/dev/null 2>"$T/err"
	rc=$?
	if [ ! -L "$T/full" ]; then ok 1 "cprof-$t -o SYMLINK-TO-/dev/full: the symlink was replaced by a file"
	else one_error "$t" $rc "$T/err" "full" "-o through a symlink to /dev/full (disk full)"; fi
	# a FIFO as input: what a shell's <(...) gives
	run_limited 30 "$BIN/cprof-$t" <(cat "$good") -o "$T/out" >/dev/null 2>"$T/err"
	ok "$([ $? -eq 0 ] && [ -s "$T/out" ]; echo $?)" "cprof-$t reads a pipe given by name (<(...))"
	# -o onto a FIFO: the reader at its other end gets the output, and the
	# FIFO is still a FIFO afterwards
	rm -f "$T/fifo" "$T/fifo.out" && mkfifo "$T/fifo"
	(timeout 30 cat "$T/fifo" >"$T/fifo.out") &
	reader=$!
	run_limited 30 "$BIN/cprof-$t" "$good" -o "$T/fifo" >/dev/null 2>"$T/err"
	rc=$?
	[ -p "$T/fifo" ] || { exec 3<>"$T/fifo"; exec 3>&-; } # unblock the reader if the FIFO is gone
	wait $reader
	ok "$([ $rc -eq 0 ] && [ -p "$T/fifo" ] && [ -s "$T/fifo.out" ]; echo $?)" \
		"cprof-$t -o FIFO writes into the FIFO and leaves it a FIFO"
	[ -p "$T/fifo" ] || diag "exit $rc; $T/fifo is now: $(stat -c %F "$T/fifo" 2>&1)"
done
