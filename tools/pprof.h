/*
 * pprof: reads and writes pprof's profile.proto (github.com/google/pprof),
 * the format `go tool pprof` and Go's runtime/pprof speak.
 *
 * Reading keeps every field of profile.proto: sample types and the default
 * one, samples with their values and labels (string, and numeric with
 * units), mappings with build-ids and their has_* flags, functions,
 * locations with inlined lines (leaf first) and is_folded, comments,
 * drop/keep frames, period type and period, time and duration. pprof's
 * ids (any non-zero uint64, usually 1..N) become model indexes; every
 * reference is checked, and a bad one is an error naming it, never a crash.
 *
 * Writing is deterministic: mappings, functions and locations in model
 * order with ids 1..N, a deduplicated string table in order of first use,
 * samples grouped by (stack, labels) in order of first appearance with
 * their values summed (a raw profile has one model sample per tick; pprof
 * wants one per distinct stack). A mapping's has_* flags say what its
 * locations really carry. The result is gzipped, as pprof files are.
 */
#ifndef CPROF_PPROF_H
#define CPROF_PPROF_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

/* Reads a plain (already gunzipped) protobuf Profile into p, which must be
 * EMPTY (fresh from prof_new). Returns 0, or -1 with err (e.g.
 * "truncated protobuf at byte 1234", "sample 7 refers to location 99,
 * which does not exist"); p is then partly filled and should be freed. */
int pprof_read(profile *p, const unsigned char *d, size_t n, cprof_err *err);

/* The detection heuristic: d starts with the tag of a Profile field with
 * its right wire type, and a bounded scan of the first top-level fields
 * (and of small messages inside them) parses cleanly. */
bool pprof_looks_like(const unsigned char *d, size_t n);

typedef struct pprof_write_opts {
	/* Adds each sample's thread as labels "thread" (its name, when known)
	 * and "tid" (numeric), grouping samples by thread too. */
	bool thread_labels;
	/* The samples written (the filters' mask, p->nsamples entries), or
	 * NULL: all. The mappings, locations and functions are all written
	 * either way, as go tool pprof -proto writes a filtered profile. */
	const bool *mask;
} pprof_write_opts;

/* Appends the gzipped pprof encoding of p to out_gz. o may be NULL
 * (defaults). Returns 0, or -1 with err. */
int pprof_write(const profile *p, const pprof_write_opts *o, strbuf *out_gz, cprof_err *err);

/* The same, without gzip: appends the plain protobuf bytes to out. Never
 * fails (returns 0): only the compression can. */
int pprof_encode(const profile *p, const pprof_write_opts *o, strbuf *out, cprof_err *err);

#endif
