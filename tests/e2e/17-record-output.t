#!/usr/bin/env bash
# cprof-record checks where it will write before it runs anything: an output
# path it cannot write (a missing directory, a read-only one, a directory or
# a pipe in the way) is one line on stderr, exit 2, and the command never
# runs (its marker file never appears).
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] || skip_all "cprof-record not built"
plan 12

refused() { # NAME OUTPUT
	rm -f "$T/ran"
	run_limited 30 "$BIN/cprof-record" -o "$2" -- touch "$T/ran" 2>"$T/err"
	is "$?" 2 "$1: exit 2"
	ok "$([ ! -e "$T/ran" ]; echo $?)" "$1: the command did not run"
	ok "$([ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^cprof-record: cannot write $2: " "$T/err"; echo $?)" \
		"$1: one line naming the file ($(cat "$T/err"))"
}

refused "missing directory" "$T/no/such/dir/out.cprof"
mkdir "$T/dir"
refused "a directory in the way" "$T/dir"
mkfifo "$T/fifo"
refused "a pipe in the way" "$T/fifo"
mkdir "$T/ro"
chmod 555 "$T/ro"
if [ "$(id -u)" = 0 ]; then
	# root writes anywhere that is not read-only: a read-only mount needs
	# privileges this test does not take, so test the same refusal through
	# a file in the place of the directory.
	: >"$T/notadir"
	refused "a file where the directory should be" "$T/notadir/out.cprof"
else
	refused "a read-only directory" "$T/ro/out.cprof"
fi
