#!/bin/bash
# cprof-flame and cprof-fold as a user meets them: valid and escaped SVG for
# every option, same bytes on every run, clear errors on bad input, no half
# output file, flame totals equal the model's, big inputs stay compact, and
# the embedded viewer really searches and zooms in a browser.
. "$(dirname "$0")/lib.sh"
G=$ROOT/tests/golden
plan 28
FL=$BIN/cprof-flame
FO=$BIN/cprof-fold
TOP=$BIN/cprof-top

# 1-8: every option gives well-formed XML
n=0
for opts in "" "--inverted" "--reverse" "--colors mem" "--colors io" "--colors module" \
	"--flamechart --threads" "--diff $G/abc-base.folded --width 300 --minwidth 5"; do
	# shellcheck disable=SC2086
	"$FL" $opts "$G/abc.folded" > "$T/o.svg" 2> "$T/err" && xmllint --noout "$T/o.svg" 2>> "$T/err"
	ok $? "valid XML: cprof-flame ${opts:-(defaults)}"
	n=$((n + 1))
done

# 9-10: hostile names are escaped, the file stays valid
"$FL" --title '<script>alert(1)</script>' "$G/xss.folded" > "$T/x.svg" && xmllint --noout "$T/x.svg"
ok $? "names like <script> and a&b\"c keep the SVG valid"
grep -q '<script>alert' "$T/x.svg"
ok $((! $?)) "no raw <script>alert in the SVG"

# 11: deterministic
"$FL" "$G/go-views.pb.gz" > "$T/a.svg"; "$FL" "$G/go-views.pb.gz" > "$T/b.svg"
cmp -s "$T/a.svg" "$T/b.svg"
ok $? "same input, same bytes"

# 12-13: totals: the root frame and cprof-fold's sum equal cprof-top's total
root=$(grep -o '<g class="f" o="0" v="[0-9]*"><title>all (' "$T/a.svg" | grep -o 'v="[0-9]*"' | tr -dc 0-9)
sum=$("$FO" "$G/go-views.pb.gz" | awk '{ s += $NF } END { print s }')
total=$("$TOP" --value samples --nodefraction 0 "$G/go-views.pb.gz" | sed -n 's/^Showing nodes accounting for \([0-9]*\), .*/\1/p')
is "$root" "$total" "flame root total = model total ($total samples)"
is "$sum" "$total" "cprof-fold counts add up to the model total"
ns=$("$FO" --value cpu "$G/go-views.pb.gz" | awk '{ s += $NF } END { printf "%.0f", s }')
is "$ns" "$((total * 10000000))" "cprof-fold --value cpu adds up to samples x period"

# 15-16: pruning keeps parents' totals
awk 'BEGIN { print "main;big 1000000"; for (i = 0; i < 300; i++) printf "main;small%d 1\n", i }' > "$T/prune.folded"
"$FL" "$T/prune.folded" > "$T/p.svg"
grep -q 'v="1000300"><title>main (1,000,300 samples, 100.00%)<' "$T/p.svg"
ok $? "pruned frames still counted in their parent"
is "$(grep -c 'small' "$T/p.svg")" 0 "frames under --minwidth are left out"

# 17-19: errors: one line naming the file, non-zero exit, no half file
printf '# no stack\nmain;B\n' > "$T/bad.folded"
"$FL" "$T/bad.folded" > /dev/null 2> "$T/err"; rc=$?
like "$rc:$(cat "$T/err")" "^1:cprof-flame: .*bad.folded: unrecognized format \\(cprof reads: .*folded" \
	"no line with a count: the error names the file and the formats read"
# lines flamegraph.pl ignores (a comment, a stack cut before its count) are
# skipped as it skips them: drawn from the others, with one warning
printf '# by hand\nmain;A 1\nmain;B\nmain;A 2\n' > "$T/lax.folded"
"$FL" "$T/lax.folded" > "$T/lax.svg" 2> "$T/err"; rc=$?
grep -q '<title>all (3 samples, 100%)</title>' "$T/lax.svg"
like "$rc:$?:$(cat "$T/err")" "^0:0:cprof-flame: .*lax.folded: warning: 2 lines without \"stack count\" skipped, as flamegraph.pl skips them \(line 1: " \
	"lines flamegraph.pl skips: skipped with one warning, the rest drawn (3 samples)"
"$FL" -o "$T/out.svg" "$T/missing" 2> "$T/err"; rc=$?
[ $rc -ne 0 ] && [ ! -e "$T/out.svg" ] && grep -q "^cprof-flame: $T/missing: " "$T/err"
ok $? "missing input: error, and -o leaves no file"
if [ -w /dev/full ]; then
	"$FL" "$G/abc.folded" > /dev/full 2> "$T/err"; rc=$?
	like "$rc:$(cat "$T/err")" "^1:cprof-flame: stdout: " "a full disk is an error"
else ok 0 "# SKIP no /dev/full"; fi

# 20: stdin
cat "$G/abc.folded" | "$FO" - > "$T/stdin.txt"
cmp -s "$T/stdin.txt" "$G/abc.fold.txt"
ok $? "'-' reads stdin"

# 21: --help has the options and an example
"$FL" --help > "$T/help" && grep -q -- '--flamechart' "$T/help" && grep -q 'Example' "$T/help"
ok $? "--help lists options and an example"

# 22-23: a big input (200k distinct stacks) gives a compact, valid SVG
awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++) {
	d = 3 + i % 12; s = "main"; for (j = 0; j < d; j++) s = s ";f" int(rand() * 40) "_" j;
	print s, 1 + int(rand() * 100) } }' > "$T/big.folded"
run_limited 60 "$FL" "$T/big.folded" > "$T/big.svg" && xmllint --noout --huge "$T/big.svg"
ok $? "200k stacks: valid SVG"
size=$(wc -c < "$T/big.svg")
[ "$size" -lt 3000000 ]
ok $? "200k stacks: SVG stays small ($size bytes; frames under 0.1px pruned)"

# 24: cprof-fold's output reads back to the same folded text
"$FO" "$T/big.folded" > "$T/big1.txt" && "$FO" "$T/big1.txt" > "$T/big2.txt" && cmp -s "$T/big1.txt" "$T/big2.txt"
ok $? "cprof-fold output is a fixed point"

# 25-27: the viewer in a real browser: search highlights and says
# "Matched", zoom hides what is outside and fades the parents
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
	"$FL" "$G/abc.folded" > "$T/v.svg"
	run_limited 60 "$CHROME" --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" \
		--dump-dom "file://$T/v.svg?s=%5EC%24&z=2,0" > "$T/dom" 2> /dev/null
	grep -q 'data-ready="1"' "$T/dom"
	ok $? "browser: the viewer script ran"
	like "$(grep -o 'Matched: [0-9.]*%' "$T/dom")" '^Matched: 25.00%$' "browser: search ^C\$ matches 25% (3 of 12)"
	is "$(grep -c 'class="f p"' "$T/dom"):$(grep -c 'display: none;"><title>B (' "$T/dom")" "2:1" \
		"browser: zoom on A fades all and main, hides B"
else
	ok 0 "# SKIP no chromium"; ok 0 "# SKIP no chromium"; ok 0 "# SKIP no chromium"
fi
exit $((_tap_failed > 0))
