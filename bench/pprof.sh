#!/bin/sh
# bench/pprof.sh BUILD [N] [GO_N] — cprof-pprof, measured.
#  1. raw -> pprof: an N-sample synthetic raw file (default 10M; the model's
#     generator, 1000 stacks of depth 16, 4 threads) through cprof-pprof
#     --no-symbolize: read, model, aggregate, encode, gzip. Samples/s and
#     peak RSS.
#  2. pprof -> pprof, side by side with the peer: a large Go-style profile
#     (GO_N distinct stacks, default 300k; bench/pprof_gogen) converted by
#     cprof-pprof and by `go tool pprof -proto`. Times, peak RSS, ratios;
#     both outputs must hold the same totals.
# Each timing is the best of two runs (the machine may be shared).
set -eu
BUILD=${1:-build}
N=${2:-10000000}
GO_N=${3:-300000}
B=$(cd "$BUILD" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-pprof.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# best_of2 OUT CMD...: runs CMD twice, leaves "elapsed_s maxrss_kib cpu_s"
# (cpu = user + system) of the faster run in $dir/OUT. On a shared machine
# the CPU time is the fairer figure; both are printed.
best_of2() {
	out=$1; shift
	/usr/bin/time -f '%e %M %U %S' -o "$dir/t1" "$@"
	/usr/bin/time -f '%e %M %U %S' -o "$dir/t2" "$@"
	sort -n "$dir/t1" "$dir/t2" | head -1 | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' > "$dir/$out"
}

echo "== raw -> pprof (cprof-pprof --no-symbolize)"
"$B/bench/aggregate-gen" -n "$N" --stacks 1000 --depth 16 --threads 4 -o "$dir/big.cprof"
echo "raw file: $N samples, $(du -m "$dir/big.cprof" | cut -f1) MiB"
best_of2 raw "$B/bin/cprof-pprof" --no-symbolize "$dir/big.cprof" -o "$dir/big.pb.gz"
read -r secs kib cpu < "$dir/raw"
awk -v n="$N" -v s="$secs" -v c="$cpu" -v k="$kib" -v out="$(wc -c < "$dir/big.pb.gz")" 'BEGIN {
	printf "cprof-pprof: %.2f s elapsed (%.1f M samples/s), %.2f s CPU (%.1f M samples/s), peak RSS %.0f MiB (%.1f bytes/sample), output %d bytes\n",
		s, n / s / 1e6, c, n / c / 1e6, k / 1024, k * 1024 / n, out }'
rm -f "$dir/big.cprof"

echo "== pprof -> pprof: cprof-pprof vs go tool pprof -proto"
"$B/bench/pprof_gogen" "$dir/go.pb.gz" "$GO_N"
echo "Go-style profile: $GO_N samples, $(du -m "$dir/go.pb.gz" | cut -f1) MiB gzipped"
best_of2 c "$B/bin/cprof-pprof" "$dir/go.pb.gz" -o "$dir/c.pb.gz"
if command -v go > /dev/null; then
	mkdir -p "$dir/home"
	best_of2 g sh -c 'HOME="$1" go tool pprof -proto "$2" > "$3" 2>/dev/null' sh \
		"$dir/home" "$dir/go.pb.gz" "$dir/g.pb.gz"
	read -r cs ck cc < "$dir/c"
	read -r gs gk gc < "$dir/g"
	awk -v cs="$cs" -v ck="$ck" -v cc="$cc" -v gs="$gs" -v gk="$gk" -v gc="$gc" 'BEGIN {
		printf "cprof-pprof:           %7.2f s elapsed, %7.2f s CPU, peak RSS %6.0f MiB\n", cs, cc, ck / 1024
		printf "go tool pprof -proto:  %7.2f s elapsed, %7.2f s CPU, peak RSS %6.0f MiB\n", gs, gc, gk / 1024
		printf "ratio go/cprof: elapsed %.1fx, CPU %.1fx, peak RSS %.1fx\n", gs / cs, gc / cc, gk / ck }'
	# Same content: total and per-stack values agree.
	if [ -x "$B/bin/cprof-fold" ]; then
		a=$("$B/bin/cprof-fold" --value cpu "$dir/c.pb.gz" | md5sum)
		b=$("$B/bin/cprof-fold" --value cpu "$dir/g.pb.gz" | md5sum)
		[ "$a" = "$b" ] && echo "outputs agree (folded stacks identical)" ||
			{ echo "OUTPUTS DIFFER" >&2; exit 1; }
	fi
else
	read -r cs ck cc < "$dir/c"
	echo "cprof-pprof: $cs s elapsed, $cc s CPU, peak RSS $((ck / 1024)) MiB (go not installed: no peer run)"
fi
