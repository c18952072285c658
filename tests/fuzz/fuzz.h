/*
 * fuzz.h: what every fuzz target checks once a reader accepted its input.
 *
 * A reader that returns 0 promises a consistent model: every index inside
 * its array, every string non-NULL. fuzz_check_model() walks all of it
 * (ASan then catches any dangling pointer); a broken promise aborts, which
 * libFuzzer reports as a crash. fuzz_roundtrip() then writes the profile
 * as folded text and as pprof and reads both back: a writer's output must
 * always be readable, with the same totals.
 */
#ifndef CPROF_FUZZ_H
#define CPROF_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "pprof.h"
#include "profile.h"
#include "reader.h"

#define FUZZ_ASSERT(c)                                                                  \
	do {                                                                            \
		if (!(c)) {                                                             \
			fprintf(stderr, "fuzz: broken invariant at %s:%d: %s\n", __FILE__, \
				__LINE__, #c);                                          \
			abort();                                                        \
		}                                                                       \
	} while (0)

/* Reading options for fuzzing: no symbolization (it opens files named by
 * the input), a decompression limit small enough to keep runs fast. */
static inline prof_read_opts fuzz_read_opts(void)
{
	prof_read_opts o;
	memset(&o, 0, sizeof(o));
	o.no_symbolize = true;
	o.max_decompressed = (size_t)64 << 20;
	return o;
}

static inline void fuzz_check_str(const char *s)
{
	FUZZ_ASSERT(s != NULL);
	volatile size_t n = strlen(s); /* touches every byte */
	(void)n;
}

static inline void fuzz_check_model(const profile *p)
{
	FUZZ_ASSERT(p->nvalues == 0 || p->sample_types != NULL);
	for (uint32_t i = 0; i < p->nvalues; i++) {
		fuzz_check_str(p->sample_types[i].type);
		fuzz_check_str(p->sample_types[i].unit);
	}
	FUZZ_ASSERT(p->nvalues == 0 || p->default_type < p->nvalues);
	for (uint32_t i = 0; i < p->nmappings; i++) {
		fuzz_check_str(p->mappings[i].file);
		fuzz_check_str(p->mappings[i].build_id);
	}
	for (uint32_t i = 0; i < p->nfunctions; i++) {
		fuzz_check_str(p->functions[i].name);
		fuzz_check_str(p->functions[i].system_name);
		fuzz_check_str(p->functions[i].filename);
	}
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		FUZZ_ASSERT(l->mapping == PROF_NONE || l->mapping < p->nmappings);
		for (uint32_t k = 0; k < l->nlines; k++)
			FUZZ_ASSERT(l->lines[k].function < p->nfunctions);
	}
	for (uint32_t i = 0; i < p->nstacks; i++)
		for (uint32_t k = 0; k < p->stacks[i].depth; k++)
			FUZZ_ASSERT(p->stacks[i].locs[k] < p->nlocations);
	FUZZ_ASSERT(p->nlabelsets >= 1 && p->labelsets[0].n == 0);
	for (uint32_t i = 0; i < p->nlabelsets; i++)
		for (uint32_t k = 0; k < p->labelsets[i].n; k++) {
			const prof_label *l = &p->labelsets[i].labels[k];
			fuzz_check_str(l->key);
			if (l->str)
				fuzz_check_str(l->str);
			if (l->unit)
				fuzz_check_str(l->unit);
		}
	for (size_t i = 0; i < p->nsamples; i++) {
		FUZZ_ASSERT(p->samples[i].stack < p->nstacks);
		FUZZ_ASSERT(p->samples[i].labelset < p->nlabelsets);
	}
	for (uint32_t i = 0; i < p->nthreads; i++)
		fuzz_check_str(p->threads[i].name);
	for (uint32_t i = 0; i < p->ncomments; i++)
		fuzz_check_str(p->comments[i]);

	/* every frame of every stack has a name */
	prof_frame *fr = NULL;
	size_t alloc = 0;
	strbuf sb = STRBUF_INIT;
	for (uint32_t i = 0; i < p->nstacks; i++) {
		uint32_t n = prof_stack_frames(p, i, &fr, &alloc);
		for (uint32_t k = 0; k < n; k++) {
			FUZZ_ASSERT(fr[k].location < p->nlocations);
			FUZZ_ASSERT(fr[k].function == PROF_NONE || fr[k].function < p->nfunctions);
			sb_reset(&sb);
			prof_frame_name(p, &fr[k], &sb);
			FUZZ_ASSERT(sb.len == strlen(sb.buf));
		}
	}
	free(fr);
	sb_release(&sb);
}

/* Sum of value j over all samples, wrapping (a profile may hold anything). */
static inline uint64_t fuzz_total(const profile *p, uint32_t j)
{
	uint64_t t = 0;
	for (size_t i = 0; i < p->nsamples; i++)
		t += (uint64_t)prof_sample_values(p, i)[j];
	return t;
}

/* Totals are compared only when no sum can overflow (sums saturate). */
static inline bool fuzz_small_values(const profile *p)
{
	for (size_t i = 0; i < p->nsamples * p->nvalues; i++)
		if (p->values[i] > ((int64_t)1 << 40) || p->values[i] < -((int64_t)1 << 40))
			return false;
	return true;
}

static inline void fuzz_roundtrip(profile *p)
{
	bool exact = fuzz_small_values(p);
	cprof_err err;
	prof_read_opts o = fuzz_read_opts();

	/* folded: what cprof-fold writes, cprof-fold reads */
	if (p->nvalues > 0) {
		folded_opts fo;
		memset(&fo, 0, sizeof(fo));
		fo.value = PROF_NONE;
		strbuf out = STRBUF_INIT;
		FUZZ_ASSERT(folded_write(p, &fo, &out, &err) == 0);
		FUZZ_ASSERT(out.len == 0 || out.len == strlen(out.buf));
		if (out.len > 0) {
			profile *q = NULL;
			if (prof_read_mem((const unsigned char *)out.buf, out.len, &o, &q, &err) != 0) {
				fprintf(stderr, "fuzz: folded output unreadable: %s\n", err.msg);
				abort();
			}
			fuzz_check_model(q);
			/* every count is written exactly, with its decimals: when
			 * no stack is left out (all values positive), the total
			 * reads back, at the same or fewer decimals */
			uint32_t v = prof_count_value(p);
			bool positive = v < p->nvalues;
			for (size_t i = 0; i < p->nsamples && positive; i++)
				positive = prof_sample_values(p, i)[v] > 0;
			if (exact && positive && q->source_format && !strcmp(q->source_format, "folded")) {
				uint32_t dp = p->sample_types[v].decimals, dq = q->sample_types[0].decimals;
				FUZZ_ASSERT(dq <= dp);
				uint64_t t = fuzz_total(q, 0);
				for (uint32_t k = dq; k < dp; k++)
					t *= 10;
				FUZZ_ASSERT(t == fuzz_total(p, v));
			}
			prof_free(q);
		}
		sb_release(&out);
	}

	/* pprof: our output reads back with the same totals */
	pprof_write_opts po;
	memset(&po, 0, sizeof(po));
	strbuf gz = STRBUF_INIT;
	if (pprof_write(p, &po, &gz, &err) == 0) {
		profile *q = NULL;
		if (prof_read_mem((const unsigned char *)gz.buf, gz.len, &o, &q, &err) != 0) {
			fprintf(stderr, "fuzz: pprof output unreadable: %s\n", err.msg);
			abort();
		}
		fuzz_check_model(q);
		FUZZ_ASSERT(q->nvalues == p->nvalues);
		for (uint32_t j = 0; j < p->nvalues && exact; j++)
			FUZZ_ASSERT(fuzz_total(q, j) == fuzz_total(p, j));
		prof_free(q);
	}
	sb_release(&gz);

	/* grouping keeps the totals and leaves the model as it was */
	size_t nsamples = p->nsamples;
	prof_groups g;
	prof_group_opts go = { .by_labels = true, .by_thread = true, .sorted = true };
	prof_group_samples(p, &go, &g);
	FUZZ_ASSERT(p->nsamples == nsamples && g.n <= nsamples);
	for (size_t i = 0; i < g.n; i++)
		FUZZ_ASSERT(g.g[i].stack < p->nstacks && g.g[i].labelset < p->nlabelsets);
	for (uint32_t j = 0; j < p->nvalues && exact; j++) {
		uint64_t t = 0;
		for (size_t i = 0; i < g.n; i++)
			t += (uint64_t)prof_group_values(&g, i)[j];
		FUZZ_ASSERT(t == fuzz_total(p, j));
	}
	prof_groups_free(&g);
}

/* The whole check of one input for the reader targets. */
static inline int fuzz_read_and_check(const uint8_t *data, size_t size)
{
	prof_read_opts o = fuzz_read_opts();
	profile *p = NULL;
	cprof_err err;
	(void)prof_detect_format(data, size);
	if (prof_read_mem(data, size, &o, &p, &err) != 0) {
		FUZZ_ASSERT(err.msg[0] != '\0');
		FUZZ_ASSERT(strchr(err.msg, '\n') == NULL); /* one line */
		return 0;
	}
	fuzz_check_model(p);
	fuzz_roundtrip(p);
	prof_free(p);
	return 0;
}

#endif
