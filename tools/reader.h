/*
 * reader: turns any input file into a profile. The format is detected from
 * the first bytes (gzip magic, the raw file's magic, protobuf, text), never
 * from the file name. Formats sit in a table in reader.c: each entry says
 * how to recognise its first bytes and how to read.
 *
 * Every count, length and depth taken from a file is checked against what
 * is left of the input and against a ceiling before anything is allocated;
 * decompression stops at max_decompressed.
 */
#ifndef CPROF_READER_H
#define CPROF_READER_H

#include "names.h"
#include "profile.h"

typedef struct prof_read_opts {
	size_t max_input;        /* bytes read from the file; 0: default (4 GiB) */
	size_t max_decompressed; /* bytes after gunzip; 0: default (2 GiB) */
	bool no_symbolize;       /* raw input: keep module+offset frames */
	const char *debug_dir;   /* extra debug-info directory, or NULL */
	const char *event;       /* perf input: the event kept; NULL: the first seen */
	bool no_cache;           /* raw input: neither read nor write the symbol cache */
	/* raw input: the symbolization session shared by several reads (so an
	 * address is resolved once per run), or NULL: one per read */
	struct sym_session *sym;
	/* pprof and raw input: function names as go tool pprof shows them
	 * (names_simplify; then drop_frames/keep_frames apply, names_prune);
	 * NAMES_SHORT (0) is pprof's default. Folded names stay as written. */
	names_mode names;
	/* Non-fatal problems (a raw file cut short, a build-id mismatch) are
	 * reported here, one line each, without the file name; NULL: dropped. */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
} prof_read_opts;

/* Formats one warning and hands it to o->warn (nothing when o or o->warn
 * is NULL): the readers' shared way to report a non-fatal problem. */
void prof_warnf(const prof_read_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads path ("-" is stdin) into a new profile. Returns 0 and *out, or -1
 * with err saying what is wrong (without the path, which the caller puts
 * in front: "cprof-top: x.pb.gz: truncated gzip data"). */
int prof_read_file(const char *path, const prof_read_opts *opts, profile **out, cprof_err *err);

/* The same, from memory (the reader copies what it keeps). */
int prof_read_mem(const unsigned char *data, size_t len, const prof_read_opts *opts,
		  profile **out, cprof_err *err);

/* The format's name as detected from the first bytes: a row of the table
 * in reader.c ("raw", "gperftools", "perf.data", "pprof", "pprof-legacy",
 * "perf script", "folded"), "pprof.gz" for any gzip, or NULL if none fits
 * (reading then names the formats read). */
const char *prof_detect_format(const unsigned char *data, size_t len);

#endif
