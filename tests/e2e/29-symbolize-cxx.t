#!/bin/bash
# C++ names from cprof's own symbolizer: a frame is named the same way
# whether it was inlined or not. With a linkage name it is that name
# demangled, exactly as `addr2line -f -C -i` prints it (--names full); a
# function without one (a template instance or lambda with internal
# linkage, inlined) is its DWARF name qualified by its namespaces and
# classes, where addr2line prints the bare name. Then pprof's simplification
# applies: by default inline and out-of-line copies are one row.
. "$(dirname "$0")/lib.sh"
command -v g++ > /dev/null || skip_all "g++ is not installed (scripts/deps.sh test)"
command -v addr2line > /dev/null || skip_all "addr2line (binutils) is not installed"
command -v eu-addr2line > /dev/null || skip_all "eu-addr2line (elfutils) is not installed"
[ -x "$BIN/cprof-record" ] && [ -x "$BIN/cprof-top" ] || skip_all "tools not built"
plan 6

cat > "$T/k.cc" <<'CC'
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <vector>
namespace kern {
template <typename T> T work(T x) {
	T s = 0;
	for (int i = 0; i < 3000; i++) s += (x ^ i) % 7;
	return s;
}
struct Acc {
	long total = 0;
	void add(int v) { total += work<int>(v); }
};
}
__attribute__((noinline)) long outline(int (*f)(int), int v) { return f(v); }
int main() {
	kern::Acc a;
	long t = 0;
	std::clock_t t0 = std::clock();
	for (int r = 0; std::clock() - t0 < CLOCKS_PER_SEC * 6 / 10; r++) {
		a.add(r);                          /* work<int> inlined */
		t += outline(&kern::work<int>, r); /* work<int> out of line */
		std::vector<int> v(500);
		for (auto &x : v) x = std::rand();
		std::sort(v.begin(), v.end(), [](int p, int q) { return p > q; });
	}
	return (int)((a.total + t) & 1);
}
CC
g++ -O2 -g -no-pie -fno-omit-frame-pointer -o "$T/k" "$T/k.cc" 2> "$T/gxx.log"
ok $? "g++ builds the C++ sample" || diag "$(cat "$T/gxx.log")"
run_limited 60 "$BIN/cprof-record" -F 997 -o "$T/k.cprof" -- "$T/k" > /dev/null 2> "$T/rec.log"
[ -s "$T/k.cprof" ]; ok $? "cprof-record records it" || diag "$(cat "$T/rec.log")"

# --by address: one row per frame of each address's inline chain,
# "flat flat% sum% cum cum% ADDRESS NAME [FILE:LINE] [(inline)]" (non-PIE: runtime
# address = file address); kept: "ADDRESS<TAB>NAME" of the program's code
"$BIN/cprof-top" --names full --by address --nodefraction 0 -n 100000 --no-header "$T/k.cprof" |
	awk 'NF >= 7 && $6 ~ /^0000000000[0-9a-f]+$/ { n = $7; for (i = 8; i <= NF; i++) n = n " " $i
		sub(/ \((partial-)?inline\)$/, "", n); sub(/ [^ ]*:[0-9]+$/, "", n); print $6 "\t" n }' |
	grep -v '	\[' | sort -u > "$T/rows"
cut -f1 "$T/rows" | sort -u > "$T/addrs"
naddr=$(wc -l < "$T/addrs")
[ "$naddr" -ge 5 ]; ok $? "sampled addresses in the program ($naddr)"
# every frame cprof shows at an address is named as addr2line -f -C -i or
# eu-addr2line -f -C -i names a frame there (addr2line names an out-of-line
# function by its symbol, eu-addr2line by its DWARF name): the same text, or (addr2line's bare DWARF name of an
# inlined instance) that name qualified. A caller's address is a return
# address, which cprof looks up one byte back (the call): addr2line's
# frames at both count. pprof's full names (and cprof's) drop a clone
# suffix, which addr2line prints as " [clone .constprop.0]". Which inline
# frames libdw and binutils see at an address may differ: a frame is
# compared when addr2line has a frame of the same function there (the
# same identifier before the first '<' or '('), and the names of those
# frames are what this checks.
# base NAME: the identifier of the function, "__introsort_loop" for
# "void std::__introsort_loop<...>(...)"
base() { awk '{ sub(/[<(].*/, ""); n = split($0, a, "::"); s = a[n]; sub(/.* /, "", s); print s }'; }
bad=0 checked=0 qualified=0
while read -r addr; do
	prev=$(printf '0x%x' $((0x$addr - 1)))
	{ addr2line -f -C -i -e "$T/k" "0x$addr"; addr2line -f -C -i -e "$T/k" "$prev"
	  eu-addr2line -f -C -i -e "$T/k" "0x$addr"; eu-addr2line -f -C -i -e "$T/k" "$prev"; } |
		awk 'NR % 2 == 1' | sed 's/ inlined at .*//; s/ \[clone [^]]*\]$//' | sort -u > "$T/theirs"
	base < "$T/theirs" > "$T/bases"
	while IFS='	' read -r a name; do
		b=$(base <<< "$name")
		grep -qxF -- "$b" "$T/bases" || continue
		# an out-of-line copy (named by its symbol) that addr2line sees
		# inlined there (a recursive template inlined into itself)
		case "$name" in *")" | *") const")
			grep -E '\)( const)?$' "$T/theirs" | base | grep -qxF -- "$b" || continue ;;
		esac
		checked=$((checked + 1))
		grep -qxF -- "$name" "$T/theirs" && continue
		if awk -v n="$name" '{ k = length(n) - length($0) - 2 } k > 0 && substr(n, k + 1) == "::" $0 { f = 1 } END { exit !f }' "$T/theirs"; then
			qualified=$((qualified + 1))
		else
			bad=$((bad + 1))
			[ "$bad" -le 3 ] && diag "0x$addr: cprof '$name'; addr2line: $(tr '\n' '|' < "$T/theirs")"
		fi
	done < <(grep "^$addr	" "$T/rows")
done < "$T/addrs"
[ "$bad" = 0 ] && [ "$checked" -ge 20 ]
ok $? "each frame is named as addr2line -f -C -i names it, bare names qualified ($checked frames, $qualified qualified, $bad not)"
[ "$qualified" -ge 1 ]; ok $? "inlined template instances are qualified (std::..., kern::...)"

# short names (the default): kern::work, inlined into Acc::add and called
# out of line, is one row; no bare std:: helper is left unqualified
top=$("$BIN/cprof-top" --nodefraction 0 -n 100000 "$T/k.cprof")
rows=$(grep -cE '  kern::work( \((partial-)?inline\))?$' <<< "$top")
is "$rows" 1 "one kern::work row for its inline and out-of-line copies" || diag "$top"
