# cprof — build, test, install.
#
#   make            build the tools (build/bin), the sampler (build/lib), the samples
#   make demo       record samples/abc and show it raw and aggregated
#   make check      every test (unit, end-to-end, browser); SAN=address,undefined for sanitizers
#   make bench      the benchmarks under bench/ (peers side by side, ratios printed)
#   make install    PREFIX=/usr/local DESTDIR=
#   make longfuncs  functions over 120 lines that do not say why they are long
#                   (part of make check)
#
# Every target that needs system packages first runs scripts/deps.sh, which
# installs what is missing (as root or through sudo) or says what to install.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif
OPT ?= -O2 -g
SAN ?=

ifeq ($(SAN),)
BUILD ?= build
SANFLAGS :=
else
BUILD ?= build/san
SANFLAGS := -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

WARN := -Wall -Wextra -Werror -Wno-missing-field-initializers
CSTD := -std=c11 -D_GNU_SOURCE
CPPFLAGS_ALL = $(CSTD) -Iinclude -Itools -I$(BUILD)/gen -MMD -MP
CFLAGS_ALL = $(OPT) $(WARN) $(CPPFLAGS_ALL) $(CFLAGS)
# Recursive (=) on purpose: pkg-config runs when a recipe needs it, after
# scripts/deps.sh has installed the packages.
PKGS := libprotobuf-c zlib libdeflate libcjson libdw libzstd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lelf -liberty -lm
# The tools (not the tests, not a sanitizer build) link these statically
# when every archive is installed (the -dev packages ship them): a tool
# then starts in 0.8 ms instead of 1.05 ms, ten shared libraries fewer to
# map and relocate (7 % of cprof-top on bench-shapes' cxx profile). libc,
# libm and cJSON (no archive) stay shared. Without an archive, the tools
# link as the tests do. Worked out once, when a tool is linked.
STATIC_DEPS := protobuf-c deflate dw elf zstd lzma bz2 z iberty
STATIC_MISSING = $(foreach l,$(STATIC_DEPS),$(if $(filter /%,$(shell $(CC) -print-file-name=lib$(l).a)),,$(l)))
TOOL_LIBS = $(eval TOOL_LIBS := $(if $(strip $(SAN)$(STATIC_MISSING)),$(PKG_LIBS),-Wl,-Bstatic \
	$(addprefix -l,$(STATIC_DEPS)) -Wl,-Bdynamic $(shell pkg-config --libs libcjson) -lm))$(TOOL_LIBS)

DEPS_BUILD := $(BUILD)/.deps-build
DEPS_TEST := $(BUILD)/.deps-test

# ---- the analysis library and tools ---------------------------------------
# tools/*.c is the library (libcprof.a); tools/cmd/ holds the mains
# (cprof-*.c) and cli.c, the one module that serves only them (as git's
# builtin/). A main is option parsing and one library call.
GEN_SRCS := $(BUILD)/gen/profile.pb-c.c
LIB_SRCS := $(wildcard tools/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/profile.pb-c.o
LIBCPROF := $(BUILD)/lib/libcprof.a
CLI_OBJ := $(BUILD)/obj/tools/cmd/cli.o
TOOL_SRCS := $(wildcard tools/cmd/cprof-*.c)
TOOLS := $(TOOL_SRCS:tools/cmd/%.c=$(BUILD)/bin/%)
# kept, so that a second make relinks nothing
.SECONDARY: $(TOOL_SRCS:%.c=$(BUILD)/obj/%.o) $(CLI_OBJ)

# ---- the sampler -----------------------------------------------------------
# Never sanitized: an ASan-built preload library cannot be loaded into an
# uninstrumented program. Frame pointers so that the FP unwinder works on it.
SAMPLE_SRCS := $(wildcard libsample/*.c)
SAMPLE_OBJS := $(SAMPLE_SRCS:%.c=$(BUILD)/obj/%.o)
LIBSAMPLE := $(BUILD)/lib/libcprof-sample.so
SAMPLE_CFLAGS = $(OPT) $(WARN) $(CSTD) -Iinclude -MMD -MP -fPIC -pthread \
	-fno-omit-frame-pointer -fvisibility=hidden $(CFLAGS)
SAMPLE_LIBS := -lunwind -ldl -lrt -pthread

# ---- sample programs to profile --------------------------------------------
# Built without inlining and with frame pointers so that their stacks are the
# ones the tests expect.
PROG_SRCS := $(wildcard samples/*.c)
PROGS := $(PROG_SRCS:samples/%.c=$(BUILD)/samples/%)
PROG_CFLAGS = -O1 -g -fno-omit-frame-pointer -fno-inline -fno-optimize-sibling-calls \
	$(WARN) $(CSTD) -Iinclude -pthread

# ---- tests -----------------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
E2E_TESTS := $(sort $(wildcard tests/e2e/*.t))
WEB_TESTS := $(sort $(wildcard tests/web/*.t))

.PHONY: all tools libsample samples unit check demo bench install clean deps deps-test
all: tools libsample samples

tools: $(TOOLS)
libsample: $(LIBSAMPLE)
samples: $(PROGS)
unit: $(UNIT_BINS)

deps: $(DEPS_BUILD)
deps-test: $(DEPS_TEST)
$(DEPS_BUILD): scripts/deps.sh
	@mkdir -p $(@D)
	@sh scripts/deps.sh build
	@touch $@
$(DEPS_TEST): scripts/deps.sh $(DEPS_BUILD)
	@mkdir -p $(@D)
	@sh scripts/deps.sh test web
	@touch $@

$(BUILD)/gen/profile.pb-c.c: proto/profile.proto | $(DEPS_BUILD)
	@mkdir -p $(@D)
	protoc-c --c_out=$(BUILD)/gen -Iproto proto/profile.proto
$(BUILD)/gen/profile.pb-c.h: $(BUILD)/gen/profile.pb-c.c

$(BUILD)/obj/gen/profile.pb-c.o: $(BUILD)/gen/profile.pb-c.c
	@mkdir -p $(@D)
	$(CC) $(OPT) $(CSTD) -w $(PKG_CFLAGS) $(SANFLAGS) -c -o $@ $<

$(BUILD)/obj/tools/%.o: tools/%.c $(BUILD)/gen/profile.pb-c.h | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(SANFLAGS) -c -o $@ $<

$(LIBCPROF): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/obj/tools/cmd/%.o $(CLI_OBJ) $(LIBCPROF)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -o $@ $< $(CLI_OBJ) $(LIBCPROF) $(TOOL_LIBS) $(LDFLAGS)

$(BUILD)/obj/libsample/%.o: libsample/%.c | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(SAMPLE_CFLAGS) -c -o $@ $<

$(LIBSAMPLE): $(SAMPLE_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libcprof-sample.so -Wl,--no-undefined -o $@ $^ $(SAMPLE_LIBS) $(LDFLAGS)

$(BUILD)/samples/%: samples/%.c | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -o $@ $< -ldl -lm $(LDFLAGS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBCPROF) | $(DEPS_TEST)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(SANFLAGS) -o $@ $< $(LIBCPROF) -lcmocka $(PKG_LIBS) $(LDFLAGS)
# cli serves only the mains: its test links it beside the library
$(BUILD)/tests/test_cli: tests/unit/test_cli.c $(CLI_OBJ) $(LIBCPROF) | $(DEPS_TEST)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itools/cmd $(PKG_CFLAGS) $(SANFLAGS) -o $@ $< $(CLI_OBJ) $(LIBCPROF) -lcmocka $(PKG_LIBS) $(LDFLAGS)

# Functions over 120 lines that do not say why (scripts/longfuncs.sh)
.PHONY: longfuncs
longfuncs:
	sh scripts/longfuncs.sh tools/*.c tools/cmd/*.c libsample/*.c

# Module fragments add what the wildcards above cannot (extra sample
# libraries, web assets, benchmarks). Each module owns its own fragment.
-include $(wildcard */module.mk)

# Everything runs under one prove, so the run ends with its summary line.
# Unit tests speak TAP through cmocka; e2e and web tests are TAP scripts.
check: longfuncs all unit $(DEPS_TEST) $(CHECK_EXTRA)
	CPROF_BUILD=$(abspath $(BUILD)) CPROF_SAN=$(SAN) CMOCKA_MESSAGE_OUTPUT=TAP \
		XDG_CACHE_HOME=$(abspath $(BUILD))/test-cache \
		prove -j2 $(PROVE_FLAGS) $(abspath $(UNIT_BINS)) $(E2E_TESTS) $(WEB_TESTS)

demo: all
	sh scripts/demo.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(LIBSAMPLE) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/cprof.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|g' scripts/cprof.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/cprof.pc
	for t in $(TOOLS); do sh scripts/manpage.sh $$t > $(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$t).1 || exit 1; done

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)
