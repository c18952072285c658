#!/bin/sh
# scripts/longfuncs.sh [-n LINES] FILE... — C functions longer than LINES
# (default 120) whose comment does not say why they are long.
#
# A function is what this code base writes at column 0: its signature
# starting at column 0, its body from a "{" line to a "}" line, both at
# column 0. Its length counts from the signature's first line to the "}".
# A long function passes when the comment right above it (or its first
# body line's comment) says "long on purpose", followed by the reason.
# Prints "FILE:LINE: NAME: N lines" for each other one and exits 1 if any.
# `make longfuncs` runs it over tools/ and libsample/.
set -eu
max=120
if [ "${1:-}" = "-n" ]; then
	max=$2
	shift 2
fi
awk -v max="$max" '
FNR == 1 { sig = 0; comment = ""; inbody = 0 }
# a comment block: remember its text until the next code line
/^\/\*/ && !inbody { comment = ""; incomment = 1 }
incomment { comment = comment " " $0; if ($0 ~ /\*\//) incomment = 0; next }
!inbody && /^[A-Za-z_].*\(/ && !/;[ \t]*$/ {
	sig = FNR; name = $0; sub(/\(.*/, "", name); n = split(name, w, /[ \t*]+/); name = w[n]
	sigcomment = comment
}
!inbody && /^\{/ && sig { inbody = 1; first = 1; next }
inbody && first { first = 0; if ($0 ~ /\/\*/) sigcomment = sigcomment " " $0 }
inbody && /^\}/ {
	inbody = 0
	len = FNR - sig + 1
	if (len > max && tolower(sigcomment) !~ /long on purpose/) {
		printf "%s:%d: %s: %d lines\n", FILENAME, sig, name, len
		bad = 1
	}
	sig = 0; comment = ""
	next
}
!inbody && !/^[ \t]*$/ && !/^\/\*/ && !/^[A-Za-z_].*\(/ && !/^\{/ && !/^[ \t]/ { comment = "" }
END { exit bad }
' "$@"
