# bench/module.mk — the model's benchmark and the synthetic raw-file generator.
#
#   make bench-aggregate   10M-sample raw file -> model -> aggregate: samples/s
#                          and peak RSS (without symbolization)
# The generator also serves tests (tests/e2e/2*.t) that need a raw file of a
# known program without the sampler, so make check builds it.

AGG_GEN := $(BUILD)/bench/aggregate-gen
AGG_BENCH := $(BUILD)/bench/aggregate-bench
AGG_N ?= 10000000

$(BUILD)/bench/aggregate-%: bench/aggregate-%.c tests/unit/rawbuild.h $(LIBCPROF) | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(SANFLAGS) -o $@ $< $(LIBCPROF) $(PKG_LIBS) $(LDFLAGS)

.PHONY: bench-aggregate
bench-aggregate: $(AGG_GEN) $(AGG_BENCH)
	sh bench/aggregate.sh $(BUILD) $(AGG_N)

bench: bench-aggregate
CHECK_EXTRA += $(AGG_GEN)

# ---- views: cprof-flame against flamegraph.pl (bench/flame.sh) ------------
#   make bench-flame FLAMEGRAPH_PL=/path/to/flamegraph.pl [FLAME_STACKS=200000]
# Skips with a message when FLAMEGRAPH_PL is not set.
FLAME_STACKS ?= 200000
.PHONY: bench-flame
bench-flame: $(BUILD)/bin/cprof-flame
	FLAMEGRAPH_PL="$(FLAMEGRAPH_PL)" sh bench/flame.sh $(BUILD) $(FLAME_STACKS)

bench: bench-flame

# ---- pprof: cprof-pprof raw -> pprof, and pprof -> pprof against go tool pprof
#   make bench-pprof [PPROF_N=10000000] [PPROF_GO_N=300000]
PPROF_N ?= 10000000
PPROF_GO_N ?= 300000
$(BUILD)/bench/pprof_gogen: bench/pprof_gogen.c $(LIBCPROF) | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(SANFLAGS) -o $@ $< $(LIBCPROF) $(PKG_LIBS) $(LDFLAGS)

.PHONY: bench-pprof
bench-pprof: $(BUILD)/bin/cprof-pprof $(BUILD)/bin/cprof-fold $(AGG_GEN) $(BUILD)/bench/pprof_gogen
	sh bench/pprof.sh $(BUILD) $(PPROF_N) $(PPROF_GO_N)

bench: bench-pprof

# ---- html: cprof-html's report at scale (bench/html.sh) ---------------------
#   make bench-html   1M raw samples / 100k distinct stacks: open time and
#                     redraw times in headless Chromium, sizes and open time
#                     beside the same profile as speedscope JSON, pprof and
#                     cprof-flame's SVG
HTML_GEN := $(BUILD)/bench/html_gen
HTML_N ?= 1000000
HTML_STACKS ?= 100000
HTML_THREADS ?= 8

$(HTML_GEN): bench/html_gen.c $(LIBCPROF) | $(DEPS_BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(SANFLAGS) -o $@ $< $(LIBCPROF) $(PKG_LIBS) $(LDFLAGS)

.PHONY: bench-html
bench-html: $(HTML_GEN) $(BUILD)/bin/cprof-html $(BUILD)/bin/cprof-flame $(DEPS_TEST)
	sh bench/html.sh $(BUILD) $(HTML_N) $(HTML_STACKS) $(HTML_THREADS)

bench: bench-html

# ---- fork/exec start-up cost beside perf (bench/forkexec.sh) -------------
#   make bench-forkexec [FORKEXEC_JOB=loop|make] [FORKEXEC_REPS=3]
#   a fork/exec-heavy job with no profiler, under cprof-record and under
#   perf record -g -F 99: CPU (user + system) and the ratios
FORKEXEC_JOB ?= loop
FORKEXEC_REPS ?= 3
.PHONY: bench-forkexec
bench-forkexec: $(BUILD)/bench/overhead $(BUILD)/bin/cprof-record $(LIBSAMPLE)
	sh bench/forkexec.sh $(BUILD) $(FORKEXEC_JOB) $(FORKEXEC_REPS)

bench: bench-forkexec

# ---- perf script: cprof-fold against stackcollapse-perf.pl (bench/perfscript.sh)
#   make bench-perfscript STACKCOLLAPSE_PERF=/path/to/stackcollapse-perf.pl [PERFSCRIPT_N=100000]
# Skips with a message when STACKCOLLAPSE_PERF is not set.
PERFSCRIPT_N ?= 100000
.PHONY: bench-perfscript
bench-perfscript: $(BUILD)/bin/cprof-fold
	STACKCOLLAPSE_PERF="$(STACKCOLLAPSE_PERF)" sh bench/perfscript.sh $(BUILD) $(PERFSCRIPT_N)

bench: bench-perfscript

# ---- symbolization on real recordings (bench/symbolize.sh) -----------------
#   make bench-symbolize   a -O2 -g C++ program, 10 copies merged, a make -j2
#                          recording: cprof-top cold and warm beside go tool
#                          pprof -top, eu-addr2line, addr2line, perf report
.PHONY: bench-symbolize
bench-symbolize: all
	sh bench/symbolize.sh $(BUILD)

bench: bench-symbolize

# ---- perf.data: cprof-top against perf script / perf report (bench/perfdata.sh)
#   make bench-perfdata [PERFDATA_N=100000] [PERFDATA=recording.data]
PERFDATA_N ?= 100000
.PHONY: bench-perfdata
bench-perfdata: $(BUILD)/bin/cprof-top $(BUILD)/samples/abc
	PERFDATA="$(PERFDATA)" sh bench/perfdata.sh $(BUILD) $(PERFDATA_N)

bench: bench-perfdata

# ---- flame graphs and top tables on profiles of several shapes ---------------
#   make bench-shapes [FLAMEGRAPH_DIR=/path/to/FlameGraph]   (bench/shapes.sh)
.PHONY: bench-shapes
bench-shapes: all
	FLAMEGRAPH_DIR="$(FLAMEGRAPH_DIR)" sh bench/shapes.sh $(BUILD)

bench: bench-shapes

# ---- big raw files: aggregated views in bounded memory (bench/stream.sh) -----
#   make bench-stream [STREAM_GIB=4] [STREAM_OLD=/path/to/another/build] [STREAM_FORMAT=2]
#   a STREAM_GIB GiB raw file: cprof-top/fold/flame/pprof CPU, samples/s and
#   peak RSS, beside --from 0 (every sample kept) and another build's tools
STREAM_GIB ?= 4
STREAM_FORMAT ?= 2
.PHONY: bench-stream
bench-stream: $(AGG_GEN) $(BUILD)/bin/cprof-top $(BUILD)/bin/cprof-fold $(BUILD)/bin/cprof-flame $(BUILD)/bin/cprof-pprof
	sh bench/stream.sh $(BUILD) $(STREAM_GIB) "$(STREAM_OLD)" $(STREAM_FORMAT)

bench: bench-stream

# ---- bytes per sample of real recordings (bench/rawsize.sh) ----------------
#   make bench-rawsize [RAWSIZE_OLD=/path/to/another/build]
#   depths 1..250 at 1 kHz: this build's file, the same as version-1 records,
#   and another build's sampler
.PHONY: bench-rawsize
bench-rawsize: $(BUILD)/bench/overhead $(LIBSAMPLE)
	sh bench/rawsize.sh $(BUILD) $(RAWSIZE_OLD)

bench: bench-rawsize
