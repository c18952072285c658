#!/usr/bin/env bash
# Hostile input for every tool: the files of hostile-gen (tests/fuzz/
# hostile_gen.c says what each one is) through cprof-raw, -pprof, -top,
# -fold, -flame and -html with -o. The name of each file says what a tool
# must do with it:
#   ok.*   succeed, and the output escapes every name: the SVG is valid XML
#          (xmllint), the HTML's JSON parses and no name makes markup, the
#          folded text has one "stack count" per line, the pprof reads back;
#   err.*  fail with exit 1..127 and one line "cprof-X: FILE: what" on stderr;
#   any.*  either, but as above.
# Never: a crash (exit >= 128), a sanitizer report, a hang (time limit), or
# an -o file left behind by a failure.
. "$(dirname "$0")/lib.sh"
GEN=$BUILD/fuzz-tools/hostile-gen
[ -x "$GEN" ] || skip_all "hostile-gen not built"
tools="raw pprof top fold flame html"
for t in $tools; do [ -x "$BIN/cprof-$t" ] || skip_all "cprof-$t not built"; done
mkdir -p "$T/in" && "$GEN" "$T/in" || { echo "Bail out! hostile-gen failed"; exit 1; }
files=$(cd "$T/in" && ls)
plan $(( $(echo "$files" | wc -l) * 6 ))

have_node=0
command -v node >/dev/null && have_node=1
# the JSON inside the report's data element must parse
html_json_ok() {
	[ $have_node = 1 ] || return 0
	node -e '
		const s = require("fs").readFileSync(process.argv[1], "utf8");
		const m = s.match(/<script[^>]*type="application\/json"[^>]*>([\s\S]*?)<\/script>/);
		if (!m) { console.log("no data element"); process.exit(1); }
		JSON.parse(m[1]);' "$1"
}

# Known open bugs (docs/reliability.md), reported as TODO while open.
todo_for() { # tool file
	case $2 in
	none-open) ;;
	esac
}

check_output() { # tool out -> 0 when the output is well formed
	case $1 in
	flame) xmllint --noout "$2" 2>&1 | head -3 ;;
	html)
		html_json_ok "$2" 2>&1 | tail -1
		grep -c '<script>alert\|<img src=x' "$2" | grep -v '^0$' | sed 's/^/unescaped names: /' ;;
	fold) LC_ALL=C awk '!/^[^\n]* -?[0-9]+$/ { print "bad folded line " NR ": " substr($0, 1, 80); exit }' "$2" ;;
	raw) LC_ALL=C awk '!/^#/ && !/^(-?[0-9]+\.[0-9][0-9][0-9]|-) (-?[0-9]+|-) [^ ]+ -?[0-9]+ \{.*\} / { print "bad line " NR ": " substr($0, 1, 80); exit }' "$2" ;;
	pprof) "$BIN/cprof-top" "$2" >/dev/null 2>"$T/reread.err" || echo "cprof-top cannot read it back: $(head -c 200 "$T/reread.err")" ;;
	top) : ;;
	esac
}

for f in $files; do
	expect=${f%%.*}
	for t in $tools; do
		out=$T/out.$t
		rm -f "$out" "$out".tmp* # a crash before could have left its temporary
		s0=$(date +%s%N)
		run_limited 120 "$BIN/cprof-$t" "$T/in/$f" -o "$out" >"$T/stdout" 2>"$T/stderr"
		rc=$?
		ms=$(( ($(date +%s%N) - s0) / 1000000 ))
		[ $ms -lt 2000 ] || diag "cprof-$t $f took $ms ms"
		why=""
		if [ $rc -ge 124 ]; then why="exit $rc (crash or timeout)"
		elif grep -q 'Sanitizer\|runtime error:' "$T/stderr"; then why="sanitizer: $(grep -m1 'Sanitizer\|runtime error' "$T/stderr")"
		elif [ $rc -eq 0 ]; then
			if [ "$expect" = err ]; then why="accepted an invalid file"
			elif [ ! -e "$out" ]; then why="exit 0 but no output file"
			else why=$(check_output "$t" "$out"); fi
		else
			if [ "$expect" = ok ]; then why="refused a valid file: $(head -c 200 "$T/stderr")"
			elif [ -e "$out" ] || ls "$T"/out.$t.* >/dev/null 2>&1; then why="an -o file was left behind"
			elif [ "$(wc -l <"$T/stderr")" -ne 1 ]; then why="not one line of error: $(head -c 300 "$T/stderr")"
			elif ! grep -q "^cprof-$t: .*$f" "$T/stderr"; then why="the error does not name the file: $(head -c 200 "$T/stderr")"
			fi
		fi
		todo=$(todo_for "$t" "$f")
		if [ -n "$why" ] && [ -n "$todo" ]; then
			_tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - cprof-$t $f # TODO $todo"
			diag "$(printf '%s' "$why" | head -c 300 | LC_ALL=C tr -c '[:print:]\n' '?')"
		elif [ -z "$why" ]; then ok 0 "cprof-$t $f (exit $rc)"
		else ok 1 "cprof-$t $f"; diag "$(printf '%s' "$why" | head -c 300 | LC_ALL=C tr -c '[:print:]\n' '?')"; fi
	done
done
