/*
 * html_gen: a synthetic big profile for bench/html.sh, built directly in the
 * model (no recording needed): NSAMPLES raw samples with timestamps over
 * NTHREADS threads, drawn from NSTACKS distinct stacks 8..40 frames deep
 * that share prefixes like real programs do, then written as the HTML
 * report (and optionally speedscope JSON). Deterministic (fixed LCG seed).
 *
 *   html_gen NSAMPLES NSTACKS NTHREADS OUT.html [OUT.speedscope.json [OUT.pb.gz]]
 * ("-" skips an output). The pprof file lets the benchmark give the same
 * profile to the peers (cprof-flame's SVG).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pprof.h"
#include "speedscope.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((rng >> 33) % n);
}

static int write_out(const char *path, strbuf *sb)
{
	cprof_err err;
	out_file o;
	if (out_open(&o, path, &err) < 0 || (fwrite(sb->buf, 1, sb->len, o.fp), out_commit(&o, &err)) < 0) {
		fprintf(stderr, "html_gen: %s: %s\n", path, err.msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: html_gen NSAMPLES NSTACKS NTHREADS OUT.html [OUT.speedscope.json]\n");
		return 2;
	}
	size_t nsamples = strtoull(argv[1], NULL, 10);
	uint32_t nstacks = (uint32_t)strtoul(argv[2], NULL, 10);
	uint32_t nthreads = (uint32_t)strtoul(argv[3], NULL, 10);
	if (!nsamples || !nstacks || !nthreads)
		return 2;
	profile *p = prof_new();
	prof_value_type vt[2] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, vt, 2);
	p->default_type = 1;
	p->has_timestamps = true;
	p->source_format = prof_intern(p, "raw");
	p->mode = prof_intern(p, "cpu");
	p->period = 1000000;
	p->period_type = vt[1];

	/* 4000 functions in 40 "modules"; a level-dependent choice of callee
	 * keeps the stacks a tree with shared trunks */
	enum { NFUNC = 4000 };
	uint32_t *loc = xmalloc(NFUNC * sizeof(*loc));
	char name[96], file[64];
	for (uint32_t f = 0; f < NFUNC; f++) {
		snprintf(name, sizeof(name), "mod%u::Component%u::handle_request_%u", f % 40, f % 400, f);
		snprintf(file, sizeof(file), "src/mod%u/component%u.c", f % 40, f % 400);
		prof_line l = { prof_intern_function(p, name, name, file, 10), 10 + f % 300, 0 };
		loc[f] = prof_add_location(p, PROF_NONE, 0x400000 + 64 * f, &l, 1);
	}
	/* Real stacks share long prefixes and differ near the leaves: each new
	 * stack keeps a prefix of an earlier one (cut 1..6 frames above its
	 * leaf) and adds 1..8 new frames. */
	enum { MAXD = 48 };
	uint32_t *stacks = xmalloc(st_mult(nstacks, sizeof(*stacks)));
	uint32_t *fr = xmalloc(st_mult(st_mult(nstacks, MAXD), sizeof(*fr))); /* root first */
	uint8_t *depth = xmalloc(nstacks);
	uint32_t leaf_first[MAXD];
	uint32_t made = 0;
	while (made < nstacks) {
		uint32_t *f = fr + (size_t)made * MAXD, d = 0;
		if (made == 0) {
			for (d = 0; d < 20; d++)
				f[d] = (d * 37 + 11) % NFUNC;
		} else {
			uint32_t base = rnd(made);
			uint32_t bd = depth[base], cut = 1 + rnd(6);
			d = bd > cut ? bd - cut : 1;
			memcpy(f, fr + (size_t)base * MAXD, d * sizeof(*f));
			uint32_t add = 1 + rnd(8);
			while (add-- && d < MAXD)
				{
					f[d] = (f[d - 1] * 31 + 7 + rnd(50) * 97) % NFUNC;
					d++;
				}
		}
		for (uint32_t k = 0; k < d; k++)
			leaf_first[k] = loc[f[d - 1 - k]];
		uint32_t before = p->nstacks;
		uint32_t s = prof_intern_stack(p, leaf_first, d);
		if (p->nstacks > before) {
			depth[made] = (uint8_t)d;
			stacks[made++] = s;
		}
	}
	free(fr);
	free(depth);
	char tname[32];
	for (uint32_t t = 0; t < nthreads; t++) {
		snprintf(tname, sizeof(tname), t ? "worker-%u" : "main", t);
		prof_set_thread_name(p, 1000 + (int32_t)t, tname);
	}
	int64_t *clock = xcalloc(nthreads, sizeof(*clock));
	for (size_t i = 0; i < nsamples; i++) {
		uint32_t t = (uint32_t)(i % nthreads);
		/* skewed: hot stacks are hit far more often */
		uint32_t r = rnd(nstacks);
		uint32_t s = i < nstacks ? (uint32_t)i : (uint32_t)((uint64_t)r * r / nstacks);
		int64_t w = 1000000 + rnd(2) * 1000; /* ~1 ms */
		clock[t] += w + (rnd(10) == 0 ? 5000000 : 0); /* sometimes idle */
		int64_t v[2] = { 1, w };
		prof_add_sample(p, stacks[s], 0, v, clock[t], 1000 + (int32_t)t, 0);
	}
	strbuf sb = STRBUF_INIT;
	cprof_err err;
	html_opts o = { "synthetic: big profile" };
	int rc = 0;
	if (html_write(p, &o, &sb, &err) < 0 || write_out(argv[4], &sb) < 0)
		rc = 1;
	if (!rc && argc > 5 && strcmp(argv[5], "-")) {
		sb_reset(&sb);
		speedscope_opts so = { "synthetic", PROF_NONE, NULL };
		if (speedscope_write(p, &so, &sb, &err) < 0 || write_out(argv[5], &sb) < 0)
			rc = 1;
	}
	if (!rc && argc > 6 && strcmp(argv[6], "-")) {
		sb_reset(&sb);
		pprof_write_opts po = { 0 };
		if (pprof_write(p, &po, &sb, &err) < 0 || write_out(argv[6], &sb) < 0)
			rc = 1;
	}
	fprintf(stderr, "html_gen: %zu samples, %u stacks, %u threads\n", p->nsamples, p->nstacks, nthreads);
	sb_release(&sb);
	free(clock);
	free(stacks);
	free(loc);
	prof_free(p);
	return rc;
}
