#!/bin/sh
# Writes a man page for a cprof tool from its --help text (the manual's first
# page) plus a pointer to the full document in docs/.
# Usage: scripts/manpage.sh BIN/cprof-NAME > cprof-NAME.1
set -eu
tool=$1
name=$(basename "$tool")
help=$("$tool" --help 2>&1) || true
[ -n "$help" ] || { echo "manpage.sh: $tool printed no --help" >&2; exit 1; }
case "$name" in
cprof-record) summary="record a program's stacks into a raw cprof file" ;;
cprof-raw) summary="show a recording's samples in time order (the raw view)" ;;
cprof-top) summary="top tables by function, line, file, address or stack" ;;
cprof-pprof) summary="convert profiles to gzipped pprof (go tool pprof)" ;;
cprof-fold) summary="folded stacks for flamegraph.pl and inferno" ;;
cprof-flame) summary="interactive SVG flame graph" ;;
cprof-html) summary="one self-contained HTML report (and speedscope JSON)" ;;
*) summary="a cprof tool" ;;
esac
printf '.TH %s 1 "" "cprof" "cprof manual"\n' "$(echo "$name" | tr a-z A-Z)"
printf '.SH NAME\n%s \\- %s\n' "$name" "$summary"
printf '.SH DESCRIPTION\n.nf\n'
# roff: a leading dot or quote would be a request; backslashes must be doubled
printf '%s\n' "$help" | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
printf '.fi\n.SH SEE ALSO\nThe full manual: docs/%s.md in the cprof sources; docs/architecture.md.\n' "$name"
