#!/usr/bin/env bash
# Every tool under valgrind (memcheck) on representative inputs: a real
# recording of samples/abc (raw, symbolized), the same as pprof and as
# folded text, a hostile valid profile and a broken one (the error path).
# Clean means: no invalid read or write, no use of uninitialised memory, no
# definitely lost block (--error-exitcode). Skipped in sanitizer builds
# (valgrind cannot run ASan binaries) and when valgrind is missing.
. "$(dirname "$0")/lib.sh"
[ -z "${CPROF_SAN:-}" ] || skip_all "sanitizer build: valgrind cannot run ASan binaries"
command -v valgrind >/dev/null || skip_all "valgrind not installed (scripts/deps.sh installs it)"
tools="raw pprof top fold flame html"
for t in $tools; do [ -x "$BIN/cprof-$t" ] || skip_all "cprof-$t not built"; done
[ -x "$BUILD/fuzz-tools/hostile-gen" ] && [ -x "$PROGS/abc" ] && [ -x "$BIN/cprof-record" ] ||
	skip_all "hostile-gen, samples/abc or cprof-record not built"
"$BUILD/fuzz-tools/hostile-gen" "$T" >/dev/null || { echo "Bail out! hostile-gen failed"; exit 1; }
run_limited 60 "$BIN/cprof-record" -q -F 200 -o "$T/abc.cprof" -- "$PROGS/abc" 0.5 >/dev/null ||
	{ echo "Bail out! cannot record samples/abc"; exit 1; }
"$BIN/cprof-pprof" "$T/abc.cprof" -o "$T/abc.pb.gz" && "$BIN/cprof-fold" "$T/abc.cprof" -o "$T/abc.folded" ||
	{ echo "Bail out! cannot convert the recording"; exit 1; }
inputs="abc.cprof abc.pb.gz abc.folded ok.names.pb.gz err.location-id-out-of-range.pb.gz"
plan $(( $(echo $tools | wc -w) * $(echo $inputs | wc -w) ))

for t in $tools; do
	for in in $inputs; do
		run_limited 300 valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			"$BIN/cprof-$t" "$T/$in" -o "$T/out" >/dev/null 2>"$T/vg"
		rc=$?
		if [ $rc -eq 99 ] || [ $rc -ge 124 ] || grep -q '^==[0-9]*== ' "$T/vg"; then
			ok 1 "cprof-$t $in: valgrind clean"
			diag "exit $rc" "$(grep -m8 '^==' "$T/vg")"
		else
			ok 0 "cprof-$t $in: valgrind clean (exit $rc)"
		fi
	done
done
