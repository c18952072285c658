#!/bin/bash
# cprof-top's graph reports print what `go tool pprof` prints, byte for
# byte: --traces (every sample's stack), --peek RE (callers and callees),
# --dot (the call graph; graphviz must draw it) and --list RE (annotated
# source), each for several granularities and options, on a Go profile
# (recursion, an inlined function, labels) and on a raw recording of
# samples/abc (compared with pprof's reading of its cprof-pprof conversion).
# The expected bytes are go tool pprof's, computed in this run.
. "$(dirname "$0")/lib.sh"
TOP=$BIN/cprof-top
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
export TZ=UTC
# pprof arguments | cprof-top arguments (the profile follows each)
GO_CASES=$(cat <<'EOF_CASES'
-traces|--traces
-traces -lines|--traces --by line
-traces -addresses|--traces --by address
-traces -tagfocus=phase=a|--traces --tag phase=a
-traces -sample_index=samples|--traces --value samples
-peek=.|--peek .
-peek=recurse|--peek recurse
-peek=leaf -cum|--peek leaf --cum
-peek=shared -lines|--peek shared --by line
-peek=. -files|--peek . --by file
-peek=viaA -focus=viaA|--peek viaA --focus viaA
EOF_CASES
)
RAW_CASES=$(cat <<'EOF_CASES'
-traces|--traces
-traces -lines|--traces --by line
-peek=.|--peek .
-peek=^B[^a-z] -lines|--peek ^B[^a-z] --by line
-peek=. -addresses|--peek . --by address
EOF_CASES
)
ngo=$(printf '%s\n' "$GO_CASES" | wc -l)
nraw=$(printf '%s\n' "$RAW_CASES" | wc -l)
plan $((ngo + 1 + nraw + 2))

gopprof() { HOME=$T/home GOTOOLCHAIN=local run_limited 120 go tool pprof "$@" 2> /dev/null; }
same() { # NAME PPROF-PROFILE CPROF-PROFILE PPROF-ARGS... -- CPROF-ARGS...
	local name=$1 pf=$2 cf=$3; shift 3
	local pargs=() cargs=()
	while [ "$1" != -- ]; do pargs+=("$1"); shift; done; shift
	cargs=("$@")
	gopprof "${pargs[@]}" "$pf" > "$T/want"
	"$TOP" "${cargs[@]}" "$cf" > "$T/got" 2> "$T/err"
	if [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then ok 0 "$name"
	else ok 1 "$name"; diff "$T/want" "$T/got" | head -12 | sed 's/^/# /'; cat "$T/err"; fi
}

cp "$ROOT/tests/golden/go-views.pb.gz" "$T/go.pb.gz"
while IFS='|' read -r pargs cargs; do
	# shellcheck disable=SC2086
	same "Go profile: cprof-top $cargs = go tool pprof $pargs" "$T/go.pb.gz" "$T/go.pb.gz" \
		$pargs -- $cargs
done <<< "$GO_CASES"

"$TOP" --peek 'no such function' "$T/go.pb.gz" > "$T/out" 2> "$T/err"
[ $? -eq 1 ] && [ ! -s "$T/out" ] && grep -q 'no matches found for regexp: no such function' "$T/err"
ok $? "--peek with no match: pprof's message, exit 1, no output"

if [ -x "$PROGS/abc" ] && [ -f "$LIB/libcprof-sample.so" ] && [ -x "$BIN/cprof-pprof" ]; then
	run_limited 60 env CPROF_OUT="$T/abc.cprof" LD_PRELOAD="$LIB/libcprof-sample.so" "$PROGS/abc" 1 > /dev/null
	"$BIN/cprof-pprof" -o "$T/abc.pb.gz" "$T/abc.cprof"
	ok $? "samples/abc recorded and converted to pprof"
	while IFS='|' read -r pargs cargs; do
		# shellcheck disable=SC2086
		same "abc raw: cprof-top $cargs = go tool pprof $pargs of its pprof" \
			"$T/abc.pb.gz" "$T/abc.cprof" $pargs -- $cargs
	done <<< "$RAW_CASES"
	"$TOP" --traces --focus '^B$' "$T/abc.cprof" > "$T/out" &&
		! grep -q '^ *[0-9.]*m\?s   A$' "$T/out" && grep -q '   B$' "$T/out"
	ok $? "abc raw: --traces --focus keeps only the stacks through B"
else
	for _ in $(seq $((nraw + 2))); do ok 0 "# SKIP samples/abc or the sampler not built"; done
fi
exit $((_tap_failed > 0))
