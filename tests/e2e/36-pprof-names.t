#!/bin/bash
# pprof's names on other producers' profiles: profiles written here (by
# tests/tools/pprof-spec) with the names C++, Rust, Java and Go producers
# send, shown by `go tool pprof -top` and by cprof-top, byte for byte:
# demangling (a function whose name is empty or equals its system name),
# pprof's simplification (--names short|templates|full as pprof's
# -symbolize=demangle=...), "<unknown>" and "[module]" for nameless
# functions, drop_frames/keep_frames, an empty sample type (no "Type:"
# line), negative values (delta profiles) and every sample type; names,
# files and labels with NUL bytes kept whole (also through cprof-pprof),
# and -traces' labels in pprof's order.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
SPEC=$BUILD/test-tools/pprof-spec
[ -x "$SPEC" ] || skip_all "pprof-spec not built (make check builds it)"
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
command -v g++ > /dev/null || skip_all "g++ is not installed (scripts/deps.sh test)"
plan 32

# same_top FILE NAME [pprof options] -- [cprof-top options]: the whole
# -top output (headers, rows, "(inline)" marks) is the same.
same_top() {
	local f=$1 name=$2 gopts=() copts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do gopts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	copts=("$@")
	gopprof -top "${gopts[@]}" "$f" > "$T/want" 2>&1
	"$BIN/cprof-top" "${copts[@]}" "$f" > "$T/got" 2>&1
	cmp -s "$T/want" "$T/got"
	ok $? "$name" || diag "$(diff "$T/want" "$T/got" | head -20)"
}

# 1. C++: the symbols g++ gives a small program (templates, a lambda,
# operators, overloads, an anonymous namespace, a const method, a
# constructor), each as its function's name and system name, as a
# profiler that does not demangle writes them.
cat > "$T/t.cc" <<'CC'
#include <map>
#include <string>
#include <vector>
namespace app {
template <typename T> struct Box {
	T v;
	T get() const { return v; }
	bool operator<(const Box &o) const { return v < o.v; }
	Box &operator<<(T x) { v += x; return *this; }
};
namespace { int hidden(int x) { return x * 3; } }
int over(int x) { return hidden(x); }
int over(double x) { return (int)x; }
std::map<std::string, std::vector<int>> table;
template <typename F> int apply(F f) { return f(2); }
int run() {
	Box<int> b{1};
	b << 2;
	int k = apply([&](int y) { return b.get() + y; });
	table["x"].push_back(k);
	return over(k) + over(1.5) + (b < b);
}
}
int main() { return app::run(); }
CC
g++ -O0 -c -o "$T/t.o" "$T/t.cc" 2> "$T/gxx.log"
ok $? "g++ compiles the C++ sample" || diag "$(cat "$T/gxx.log")"
nm "$T/t.o" | awk '$2 ~ /^[TtWw]$/ && $3 ~ /^_Z/ { print $3 }' | sort -u > "$T/syms"
nsyms=$(wc -l < "$T/syms")
[ "$nsyms" -ge 12 ]; ok $? "the C++ sample has mangled functions ($nsyms)"
{
	printf 'type\tsamples\tcount\ntype\tcpu\tnanoseconds\n'
	printf 'map\t/opt/app/bin/server\n'
	i=0
	while read -r s; do
		i=$((i + 1))
		# half as name == system name, half with an empty name
		if [ $((i % 2)) = 0 ]; then printf 'func\t%s\t%s\n' "$s" "$s"; else printf 'func\t\t%s\n' "$s"; fi
	done < "$T/syms"
	printf 'func\tmain\tmain\n'
	for ((k = 1; k <= i; k++)); do printf 'loc\t1\t%x\t%d\n' $((k * 16)) "$k"; done
	printf 'loc\t1\t%x\t%d\n' $(((i + 1) * 16)) $((i + 1))
	# one location with three inlined frames, and one stack per function
	printf 'loc\t1\t%x\t1\t2\t3\n' $(((i + 2) * 16))
	for ((k = 1; k <= i; k++)); do printf 'sample\t%d\t%d\t:\t%d\t%d\n' $k $((k * 1000)) "$k" $((i + 1)); done
	printf 'sample\t5\t5000\t:\t%d\t%d\n' $((i + 2)) $((i + 1))
} > "$T/cpp.spec"
"$SPEC" < "$T/cpp.spec" > "$T/cpp.pb.gz"
ok $? "pprof-spec writes the C++ profile"
same_top "$T/cpp.pb.gz" "C++: short names (pprof's default)" -- 
same_top "$T/cpp.pb.gz" "C++: short names, every row" -nodefraction=0 -- --nodefraction 0
same_top "$T/cpp.pb.gz" "C++: --names templates = -symbolize=demangle=templates" \
	-symbolize=demangle=templates -nodefraction=0 -- --names templates --nodefraction 0
# full: Go 1.19's demangler prints an empty template parameter pack as a
# trailing ", " ("_Tuple_impl<0ul, T&&, >"), libiberty (and addr2line -C,
# c++filt) as "_Tuple_impl<0ul, T&&>": rows where pprof's name has ", >"
# are left out of the comparison, the rest must be equal line for line.
gopprof -top -symbolize=demangle=full -nodefraction=0 "$T/cpp.pb.gz" > "$T/want"
"$BIN/cprof-top" --names full --nodefraction 0 "$T/cpp.pb.gz" > "$T/got"
paste -d '\n' "$T/want" "$T/got" | awk 'NR % 2 { w = $0; next } index(w, ", >") == 0 && w != $0 { bad++; print "- " w; print "+ " $0 } END { exit bad > 0 }' > "$T/fulldiff"
ok $? "C++: --names full = -symbolize=demangle=full" || diag "$(head -20 "$T/fulldiff")"
is "$(wc -l < "$T/got")" "$(wc -l < "$T/want")" "C++: --names full: as many lines as pprof"
same_top "$T/cpp.pb.gz" "C++: sample type 0 by index" -sample_index=0 -nodefraction=0 -- --value 0 --nodefraction 0
like "$("$BIN/cprof-top" --nodefraction 0 "$T/cpp.pb.gz")" "app::Box::operator<<" \
	"the template arguments and parameters are gone, operator<< stays"

# 2. Rust: pprof-rs writes demangled names as name and system name; a
# symbolizer may leave legacy (_ZN...17h<hash>E) or v0 (_R) symbols.
cat > "$T/rust.spec" <<'SPEC'
type	samples	count
type	cpu	nanoseconds
func	<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop	<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop
func	<pprof::backtrace::Trace as pprof::Backtrace>::trace	<pprof::backtrace::Trace as pprof::Backtrace>::trace
func	std::rt::lang_start::{{closure}}	std::rt::lang_start::{{closure}}
func	_ZN70_$LT$alloc..vec..Vec$LT$T$C$A$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h0123456789abcdefE	_ZN70_$LT$alloc..vec..Vec$LT$T$C$A$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h0123456789abcdefE
func	_ZN5tokio7runtime4task3raw7poll_fn17h05a1f3b4c2d6e7f8E.llvm.42	_ZN5tokio7runtime4task3raw7poll_fn17h05a1f3b4c2d6e7f8E.llvm.42
func	_RNvXs_Cs1234_7mycrateINtB4_3FooiENtNtCs5678_4core3fmt7Display3fmt	_RNvXs_Cs1234_7mycrateINtB4_3FooiENtNtCs5678_4core3fmt7Display3fmt
func	main	main
loc	0	10	1
loc	0	20	2
loc	0	30	3
loc	0	40	4
loc	0	50	5
loc	0	60	6
loc	0	70	7
sample	3	30	:	1	3	7
sample	2	20	:	2	3	7
sample	4	40	:	4	5	7
sample	1	10	:	6	7
SPEC
"$SPEC" < "$T/rust.spec" > "$T/rust.pb.gz"
same_top "$T/rust.pb.gz" "Rust: <... as ...>::trace becomes ::trace, legacy and v0 symbols demangle" -nodefraction=0 -- --nodefraction 0
same_top "$T/rust.pb.gz" "Rust: the same with --names templates" -symbolize=demangle=templates -nodefraction=0 -- --names templates --nodefraction 0

# 3. Other producers' names: Java's "<init>", Go's generic and method
# names, a function without a name in a mapped and in an unmapped location
# (pprof: "[module]", "<unknown>"), and an empty sample type.
cat > "$T/mixed.spec" <<'SPEC'
type		count
map	/usr/lib/libjvm.so
func	com.example.Foo.<init>	com.example.Foo.<init>
func	example.com/pkg.(*Tree[go.shape.int]).Insert	example.com/pkg.(*Tree[go.shape.int]).Insert
func	example.com/pkg.Map[go.shape.string,go.shape.int]	example.com/pkg.Map[go.shape.string,go.shape.int]
func	Interpreter::run(Frame*)	Interpreter::run(Frame*)
func		
func	main	main
loc	0	10	1
loc	0	20	2
loc	0	30	3
loc	1	40	4
loc	1	50	5
loc	0	60	5
loc	0	70	6
sample	5	:	1	7
sample	4	:	2	3	7
sample	3	:	4	7
sample	2	:	5	4	7
sample	1	:	6	7
SPEC
"$SPEC" < "$T/mixed.spec" > "$T/mixed.pb.gz"
same_top "$T/mixed.pb.gz" "Java, Go generics, C++ text, nameless functions, empty type" -nodefraction=0 -- --nodefraction 0
out=$("$BIN/cprof-top" "$T/mixed.pb.gz")
! grep -q '^Type:' <<< "$out"; ok $? "an empty sample type prints no Type: line"

# 4. drop_frames / keep_frames: frames from the matching one down to the
# leaf go, except a kept one; a matching frame at the root stays.
cat > "$T/drop.spec" <<'SPEC'
type	samples	count
func	main	main
func	work	work
func	malloc	malloc
func	_int_malloc	_int_malloc
func	operator new(unsigned long)	operator new(unsigned long)
func	free	free
loc	0	10	1
loc	0	20	2
loc	0	30	3
loc	0	40	4
loc	0	50	5
loc	0	60	6
loc	0	70	4	3
sample	5	:	4	3	2	1
sample	4	:	3	5	2	1
sample	3	:	6	2	1
sample	2	:	7	2	1
sample	1	:	3	1
sample	6	:	2	3
drop	malloc|_int_malloc|operator new|free
keep	free
SPEC
"$SPEC" < "$T/drop.spec" > "$T/drop.pb.gz"
same_top "$T/drop.pb.gz" "drop_frames/keep_frames prune as pprof does" -nodefraction=0 -- --nodefraction 0
like "$("$BIN/cprof-top" --nodefraction 0 "$T/drop.pb.gz")" " free$" "keep_frames keeps free"

# 5. A delta profile: negative values, several sample types, a default
# type that is not the last one.
cat > "$T/delta.spec" <<'SPEC'
type	alloc_objects	count
type	alloc_space	bytes
type	inuse_objects	count
type	inuse_space	bytes
default	alloc_space
func	main	main
func	grow	grow
func	shrink	shrink
func	churn	churn
loc	0	10	1
loc	0	20	2
loc	0	30	3
loc	0	40	4
sample	10	4096	4	2048	:	2	1
sample	-7	-65536	-3	-1024	:	3	1
sample	2	-100	0	-4000	:	4	2	1
sample	-1	512	1	300	:	4	3	1
SPEC
"$SPEC" < "$T/delta.spec" > "$T/delta.pb.gz"
same_top "$T/delta.pb.gz" "delta profile: the default type (alloc_space)" -- 
for i in 0 2 3; do
	same_top "$T/delta.pb.gz" "delta profile: sample type $i, every row" -sample_index=$i -nodefraction=0 -- --value $i --nodefraction 0
done
same_top "$T/delta.pb.gz" "delta profile: -sample_index=inuse_space, --cum" -sample_index=inuse_space -cum -- --value inuse_space --cum

# 6. NUL bytes: pprof keeps every byte of a string, so does cprof (the
# model's strings escape them): in function names (two that differ only
# after the NUL stay two), file and mapping names, label keys and values,
# and a C0 byte (the escape's own byte). -traces prints a key's values in
# the file's order and sorts the lines as pprof (by their padded bytes:
# "b" before "aa"); numeric labels with several values too.
cat > "$T/nul.spec" <<'SPEC'
type	samples	count
type	cpu	nanoseconds
map	/opt/a\0b/server
func	parse\0json	parse\0json	src/pa\0rse.c
func	parse\0xml	parse\0xml	src/pa\0rse.c
func	c\xc0\xc1d\xc0\x80	c\xc0\xc1d\xc0\x80
func	main	main
loc	1	10	1
loc	1	20	2
loc	1	30	3
loc	1	40	4
sample	3	300	:	1	4	|	k\0ey=v\01	k\0ey=a0	zz=2	b=1	aa=3	n#5#bytes	n#3#bytes
sample	5	500	:	2	4	|	b=x\0y	b=a
sample	2	200	:	3	4	|	aa=1
sample	1	100	:	3	4
sample	4	400	:	1	4	|	b=a	b=x\0y
SPEC
"$SPEC" < "$T/nul.spec" > "$T/nul.pb.gz"
ok $? "pprof-spec writes the profile with NUL bytes"
nuls=$(gopprof -traces "$T/nul.pb.gz" | tr -cd '\0' | wc -c)
[ "$nuls" -ge 7 ]; ok $? "go tool pprof -traces prints the NUL bytes ($nuls)"
same_top "$T/nul.pb.gz" "NUL bytes: -top" -- 
same_top "$T/nul.pb.gz" "NUL bytes: -top by file, every row" -files -nodefraction=0 -- --by file --nodefraction 0
same_out() { # same_out NAME FILE PPROF-OPTIONS... -- CPROF-TOP-OPTIONS...
	local name=$1 f=$2 gopts=() copts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do gopts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	copts=("$@")
	gopprof "${gopts[@]}" "$f" > "$T/want"
	"$BIN/cprof-top" "${copts[@]}" "$f" > "$T/got" 2>&1
	cmp -s "$T/want" "$T/got"
	ok $? "$name" || diag "$(diff "$T/want" "$T/got" | cat -A | head -20)"
}
same_out "NUL bytes, labels in pprof's order: -traces" "$T/nul.pb.gz" -traces -- --traces
same_out "NUL bytes: -peek" "$T/nul.pb.gz" -peek 'parse' -- --peek 'parse'
# round trips: cprof-pprof's file shows pprof what the original shows it
"$BIN/cprof-pprof" "$T/nul.pb.gz" -o "$T/nul-rt.pb.gz"
for r in traces tags; do
	gopprof -$r "$T/nul.pb.gz" > "$T/want"
	gopprof -$r "$T/nul-rt.pb.gz" > "$T/got"
	cmp -s "$T/want" "$T/got"
	ok $? "NUL bytes through cprof-pprof: -$r unchanged" || diag "$(diff "$T/want" "$T/got" | cat -A | head -20)"
done
# merged with itself (cprof-pprof's merge) = go tool pprof merging the two
"$BIN/cprof-pprof" "$T/nul.pb.gz" "$T/nul-rt.pb.gz" -o "$T/nul-2.pb.gz"
gopprof -traces "$T/nul.pb.gz" "$T/nul.pb.gz" > "$T/want"
gopprof -traces "$T/nul-2.pb.gz" > "$T/got"
cmp -s "$T/want" "$T/got"
ok $? "NUL bytes through a merge: -traces as pprof's merge" || diag "$(diff "$T/want" "$T/got" | cat -A | head -20)"
# folded stacks: a NUL byte becomes a space like any control character; C0
# bytes stay, and the bytes C0 80 in a name (the escape of NUL) stay C0 80
printf 'main;c\300\301d\300\200 3\nmain;parse json 7\nmain;parse xml 5\n' > "$T/want"
"$BIN/cprof-fold" "$T/nul.pb.gz" > "$T/got"
cmp -s "$T/want" "$T/got"
ok $? "cprof-fold: a NUL byte is a space, C0 bytes stay" || diag "$(diff "$T/want" "$T/got" | cat -A)"

# a profile without header lines (no mapping, an empty sample type):
# pprof's -traces still prints the (empty) header line
printf 'type\t\tcount\nfunc\tmain\tmain\nloc\t0\t10\t1\nsample\t2\t:\t1\n' | "$SPEC" > "$T/bare.pb.gz"
same_out "-traces of a profile without header lines" "$T/bare.pb.gz" -traces -- --traces
