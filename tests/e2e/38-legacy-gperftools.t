#!/bin/bash
# gperftools CPU profiles and pprof's legacy text formats, with the real
# peer: `go tool pprof -top` reads the same file in the same run.
#  1. A CPU profile recorded here by gperftools' libprofiler (CPUPROFILE=)
#     on samples/abc: every function pprof names has cprof's flat and cum,
#     and the totals agree (pprof leaves libc and _start unnamed where
#     cprof's symbolizer finds their debug information: those rows differ
#     by name only, so they are compared as a total).
#  2. Legacy text profiles (heap v2 with allocations, growth, contention,
#     thread, a Go count profile) made here from a program compiled in the
#     run: its symbols' addresses plus a /proc/maps line. pprof symbolizes
#     every frame, so cprof-top's output must equal pprof's, line for line,
#     for every sample type, including pprof's pruning of malloc, lock and
#     profiler frames (drop_frames); and a count profile over a C++
#     program, whose names must be pprof's (demangled from the symbols,
#     then simplified: no parameters, no template arguments; --names
#     templates/full as -symbolize=demangle=).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
[ -x "$BIN/cprof-top" ] && [ -x "$BIN/cprof-fold" ] && [ -x "$PROGS/abc" ] ||
	skip_all "cprof-top, cprof-fold or samples/abc not built"
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
PROFILER=$(ls /usr/lib/*-linux-gnu/libprofiler.so.0 /usr/lib/libprofiler.so.0 2> /dev/null | head -1)
[ -n "$PROFILER" ] || skip_all "gperftools' libprofiler is not installed (scripts/deps.sh test)"
command -v nm > /dev/null && command -v readelf > /dev/null || skip_all "binutils (nm, readelf) missing"
plan 31
mkdir -p "$T/home"
TOP=$BIN/cprof-top

# ---- 1. a gperftools CPU profile of samples/abc --------------------------
run_limited 60 env CPUPROFILE="$T/abc.prof" CPUPROFILE_FREQUENCY=250 LD_PRELOAD="$PROFILER" \
	"$PROGS/abc" 1 > /dev/null 2>&1
[ -s "$T/abc.prof" ]; ok $? "libprofiler wrote a CPU profile of abc"
"$TOP" "$T/abc.prof" > "$T/top.txt" 2> "$T/err.txt"; ok $? "cprof-top reads it"
grep -Eq '^ +[0-9.]+m?s +[0-9.]+% .* A$' "$T/top.txt"; ok $? "cprof-top names A in it"
for idx in samples cpu; do
	go_top "$T/abc.prof" "$idx" > "$T/go.$idx"
	"$BIN/cprof-fold" --value $idx "$T/abc.prof" 2> /dev/null | folded_top > "$T/cp.$idx"
	# the rows pprof names (not "[module]")
	is "$(awk '$1 !~ /^\[/' "$T/go.$idx")" \
		"$(awk 'NR == FNR { if ($1 !~ /^\[/) want[$1] = 1; next } $1 in want' \
			"$T/go.$idx" "$T/cp.$idx")" "$idx: every function go tool pprof -top names has cprof's flat and cum"
	is "$(awk '{ s += $2 } END { print s + 0 }' "$T/cp.$idx")" \
		"$(awk '{ s += $2 } END { print s + 0 }' "$T/go.$idx")" "$idx: the same total"
done
grep -q '^A ' "$T/go.samples" && grep -q '^B ' "$T/go.samples" && grep -q '^C ' "$T/go.samples"
ok $? "go tool pprof names A, B and C too (the comparison is not empty)"

# ---- 2. legacy text profiles over a program compiled here ----------------
cat > "$T/legacy.c" << 'EOF'
#include <stdlib.h>
__attribute__((noinline)) void *tc_malloc(size_t n) { return malloc(n); }
__attribute__((noinline)) void RecordLockProfileData(void) { }
__attribute__((noinline)) void *leaf(void) { RecordLockProfileData(); return tc_malloc(8); }
__attribute__((noinline)) void *middle(void) { return leaf(); }
__attribute__((noinline)) void *other(void) { return tc_malloc(16); }
int main(int argc, char **argv) { (void)argv; return argc > 5 ? !middle() : !other(); }
EOF
cc -g -O0 -fno-inline -o "$T/legacyprog" "$T/legacy.c"
ok $? "a program to point the profiles at is compiled"
# A /proc/maps line for its executable segment at base B, and "sym ADDR"
# for its functions: an address inside each one (+4), plus 1 (a return
# address: pprof and cprof step back one byte to the call).
B=0x555555554000
seg=$(readelf -lW "$T/legacyprog" | awk '$1 == "LOAD" && ($7 ~ /E/ || $8 ~ /E/) { print $2, $3, $6; exit }')
read -r off vaddr memsz <<< "$seg"
maps=$(printf '%x-%x r-xp %08x 00:00 0 %s' $((B + vaddr)) $((B + vaddr + memsz)) $((off)) "$T/legacyprog")
addr() { printf '0x%x' $((B + 0x$(nm "$T/legacyprog" | awk -v f="$1" '$3 == f { print $1 }') + 4 + 1)); }
tcm=$(addr tc_malloc) rlp=$(addr RecordLockProfileData) lf=$(addr leaf) md=$(addr middle)
ot=$(addr other) mn=$(addr main)

# the tables of both tools for every sample type, side by side
same_top() { # FILE NAME TYPES...
	local f=$1 what=$2 t bad=0 g c
	shift 2
	for t in "$@"; do
		g=$(gopprof -top -nodecount=100000 -nodefraction=0 -edgefraction=0 -sample_index="$t" "$f")
		c=$("$TOP" --nodefraction 0 -n 100000 --value "$t" "$f" 2> "$T/err.txt")
		# pprof must have symbolized main: else both could show only <unknown>
		if ! grep -q ' main$' <<< "$g" || [ "$g" != "$c" ]; then
			bad=1
			diag "$what, $t:" "go tool pprof:" "$g" "cprof-top:" "$c" "$(cat "$T/err.txt")"
		fi
	done
	ok $bad "$what: cprof-top = go tool pprof -top, line for line ($*)"
}

{
	echo "heap profile:    4:  2048 [   9:  81920] @ heap_v2/524288"
	echo "     3:     1536 [     6:   61440] @ $tcm $lf $md $mn"
	echo "     1:      512 [     3:   20480] @ $tcm $ot $mn"
	echo "     0:        0 [     2:  4096] @ $ot $mn"
	echo
	echo "MAPPED_LIBRARIES:"
	echo "$maps"
} > "$T/heap.txt"
same_top "$T/heap.txt" "heap v2 with allocations" inuse_space inuse_objects alloc_space alloc_objects
like "$("$TOP" --value inuse_space "$T/heap.txt" 2>&1)" " middle$" "heap: middle is there"
"$TOP" --value inuse_space "$T/heap.txt" 2>&1 | grep -q tc_malloc
ok $((! $?)) "heap: tc_malloc is pruned (pprof's drop_frames for heap profiles)"

{
	echo "heap profile:  2: 4194304 [     2: 4194304] @ growthz"
	echo "     1:  2097152 [     1:  2097152] @ $tcm $lf $md $mn"
	echo "     1:  2097152 [     1:  2097152] @ $ot $mn"
	echo "--- Memory map: ---"
	echo "$maps"
} > "$T/growth.txt"
same_top "$T/growth.txt" "growth" space objects

{
	echo "--- contentionz 1 ---"
	echo "cycles/second = 2000000000"
	echo "sampling period = 100"
	echo "ms since reset = 5000"
	echo "discarded samples = 0"
	echo "   4000000       20 @ $rlp $lf $md $mn"
	echo "     30000        3 @ $ot $mn"
	echo "--- Memory map: ---"
	echo "$maps"
} > "$T/contention.txt"
same_top "$T/contention.txt" "contention (delays in cycles, sampled)" contentions delay
"$TOP" --value delay "$T/contention.txt" 2>&1 | grep -q RecordLockProfileData
ok $((! $?)) "contention: RecordLockProfileData is pruned (pprof's lock frames)"

{
	echo "--- threadz 2 ---"
	echo
	echo "--- Thread 7f0000000001 (name: main/100) stack: ---"
	echo "  PC: $(printf '0x%x' $((lf - 1)))"
	echo "  $md $mn"
	echo "--- Thread 7f0000000002 (name: worker/101) stack: ---"
	echo "  same as previous thread"
	echo "--- Thread 7f0000000003 (name: other/102) stack: ---"
	echo "  PC: $(printf '0x%x' $((ot - 1))) $mn"
	echo "--- Memory map: ---"
	echo "$maps"
} > "$T/thread.txt"
same_top "$T/thread.txt" "thread (same as previous thread counts twice)" thread
like "$("$TOP" --nodefraction 0 "$T/thread.txt" 2>&1)" " 2 +66.67% +66.67% +2 +66.67% +leaf" \
	"thread: leaf's stack counted for both threads"

{
	echo "# a Go count profile"
	echo "goroutine profile: total 5"
	echo "4 @ $lf $md $mn"
	echo "1 @ $ot $mn"
	echo "--- Memory map: ---"
	echo "$maps"
} > "$T/goroutine.txt"
same_top "$T/goroutine.txt" "Go goroutine count profile" goroutine

# C++ names: pprof symbolizes a legacy profile's addresses to the symbols'
# mangled names (addr2line -f, name == system name) and then demangles and
# simplifies them; cprof's symbolizer must end with the same names, in every
# --names mode. The go tool pprof installed here (Go 1.19's) cannot judge
# that on the legacy file itself: its symbolizer reads only DW_AT_name and
# fails on a C++ unit with several line sequences ("[cxxprog]"). So the
# judge is go tool pprof on a pprof profile that holds what addr2line gives
# (pprof-spec: each frame's mangled symbol, stacks and counts the same; its
# mapping names no file, so that pprof does not symbolize it again).
cat > "$T/legacy.cc" << 'EOF'
#include <cstdlib>
#include <map>
#include <string>
#include <vector>
namespace app {
template <typename T> struct Pool {
	__attribute__((noinline)) T *get(unsigned long n) { return static_cast<T *>(std::malloc(n * sizeof(T))); }
};
namespace detail {
__attribute__((noinline)) void *hidden(int x) { Pool<double> p; return p.get((unsigned long)x); }
}
__attribute__((noinline)) void *over(int x) { return detail::hidden(x); }
__attribute__((noinline)) void *over(double x) { return detail::hidden((int)x); }
struct Table {
	std::map<std::string, std::vector<int>> m;
	__attribute__((noinline)) void *operator[](int k) { return over(k); }
};
}
int main(int argc, char **) { app::Table t; return t[argc] && app::over(1.5) ? 0 : 1; }
EOF
SPEC=$BUILD/test-tools/pprof-spec
if command -v g++ > /dev/null && [ -x "$SPEC" ] && g++ -g -O0 -o "$T/cxxprog" "$T/legacy.cc"; then
	seg=$(readelf -lW "$T/cxxprog" | awk '$1 == "LOAD" && ($7 ~ /E/ || $8 ~ /E/) { print $2, $3, $6; exit }')
	read -r off vaddr memsz <<< "$seg"
	# the frames, leaf first: mangled symbol, its address in the profile
	syms=(_ZN3app4PoolIdE3getEm _ZN3app6detail6hiddenEi _ZN3app4overEi _ZN3app5TableixEi main
	      _ZN3app4overEd)
	declare -A at
	for s in "${syms[@]}"; do
		at[$s]=$(printf '0x%x' $((B + 0x$(nm "$T/cxxprog" | awk -v f="$s" '$3 == f { print $1 }') + 4 + 1)))
	done
	stacks=("4 0 1 2 3 4" "1 0 1 5 4" "2 3 4") # count, then frames (indexes into syms)
	{
		echo "goroutine profile: total 7"
		for st in "${stacks[@]}"; do
			set -- $st
			printf '%s @' "$1"
			shift
			for i in "$@"; do printf ' %s' "${at[${syms[$i]}]}"; done
			echo
		done
		echo "--- Memory map: ---"
		printf '%x-%x r-xp %08x 00:00 0 %s\n' $((B + vaddr)) $((B + vaddr + memsz)) $((off)) "$T/cxxprog"
	} > "$T/cxx.txt"
	{
		printf 'type\tgoroutine\tcount\nmap\t/nonexistent/cxxprog\n'
		for i in "${!syms[@]}"; do printf 'func\t%s\t%s\n' "${syms[$i]}" "${syms[$i]}"; done
		for i in "${!syms[@]}"; do printf 'loc\t1\t%x\t%d\n' $((16 * (i + 1))) $((i + 1)); done
		for st in "${stacks[@]}"; do
			set -- $st
			printf 'sample\t%s\t:' "$1"
			shift
			for i in "$@"; do printf '\t%d' $((i + 1)); done
			echo
		done
	} > "$T/cxx.spec"
	"$SPEC" < "$T/cxx.spec" > "$T/cxx.pb.gz"
	for mode in short templates full; do
		g=$(gopprof -top -nodefraction=0 -symbolize=demangle=$([ $mode = short ] && echo default || echo $mode) "$T/cxx.pb.gz")
		c=$("$TOP" --nodefraction 0 --names $mode "$T/cxx.txt" 2>&1)
		[ "$g" = "$c" ] && grep -q 'app::detail::hidden' <<< "$g"
		ok $? "C++ goroutine profile: cprof-top --names $mode = pprof's names for its symbols" ||
			diag "go tool pprof on the symbols:" "$g" "cprof-top on the legacy profile:" "$c"
	done
	like "$("$TOP" --nodefraction 0 "$T/cxx.txt" 2>&1)" " app::Pool::get$" \
		"C++: no template arguments, no parameters by default (app::Pool::get)"
else
	for i in 1 2 3 4; do echo "ok # SKIP g++ or pprof-spec missing (scripts/deps.sh test; make check builds pprof-spec)"; done
fi

# ---- 3. damaged input: one line, non-zero exit ---------------------------
head -c 200 "$T/abc.prof" > "$T/cut.prof"
"$TOP" "$T/cut.prof" > /dev/null 2> "$T/err.txt"
ok $? "a CPU profile cut short in a record reads what is complete"
like "$(cat "$T/err.txt")" "cut short in record" "and says it was cut short"
sed 's/^     3:     1536/     x:     1536/' "$T/heap.txt" > "$T/bad.txt"
"$TOP" "$T/bad.txt" > "$T/out.txt" 2> "$T/err.txt"
[ $? -ne 0 ] && [ ! -s "$T/out.txt" ]; ok $? "a malformed heap sample line: non-zero exit, no output"
like "$(cat "$T/err.txt")" "^cprof-top: .*bad.txt: line 2: " "the error names the file and the line"

# ---- Java CPU profiles (gperftools header, format 1), as pprof reads them:
# the samples as written (no caller adjustment, no C/C++ heuristics), then
# "0xADDR TEXT" lines naming the addresses: function (file:line), function
# (path: its last element), a JIT stub, an agent state ("VM"); one address
# named by no line, one named twice (the last wins). go tool pprof is the peer.
TOP=$BIN/cprof-top
perl -e '
	my @w = (0, 3, 1, 10000, 0);                    # header, period 10 ms
	push @w, 5, 3, 0x10, 0x11, 0x12;                # leaf first
	push @w, 3, 2, 0x13, 0x12;
	push @w, 2, 3, 0x14, 0x15, 0x12;
	push @w, 4, 1, 0x16;
	push @w, 1, 2, 0x17, 0x11;
	push @w, 0, 1, 0;                               # end of the samples
	print pack("V*", @w);
	print "--- symbol\nbinary=java\n";
	print " 0x00000010 com.example.Leaf.run (Leaf.java:42)\n";
	print " 0x0000011 com.example.Mid.call (Mid.java:-1)\n";
	print "0x12 com.example.Main.main (Main.java:7)\n";
	print "0x13 Interpreter (/usr/lib/jvm/lib/server/libjvm.so)\n";
	print "0x14 some generated stub/JIT code\n";
	print "0x15 VM\n";
	print "0x16 GC\n";
	print "0x16 GC (twice)\n";
	print "0x99 com.example.Unused.none (U.java:1)\n";
	print "---\n";
' > "$T/java.cpu"
for args in "-top" "-top -nodefraction=0" "-top -sample_index=samples -nodefraction=0" "-traces"; do
	c=$(echo "$args" | sed 's/-top//; s/-nodefraction=0/--nodefraction 0/; s/-sample_index=samples/--value samples/; s/-traces/--traces/')
	# shellcheck disable=SC2086
	is "$("$TOP" $c "$T/java.cpu" 2>&1)" "$(gopprof $args "$T/java.cpu")" \
		"Java CPU profile: cprof-top ${c:-(defaults)} = go tool pprof $args"
done
is "$("$BIN/cprof-fold" "$T/java.cpu" | grep -c '^com.example.Main.main;Interpreter 3$')" 1 \
	"Java CPU profile: a library path names the frame by its function"

