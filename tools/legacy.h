/*
 * legacy: the profile formats that came before profile.proto and that
 * `go tool pprof` still reads (its profile/legacy_profile.go), read into
 * the model the way pprof reads them, so that cprof-top on them equals
 * `go tool pprof -top`:
 *
 *  - gperftools' CPU profile (CPUPROFILE=x.prof with libprofiler): binary
 *    words in the writer's native size and byte order. A header of five
 *    words (0, 3, 0, sampling period in microseconds, 0), then records
 *    (count, depth, depth program counters, leaf first), an end record
 *    (0, 1, 0), then the process's /proc/self/maps as text. The Java
 *    variant (header word 3 = 1, pprof's legacy Java agent) ends with
 *    "0xADDR name (file:line)" lines naming the addresses instead.
 *  - the text formats: heap and growth/fragmentation ("heap profile: ..."),
 *    contention ("--- contentionz", "--- mutex:", "--- contention:"),
 *    thread ("--- threadz", "--- Thread ...") and Go's count profiles
 *    ("goroutine profile: total N"), each followed by a memory map section
 *    ("--- Memory map: ---" or "MAPPED_LIBRARIES:") in /proc/maps form.
 *
 * What pprof does and this reader does too: return addresses (every frame
 * but a CPU or thread sample's leaf, every frame of heap, contention and
 * count samples) are stored minus one so they land on the call; the CPU
 * reader drops a second frame that (nearly) every sample shares (a frame
 * pushed by the signal handler) and a duplicated leaf; only executable
 * mappings are kept, adjacent pieces of one file are merged, the main
 * binary is moved first; heap v2 samples are unsampled (scaled by
 * 1/(1-exp(-size/rate))); contention delays become nanoseconds. The
 * profile's drop_frames/keep_frames are pprof's (signal handler, malloc or
 * lock frames); prof_prune (prune.h) applies them after symbolization.
 *
 * Addresses are symbolized by the symbolizer (symbolize.h) against the
 * files the maps name, unless o->no_symbolize. Every count, depth and line
 * length is checked against what is left of the input.
 */
#ifndef CPROF_LEGACY_H
#define CPROF_LEGACY_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"
#include "readopts.h"

/* True when d starts with a gperftools CPU profile header (any word size
 * and byte order). */
bool legacy_cpu_looks_like(const unsigned char *d, size_t n);
/* Reads a gperftools CPU profile into the EMPTY profile p. Returns 0, or -1
 * with err. */
int legacy_cpu_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		    cprof_err *err);

/* True when the first lines are one of the text formats above. */
bool legacy_text_looks_like(const unsigned char *d, size_t n);
/* Reads a legacy text profile into the EMPTY profile p. Returns 0, or -1
 * with err ("line N: ..."). */
int legacy_text_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		     cprof_err *err);

#endif
