/*
 * pprof_gogen: writes a large Go-style CPU profile (gzipped pprof) for the
 * pprof -> pprof benchmark: sample types samples/count and cpu/nanoseconds,
 * period 10 ms, one executable mapping, Go-like function names and files,
 * one line per location (some with an inlined caller, as Go's compiler
 * makes them), pprof.Do-style labels on part of the samples, one sample per
 * distinct stack (Go's runtime aggregates). Deterministic.
 *
 *   pprof_gogen OUT.pb.gz NSAMPLES [NFUNCTIONS]
 */
#include <stdio.h>
#include <stdlib.h>

#include "pprof.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pprof_gogen OUT.pb.gz NSAMPLES [NFUNCTIONS]\n");
		return 2;
	}
	size_t n = strtoull(argv[2], NULL, 10);
	uint32_t nfn = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 20000;
	profile *p = prof_new();
	prof_value_type types[] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, types, 2);
	p->default_type = 1;
	p->period_type = (prof_value_type){ prof_intern(p, "cpu"), prof_intern(p, "nanoseconds") };
	p->period = 10000000;
	p->time_nanos = 1700000000000000000LL;
	p->duration_nanos = 30000000000LL;
	prof_mapping m = { 0x400000, 0x4000000, 0, "/tmp/go-build/b001/server.test",
			   "5f3a0c1de2b94a7c8e6d1f2a3b4c5d6e7f809112", true, false, false, false };
	uint32_t mi = prof_add_mapping(p, &m);

	/* functions: pkgN.(*TypeM).methodK in pkgN/fileF.go */
	uint32_t *fns = malloc(nfn * sizeof(*fns));
	char name[128], file[128];
	for (uint32_t i = 0; i < nfn; i++) {
		snprintf(name, sizeof(name), "example.com/server/pkg%u.(*Type%u).method%u", i % 97,
			 i % 13, i);
		snprintf(file, sizeof(file), "/home/dev/server/pkg%u/file%u.go", i % 97, i % 7);
		fns[i] = prof_intern_function(p, name, name, file, 10 + i % 500);
	}
	/* locations: 8 call sites per function; every 10th has an inlined callee */
	uint32_t nloc = nfn * 8;
	uint32_t *locs = malloc(nloc * sizeof(*locs));
	for (uint32_t i = 0; i < nloc; i++) {
		uint32_t f = i / 8;
		prof_line lines[2] = { { fns[f], 20 + i % 300, 0 }, { fns[(f + 1) % nfn], 40, 0 } };
		if (i % 10 == 0) {
			lines[0].function = fns[(f * 7 + 3) % nfn];
			lines[1] = (prof_line){ fns[f], 20 + i % 300, 0 };
		}
		locs[i] = prof_add_location(p, mi, 0x401000 + (uint64_t)i * 24, lines,
					    i % 10 == 0 ? 2 : 1);
	}
	prof_label l1[] = { { "endpoint", "/api/users", 0, NULL } };
	prof_label l2[] = { { "endpoint", "/api/orders", 0, NULL }, { "tier", "gold", 0, NULL } };
	uint32_t ls1 = prof_intern_labelset(p, l1, 1), ls2 = prof_intern_labelset(p, l2, 2);
	uint32_t stack[64];
	for (size_t i = 0; i < n; i++) {
		uint32_t d = 8 + (uint32_t)(next() % 40);
		/* a common root (main, server loop...), then a random descent */
		for (uint32_t k = 0; k < d; k++) {
			uint32_t depth_from_root = d - 1 - k;
			uint64_t r = next();
			stack[k] = depth_from_root < 4 ? locs[depth_from_root * 8]
						       : locs[r % nloc];
		}
		uint32_t st = prof_intern_stack(p, stack, d);
		int64_t c = 1 + (int64_t)(next() % 5);
		int64_t v[2] = { c, c * 10000000 };
		uint32_t ls = i % 3 == 0 ? 0 : i % 3 == 1 ? ls1 : ls2;
		prof_add_sample(p, st, ls, v, -1, -1, 0);
	}
	strbuf out = STRBUF_INIT;
	cprof_err err;
	if (pprof_write(p, NULL, &out, &err) < 0) {
		fprintf(stderr, "pprof_gogen: %s\n", err.msg);
		return 1;
	}
	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(out.buf, 1, out.len, f) != out.len || fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	sb_release(&out);
	free(fns);
	free(locs);
	prof_free(p);
	return 0;
}
