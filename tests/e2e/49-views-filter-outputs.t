#!/usr/bin/env bash
# cprof-pprof and cprof-html take the filters every view takes
# (docs/options.md), through the same mask; what they drop is not written.
# cprof-pprof --focus/--ignore/--tag writes what go tool pprof keeps with
# -focus/-ignore/-tagfocus (go tool pprof -top of both: the same rows, the
# peer run here); on raw input --thread/--from/--to keep what cprof-fold
# keeps; cprof-html's report and speedscope file hold those samples only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
GEN=$BUILD/bench/aggregate-gen
for t in pprof html fold raw; do [ -x "$BIN/cprof-$t" ] || skip_all "cprof-$t not built"; done
[ -x "$GEN" ] || skip_all "bench/aggregate-gen not built"
command -v cc >/dev/null || skip_all "no C compiler to build the test program"
command -v go >/dev/null || skip_all "go is not installed (scripts/deps.sh test)"
G=$ROOT/tests/golden
plan 14
mkdir -p "$T/home"

# a Go CPU profile with labels: each filter as go tool pprof applies it
for f in "--focus func1|-focus=func1" "--ignore mix|-ignore=mix" "--tag phase=a|-tagfocus=phase=a"; do
	c=${f%|*} g=${f#*|}
	# shellcheck disable=SC2086
	"$BIN/cprof-pprof" $c "$G/go-views.pb.gz" -o "$T/f.pb.gz"
	want=$(go_top "$G/go-views.pb.gz" samples "$g")
	got=$(go_top "$T/f.pb.gz" samples)
	[ -n "$want" ] && [ "$want" != "$(go_top "$G/go-views.pb.gz" samples)" ] ||
		diag "the filter $g keeps everything: the test would not tell"
	is "$got" "$want" "cprof-pprof $c = go tool pprof $g (-top rows, $(echo "$got" | wc -l) functions)"
done

# a raw recording of two threads (main, A, B, C in the 5:3:4 pattern)
build_abc && "$GEN" --abc "$T/abc" -n 240 --threads 2 -o "$T/two.cprof"
ok $? "test program compiled, its raw file synthesized"
tid=$("$BIN/cprof-raw" "$T/two.cprof" | awk '!/^#/ { print $2 }' | sort -u | tail -1)
filters="--thread $tid --from 100ms --to 900ms --ignore ^B$"
# shellcheck disable=SC2086
"$BIN/cprof-pprof" $filters "$T/two.cprof" -o "$T/r.pb.gz"
# shellcheck disable=SC2086
want=$("$BIN/cprof-fold" $filters "$T/two.cprof" | folded_top)
got=$(go_top "$T/r.pb.gz" samples)
like "$want" "^A [0-9]+ [0-9]+" "cprof-fold $filters keeps some of A"
is "$got" "$want" "cprof-pprof $filters: go tool pprof -top = cprof-fold's counts"
# shellcheck disable=SC2086
n=$("$BIN/cprof-raw" $filters "$T/two.cprof" | grep -vc '^#')
is "$(gopprof -raw "$T/r.pb.gz" | awk '/^Samples:/ { s = 1; next } /^Locations/ { s = 0 } s && /^ +[0-9]+ +[0-9]+: / { n += $1 } END { print n + 0 }')" \
	"$n" "cprof-pprof: $n samples in the file, as cprof-raw shows them"

# cprof-html: the report's samples are the ones kept, its frames theirs
jsonfield() { grep -o "$1" "$2" | head -1; }
"$BIN/cprof-html" "$T/two.cprof" -o "$T/all.html"
is "$(jsonfield '"samples":{"n":[0-9]*' "$T/all.html")" '"samples":{"n":240' "cprof-html: every sample without filters"
# shellcheck disable=SC2086
"$BIN/cprof-html" $filters "$T/two.cprof" -o "$T/f.html"
is "$(jsonfield '"samples":{"n":[0-9]*' "$T/f.html")" "\"samples\":{\"n\":$n" \
	"cprof-html $filters: the $n samples cprof-raw shows"
grep -q '"B"' "$T/all.html" && ! grep -q '"B"' "$T/f.html"
ok $? "cprof-html --ignore ^B$: B is in the whole report, not in the filtered one"
threads=$(sed -n 's/.*"threads":\(\[\[[^]]*\]\]\).*/\1/p' "$T/f.html" | grep -o '\[[0-9]*,' | tr -d '[,')
is "$threads" "$tid" "cprof-html --thread $tid: only that thread on the timeline"
"$BIN/cprof-html" --focus '^C$' "$T/two.cprof" -o "$T/c.html"
is "$(jsonfield '"samples":{"n":[0-9]*' "$T/c.html")" \
	"\"samples\":{\"n\":$("$BIN/cprof-raw" --focus '^C$' "$T/two.cprof" | grep -vc '^#')" \
	"cprof-html --focus ^C$: the samples under C"

# speedscope: one profile per kept thread, a weight per kept sample
# shellcheck disable=SC2086
"$BIN/cprof-html" --speedscope $filters "$T/two.cprof" -o "$T/f.json"
is "$(jq '.profiles | length' "$T/f.json"):$(jq '[.profiles[].weights | length] | add' "$T/f.json")" \
	"1:$n" "cprof-html --speedscope $filters: one thread's profile, $n weights"

# a filter a profile cannot take is an input error, as in the views
"$BIN/cprof-html" --from 1ms "$G/abc.folded" -o "$T/x.html" 2>"$T/err"
is "$?:$(test -e "$T/x.html"; echo $?)" "1:1" "cprof-html --from on folded input: exit 1, no file written"
