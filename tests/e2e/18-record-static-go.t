#!/usr/bin/env bash
# Programs the preloaded sampler cannot enter are refused before they run
# when it is asked for (--sampler preload; by default the kernel sampler
# records them: e2e 28), with the reason and what to use instead, and exit
# 2: a static binary, a static-pie one and Go programs (static, and with
# cgo), all built here in the test run. A script whose #! interpreter is such a program is refused
# the same way. A script that runs a static program from a dynamic shell
# gets a truthful message after the run: nothing was recorded (exit 2), or,
# when the shell was recorded, a warning that the files hold less CPU time
# than the command used.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] || skip_all "cprof-record not built"
plan 32

cat >"$T/spin.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv)
{
	FILE *f = fopen(argv[1], "w");
	if (f)
		fclose(f);
	double end = argc > 2 ? atof(argv[2]) : 0, x = 0;
	while ((double)clock() / CLOCKS_PER_SEC < end)
		for (int i = 0; i < 100000; i++)
			x += i * 0.5;
	return x < 0;
}
C

refused() { # NAME WHY-REGEX INSTEAD-REGEX CMD...
	local name=$1 why=$2 instead=$3; shift 3
	rm -f "$T/ran" "$T/out"*
	run_limited 30 "$BIN/cprof-record" --sampler preload -o "$T/out" -- "$@" "$T/ran" 2>"$T/err"
	is "$?" 2 "$name: exit 2"
	ok "$([ ! -e "$T/ran" ] && [ -z "$(ls "$T" | grep '^out')" ]; echo $?)" "$name: never ran, no file"
	like "$(head -1 "$T/err")" "$why" "$name: says why ($(head -1 "$T/err"))"
	like "$(cat "$T/err")" "$instead" "$name: says what to use instead"
}

if gcc -static -O1 -o "$T/static" "$T/spin.c" 2>"$T/cc.err"; then
	refused "gcc -static" "/static is statically linked.*nothing was run" "cprof-record --sampler kernel" "$T/static"
else
	for i in 1 2 3 4; do ok 0 "# SKIP no static libc: $(head -1 "$T/cc.err")"; done
fi
if gcc -static-pie -fPIE -O1 -o "$T/spie" "$T/spin.c" 2>"$T/cc.err"; then
	refused "gcc -static-pie" "spie is a static-pie program" "cprof-record --sampler kernel" "$T/spie"
	# found through PATH as execvp finds it
	PATH="$T:$PATH" refused "a static-pie program found in PATH" "spie is a static-pie" "--sampler kernel" spie
else
	for i in 1 2 3 4 5 6 7 8; do ok 0 "# SKIP no static-pie: $(head -1 "$T/cc.err")"; done
fi
# a script whose interpreter is a static program
printf '#!%s\n' "$T/spie" >"$T/script"
chmod +x "$T/script"
refused "a script run by a static program" "spie is a static-pie.*" "script is a script run by it" "$T/script"

# Go, built here: without cgo (static) and with cgo (dynamic)
export GOCACHE="$T/gocache" GOPATH="$T/gopath" GOFLAGS=-mod=mod GO111MODULE=off
mkdir -p "$T/go"
cat >"$T/go/main.go" <<'GO'
package main

import "os"

func main() {
	if len(os.Args) > 1 {
		os.WriteFile(os.Args[1], nil, 0644)
	}
}
GO
if command -v go >/dev/null && (cd "$T/go" && CGO_ENABLED=0 go build -o "$T/gostatic" main.go) 2>"$T/go.err"; then
	refused "Go (CGO_ENABLED=0)" "gostatic is a Go program, statically linked" "runtime/pprof" "$T/gostatic"
else
	for i in 1 2 3 4; do ok 1 "Go static build: $(head -3 "$T/go.err")"; done
fi
cat >"$T/go/cgo.go" <<'GO'
package main

// int twice(int x) { return 2 * x; }
import "C"
import "os"

func main() {
	if len(os.Args) > 1 && C.twice(2) == 4 {
		os.WriteFile(os.Args[1], nil, 0644)
	}
}
GO
if (cd "$T/go" && CGO_ENABLED=1 go build -o "$T/gocgo" cgo.go) 2>"$T/go.err"; then
	like "$(readelf -l "$T/gocgo" | grep -c INTERP)" "^[1-9]" "the cgo program is dynamically linked"
	refused "Go with cgo" "gocgo is a Go program \(linked with cgo\)" "cprof-top cpu.pprof" "$T/gocgo"
else
	for i in 1 2 3 4 5; do ok 1 "Go cgo build: $(head -3 "$T/go.err")"; done
fi

# After the run: a static program started by a dynamic shell. The shell is
# recorded; the static program's second of CPU is not, and cprof-record says so.
if [ -x "$T/static" ]; then
	rm -f "$T/out"*
	run_limited 60 "$BIN/cprof-record" -o "$T/out" -- sh -c "\"$T/static\" \"$T/ran\" 1.0; true" 2>"$T/err"
	is "$?" 0 "a shell running a static program: the command's status"
	like "$(cat "$T/err")" "warning: the command used (0\.9|1\.)[0-9]* s of user CPU but the files hold 0\.0[0-9]* s .*not recorded" \
		"... and a warning that the files hold almost none of its CPU time"
else
	for i in 1 2; do ok 0 "# SKIP no static libc"; done
fi
# No file at all (the loader could not load the sampler): the message says
# nothing was recorded, and the exit status is not 0.
rm -f "$T/out"*
CPROF_LIB="$T/no-such-lib.so" run_limited 30 "$BIN/cprof-record" -o "$T/out" -- true 2>"$T/err"
is "$?" 2 "no file written: exit 2 though the command succeeded"
like "$(cat "$T/err")" "nothing was recorded: .*out was not written" "... and says nothing was recorded"
CPROF_LIB="$T/no-such-lib.so" run_limited 30 "$BIN/cprof-record" -o "$T/out" -- sh -c 'exit 5' 2>"$T/err"
is "$?" 5 "no file written, command failed: the command's status"
# a dynamic program is not refused
run_limited 30 "$BIN/cprof-record" -q -o "$T/out" -- true 2>"$T/err"
is "$?" 0 "a dynamic program runs"
ok "$([ -s "$T/out" ]; echo $?)" "... and is recorded"
