#!/bin/bash
# cprof-top prints what `go tool pprof -top` prints, byte for byte: on a Go
# profile (recursion, an inlined function, labels) for every granularity,
# sort order, node count and filter, and on cprof's own profile of
# samples/abc (raw file read directly, and its pprof conversion).
. "$(dirname "$0")/lib.sh"
TOP=$BIN/cprof-top
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
export TZ=UTC
CASES=$(cat <<'EOF_CASES'
|
-nodecount=5|-n 5
-cum|--cum
-cum -nodecount=3|--cum -n 3
-lines|--by line
-files|--by file
-addresses|--by address
-focus=viaB|--focus viaB
-ignore=recurse|--ignore recurse
-tagfocus=phase=a|--tag phase=a
-sample_index=samples|--value samples
-nodefraction=0.1|--nodefraction 0.1
EOF_CASES
)
ncases=$(printf '%s\n' "$CASES" | wc -l)
plan $((2 + ncases + ncases + 7))

gopprof() { HOME=$T/home GOTOOLCHAIN=local run_limited 120 go tool pprof "$@" 2> /dev/null; }
same() { # NAME PPROF-ARGS -- CPROF-ARGS (the profile is the last argument of each)
	local name=$1; shift
	local pargs=() cargs=()
	while [ "$1" != -- ]; do pargs+=("$1"); shift; done; shift
	cargs=("$@")
	gopprof -top "${pargs[@]}" > "$T/want"
	"$TOP" "${cargs[@]}" > "$T/got" 2> "$T/err"
	if [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then ok 0 "$name"
	else ok 1 "$name"; diff "$T/want" "$T/got" | head -12 | sed 's/^/# /'; cat "$T/err"; fi
}

# The Go program, profiled now (offline, caches in $T).
mkdir -p "$T/src" "$T/home" && cp "$ROOT/tests/go-views/go.mod" "$ROOT/tests/go-views/"*.go "$T/src/"
(cd "$T/src" && HOME=$T/home GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod \
	GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off CGO_ENABLED=0 BURN_MS=${BURN_MS:-400} \
	run_limited 300 go test -count=1 -cpuprofile "$T/cpu.pprof" -o "$T/views.test" . > "$T/go.log" 2>&1)
ok $? "go test -cpuprofile runs" || diag "$(cat "$T/go.log")"
n=$(gopprof -top -sample_index=samples "$T/cpu.pprof" | sed -n 's/^Showing nodes accounting for \([0-9]*\),.*/\1/p')
[ "${n:-0}" -ge 5 ]; ok $? "Go's profile has samples (${n:-0})"

while IFS='|' read -r pargs cargs; do
	# shellcheck disable=SC2086
	same "Go profile: cprof-top ${cargs:-(defaults)} = go tool pprof -top ${pargs}" \
		$pargs "$T/views.test" "$T/cpu.pprof" -- $cargs "$T/cpu.pprof"
done <<< "$CASES"

# The committed Go profile (tests/golden/go-views.pb.gz): no binary needed.
G=$ROOT/tests/golden/go-views.pb.gz
cp "$G" "$T/golden.pb.gz"
while IFS='|' read -r pargs cargs; do
	# shellcheck disable=SC2086
	same "committed Go profile: cprof-top ${cargs:-(defaults)} = pprof -top ${pargs}" \
		$pargs "$T/golden.pb.gz" -- $cargs "$T/golden.pb.gz"
done <<< "$CASES"

# cprof's own profile: samples/abc recorded, read raw and as pprof.
if [ -x "$PROGS/abc" ] && [ -f "$LIB/libcprof-sample.so" ] && [ -x "$BIN/cprof-pprof" ]; then
	run_limited 60 env CPROF_OUT="$T/abc.cprof" LD_PRELOAD="$LIB/libcprof-sample.so" "$PROGS/abc" 1 > /dev/null
	"$BIN/cprof-pprof" -o "$T/abc.pb.gz" "$T/abc.cprof" &&
		[ "$("$BIN/cprof-fold" "$T/abc.cprof" | awk '{ s += $NF } END { print s + 0 }')" -ge 20 ]
	ok $? "samples/abc recorded (with samples) and converted to pprof"
	same "abc raw: cprof-top = pprof -top of its pprof" "$T/abc.pb.gz" -- "$T/abc.cprof"
	same "abc raw: --by line" -lines "$T/abc.pb.gz" -- --by line "$T/abc.cprof"
	same "abc raw: --by file" -files "$T/abc.pb.gz" -- --by file "$T/abc.cprof"
	same "abc raw: --by address" -addresses "$T/abc.pb.gz" -- --by address "$T/abc.cprof"
	same "abc raw: --cum -n 2 --value samples" -cum -nodecount=2 -sample_index=samples "$T/abc.pb.gz" \
		-- --cum -n 2 --value samples "$T/abc.cprof"
	same "abc raw: --focus '^C$'" '-focus=^C$' "$T/abc.pb.gz" -- --focus '^C$' "$T/abc.cprof"
else
	for i in 1 2 3 4 5 6 7; do ok 0 "# SKIP samples/abc or the sampler not built"; done
fi
exit $((_tap_failed > 0))
