#!/bin/sh
# bench/symbolize.sh BUILD — symbolization on real recordings, beside its
# peers (make bench-symbolize). Prints CPU seconds (user + system; the
# machine is shared, so wall time would measure the neighbours), best of 3.
#
# 1. A C++ program with debug information (bench/symprog.cc: templates,
#    lambdas, inlined code, -O2 -g) recorded 6 s at 2 kHz:
#    cprof-top on the raw file without the cache (cold) and with it (warm),
#    --no-symbolize, and `go tool pprof -top` on the symbolized pprof of the
#    same recording; eu-addr2line -i -f -C and addr2line -i -f -C on the
#    recording's distinct addresses (per module, as file offsets: they equal
#    the ELF addresses in these binaries' executable segments).
# 2. 10 copies of that recording merged, against one copy (goal < 3x).
# 3. `make -j2` of a generated 90-file C project recorded with cprof-record
#    (one raw file per process: make, gcc, cc1, as, collect2, ld): cprof-top
#    on all of them, cold and warm (goal < 1 s), beside `perf report` on a
#    `perf record -g` of the same build.
# Peers that are missing print "not run".
set -eu
BUILD=${1:-build}
BIN=$BUILD/bin
W=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-sym.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
export XDG_CACHE_HOME="$W/cache"
here=$(cd "$(dirname "$0")" && pwd)

# cpu CMD...: user + system seconds of one run of CMD (output to /dev/null):
# R runs (default 5) timed together, best of 3 such rounds
R=${R:-5}
cpu() {
	best=""
	for i in 1 2 3; do
		/usr/bin/time -f "%U %S" -o "$W/time" sh -c \
			'n=$1; shift; while [ "$n" -gt 0 ]; do "$@" > /dev/null 2>&1; n=$((n - 1)); done' \
			sh "$R" "$@"
		t=$(awk -v r="$R" '{ printf "%.4f", ($1 + $2) / r }' "$W/time")
		best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
	done
	echo "$best"
}
row() { printf '  %-58s %8s s\n' "$1" "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf("%.1f", (b > 0) ? a / b : 0) }'; }

command -v g++ > /dev/null || { echo "bench-symbolize: SKIP: needs g++"; exit 0; }
[ -x /usr/bin/time ] || { echo "bench-symbolize: SKIP: needs GNU time (/usr/bin/time)"; exit 0; }

# ---- 1. a C++ program ------------------------------------------------------
g++ -O2 -g -fno-omit-frame-pointer -o "$W/symprog" "$here/symprog.cc"
"$BIN/cprof-record" -q -F 2000 -o "$W/sp.cprof" -- "$W/symprog" 6 > /dev/null
"$BIN/cprof-raw" --no-symbolize "$W/sp.cprof" | awk '!/^#/ { print $NF }' | tr ';' '\n' |
	sort -u > "$W/addrs"
echo "C++ program (bench/symprog.cc, -O2 -g), 6 s at 2 kHz: $(grep -c . "$W/addrs") distinct addresses"
"$BIN/cprof-pprof" --no-cache -o "$W/sp.pb.gz" "$W/sp.cprof"
cold=$(cpu "$BIN/cprof-top" --no-cache "$W/sp.cprof")
"$BIN/cprof-top" "$W/sp.cprof" > /dev/null # fills the cache
warm=$(cpu "$BIN/cprof-top" "$W/sp.cprof")
nosym=$(cpu "$BIN/cprof-top" --no-symbolize "$W/sp.cprof")
row "cprof-top raw, no cache (--no-cache)" "$cold"
row "cprof-top raw, cache filled by an earlier run" "$warm"
row "cprof-top raw --no-symbolize" "$nosym"
if command -v go > /dev/null; then
	gop=$(cpu go tool pprof -top "$W/sp.pb.gz")
	row "go tool pprof -top on the symbolized pprof" "$gop"
	echo "  go tool pprof -top / cprof-top: $(ratio "$gop" "$cold")x cold, $(ratio "$gop" "$warm")x warm (goal >= 1)"
else
	row "go tool pprof -top" "not run"
fi
# the same addresses through the peers, one run per module
libs=$(ldd "$W/symprog" | awk '$3 ~ /^\// { print $3 }')
peer() { # peer TOOL: total CPU of TOOL -i -f -C on every module's addresses (1 run a round)
	tot=0
	R0=$R
	R=1
	for mod in "$W/symprog" $libs; do
		b=$(basename "$mod")
		grep "^$b+0x" "$W/addrs" | sed "s/^$b+//" > "$W/a.$b" || true
		[ -s "$W/a.$b" ] || continue
		t=$(cpu sh -c "$1 -i -f -C -e '$mod' < '$W/a.$b'")
		[ -n "$t" ] || t=0
		tot=$(awk -v a="$tot" -v b="$t" 'BEGIN { print a + b }')
	done
	R=$R0
	echo "$tot"
}
for p in eu-addr2line addr2line; do
	if command -v $p > /dev/null; then
		row "$p -i -f -C, same addresses" "$(peer $p)"
	else
		row "$p" "not run"
	fi
done

# ---- 2. ten copies merged --------------------------------------------------
for i in 0 1 2 3 4 5 6 7 8 9; do cp "$W/sp.cprof" "$W/copy$i.cprof"; done
ten=$(cpu "$BIN/cprof-top" --no-cache "$W"/copy*.cprof)
row "cprof-top, 10 copies merged, no cache" "$ten"
echo "  10 copies / 1 copy: $(ratio "$ten" "$cold")x (goal < 3)"

# ---- 3. a build recording --------------------------------------------------
P="$W/proj"
mkdir -p "$P"
: > "$P/objs"
for i in $(seq 90); do
	printf '#include <stdio.h>\n#include <string.h>\nint f%d(const char *s) { char b[64]; snprintf(b, sizeof b, "%%s-%d", s); return (int)strlen(b); }\n' "$i" "$i" > "$P/f$i.c"
	printf ' f%d.o' "$i" >> "$P/objs"
done
printf 'int main(void) { return 0; }\n' > "$P/main.c"
{
	printf 'OBJS :=%s main.o\nall: prog\nprog: $(OBJS)\n\tcc -o $@ $(OBJS)\n' "$(cat "$P/objs")"
	printf '%%.o: %%.c\n\tcc -O1 -g -c -o $@ $<\nclean:\n\trm -f prog *.o\n'
} > "$P/Makefile"
mkdir -p "$W/rec"
"$BIN/cprof-record" -q -F 1000 -o "$W/rec/b.cprof" -- make -s -j2 -C "$P" > /dev/null 2>&1
n=$(ls "$W/rec" | wc -l)
echo "make -j2 of a 90-file C project recorded at 1 kHz: $n raw files"
bcold=$(cpu "$BIN/cprof-top" --no-cache "$W"/rec/*)
"$BIN/cprof-top" "$W"/rec/* > /dev/null 2>&1
bwarm=$(cpu "$BIN/cprof-top" "$W"/rec/*)
row "cprof-top on all $n files, no cache" "$bcold"
row "cprof-top on all $n files, cache filled" "$bwarm"
make -s -C "$P" clean > /dev/null
if command -v perf > /dev/null &&
	perf record -q -g -F 1000 -o "$W/perf.data" -- make -s -j2 -C "$P" > /dev/null 2>&1; then
	row "perf report --stdio on a perf record -g of the same build" \
		"$(cpu perf report --stdio -i "$W/perf.data")"
else
	row "perf report" "not run"
fi
