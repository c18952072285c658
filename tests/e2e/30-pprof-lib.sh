# Helpers for the pprof end-to-end tests (tests/e2e/3*.t): run the real peer,
# `go tool pprof`, in a sandbox (no network, caches under $T), and turn its
# and cprof's outputs into comparable "name flat cum" tables.

# gopprof ARGS...: go tool pprof with its cache ($HOME/pprof) under $T.
gopprof() {
	HOME=$T/home GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod GOTOOLCHAIN=local \
		GOPROXY=off GOSUMDB=off PPROF_TMPDIR=$T/home/pprof \
		run_limited 120 go tool pprof "$@" 2>/dev/null
}

# go_top FILE INDEX: "name flat cum" per function from go tool pprof -top for
# sample type INDEX (samples, cpu, wall), values as plain integers, sorted.
# pprof lists a function once inlined ("name (inline)") and once not when it
# is both; cprof has one row for it: the two are added.
go_top() {
	local f=$1 idx=$2 unit=
	[ "$idx" != samples ] && unit=-unit=ns
	gopprof -top -nodecount=100000 -nodefraction=0 -edgefraction=0 -sample_index="$idx" \
		$unit "${@:3}" "$f" |
		awk 'p && NF >= 6 { f = $1; c = $4; sub(/ns$/, "", f); sub(/ns$/, "", c)
			name = $6; for (i = 7; i <= NF; i++) name = name " " $i
			sub(/ \(inline\)$/, "", name); fl[name] += f; cu[name] += c }
		     /flat%.*cum%/ { p = 1 }
		     END { for (n in fl) printf "%s %.0f %.0f\n", n, fl[n], cu[n] }' | LC_ALL=C sort
}

# folded_top: reads folded stacks (cprof-fold output) on stdin and prints
# "name flat cum" per function as pprof counts them (cum once per stack).
folded_top() {
	awk '{ if (!match($0, / -?[0-9]+$/)) next
		stack = substr($0, 1, RSTART - 1); n = substr($0, RSTART + 1) + 0
		k = split(stack, f, ";"); flat[f[k]] += n
		split("", seen)
		for (i = 1; i <= k; i++) if (!(f[i] in seen)) { seen[f[i]] = 1; cum[f[i]] += n } }
	     END { for (x in cum) printf "%s %.0f %.0f\n", x, flat[x], cum[x] }' | LC_ALL=C sort
}

# pprof_names: folded stacks on stdin with each frame cprof could not name
# (MODULE+0xOFFSET, e.g. a sample in abc's PLT stub) renamed [MODULE], as
# go tool pprof names a location without a function; stacks that become
# equal are summed.
pprof_names() {
	perl -pe 's/(^|;)([^;\s]+)\+0x[0-9a-f]+(?=;|\s)/$1\[$2\]/g' |
		awk '{ if (!match($0, / -?[0-9]+$/)) next
			s[substr($0, 1, RSTART - 1)] += substr($0, RSTART + 1) }
		     END { for (k in s) printf "%s %.0f\n", k, s[k] }'
}

# sum_folded: the total of folded stacks on stdin.
sum_folded() { awk '{ s += $NF } END { print s + 0 }'; }
