#!/bin/sh
# bench/perfscript.sh BUILD [RECORDS]: cprof-fold against FlameGraph's
# stackcollapse-perf.pl on the same `perf script` text, side by side: wall
# and CPU seconds, peak memory, the ratios, and whether the two outputs are
# equal (sorted).
#
# stackcollapse-perf.pl is not part of cprof: point STACKCOLLAPSE_PERF at a
# copy (https://github.com/brendangregg/FlameGraph). Without it the
# benchmark says so and exits 0. The input is generated here with a fixed
# seed: RECORDS (default 100000) records in perf's default layout, several
# threads and events' periods, callchains that are random walks down a
# fixed call graph of 3000 functions in 4 DSOs plus kernel and [unknown]
# frames, 5 to 40 frames deep.
set -eu
BUILD=${1:-build}
N=${2:-100000}
FOLD=$BUILD/bin/cprof-fold
if [ -z "${STACKCOLLAPSE_PERF:-}" ] || [ ! -f "$STACKCOLLAPSE_PERF" ]; then
	echo "bench-perfscript: SKIP: set STACKCOLLAPSE_PERF=/path/to/stackcollapse-perf.pl to compare with it"
	exit 0
fi
[ -x /usr/bin/time ] || { echo "bench-perfscript: SKIP: needs GNU time (/usr/bin/time)"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-perfscript.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

awk -v n="$N" 'BEGIN {
	srand(7); nf = 3000
	for (f = 0; f < nf; f++) { nc[f] = 1 + int(rand() * 6); for (c = 0; c < nc[f]; c++) callee[f, c] = int(rand() * nf) }
	split("/usr/bin/server /usr/lib/libc.so.6 /usr/lib/libssl.so.3 /usr/lib/libz.so.1", dso, " ")
	for (f = 0; f < nf; f++) { name[f] = "ns" (f % 40) "::func" f "(int)"; fd[f] = dso[1 + f % 4] }
	t = 1000.0
	for (r = 0; r < n; r++) {
		tid = 4000 + int(rand() * 8); t += 0.000251
		printf "server %d/%d [%03d] %.6f: %10d cpu-clock:ppp: \n", 4000, tid, tid % 4, t, 250000 + int(rand() * 1000)
		d = 5 + int(rand() * 35); f = int(rand() * 8)
		for (j = 0; j < d; j++) { st[j] = f; f = callee[f, int(rand() * nc[f])] }
		if (rand() < 0.2) printf "\tffffffff8100%04x do_syscall_64+0x%x ([kernel.kallsyms])\n", int(rand() * 65536), int(rand() * 256)
		for (j = d - 1; j >= 0; j--) {
			if (rand() < 0.02) printf "\t%12x [unknown] (%s)\n", 0x7f0000000000 + int(rand() * 1e9), fd[st[j]]
			else printf "\t%12x %s+0x%x (%s)\n", 0x400000 + st[j] * 64 + int(rand() * 64), name[st[j]], int(rand() * 64), fd[st[j]]
		}
		printf "\tffffffffffffffff [unknown] ([unknown])\n\n"
	}
}' > "$W/in.txt"
echo "input: $N records, $(wc -c < "$W/in.txt") bytes of perf script text"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

measure() { # NAME CMD...: "wall-s cpu-s peak-KB", output in $W/NAME.out
	name=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$W/$name.time" "$@" > "$W/$name.out"
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/$name.time"
}
set -- $(measure cprof "$FOLD" --all "$W/in.txt")
c_s=$1 c_cpu=$2 c_kb=$3
set -- $(measure sc perl "$STACKCOLLAPSE_PERF" --all "$W/in.txt")
s_s=$1 s_cpu=$2 s_kb=$3
echo "cprof-fold --all:            ${c_s} s wall, ${c_cpu} s CPU, ${c_kb} KB peak"
echo "stackcollapse-perf.pl --all: ${s_s} s wall, ${s_cpu} s CPU, ${s_kb} KB peak"
awk -v a="$s_cpu" -v b="$c_cpu" -v c="$s_kb" -v d="$c_kb" 'BEGIN {
	printf "ratio: stackcollapse-perf.pl takes %.1fx the CPU and %.1fx the memory\n", a / (b > 0 ? b : 0.01), c / d }'
if LC_ALL=C sort "$W/cprof.out" | cmp -s - "$(LC_ALL=C sort "$W/sc.out" > "$W/sc.sorted"; echo "$W/sc.sorted")"; then
	echo "outputs: equal ($(wc -l < "$W/sc.out") lines)"
else
	echo "outputs: DIFFER"; exit 1
fi
