#!/bin/bash
# The real peer, part 1: a Go program profiled by `go test -cpuprofile`.
# cprof reads Go's profile with the same per-function totals and labels as
# `go tool pprof`, and cprof-pprof writes it back so that `go tool pprof`
# shows exactly what it showed for the original.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
P=$BIN/cprof-pprof
[ -x "$P" ] || skip_all "cprof-pprof not built"
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
plan 16

# Build and profile the Go test program, offline, with every cache in $T.
mkdir -p "$T/src" "$T/home" && cp "$ROOT/tests/go/go.mod" "$ROOT/tests/go/"*.go "$T/src/"
(cd "$T/src" && HOME=$T/home GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod \
	GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off CGO_ENABLED=0 BURN_MS=${BURN_MS:-700} \
	run_limited 300 go test -count=1 -cpuprofile "$T/cpu.pprof" -o "$T/burn.test" . > "$T/go.log" 2>&1)
ok $? "go test -cpuprofile runs" || diag "$(cat "$T/go.log")"
G=$T/cpu.pprof
nsamples=$(go_top "$G" samples | awk '$1 == "testing.tRunner" { print $3 }')
[ "${nsamples:-0}" -ge 10 ]; ok $? "Go's profile has samples (${nsamples:-0})"

# 1. cprof reads Go's profile: per-function flat and cum, counts and cpu.
for idx in samples cpu; do
	want=$(go_top "$G" $idx)
	got=$("$BIN/cprof-fold" --value $idx "$G" | folded_top)
	is "$got" "$want" "cprof's per-function flat/cum ($idx) equal go tool pprof -top's"
done
want=$(go_top "$G" samples)
got=$("$BIN/cprof-top" --value samples -n 100000 --nodefraction 0 --no-header "$G" |
	awk 'p && NF >= 6 { print $6, $1, $4 } /flat%.*cum%/ { p = 1 }' | LC_ALL=C sort)
is "$got" "$want" "cprof-top rows equal go tool pprof -top rows"

# 2. Labels: totals per label value as go tool pprof -tags counts them.
go_tags() { # FILE: "key value count" lines
	gopprof -tags -sample_index=samples "$1" | awk '
		/^ *[^ ]+: Total / { key = $1; sub(/:$/, "", key); next }
		/\): / { n = $1 + 0; v = $0; sub(/^[^)]*\): /, "", v); print key, v, n }' | LC_ALL=C sort
}
want=$(go_tags "$G")
like "$want" "endpoint /users [0-9]+" "go tool pprof -tags sees the pprof.Do labels"
got=$(echo "$want" | while read -r k v n; do
	echo "$k $v $("$BIN/cprof-fold" --value samples --tag "$k=$v" "$G" | sum_folded)"; done)
is "$got" "$want" "cprof's per-label totals equal go tool pprof -tags"

# 3. Round trip: Go's profile -> cprof-pprof -> go tool pprof shows the same.
"$P" "$G" -o "$T/rt.pb.gz"; ok $? "cprof-pprof converts Go's profile"
for view in -top -traces -tags; do
	is "$(gopprof $view -nodecount=100000 "$T/rt.pb.gz")" "$(gopprof $view -nodecount=100000 "$G")" \
		"go tool pprof $view: identical for the round trip"
done
# -raw prints every sample value, label, location, line and the mapping. The
# one difference is on purpose: Go's runtime only sets has_functions on its
# mapping ([FN]) though its locations carry file names and line numbers too;
# cprof-pprof sets the flags from what the locations really hold.
gopprof -raw "$G" > "$T/orig.raw"
gopprof -raw "$T/rt.pb.gz" > "$T/rt.raw"
[ -s "$T/orig.raw" ] && diff <(sed -E 's/ +(\[FN\]|\[FL\]|\[LN\]|\[IN\])+$//' "$T/orig.raw") \
	<(sed -E 's/ +(\[FN\]|\[FL\]|\[LN\]|\[IN\])+$//' "$T/rt.raw") > "$T/raw.diff"
ok $? "go tool pprof -raw: identical samples, values, labels, locations, lines" || diag "$(head -20 "$T/raw.diff")"
like "$(grep -A1 '^Mappings' "$T/rt.raw" | tail -1)" 'burn\.test +\[FN\]\[FL\]\[LN\]$' \
	"the written mapping says it has functions, file names and line numbers"
# cprof reads its own output back the same as the original
is "$("$BIN/cprof-fold" --value cpu "$T/rt.pb.gz")" "$("$BIN/cprof-fold" --value cpu "$G")" \
	"cprof reads the round trip as the original"
"$P" "$T/rt.pb.gz" -o "$T/rt2.pb.gz" && cmp -s "$T/rt.pb.gz" "$T/rt2.pb.gz"
ok $? "a second round trip gives the same bytes"
# Merging the profile with itself doubles every value.
want=$(go_top "$G" samples | awk '{ print $1, $2 * 2, $3 * 2 }')
"$P" "$G" "$G" -o "$T/twice.pb.gz"
is "$(go_top "$T/twice.pb.gz" samples)" "$want" "two inputs merge: every total doubles"
