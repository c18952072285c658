/*
 * labels: two worker threads serve fake requests and label their samples
 * with the endpoint they serve: per cycle 20 ms of CPU in handle_users()
 * under endpoint=/users, 10 ms in handle_orders() under endpoint=/orders
 * and 10 ms in housekeeping() with no label (50% / 25% / 25%).
 *
 * It uses the API of include/cprof.h with CPROF_OPTIONAL: the functions
 * are weak, NULL when libcprof-sample.so is neither linked nor preloaded,
 * so the program runs the same without the library (labels are skipped).
 *
 *   labels [-o FILE] [SECONDS]
 *     -o FILE  start the recording through the API (cprof_start) once the
 *              workers run, stop it at the end; needs the library preloaded
 *              without CPROF_OUT, or linked. Without -o, a recording started
 *              by CPROF_OUT (LD_PRELOAD) is labelled just the same.
 *     SECONDS  wall time of the run (default 2)
 */
#define CPROF_OPTIONAL
#include "cprof.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double secs = 2.0;
static volatile int go;
#include "burn.h"

static double now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


__attribute__((noinline)) void handle_users(void)
{
	BURN(0.020);
}

__attribute__((noinline)) void handle_orders(void)
{
	BURN(0.010);
}

__attribute__((noinline)) void housekeeping(void)
{
	BURN(0.010);
}

static void label(const char *value)
{
	if (!cprof_label_set)
		return;
	if (value)
		cprof_label_set("endpoint", value);
	else
		cprof_label_clear(NULL);
}

static void *worker(void *arg)
{
	double end;

	(void)arg;
	while (!go)
		;
	end = now(CLOCK_MONOTONIC) + secs;
	while (now(CLOCK_MONOTONIC) < end) {
		label("/users");
		handle_users();
		label("/orders");
		handle_orders();
		label(NULL);
		housekeeping();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	pthread_t t[2];
	int started = 0;

	if (argc > 2 && !strcmp(argv[1], "-o")) {
		out = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc > 1)
		secs = atof(argv[1]);
	if (secs <= 0) {
		fprintf(stderr, "usage: labels [-o FILE] [SECONDS]\n");
		return 2;
	}
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0) {
			perror("labels: pthread_create");
			return 1;
		}
	if (out) {
		if (!cprof_start) {
			fprintf(stderr, "labels: -o needs libcprof-sample.so (preload or link it)\n");
			return 1;
		}
		if (cprof_start(out, NULL) != 0) {
			perror("labels: cprof_start");
			return 1;
		}
		started = 1;
	}
	go = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	if (started && cprof_stop() != 0) {
		perror("labels: cprof_stop");
		return 1;
	}
	printf("labels: %s\n", cprof_label_set ? "with cprof" : "without cprof");
	return 0;
}
