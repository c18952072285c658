# Shared by the sampler torture tests (tests/e2e/6[0-3]-torture-*.t): run a
# torture program (tests/torture/, built into $BUILD/torture) without and
# then with the profiler at 1 kHz, and compare what the program did.
TORTURE=$BUILD/torture
[ -x "$BIN/cprof-record" ] && [ -f "$LIB/libcprof-sample.so" ] || skip_all "sampler not built"
[ -x "$BIN/cprof-raw" ] || skip_all "cprof-raw not built"
[ -d "$TORTURE" ] || skip_all "torture programs not built (make check builds them)"

# plain NAME TIMEOUT PROG ARGS...: the run without the profiler
plain() {
	local name=$1 lim=$2
	shift 2
	run_limited "$lim" "$@" >"$T/$name.plain.out" 2>"$T/$name.plain.err"
	echo $? >"$T/$name.plain.rc"
}
# profiled NAME TIMEOUT CPROF-RECORD-OPTIONS -- PROG ARGS...
profiled() {
	local name=$1 lim=$2
	shift 2
	run_limited "$lim" "$BIN/cprof-record" -q -o "$T/$name.cprof" "$@" >"$T/$name.prof.out" 2>"$T/$name.prof.err"
	echo $? >"$T/$name.prof.rc"
}
# same_behaviour NAME: same stdout and exit status with and without profiling
same_behaviour() {
	local a b
	a=$(cat "$T/$1.plain.rc") b=$(cat "$T/$1.prof.rc")
	if [ "$a" = "$b" ] && [ "$b" -lt 124 ] && cmp -s "$T/$1.plain.out" "$T/$1.prof.out"; then
		ok 0 "$1: same output and exit status ($b) under the profiler"
	else
		ok 1 "$1: same output and exit status under the profiler"
		diag "exit $a without, $b with (124: timeout)" "without: $(head -c 300 "$T/$1.plain.out")" \
			"with: $(head -c 300 "$T/$1.prof.out")" "stderr: $(head -c 300 "$T/$1.prof.err")"
	fi
}
# readable FILE...: cprof-raw reads every file (exit 0, no crash); prints
# the total of samples on stdout, and each file's count to $T/readable.counts
readable() {
	local f bad=0 total=0 n
	: >"$T/readable.counts"
	for f in "$@"; do
		if ! run_limited 60 "$BIN/cprof-raw" --no-symbolize "$f" >"$T/readable.out" 2>"$T/readable.err"; then
			bad=$((bad + 1))
			echo "# unreadable: $f: $(head -c 200 "$T/readable.err")" >&2
			continue
		fi
		n=$(sed -n 's/^# samples: \([0-9]*\).*/\1/p' "$T/readable.out")
		total=$((total + ${n:-0}))
		echo "${n:-0} $f" >>"$T/readable.counts"
	done
	echo "$total"
	return $bad
}
nsamples() { "$BIN/cprof-raw" --no-symbolize "$1" 2>/dev/null | sed -n 's/^# samples: \([0-9]*\).*/\1/p'; }
stacks() { "$BIN/cprof-raw" "$@" 2>/dev/null | awk '!/^#/ { print $NF }'; }
