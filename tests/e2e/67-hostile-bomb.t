#!/usr/bin/env bash
# Gzip bombs: a 3 MB file of concatenated gzip members that inflates to
# 3 GiB. Decompression stops at the limit with a one-line error naming the
# file, quickly and in bounded memory: with --max-decompressed 64M
# (cprof-pprof; every other reading tool takes the option too and says the
# same), and at the 2 GiB default (one tool; not in sanitizer
# builds, where inflating 2 GiB takes minutes).
. "$(dirname "$0")/lib.sh"
[ -x "$BUILD/fuzz-tools/hostile-gen" ] && [ -x "$BIN/cprof-pprof" ] && [ -x "$BIN/cprof-fold" ] ||
	skip_all "hostile-gen or tools not built"
"$BUILD/fuzz-tools/hostile-gen" "$T" --bomb >/dev/null || { echo "Bail out! hostile-gen failed"; exit 1; }
bomb=$T/err.bomb.gz
plan 11

# peak RSS in KiB of a command (GNU time is not always installed: /proc)
run_measured() { # out err cmd...
	local out=$1 err=$2
	shift 2
	timeout -k 5 300 "$@" >"$out" 2>"$err" &
	local pid=$! peak=0 r
	while kill -0 $pid 2>/dev/null; do
		for c in $(pgrep -P $pid) $pid; do
			r=$(awk '/^VmHWM/ { print $2 }' /proc/$c/status 2>/dev/null)
			[ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
		done
		sleep 0.05
	done
	wait $pid
	local rc=$?
	echo "$peak" >"$T/peak"
	return $rc
}

run_measured "$T/o1" "$T/e1" "$BIN/cprof-pprof" --max-decompressed 64M "$bomb" -o "$T/out.pb.gz"
rc=$?
ok "$([ $rc -ge 1 ] && [ $rc -lt 124 ]; echo $?)" "cprof-pprof --max-decompressed 64M: refused (exit $rc)"
like "$(cat "$T/e1")" "^cprof-pprof: .*err\.bomb\.gz: decompressed size exceeds the 67108864-byte limit" "... with a one-line error naming the file and the limit"
ok "$([ ! -e "$T/out.pb.gz" ]; echo $?)" "... and no output file"
peak=$(cat "$T/peak")
ok "$([ "$peak" -lt 400000 ]; echo $?)" "... in bounded memory (peak ${peak} KiB for a 64 MiB limit)"

for t in top fold flame html raw; do
	timeout -k 5 120 "$BIN/cprof-$t" --max-decompressed 64M "$bomb" -o "$T/out.$t" 2>"$T/e.$t"
	rc=$?
	ok "$([ $rc -eq 1 ] && [ ! -e "$T/out.$t" ] && [ "$(wc -l <"$T/e.$t")" -eq 1 ] &&
		grep -q "^cprof-$t: .*err\.bomb\.gz: decompressed size exceeds the 67108864-byte limit (--max-decompressed)\$" "$T/e.$t"
		echo $?)" "cprof-$t --max-decompressed 64M: one-line error, exit 1, no output (exit $rc: $(head -c 200 "$T/e.$t"))"
done

if [ -n "${CPROF_SAN:-}" ]; then
	ok 0 "# SKIP the 2 GiB default limit in a sanitizer build"
	ok 0 "# SKIP the 2 GiB default limit in a sanitizer build"
else
	run_measured "$T/o2" "$T/e2" "$BIN/cprof-fold" "$bomb" -o "$T/out.folded"
	rc=$?
	ok "$([ $rc -ge 1 ] && [ $rc -lt 124 ] && [ ! -e "$T/out.folded" ]; echo $?)" "cprof-fold at the default limit: refused, no output (exit $rc)"
	peak=$(cat "$T/peak")
	like "$(cat "$T/e2") peak=$peak" "^cprof-fold: .*err\.bomb\.gz: decompressed size exceeds the 2147483648-byte limit.* peak=" \
		"... one line naming the limit (peak ${peak} KiB: bounded by it)"
fi
