#!/bin/bash
# Labels set by a C program (samples/labels: cprof_label_set, endpoint=...)
# travel from the raw file through cprof-pprof into go tool pprof: -tags
# shows the same counts per label value as cprof's raw view, -tagfocus keeps
# the functions that run under the label, and unlabelled samples stay
# unlabelled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
P=$BIN/cprof-pprof
[ -x "$P" ] && [ -x "$BIN/cprof-raw" ] && [ -x "$BIN/cprof-record" ] && [ -x "$PROGS/labels" ] ||
	skip_all "cprof-pprof, cprof-raw, cprof-record or samples/labels not built"
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
plan 7
mkdir -p "$T/home"

run_limited 60 "$BIN/cprof-record" -q -F 1000 -o "$T/lab.cprof" -- "$PROGS/labels" 1 > /dev/null
ok $? "cprof-record -- labels 1"
"$P" "$T/lab.cprof" -o "$T/lab.pb.gz"; ok $? "cprof-pprof converts it"

# per label value: go -tags = cprof-raw's {key=value} field
want=$("$BIN/cprof-raw" "$T/lab.cprof" | awk '!/^#/ && $5 ~ /^\{endpoint=/ {
	v = $5; sub(/^\{endpoint=/, "", v); sub(/[,}].*/, "", v); n[v]++ }
	END { for (v in n) print "endpoint", v, n[v] }' | LC_ALL=C sort)
got=$(gopprof -tags -sample_index=samples "$T/lab.pb.gz" | awk '
	/^ *[^ ]+: Total / { key = $1; sub(/:$/, "", key); next }
	/\): / { v = $0; sub(/^[^)]*\): /, "", v); print key, v, $1 + 0 }' | LC_ALL=C sort)
like "$want" "endpoint /users [0-9]+" "cprof-raw shows endpoint=/users samples"
is "$got" "$want" "go tool pprof -tags counts = cprof-raw's per endpoint"

# -tagfocus: no sample under a label is in another handler, and nearly all
# are inside its own. Not all: a tick can land in the label switch itself
# (label() -> cprof_label_set, just before or after the handler), which
# carries the label but is not in the handler.
under() { # TAG HANDLER OTHER...
	local tag=$1 h=$2; shift 2
	go_top "$T/lab.pb.gz" samples -tagfocus="$tag" | awk -v h="$h" -v others="$*" '
		BEGIN { n = split(others, o, " "); for (i = 1; i <= n; i++) bad[o[i]] = 1 }
		{ total += $2; if ($1 == h) cum = $3; if ($1 in bad) wrong++ }
		END { exit !(total > 0 && cum >= 0.9 * total && !wrong) }'
}
under endpoint=/users handle_users handle_orders housekeeping
ok $? "under endpoint=/users the samples are in handle_users (none in another handler)"
under endpoint=/orders handle_orders handle_users housekeeping
ok $? "under endpoint=/orders the samples are in handle_orders (none in another handler)"
# unlabelled samples: total - labelled = cprof-raw's {} lines
n0=$("$BIN/cprof-raw" "$T/lab.cprof" | awk '!/^#/ && $5 == "{}" { n++ } END { print n + 0 }')
all=$(go_top "$T/lab.pb.gz" samples | awk '{ s += $2 } END { print s + 0 }')
lab=$(echo "$got" | awk '{ s += $3 } END { print s + 0 }')
is "$((all - lab))" "$n0" "unlabelled samples stay unlabelled ($n0)"
