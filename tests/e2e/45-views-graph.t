#!/bin/bash
# cprof-top's graph reports print what `go tool pprof` prints, byte for
# byte: --traces (every sample's stack), --peek RE (callers and callees),
# --dot (the call graph; graphviz must draw it) and --list RE (annotated
# source), each for several granularities and options, on a Go profile
# (recursion, an inlined function, labels), a Go heap profile made in the
# run (numeric "bytes" tags), and on a raw recording of
# samples/abc (compared with pprof's reading of its cprof-pprof conversion),
# and on folded stacks written here (a generated graph of ~150 functions
# that pprof trims to 80 nodes; names of several languages that the dot
# labels shorten).
# The expected bytes are go tool pprof's, computed in this run.
. "$(dirname "$0")/lib.sh"
TOP=$BIN/cprof-top
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
export TZ=UTC
# pprof arguments | cprof-top arguments (the profile follows each)
GO_CASES=$(cat <<'EOF_CASES'
-traces|--traces
-traces -lines|--traces --by line
-traces -addresses|--traces --by address
-traces -tagfocus=phase=a|--traces --tag phase=a
-traces -sample_index=samples|--traces --value samples
-peek=.|--peek .
-peek=recurse|--peek recurse
-peek=leaf -cum|--peek leaf --cum
-peek=shared -lines|--peek shared --by line
-peek=. -files|--peek . --by file
-peek=viaA -focus=viaA|--peek viaA --focus viaA
-dot|--dot
-dot -nodecount=5|--dot -n 5
-dot -nodecount=3 -cum|--dot -n 3 --cum
-dot -lines|--dot --by line
-dot -addresses|--dot --by address
-dot -files|--dot --by file
-dot -focus=viaB|--dot --focus viaB
-dot -tagfocus=phase=a|--dot --tag phase=a
-dot -nodefraction=0.1|--dot --nodefraction 0.1
-dot -edgefraction=0.1|--dot --edgefraction 0.1
-dot -sample_index=samples|--dot --value samples
-top -edgefraction=0|--edgefraction 0
EOF_CASES
)
RAW_CASES=$(cat <<'EOF_CASES'
-traces|--traces
-traces -lines|--traces --by line
-peek=.|--peek .
-peek=^B[^a-z] -lines|--peek ^B[^a-z] --by line
-peek=. -addresses|--peek . --by address
-dot|--dot
-dot -lines|--dot --by line
-dot -focus=^B$|--dot --focus ^B$
EOF_CASES
)
GEN_CASES=$(cat <<'EOF_CASES'
-dot|--dot
-dot -nodecount=30|--dot -n 30
-dot -nodefraction=0 -edgefraction=0|--dot --nodefraction 0 --edgefraction 0
-dot -nodecount=200 -nodefraction=0|--dot -n 200 --nodefraction 0
-top -nodecount=20|-n 20
-top -cum -nodecount=20|--cum -n 20
-peek=f1$|--peek f1$
-traces|--traces
EOF_CASES
)
ngo=$(printf '%s\n' "$GO_CASES" | wc -l)
nraw=$(printf '%s\n' "$RAW_CASES" | wc -l)
ngen=$(printf '%s\n' "$GEN_CASES" | wc -l)
HEAP_CASES=$(cat <<'EOF_CASES'
-dot|--dot
-dot -sample_index=alloc_space|--dot --value alloc_space
-dot -sample_index=alloc_objects -nodefraction=0|--dot --value alloc_objects --nodefraction 0
-dot -nodecount=4 -sample_index=alloc_space|--dot -n 4 --value alloc_space
-traces -sample_index=alloc_space|--traces --value alloc_space
-top -sample_index=alloc_space|--value alloc_space
EOF_CASES
)
nheap=$(printf '%s\n' "$HEAP_CASES" | wc -l)
plan $((ngo + 1 + nraw + 2 + 1 + ngen + 1 + 2 + 4 + 5 + 1 + nheap))

gopprof() { HOME=$T/home GOTOOLCHAIN=local run_limited 120 go tool pprof "$@" 2> /dev/null; }
same() { # NAME PPROF-PROFILE CPROF-PROFILE PPROF-ARGS... -- CPROF-ARGS...
	local name=$1 pf=$2 cf=$3; shift 3
	local pargs=() cargs=()
	while [ "$1" != -- ]; do pargs+=("$1"); shift; done; shift
	cargs=("$@")
	gopprof "${pargs[@]}" "$pf" > "$T/want"
	"$TOP" "${cargs[@]}" "$cf" > "$T/got" 2> "$T/err"
	if [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then ok 0 "$name"
	else ok 1 "$name"; diff "$T/want" "$T/got" | head -12 | sed 's/^/# /'; cat "$T/err"; fi
}

cp "$ROOT/tests/golden/go-views.pb.gz" "$T/go.pb.gz"
while IFS='|' read -r pargs cargs; do
	# shellcheck disable=SC2086
	same "Go profile: cprof-top $cargs = go tool pprof $pargs" "$T/go.pb.gz" "$T/go.pb.gz" \
		$pargs -- $cargs
done <<< "$GO_CASES"

# --list: the source files of the Go profile were in a temporary directory
# (gone): pprof's error, then found again by --trim-path or by the name of
# a --source-path directory.
cd "$T" || exit 1
gsrc=$(gopprof -list=leaf "$T/go.pb.gz" | sed -n 's/^ROUTINE .* in \(.*\)\/views_test.go$/\1/p')
mkdir -p "$T/src/${gsrc##*/}" && cp "$ROOT/tests/go-views/views_test.go" "$T/src/${gsrc##*/}/"
same "Go profile: --list leaf (source gone) = -list=leaf" "$T/go.pb.gz" "$T/go.pb.gz" -list=leaf -- --list leaf
same "Go profile: --list . --trim-path --source-path = pprof's" "$T/go.pb.gz" "$T/go.pb.gz" \
	-list=. "-trim_path=$gsrc" "-source_path=$T/src/${gsrc##*/}" \
	-- --list . --trim-path "$gsrc" --source-path "$T/src/${gsrc##*/}"
same "Go profile: --list recurse --source-path DIR named as in the path = pprof's" "$T/go.pb.gz" \
	"$T/go.pb.gz" -list=recurse "-source_path=/nonexistent:$T/src/${gsrc##*/}" \
	-- --list recurse --source-path "/nonexistent:$T/src/${gsrc##*/}"
grep -q 'func recurse' "$T/got"; ok $? "the listing shows the Go source"
cd "$ROOT" || exit 1

"$TOP" --peek 'no such function' "$T/go.pb.gz" > "$T/out" 2> "$T/err"
[ $? -eq 1 ] && [ ! -s "$T/out" ] && grep -q 'no matches found for regexp: no such function' "$T/err"
ok $? "--peek with no match: pprof's message, exit 1, no output"

if [ -x "$PROGS/abc" ] && [ -f "$LIB/libcprof-sample.so" ] && [ -x "$BIN/cprof-pprof" ]; then
	run_limited 60 env CPROF_OUT="$T/abc.cprof" LD_PRELOAD="$LIB/libcprof-sample.so" "$PROGS/abc" 1 > /dev/null
	"$BIN/cprof-pprof" -o "$T/abc.pb.gz" "$T/abc.cprof"
	ok $? "samples/abc recorded and converted to pprof"
	while IFS='|' read -r pargs cargs; do
		# shellcheck disable=SC2086
		same "abc raw: cprof-top $cargs = go tool pprof $pargs of its pprof" \
			"$T/abc.pb.gz" "$T/abc.cprof" $pargs -- $cargs
	done <<< "$RAW_CASES"
	# --list: samples/abc.c is found from the source tree's top
	cd "$ROOT" || exit 1
	same "abc raw: --list ^A$ = -list=^A$" "$T/abc.pb.gz" "$T/abc.cprof" '-list=^A$' -- --list '^A$'
	same "abc raw: --list . --cum = -list=. -cum" "$T/abc.pb.gz" "$T/abc.cprof" -list=. -cum -- --list . --cum
	same "abc raw: --list main --focus B = pprof's" "$T/abc.pb.gz" "$T/abc.cprof" \
		-list=main -focus=B -- --list main --focus B
	same "abc raw: --list with --trim-path and --source-path = pprof's" "$T/abc.pb.gz" "$T/abc.cprof" \
		-list=. -trim_path=samples "-source_path=/nonexistent:$ROOT/samples" \
		-- --list . --trim-path samples --source-path "/nonexistent:$ROOT/samples"
	grep -q 'void A(int call_c)' "$T/got"; ok $? "the listing shows abc.c"
	"$TOP" --traces --focus '^B$' "$T/abc.cprof" > "$T/out" &&
		! grep -q '^ *[0-9.]*m\?s   A$' "$T/out" && grep -q '   B$' "$T/out"
	ok $? "abc raw: --traces --focus keeps only the stacks through B"
else
	for _ in $(seq $((nraw + 2 + 5))); do ok 0 "# SKIP samples/abc or the sampler not built"; done
fi

# Folded stacks: a random call graph (fixed seed; duplicate stacks too),
# compared with pprof's reading of its cprof-pprof conversion.
awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) { d = 2 + int(rand() * 10); s = "main"
	for (k = 0; k < d; k++) { f = int(rand() * rand() * 150); s = s ";pkg" (f % 7) ".f" f }
	print s, 1 + int(rand() * rand() * 50) } }' > "$T/gen.folded"
"$BIN/cprof-pprof" -o "$T/gen.pb.gz" "$T/gen.folded"
ok $? "generated folded stacks converted to pprof"
while IFS='|' read -r pargs cargs; do
	# shellcheck disable=SC2086
	same "generated graph: cprof-top $cargs = go tool pprof $pargs" \
		"$T/gen.pb.gz" "$T/gen.folded" $pargs -- $cargs
done <<< "$GEN_CASES"

# Names the dot labels shorten (Go module paths and versions, Java, C++
# scopes), and quotes and backslashes dot must see escaped.
cat > "$T/names.folded" <<'EOF'
main;github.com/foo/bar/v2.Baz;github.com/a/b.(*T).Method 30
main;gopkg.in/yaml.v3.unmarshal;java.util.HashMap.get 20
main;com.example.Foo$Bar.baz$1;std::vector::push_back 25
main;ns::Class::method;a::b::_Foo::~bar 15
main;a::b::C::d;foo(a/b);say"hi" 12
main;back\slash;x/v10.y;Foo.<init>(int) 9
main;std::__1::basic_string::~basic_string;[...] templ 7
main;a.b/c.d/e;org.X.y(Ljava/lang/String;)V 5
main;x/v0.y;x/v01.z;x/v2;x/v3/a.b 4
EOF
"$BIN/cprof-pprof" -o "$T/names.pb.gz" "$T/names.folded"
same "names of several languages: cprof-top --dot = go tool pprof -dot" \
	"$T/names.pb.gz" "$T/names.folded" -dot -nodefraction=0 -- --dot --nodefraction 0

# graphviz draws what --dot writes.
if command -v dot > /dev/null; then
	"$TOP" --dot "$T/go.pb.gz" | run_limited 60 dot -Tsvg > "$T/go.svg" 2> "$T/err" &&
		grep -q '<svg' "$T/go.svg" && ! [ -s "$T/err" ]
	ok $? "dot -Tsvg draws cprof-top --dot of the Go profile" || diag "$(cat "$T/err")"
	"$TOP" --dot --nodefraction 0 "$T/names.folded" | run_limited 60 dot -Tsvg > "$T/names.svg" 2> "$T/err" &&
		grep -q 'say&quot;hi&quot;' "$T/names.svg" && ! [ -s "$T/err" ]
	ok $? "dot -Tsvg draws the escaped names" || diag "$(cat "$T/err")"
else
	ok 0 "# SKIP graphviz is not installed (scripts/deps.sh test)"
	ok 0 "# SKIP graphviz is not installed (scripts/deps.sh test)"
fi
# A Go heap profile, made now: allocations of many sizes under labels, so
# the graph has numeric "bytes" nodelets (collapsed into ranges) under the
# label nodelets, and samples whose values are all 0 (pprof drops them).
mkdir -p "$T/alloc"
cat > "$T/alloc/go.mod" <<'EOF'
module cprof.test/alloc

go 1.19
EOF
cat > "$T/alloc/alloc_test.go" <<'EOF'
package alloc

import (
	"context"
	"runtime/pprof"
	"testing"
)

var sink [][]byte

//go:noinline
func grow(n, size int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, size))
	}
}

//go:noinline
func small() { grow(200, 16) }

//go:noinline
func sizes() {
	for _, s := range []int{48, 96, 200, 500, 1000, 3000, 9000, 20000, 70000} {
		grow(20, s)
	}
}

func TestAlloc(t *testing.T) {
	pprof.Do(context.Background(), pprof.Labels("phase", "a"), func(context.Context) { small(); sizes() })
	pprof.Do(context.Background(), pprof.Labels("phase", "b"), func(context.Context) { sizes() })
	sizes()
}
EOF
(cd "$T/alloc" && HOME=$T/home GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod \
	GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off CGO_ENABLED=0 \
	run_limited 300 go test -count=1 -memprofile "$T/mem.pprof" -memprofilerate=1 . > "$T/alloc.log" 2>&1)
ok $? "go test -memprofile runs" || diag "$(cat "$T/alloc.log")"
while IFS='|' read -r pargs cargs; do
	# shellcheck disable=SC2086
	same "Go heap profile: cprof-top $cargs = go tool pprof $pargs" "$T/mem.pprof" "$T/mem.pprof" \
		$pargs -- $cargs
done <<< "$HEAP_CASES"
exit $((_tap_failed > 0))
