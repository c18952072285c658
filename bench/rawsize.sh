#!/bin/sh
# bench/rawsize.sh BUILD [OLD_BUILD] — bytes per sample of a real recording
# at several stack depths (issue 14: a compact raw format). bench/overhead's
# fixed CPU-bound work recursing DEPTH frames, recorded at 1 kHz by this
# build's sampler (version 2: each distinct stack once as a STACK record,
# each sample a 24-byte STACK_SAMPLE), beside what the same samples take as
# version-1 SAMPLE records (40 bytes + 8 a frame: computed from the file)
# and, when OLD_BUILD is given, what that build's sampler really wrote.
# Bytes per sample are the whole file's (INFO, mappings, threads, stacks
# included) over its samples.
set -eu
BUILD=${1:-build}
OLD=${2:-}
OV=$BUILD/bench/overhead
LIB=$(cd "$BUILD/lib" && pwd)/libcprof-sample.so
dir=$(mktemp -d "${TMPDIR:-/tmp}/cprof-rawsize.XXXXXX")
trap 'rm -rf "$dir"' EXIT
MILLIONS=${RAWSIZE_MILLIONS:-600}
printf "%-6s %7s %8s %14s %14s %s\n" depth frames samples "v2 B/sample" "v1 B/sample" "${OLD:+old build B/sample}"
for depth in 1 7 30 100 250; do
	env LD_PRELOAD="$LIB" CPROF_OUT="$dir/new" CPROF_HZ=1000 "$OV" work "$depth" "$MILLIONS"
	set -- $("$OV" raw-size "$dir/new")
	old=""
	if [ -n "$OLD" ]; then
		env LD_PRELOAD="$(cd "$OLD/lib" && pwd)/libcprof-sample.so" CPROF_OUT="$dir/old" CPROF_HZ=1000 \
			"$OV" work "$depth" "$MILLIONS"
		set -- "$@" $("$OV" raw-size "$dir/old")
		old=$(awk -v s="$5" -v b="$6" 'BEGIN { printf "%.1f", b / s }')
	fi
	awk -v d="$depth" -v s="$1" -v b="$2" -v v1="$3" -v f="$4" -v old="$old" 'BEGIN {
		printf "%-6s %7s %8d %14.1f %14.1f %s\n", d, f, s, b / s, v1 / s, old }'
done
