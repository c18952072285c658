/*
 * readopts: the options every reader takes (prof_read_opts) and the way a
 * reader reports a non-fatal problem (prof_warnf). A header of its own so
 * that the readers (rawread, perfscript) and the symbolizer depend on it
 * and not on the format dispatcher (reader.h), which depends on them: the
 * include graph has no cycle. prof_warnf lives in reader.c.
 */
#ifndef CPROF_READOPTS_H
#define CPROF_READOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "names.h"

typedef struct prof_read_opts {
	size_t max_input;        /* bytes read into memory from a file (raw files are
				  * streamed: no limit); 0: default (4 GiB) */
	size_t max_decompressed; /* bytes after gunzip; 0: default (2 GiB) */
	bool no_symbolize;       /* raw input: keep module+offset frames */
	/* The caller's views group samples and read no sample's time (top,
	 * fold, flame, pprof without a time filter): raw input may then keep
	 * one model sample per distinct (stack, label set, thread, flags) with
	 * the values summed and the first sample's time, so that memory
	 * follows the distinct stacks, not the size of the file. Grouped views
	 * see the same groups either way. */
	bool aggregate;
	const char *debug_dir;   /* extra debug-info directory, or NULL */
	const char *event;       /* perf script and perf.data input: the event kept
				  * (perf.data: its name, modifiers optional); NULL:
				  * the first seen (perf.data: its first) */
	bool no_cache;           /* raw input: neither read nor write the symbol cache */
	/* raw input: the symbolization session shared by several reads (so an
	 * address is resolved once per run), or NULL: one per read */
	struct sym_session *sym;
	/* pprof, raw, gperftools and legacy text input: function names as go
	 * tool pprof shows them (names_simplify; then drop_frames/keep_frames
	 * apply, prof_prune); NAMES_SHORT (0) is pprof's default. Folded and
	 * perf names stay as written. */
	names_mode names;
	/* Non-fatal problems (a raw file cut short, a build-id mismatch) are
	 * reported here, one line each, without the file name; NULL: dropped. */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
} prof_read_opts;

/* Formats one warning and hands it to o->warn (nothing when o or o->warn
 * is NULL): the readers' shared way to report a non-fatal problem. */
void prof_warnf(const prof_read_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
