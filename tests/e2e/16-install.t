#!/usr/bin/env bash
# make install: tools, the preload library, the header, pkg-config and man
# pages land under DESTDIR/PREFIX, and the installed cprof-record finds its
# installed library.
. "$(dirname "$0")/lib.sh"
plan 7
D=$T/dest
make -s -C "$ROOT" install BUILD="$BUILD" SAN="${CPROF_SAN:-}" DESTDIR="$D" PREFIX=/opt/cprof >"$T/install.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/opt/cprof"
n=$(ls "$D/opt/cprof/bin" 2>/dev/null | grep -c '^cprof-')
is "$n" 7 "seven tools installed"
ok "$([ -f "$D/opt/cprof/lib/libcprof-sample.so" ] && [ -f "$D/opt/cprof/include/cprof.h" ]; echo $?)" "library and header installed"
like "$(cat "$D/opt/cprof/lib/pkgconfig/cprof.pc" 2>/dev/null)" 'prefix=/opt/cprof' "pkg-config file names the prefix"
m=$(ls "$D/opt/cprof/share/man/man1" 2>/dev/null | grep -c '\.1$')
is "$m" 7 "a man page per tool"
like "$(head -3 "$D/opt/cprof/share/man/man1/cprof-top.1" 2>/dev/null)" '^\.TH CPROF-TOP 1' "man page has a title line"
"$D/opt/cprof/bin/cprof-record" -q -o "$T/i.cprof" -- "$PROGS/abc" 0.3 >/dev/null 2>&1 &&
	"$BIN/cprof-raw" "$T/i.cprof" 2>/dev/null | grep -q ';A'
ok $? "the installed cprof-record preloads the installed library (samples in A)"
