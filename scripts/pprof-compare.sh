#!/bin/bash
# scripts/pprof-compare.sh DIR [BUILD]: cprof-top against `go tool pprof -top`
# on every profile in DIR, for every sample type, with pprof's default
# options and with -nodefraction=0. Prints one line per comparison (same or
# DIFF, with the first differing lines) and a summary; exits 1 when any
# differ. Not run by make check: DIR holds profiles from other producers
# (docs/pprof-corpus.md says where to get them); the e2e tests teach the
# same cases with profiles they write themselves.
set -u
DIR=${1:?usage: scripts/pprof-compare.sh DIR [BUILD]}
BUILD=${2:-build}
TOP=$BUILD/bin/cprof-top
[ -x "$TOP" ] || { echo "pprof-compare: no $TOP (run make)" >&2; exit 2; }
command -v go >/dev/null || { echo "pprof-compare: needs go (golang-go)" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/cprof-compare.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

gopprof() {
	HOME=$W/home GOTOOLCHAIN=local GOPROXY=off PPROF_TMPDIR=$W/home/pprof \
		timeout 120 go tool pprof "$@"
}

same=0 diff=0 skipped=0
for f in "$DIR"/*; do
	[ -f "$f" ] || continue
	name=${f##*/}
	# the number of sample types: pprof refuses an index past the last
	if ! gopprof -raw "$f" > "$W/raw" 2> "$W/err"; then
		echo "skip $name: go tool pprof cannot read it: $(head -1 "$W/err")"
		skipped=$((skipped + 1))
		continue
	fi
	n=0
	while gopprof -top -sample_index=$n "$f" > /dev/null 2>&1; do n=$((n + 1)); done
	for ((i = 0; i < n; i++)); do
		for opts in "" "-nodefraction=0"; do
			gopprof -top -sample_index=$i $opts "$f" > "$W/want" 2> "$W/err"
			copts=
			[ -n "$opts" ] && copts="--nodefraction 0"
			"$TOP" --value $i $copts "$f" > "$W/got" 2> "$W/cerr"
			if cmp -s "$W/want" "$W/got"; then
				same=$((same + 1))
				echo "same $name sample_index=$i $opts"
			else
				diff=$((diff + 1))
				echo "DIFF $name sample_index=$i $opts"
				diff -u "$W/want" "$W/got" | sed -n '3,14p' | sed 's/^/    /'
				[ -s "$W/cerr" ] && sed 's/^/    cprof-top: /' "$W/cerr" | head -3
			fi
		done
	done
done
echo "pprof-compare: $same same, $diff different, $skipped unreadable by go tool pprof"
[ "$diff" = 0 ]
