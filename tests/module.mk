# tests/module.mk — reliability: sampler torture programs, fuzz targets and
# their regression replay, the hostile-input generator.
#
#   make fuzz FUZZ_SECONDS=N   builds every fuzz target with clang (libFuzzer,
#                              ASan, UBSan) in $(FUZZ_BUILD) and runs each N s
#   make fuzz-smoke            the same, about 10 s per target (CI)
#   make check                 also builds the torture programs, the replay
#                              drivers and the generator; tests/e2e/6*.t use them

# ---- torture programs (profiled by libsample: never sanitized) -------------
TORTURE_PROGS := $(patsubst tests/torture/t_%.c,$(BUILD)/torture/%,$(wildcard tests/torture/t_*.c))
TORTURE_LIBS := $(patsubst tests/torture/so_%.c,$(BUILD)/torture/lib%.so,$(wildcard tests/torture/so_*.c))

$(BUILD)/torture/lib%.so: tests/torture/so_%.c tests/torture/torture.h
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -fPIC -shared -Wl,--build-id -o $@ $< $(LDFLAGS)

$(BUILD)/torture/%: tests/torture/t_%.c tests/torture/torture.h | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -Wl,--build-id -o $@ $< -ldl -lm $(LDFLAGS)

torture: $(TORTURE_PROGS) $(TORTURE_LIBS)

# ---- fuzz targets ----------------------------------------------------------
# Each tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput. In a normal (or
# sanitizer) build it is linked with tests/fuzz/replay.c into a driver that
# replays files (tests/fuzz/regress/NAME/*, the seeds): that is the
# regression test make check runs. Under `make fuzz` the same file is linked
# with libFuzzer.
# A target is built once the modules it drives exist (they land one by one).
FUZZ_NEEDS_COMMON := tools/reader.c tools/pprof.c tools/folded.c
FUZZ_NEEDS_svg := tools/flame.c
FUZZ_NEEDS_html := tools/html.c
FUZZ_NEEDS_perfscript := tools/perfscript.c
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(foreach t,$(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%),$(if $(filter-out \
	$(wildcard $(FUZZ_NEEDS_COMMON) $(FUZZ_NEEDS_$(t))),$(FUZZ_NEEDS_COMMON) $(FUZZ_NEEDS_$(t))),,$(t)))
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/%)
HOSTILE_GEN := $(BUILD)/fuzz-tools/hostile-gen

$(BUILD)/fuzz-replay/%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h tests/fuzz/markup.h $(LIBCPROF) | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(SANFLAGS) -o $@ $< tests/fuzz/replay.c \
		$(LIBCPROF) $(PKG_LIBS) $(LDFLAGS)

$(HOSTILE_GEN): tests/fuzz/hostile_gen.c $(LIBCPROF) | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(SANFLAGS) -o $@ $< $(LIBCPROF) $(PKG_LIBS) $(LDFLAGS)

CHECK_EXTRA += torture $(FUZZ_REPLAY) $(HOSTILE_GEN)

# The libFuzzer build: its own build directory, clang, the library compiled
# with coverage instrumentation (fuzzer-no-link) and both sanitizers.
FUZZ_BUILD ?= build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN := fuzzer-no-link,address,undefined
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h tests/fuzz/markup.h $(LIBCPROF) | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(LIBCPROF) $(PKG_LIBS) $(LDFLAGS)

fuzz-bins: $(FUZZ_BINS) $(HOSTILE_GEN)

.PHONY: torture fuzz fuzz-smoke fuzz-bins fuzz-build
fuzz-build: $(DEPS_TEST)
	@command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang)" >&2; exit 1; }
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SAN=$(FUZZ_SAN) fuzz-bins
	@# the tools and samples make seeds (recordings converted to every format)
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SAN=$(FUZZ_SAN) all || \
		echo "fuzz: not every tool built; the seeds will lack recordings" >&2

fuzz: fuzz-build
	sh tests/fuzz/run.sh $(abspath $(FUZZ_BUILD)) $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-smoke: fuzz-build
	sh tests/fuzz/run.sh $(abspath $(FUZZ_BUILD)) 10 $(FUZZ_NAMES)

# ---- pprof-spec: profiles with exactly the names a producer sends -----------
# (tests/e2e/36-pprof-names.t shows them to go tool pprof and to cprof-top)
PPROF_SPEC := $(BUILD)/test-tools/pprof-spec
$(PPROF_SPEC): tests/tools/pprof_spec.c $(LIBCPROF) | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(SANFLAGS) -o $@ $< $(LIBCPROF) $(PKG_LIBS) $(LDFLAGS)
CHECK_EXTRA += $(PPROF_SPEC)
