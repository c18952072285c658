#!/bin/bash
# Fractional folded counts (flamegraph.pl's \d+(\.\d*)?: "a;b 1.5", and in
# difffolded.pl's two-count lines) through every tool, on input made here:
# cprof-fold writes them back as they were, cprof-flame draws them in
# proportion with their exact counts in the titles, cprof-top prints them
# with pprof's two decimals, speedscope and the HTML report carry them, and
# cprof-pprof writes them as integers with a unit that says so ("count/1000")
# that go tool pprof (the peer) reads as cprof-top does.
#
# flamegraph.pl itself is in no Debian package: with FLAMEGRAPH_PL set to a
# copy of it (e.g. from a FlameGraph checkout), its drawing of the same
# input is compared too: the total it shows, each frame's width (within its
# 0.1-pixel rounding) and count (it rounds to an integer: "%.0f"); without
# it those checks are skipped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
plan 18

# The input: every frame name is unique (frames compare by name), 60 leaves
# (a{0..3}b{0..2}c{0..4}: one per i < 60), 12 stacks ending higher up (self
# time in the middle of the graph), counts with 0 to 3 decimals (no trailing
# zeros: the output must equal the input), one with thousands.
awk 'function num(i, d,   w, f) {
		w = 1 + (i * 37) % 97
		if (d == 0) return w
		f = sprintf("%0" d "d", (i * 7919) % (10 ^ d))
		sub(/0+$/, "", f)
		return f == "" ? w : w "." f
	}
	BEGIN {
		for (i = 0; i < 60; i++)
			printf "main;a%d;a%db%d;a%db%dc%d %s\n", i % 4, i % 4, i % 3, i % 4, i % 3, i % 5, num(i, i % 4)
		for (i = 0; i < 12; i++)
			printf "main;a%d;a%db%d %s\n", i % 4, i % 4, i % 3, num(i + 60, (i + 1) % 4)
		print "main;big 12345.5"
	}' | LC_ALL=C sort > "$T/in.folded"

# exact decimal sums of a file's counts per frame path: "path total", root
# "all"; awk's doubles hold these sums (3 decimals, 6 digits) exactly enough
path_totals() {
	awk '{ n = $NF; k = split($1, f, ";"); p = ""; all += n
		for (i = 1; i <= k; i++) { p = p (i > 1 ? ";" : "") f[i]; t[p] += n } }
	     END { printf "all %.3f\n", all; for (p in t) printf "%s %.3f\n", p, t[p] }' "$1" |
		sed -E 's/(\.[0-9]*[1-9])0+$/\1/; s/\.0+$//' | LC_ALL=C sort
}
path_totals "$T/in.folded" > "$T/totals"
total=$(awk '$1 == "all" { print $2 }' "$T/totals")

# 1. cprof-fold: the same lines back
"$BIN/cprof-fold" "$T/in.folded" > "$T/out.folded" 2> "$T/err"
cmp -s "$T/in.folded" "$T/out.folded"
r=$?; ok $r "cprof-fold writes fractional counts back as they were ($(wc -l < "$T/in.folded") lines, total $total)"; [ $r = 0 ] || diag "$(diff "$T/in.folded" "$T/out.folded" | head -5)" "$(cat "$T/err")"

# 2. and a merge with an integer file rescales it: counts add up exactly
printf 'main;a0;a0b0;a0b0c0 2\nmain;int 7\n' > "$T/int.folded"
"$BIN/cprof-fold" "$T/in.folded" "$T/int.folded" > "$T/merged.folded" 2> "$T/err"
want=$(cat "$T/in.folded" "$T/int.folded" | awk '{ s[$1] += $2 } END { for (k in s) printf "%s %.3f\n", k, s[k] }' |
	sed -E 's/(\.[0-9]*[1-9])0+$/\1/; s/\.0+$//' | LC_ALL=C sort)
is "$(cat "$T/merged.folded")" "$want" "cprof-fold merges a fractional and an integer file: every count exact"

# 3-5. cprof-flame: each frame's title has its exact count (thousands
# separated) and percentage, its width is its share of 1180 pixels
"$BIN/cprof-flame" "$T/in.folded" > "$T/c.svg" 2> "$T/err"
xmllint --noout "$T/c.svg" 2>> "$T/err"
r=$?; ok $r "cprof-flame draws fractional input (valid SVG)"; [ $r = 0 ] || diag "$(cat "$T/err")"
# "name|count|percent|width" per frame, from an SVG of cprof-flame or flamegraph.pl
frames() {
	sed -n 's/.*<title>\(.*\) (\([0-9.,]*\) samples, \([0-9.]*\)%.*<rect x="[^"]*" \(y="[^"]*" \)\{0,1\}width="\([^"]*\)".*/\1|\2|\3|\5/p' "$1" |
		tr -d , | LC_ALL=C sort
}
frames "$T/c.svg" > "$T/c.frames"
# the leaf name of each path is the frame's name (names are unique); frames
# under 0.1 pixel are left out (cprof-flame's and flamegraph.pl's --minwidth)
awk -v t="$total" '1180 * $2 / t >= 0.1 { n = split($1, f, ";"); print f[n], $2 }' "$T/totals" |
	LC_ALL=C sort > "$T/want.counts"
awk -F'|' '{ print $1, $2 }' "$T/c.frames" | LC_ALL=C sort > "$T/got.counts"
cmp -s "$T/want.counts" "$T/got.counts"
r=$?; ok $r "cprof-flame: every frame's title has its exact count ($(wc -l < "$T/c.frames") frames)"; [ $r = 0 ] || diag "$(diff "$T/want.counts" "$T/got.counts" | head -6)"
awk -F'|' -v t="$total" '$1 != "all" { p = 100 * $2 / t; w = 1180 * $2 / t
		if ((p - $3) ^ 2 > 0.0051 ^ 2 || (w - $4) ^ 2 > 0.0051 ^ 2) { print; bad++ } }
	END { exit bad > 0 }' "$T/c.frames" > "$T/bad"
r=$?; ok $r "cprof-flame: every frame's percentage and width are its exact share"; [ $r = 0 ] || diag "$(head -3 "$T/bad")"

# 6-8. the same drawn by flamegraph.pl, when there is one
fg=${FLAMEGRAPH_PL:-}
if [ -n "$fg" ] && [ -f "$fg" ] && command -v perl > /dev/null; then
	perl "$fg" "$T/in.folded" > "$T/f.svg" 2> /dev/null
	frames "$T/f.svg" > "$T/f.frames"
	fall=$(awk -F'|' '$1 == "all" { print $2 }' "$T/f.frames")
	awk -v a="$fall" -v t="$total" 'BEGIN { d = a - t; exit !(d * d <= 0.25) }'
	ok $? "flamegraph.pl's total ($fall) is cprof's exact total ($total), rounded"
	# join by name: flamegraph.pl's count is cprof's rounded, its width
	# cprof's within its 0.1-pixel rounding of both ends
	join -t'|' -j 1 "$T/c.frames" "$T/f.frames" > "$T/joined"
	is "$(wc -l < "$T/joined")" "$(wc -l < "$T/c.frames")" "flamegraph.pl draws the frames cprof-flame draws"
	awk -F'|' '{ d = $5 - $2; e = $7 - $4; if (d * d > 0.25 || e * e > 0.11 ^ 2) { print; bad++ } }
		END { exit bad > 0 }' "$T/joined" > "$T/bad"
	r=$?; ok $r "every frame: flamegraph.pl's count is cprof's rounded, widths within 0.11 px"; [ $r = 0 ] || diag "$(head -3 "$T/bad")"
else
	for i in 1 2 3; do ok 0 "# SKIP flamegraph.pl is in no Debian package: set FLAMEGRAPH_PL=/path/to/flamegraph.pl"; done
fi

# 9. cprof-top --by stack: each stack's count with pprof's two decimals
"$BIN/cprof-top" --by stack -n 1000 --no-header "$T/in.folded" 2> "$T/err" |
	awk 'NR > 2 { print $3, $1 }' | LC_ALL=C sort > "$T/got"
awk '{ v = sprintf("%.2f", $2); sub(/\.00$/, "", v); print $1, v }' "$T/in.folded" | LC_ALL=C sort > "$T/want"
cmp -s "$T/want" "$T/got"
r=$?; ok $r "cprof-top --by stack: every stack's fractional count, two decimals"; [ $r = 0 ] || diag "$(diff "$T/want" "$T/got" | head -5)"

# 10. cprof-raw: every sample's exact count
"$BIN/cprof-raw" "$T/in.folded" 2> /dev/null | awk '!/^#/ { print $6, $4 }' | LC_ALL=C sort > "$T/got"
awk '{ print $1, $2 }' "$T/in.folded" | LC_ALL=C sort > "$T/want"
cmp -s "$T/want" "$T/got"
r=$?; ok $r "cprof-raw: every sample's exact fractional count"; [ $r = 0 ] || diag "$(diff "$T/want" "$T/got" | head -5)"

# 11. speedscope: the weights are the exact counts, endValue their total
"$BIN/cprof-html" --speedscope "$T/in.folded" -o "$T/s.json" 2> "$T/err"
w=$(sed -n 's/.*"weights":\[\([^]]*\)\].*/\1/p' "$T/s.json" | tr , '\n' | sort -g | tr '\n' ' ')
want=$(awk '{ print $2 }' "$T/in.folded" | sort -g | tr '\n' ' ')
end=$(sed -n 's/.*"endValue":\([0-9.]*\).*/\1/p' "$T/s.json")
[ "$w" = "$want" ] && [ "$end" = "$total" ]
ok $? "speedscope JSON: weights are the exact counts, endValue the total ($end)"

# 12. the HTML report: the values and their decimals for the viewer
"$BIN/cprof-html" "$T/in.folded" -o "$T/r.html" 2> "$T/err"
grep -q '"valueTypes":\[\["samples","count",3\]\]' "$T/r.html"
ok $? "cprof-html: the sample type carries its 3 decimals for the viewer"

# 13-15. cprof-pprof: pprof values are integers: thousandths, unit "count/1000"
"$BIN/cprof-pprof" "$T/in.folded" -o "$T/p.pb.gz" 2> "$T/err"
r=$?; ok $r "cprof-pprof writes fractional input"; [ $r = 0 ] || diag "$(cat "$T/err")"
if command -v go > /dev/null; then
	gopprof -raw "$T/p.pb.gz" > "$T/raw.txt"
	grep -q '^samples/count/1000$' "$T/raw.txt"
	ok $? "go tool pprof reads the sample type samples/count/1000"
	gopprof -top -nodecount=1000 "$T/p.pb.gz" > "$T/want"
	"$BIN/cprof-top" -n 1000 "$T/p.pb.gz" > "$T/got" 2>&1
	gtotal=$(sed -n 's/.* of \([0-9]*\)count\/1000 total$/\1/p' "$T/want")
	cmp -s "$T/want" "$T/got" && [ "$gtotal" = "$(awk -v t="$total" 'BEGIN { printf "%.0f", t * 1000 }')" ]
	r=$?; ok $r "go tool pprof -top: total ${gtotal}count/1000 = $total samples; cprof-top prints the same bytes"; [ $r = 0 ] || diag "$(diff "$T/want" "$T/got" | head -6)"
else
	ok 0 "# SKIP go is not installed (scripts/deps.sh test: golang-go)"
	ok 0 "# SKIP go is not installed (scripts/deps.sh test: golang-go)"
fi

# 16-18. difffolded.pl's two counts, fractional: the AFTER counts are drawn
# and written; flamegraph.pl (when there is one) draws the same widths
awk '{ b = $2 * 2 / 3; printf "%s %.2f %s\n", $1, b, $2 }' "$T/in.folded" > "$T/diff.folded"
"$BIN/cprof-fold" "$T/diff.folded" > "$T/got" 2> "$T/err"
cmp -s "$T/in.folded" "$T/got"
r=$?; ok $r "two fractional counts: cprof-fold writes the AFTER counts as they were"; [ $r = 0 ] || diag "$(diff "$T/in.folded" "$T/got" | head -5)"
"$BIN/cprof-flame" "$T/diff.folded" > "$T/cd.svg" 2> "$T/err"
grep -q "<title>all ($(awk -v t="$total" 'BEGIN { n = split(t, p, "."); s = p[1]; o = ""
	while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
	print s o (n > 1 ? "." p[2] : "") }') samples, 100%)</title>" "$T/cd.svg"
ok $? "two fractional counts: cprof-flame's differential graph totals the AFTER counts"
if [ -n "$fg" ] && [ -f "$fg" ] && command -v perl > /dev/null; then
	perl "$fg" "$T/diff.folded" > "$T/fd.svg" 2> /dev/null
	join -t'|' -j 1 <(frames "$T/cd.svg") <(frames "$T/fd.svg") |
		awk -F'|' '{ e = $7 - $4; if (e * e > 0.11 ^ 2) bad++; n++ } END { exit !(n > 70 && !bad) }'
	ok $? "two fractional counts: flamegraph.pl's widths are cprof-flame's (within 0.11 px)"
else
	ok 0 "# SKIP flamegraph.pl is in no Debian package: set FLAMEGRAPH_PL=/path/to/flamegraph.pl"
fi
