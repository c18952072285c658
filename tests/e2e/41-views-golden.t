#!/bin/bash
# Golden files: cprof-top, cprof-fold and cprof-flame on small fixed inputs
# (folded text, a Go-produced pprof profile, a raw file recorded from
# samples/abc), one case per option. The expected bytes live in
# tests/golden/; CPROF_UPDATE_GOLDEN=1 rewrites them (review the diff!).
. "$(dirname "$0")/lib.sh"
G=$ROOT/tests/golden
export TZ=UTC
# name | tool | arguments (the input is the last word)
CASES=$(cat <<'EOF_CASES'
abc.top.txt|cprof-top|abc.folded
abc.top-cum-n2.txt|cprof-top|--cum -n 2 abc.folded
abc.top-stack.txt|cprof-top|--by stack abc.folded
abc.top-focus.txt|cprof-top|--focus ^C$ abc.folded
abc.top-ignore.txt|cprof-top|--ignore C abc.folded
abc.fold.txt|cprof-fold|abc.folded
abc.flame.svg|cprof-flame|abc.folded
abc.flame-options.svg|cprof-flame|--title abc --subtitle seed --width 600 --minwidth 2 --colors mem --inverted abc.folded
abc.flame-reverse.svg|cprof-flame|--reverse --colors io abc.folded
abc.flame-diff.svg|cprof-flame|--diff abc-base.folded abc.folded
xss.flame.svg|cprof-flame|--title <b>&amp; xss.folded
xss.fold.txt|cprof-fold|xss.folded
go.top.txt|cprof-top|go-views.pb.gz
go.top-n5.txt|cprof-top|-n 5 go-views.pb.gz
go.top-line.txt|cprof-top|--by line go-views.pb.gz
go.top-file.txt|cprof-top|--by file go-views.pb.gz
go.top-address.txt|cprof-top|--by address go-views.pb.gz
go.top-samples.txt|cprof-top|--value samples go-views.pb.gz
go.top-tag.txt|cprof-top|--tag phase=a go-views.pb.gz
go.top-stack.txt|cprof-top|--by stack go-views.pb.gz
go.fold.txt|cprof-fold|go-views.pb.gz
go.fold-cpu.txt|cprof-fold|--value cpu go-views.pb.gz
go.fold-lines.txt|cprof-fold|--lines go-views.pb.gz
go.fold-addrs.txt|cprof-fold|--addrs go-views.pb.gz
go.fold-inline.txt|cprof-fold|--inline go-views.pb.gz
go.fold-tag.txt|cprof-fold|--tag phase=b go-views.pb.gz
go.flame.svg|cprof-flame|go-views.pb.gz
go.flame-module.svg|cprof-flame|--colors module --inline go-views.pb.gz
raw.top.txt|cprof-top|--no-symbolize abc.cprof
raw.top-stack.txt|cprof-top|--no-symbolize --by stack abc.cprof
raw.top-time.txt|cprof-top|--no-symbolize --from 200ms --to 0.6s abc.cprof
raw.top-thread.txt|cprof-top|--no-symbolize --thread 25426 abc.cprof
raw.fold.txt|cprof-fold|--no-symbolize abc.cprof
raw.fold-threads.txt|cprof-fold|--no-symbolize --threads --value cpu abc.cprof
raw.flame-chart.svg|cprof-flame|--no-symbolize --flamechart abc.cprof
raw.flame-threads.svg|cprof-flame|--no-symbolize --threads --value cpu abc.cprof
EOF_CASES
)
plan $(printf '%s\n' "$CASES" | wc -l)
cd "$G" || exit 1
while IFS='|' read -r name tool args; do
	# shellcheck disable=SC2086
	run_limited 60 "$BIN/$tool" $args > "$T/out" 2> "$T/err"
	rc=$?
	if [ "${CPROF_UPDATE_GOLDEN:-}" = 1 ] && [ $rc -eq 0 ]; then cp "$T/out" "$G/$name"; fi
	if [ $rc -ne 0 ]; then
		ok 1 "$tool $args"; diag "exit $rc: $(cat "$T/err")"
	elif cmp -s "$T/out" "$G/$name"; then
		ok 0 "$tool $args = $name"
	else
		ok 1 "$tool $args = $name"; diff "$G/$name" "$T/out" | head -20 | sed 's/^/# /'
	fi
done <<< "$CASES"
exit $((_tap_failed > 0))
