/*
 * aggregate-bench: how fast a raw file becomes an aggregated profile, in
 * phases: read the file into memory, raw -> model (rawread, without
 * symbolization), and grouping (prof_group_samples, sorted by key, as an
 * aggregated view asks for it). Prints samples/s per phase (CPU
 * time, best of REPEAT runs) and the peak RSS. Symbolization is left out on purpose: it depends on the
 * binaries, and is cached per distinct address (see test_symbolize).
 *
 *   aggregate-bench FILE [REPEAT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "rawread.h"

/* CPU time of this process (user + system, page faults included): on a
 * shared machine, wall time also counts other processes' work. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: aggregate-bench FILE [REPEAT]\n");
		return 2;
	}
	int repeat = argc > 2 ? atoi(argv[2]) : 3;
	double best_load = 1e9, best_read = 1e9, best_agg = 1e9;
	size_t nsamples = 0, ngroups = 0, nstacks = 0;
	for (int r = 0; r < repeat; r++) {
		double t0 = now();
		unsigned char *d;
		size_t n;
		cprof_err err;
		if (read_file_all(argv[1], (size_t)16 << 30, &d, &n, &err) < 0) {
			fprintf(stderr, "aggregate-bench: %s: %s\n", argv[1], err.msg);
			return 1;
		}
		double t1 = now();
		prof_read_opts o = { 0 };
		o.no_symbolize = true;
		profile *p = prof_new();
		if (rawread(p, d, n, &o, &err) < 0) {
			fprintf(stderr, "aggregate-bench: %s: %s\n", argv[1], err.msg);
			return 1;
		}
		double t2 = now();
		nsamples = p->nsamples;
		nstacks = p->nstacks;
		prof_groups g;
		prof_group_opts go = { .by_labels = true, .sorted = true };
		prof_group_samples(p, &go, &g);
		double t3 = now();
		ngroups = g.n;
		prof_groups_free(&g);
		prof_free(p);
		free(d);
		if (t1 - t0 < best_load)
			best_load = t1 - t0;
		if (t2 - t1 < best_read)
			best_read = t2 - t1;
		if (t3 - t2 < best_agg)
			best_agg = t3 - t2;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("samples            %zu (%zu distinct stacks, %zu groups)\n", nsamples, nstacks,
	       ngroups);
	printf("(CPU seconds of this process, best of %d)\n", repeat);
	printf("load file          %.3f s\n", best_load);
	printf("raw -> model       %.3f s   %.1f M samples/s\n", best_read,
	       (double)nsamples / best_read / 1e6);
	printf("aggregate          %.3f s   %.1f M samples/s\n", best_agg,
	       (double)nsamples / best_agg / 1e6);
	printf("read + aggregate   %.3f s   %.1f M samples/s\n", best_read + best_agg,
	       (double)nsamples / (best_read + best_agg) / 1e6);
	printf("peak RSS           %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	return 0;
}
