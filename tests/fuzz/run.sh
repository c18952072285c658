#!/bin/sh
# run.sh FUZZ_BUILD SECONDS TARGET...: makes the seed corpus, then runs each
# libFuzzer target for SECONDS, one at a time. Called by `make fuzz` and
# `make fuzz-smoke` (tests/module.mk).
#
# Seeds (made here, never committed): the hostile inputs of hostile-gen,
# recordings of samples/ converted to every format, perf.data files of perf
# record (plain, -z and pipe mode) when perf records here, a Go CPU profile with
# labels, and the regression inputs under tests/fuzz/regress/TARGET/.
# The corpus each target grows lives in FUZZ_BUILD/corpus/TARGET and is kept
# between runs. Crashes land in FUZZ_BUILD/crashes/TARGET/: minimize one with
#   FUZZ_BUILD/fuzz/TARGET -minimize_crash=1 -runs=10000 CRASH
# and commit it under tests/fuzz/regress/TARGET/ with its fix.
# Figures (seconds really run, executions, corpus size, crashes) go to
# FUZZ_BUILD/fuzz-stats.txt.
set -u
FB=$1
SECS=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seeds=$FB/seeds
mkdir -p "$seeds"

make_seeds() {
	rm -rf "$seeds" && mkdir -p "$seeds/all" "$seeds/big"
	"$FB/fuzz-tools/hostile-gen" "$seeds/big" || return 1
	rec=$FB/bin/cprof-record
	if [ -x "$rec" ]; then
		for prog in "$FB"/samples/*; do
			[ -x "$prog" ] || continue
			name=$(basename "$prog")
			case "$name" in *.so) continue ;; esac
			timeout -k 2 10 "$rec" -F 997 -o "$seeds/big/rec-$name.cprof" -- "$prog" \
				>/dev/null 2>&1 </dev/null || true
		done
	fi
	for f in "$seeds"/big/rec-*.cprof; do
		[ -s "$f" ] || continue
		b=${f%.cprof}
		timeout 20 "$FB/bin/cprof-pprof" "$f" -o "$b.pb.gz" >/dev/null 2>&1 &&
			gzip -dc "$b.pb.gz" >"$b.pb" 2>/dev/null
		timeout 20 "$FB/bin/cprof-fold" "$f" >"$b.folded" 2>/dev/null
	done
	# perf.data as perf writes it, plain and zstd-compressed (-z), when
	# perf can record here
	abc=$FB/samples/abc
	if command -v perf >/dev/null 2>&1 && [ -x "$abc" ]; then
		for v in "-g" "-z -g" "-z --call-graph dwarf"; do
			n=$(echo "$v" | tr -dc 'a-z')
			timeout -k 2 20 perf record -q -F 499 $v -o "$seeds/big/perf-$n.data" -- "$abc" 0.1 \
				>/dev/null 2>&1 </dev/null || rm -f "$seeds/big/perf-$n.data"
		done
		# pipe mode (perf record -o -): the header's parts as records
		timeout -k 2 20 perf record -q -F 499 -g -o - -- sh -c '"$1" 0.1 >/dev/null' sh "$abc" \
			>"$seeds/big/perf-pipe.data" 2>/dev/null </dev/null || rm -f "$seeds/big/perf-pipe.data"
	fi
	if command -v go >/dev/null 2>&1; then
		gd=$FB/goseed
		mkdir -p "$gd" && cp "$here/goprof/main.go" "$gd/main.go"
		(cd "$gd" && { [ -f go.mod ] || go mod init cprof/goseed; } &&
			timeout 120 go run . "$seeds/big/go-cpu.pb.gz") >/dev/null 2>&1 &&
			gzip -dc "$seeds/big/go-cpu.pb.gz" >"$seeds/big/go-cpu.pb"
	fi
	# libFuzzer works best on small inputs: big ones are kept for the
	# end-to-end tests, the fuzzers get what is under 64 KiB.
	find "$seeds/big" -type f -size -65536c -exec cp {} "$seeds/all/" \;
	find "$seeds/big" -type f -size +65535c | sed 's/^/# seed too big for fuzzing: /'
	return 0
}

make_seeds || { echo "fuzz: could not make the seeds" >&2; exit 1; }
echo "fuzz: $(ls "$seeds/all" | wc -l) seed files"

stats=$FB/fuzz-stats.txt
status=0
for t in "$@"; do
	bin=$FB/fuzz/$t
	corpus=$FB/corpus/$t
	crashes=$FB/crashes/$t
	mkdir -p "$corpus" "$crashes"
	set -- "$seeds/all"
	[ -d "$root/tests/fuzz/regress/$t" ] && set -- "$@" "$root/tests/fuzz/regress/$t"
	log=$FB/fuzz-$t.log
	echo "fuzz: $t for ${SECS}s"
	t0=$(date +%s)
	"$bin" -max_total_time="$SECS" -print_final_stats=1 -timeout=20 -rss_limit_mb=2560 \
		-max_len=65536 -artifact_prefix="$crashes/" "$corpus" "$@" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - t0))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	ncorp=$(ls "$corpus" | wc -l)
	nfound=$(ls "$crashes" | wc -l)
	printf '%s %s seconds %s executions %s corpus %s crashes rc %s\n' "$(date -u +%FT%TZ)" \
		"$t $took" "${execs:-?}" "$ncorp" "$nfound" "$rc" | tee -a "$stats"
	if [ "$rc" -ne 0 ]; then
		status=1
		grep -a -E 'ERROR|SUMMARY|broken invariant|fuzz:' "$log" | head -5
		echo "fuzz: $t FAILED, see $log and $crashes"
	fi
done
exit $status
