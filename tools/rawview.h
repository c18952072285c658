/*
 * rawview: cprof-raw's text — a summary of the recording as '#' lines, then
 * every shown sample in time order, one per line, or the timeline picture
 * (timeline.h). The line format is an interface (docs/cprof-raw.md):
 *
 *   <ms since start, 3 decimals> <tid> <thread name or -> <weight> {k=v,...} <root;...;leaf>
 *
 * Fields never contain a blank, so a line splits on single spaces: a blank
 * in a thread name becomes '_', in a label also ',', '{' and '}' become '.'.
 * Frames are named as cprof-fold names them (names.h: with --lines, --addrs,
 * --inline as there), inlined frames expanded ("module+0xoffset" per
 * location with locations: --no-symbolize); "[empty]" stands for an empty
 * stack. A profile without
 * timestamps (pprof, folded) prints '-' for time, tid and thread.
 */
#ifndef CPROF_RAWVIEW_H
#define CPROF_RAWVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "names.h"
#include "profile.h"

typedef struct rawview_opts {
	const char *file;      /* the input's name for "# file:" */
	const bool *mask;      /* nsamples entries: the filters' choice; NULL: all */
	uint64_t count;        /* at most this many samples (after the mask) */
	bool locations;        /* frames as module+0xoffset, one per location */
	names_opts names;      /* else the frames' decorations (names.h) */
	int64_t start;         /* this input's origin on the common axis of several
				* inputs (ns after the earliest start), or -1 */
	const char *warnings;  /* the reader's warnings, '\n'-separated, or NULL */
	bool timeline;         /* the picture instead of lines */
	uint32_t width;        /* timeline: wrap at this many characters */
	uint32_t max_columns;  /* timeline: at most this many columns per thread */
} rawview_opts;

#define RAWVIEW_OPTS_INIT { .count = UINT64_MAX, .start = -1, .width = 100, .max_columns = 200 }

/* Receives out when it has grown past about 1 MiB; must empty it (sb_reset)
 * so that a long recording never sits in memory whole. */
typedef void (*rawview_flush_fn)(void *ctx, strbuf *out);

/* Appends the header and the lines (or the timeline) of p to out, handing
 * full buffers to flush (NULL: keep everything in out). Fails (-1, err)
 * only for a timeline of a profile without timestamps. */
int rawview_write(const profile *p, const rawview_opts *o, strbuf *out, rawview_flush_fn flush,
		  void *ctx, cprof_err *err);

#endif
