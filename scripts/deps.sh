#!/bin/sh
# Installs the Debian packages cprof needs to build and test, and only those
# that are missing. Idempotent: a second run does nothing.
#   scripts/deps.sh          build + test dependencies
#   scripts/deps.sh build    only what `make` needs
#   scripts/deps.sh web      also the browser-test stack (chromium, node, playwright-core)
#   scripts/deps.sh fuzz     clang and its libFuzzer/sanitizer runtime (make fuzz)
set -eu
want="$*"
[ -n "$want" ] || want="build test"

pkgs_build="gcc make pkg-config libunwind-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libdeflate-dev libzstd-dev libcjson-dev libdw-dev libelf-dev libiberty-dev liblzma-dev libbz2-dev"
pkgs_test="libcmocka-dev elfutils binutils golang-go perl libxml2-utils google-perftools libgoogle-perftools-dev valgrind clang graphviz linux-perf xz-utils nodejs g++"
pkgs_web="chromium"

list=""
for w in $want; do
	case "$w" in
	build) list="$list $pkgs_build" ;;
	test) list="$list $pkgs_test" ;;
	fuzz) list="$list clang"
		# libFuzzer ships in the runtime package of clang's own version
		if command -v clang >/dev/null 2>&1; then
			v=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
			[ -n "$v" ] && list="$list libclang-rt-$v-dev"
		fi ;;
	web) list="$list $pkgs_web"
		# node/npm may come from another source than Debian's packages
		command -v npm >/dev/null 2>&1 || list="$list nodejs npm" ;;
	*) echo "deps.sh: unknown group '$w' (build, test, web, fuzz)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $list; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "deps.sh: missing Debian packages:$missing" >&2
		echo "deps.sh: install them as root: apt-get install$missing" >&2
		exit 1
	fi
	echo "deps.sh: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >/dev/null || true
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# clang had to be installed before its runtime's name was known: once more.
case " $want " in *" fuzz "*)
	v=$(clang -dumpversion | cut -d. -f1)
	dpkg-query -W -f='${Status}' "libclang-rt-$v-dev" 2>/dev/null | grep -q 'install ok installed' ||
		exec sh "$0" fuzz
;; esac

# playwright-core drives Debian's chromium; it never downloads a browser.
case " $want " in *" web "*)
	here=$(cd "$(dirname "$0")/.." && pwd)
	if [ ! -d "$here/tests/web/node_modules/playwright-core" ]; then
		echo "deps.sh: npm install (tests/web: playwright-core)" >&2
		(cd "$here/tests/web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent >/dev/null)
	fi
;; esac
exit 0
