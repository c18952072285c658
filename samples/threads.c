/*
 * threads: N threads spin for SECONDS of wall time each (all threads
 * compete for the CPUs), then the program exits. Each thread is named
 * "busy-<i>" and spins in busy_loop().
 *
 *   threads [N [SECONDS]]   default 8 threads, 2 seconds
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double secs = 2.0;
static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void busy_loop(double until)
{
	unsigned long x = 0;
	while (now() < until)
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i ^ (x >> 5);
	sink += x;
}

static void *worker(void *arg)
{
	char name[16];
	snprintf(name, sizeof(name), "busy-%d", (int)(long)arg);
	pthread_setname_np(pthread_self(), name);
	busy_loop(now() + secs);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8;
	if (argc > 2)
		secs = atof(argv[2]);
	if (n < 1 || n > 1000 || secs <= 0) {
		fprintf(stderr, "usage: threads [N [SECONDS]]\n");
		return 2;
	}
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(long)i) != 0) {
			perror("pthread_create");
			return 1;
		}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
