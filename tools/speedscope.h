/*
 * speedscope: writes a profile in speedscope's file format
 * (https://www.speedscope.app/file-format-schema.json), so a cprof profile
 * opens in speedscope too.
 *
 * Frames are shared (one per function and line, or per unsymbolized
 * address); each thread of a raw profile becomes one "sampled" profile with
 * its samples in time order, weighted by the default sample type (cpu or
 * wall nanoseconds), its startValue/endValue the thread's first and last
 * sample time. Input without timestamps gives one sampled profile.
 */
#ifndef CPROF_SPEEDSCOPE_H
#define CPROF_SPEEDSCOPE_H

#include "profile.h"

typedef struct speedscope_opts {
	const char *name;    /* the file's "name"; NULL: "cprof profile" */
	uint32_t value;      /* index of the sample type used as weight; PROF_NONE: default */
	const bool *mask;    /* the samples written (the filters' mask), or NULL: all */
} speedscope_opts;

/* Appends the speedscope JSON to out. Deterministic. Returns 0, or -1 with
 * err when the profile has no such sample type or a sample's stack does
 * not exist. */
int speedscope_write(const profile *p, const speedscope_opts *o, strbuf *out, cprof_err *err);

#endif
