#!/bin/sh
# bench/stream.sh BUILD [GIB] [OLD_BUILD] [FORMAT] — the aggregated views on a
# big raw recording (issue 14: memory that follows distinct stacks, not file
# size). Makes a GIB GiB raw file (default 4) with bench/aggregate-gen (1000
# stacks of depth 16, 4 threads; FORMAT 1: every sample a SAMPLE record, 168
# bytes, as recorders wrote before version 2; 2 (the default): as today's
# recorder writes, each sample a 24-byte STACK_SAMPLE), then runs cprof-top, cprof-fold, cprof-flame and
# cprof-pprof on it without symbolization and prints, per tool, CPU seconds
# (user + system: the machine is shared), samples per CPU second and peak
# RSS; beside them the same tool with a time filter (--from 0: every sample
# kept in the model, as cprof-raw and cprof-html need) and, when OLD_BUILD is
# given, the tools of another build (e.g. one that read files whole).
# Goals: <= 1 GiB RSS and >= 5 M samples/s on a 4 GiB file.
set -eu
BUILD=${1:-build}
GIB=${2:-4}
OLD=${3:-}
FORMAT=${4:-2}
dir=$(mktemp -d "${TMPDIR:-/tmp}/cprof-stream.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# a SAMPLE of depth 16 is 8 + 32 + 16*8 = 168 bytes; a STACK_SAMPLE 24, 32
# for the eighth of the samples with labels
N=$(awk -v g="$GIB" -v f="$FORMAT" 'BEGIN { printf "%d", g * 1073741824 / (f == 1 ? 168 : 25) }')
"$BUILD/bench/aggregate-gen" -n "$N" --stacks 1000 --depth 16 --threads 4 --format "$FORMAT" \
	-o "$dir/big.cprof"
bytes=$(stat -c %s "$dir/big.cprof")
echo "raw file (version $FORMAT): $N samples, $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1073741824 }') GiB), 1000 distinct stacks"
# exit status, CPU seconds and peak RSS of one run; stdout is thrown away,
# the first line of stderr kept for a failure
t() { /usr/bin/time -f "%x %U %S %M" -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || true; tail -1 "$dir/time"; }
row() { # label, then the command
	label=$1
	shift
	t "$@" | awk -v l="$label" -v n="$N" -v err="$(head -1 "$dir/err")" '
		$1 == 0 { c = $2 + $3; printf "  %-50s %7.2f s %8.1f M/s %8.0f MiB\n", l, c, n / (c > 0 ? c : 0.01) / 1e6, $4 / 1024; next }
		{ printf "  %-50s failed (exit %s, %.0f MiB): %s\n", l, $1, $4 / 1024, err }'
}
echo "                                                     CPU    samples/s  peak RSS"
for tool in top fold flame pprof; do
	out=""
	[ "$tool" = pprof ] && out="-o $dir/out.pb.gz"
	# shellcheck disable=SC2086
	row "cprof-$tool (aggregated while reading)" "$BUILD/bin/cprof-$tool" --no-symbolize "$dir/big.cprof" $out
	# every sample in the model: 40 bytes each; left out past 30M samples
	if [ "$tool" != pprof ] && [ "$N" -le 30000000 ]; then
		row "cprof-$tool --from 0 (every sample in the model)" "$BUILD/bin/cprof-$tool" --no-symbolize --from 0 "$dir/big.cprof"
	fi
	if [ -n "$OLD" ]; then
		# shellcheck disable=SC2086
		row "cprof-$tool of $OLD" "$OLD/bin/cprof-$tool" --no-symbolize "$dir/big.cprof" $out
	fi
done
