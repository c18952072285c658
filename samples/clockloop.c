/*
 * clockloop: poll_clock() reads CLOCK_MONOTONIC in a loop for SECONDS
 * (default 0.5). The clock is served by the vdso, so most samples land in
 * the vdso's __vdso_clock_gettime, at every instruction of it, some where
 * it has not set up a frame: an unwinder without the vdso's CFI loses
 * poll_clock there (perf --call-graph dwarf copies the vdso for that).
 *
 *   clockloop [SECONDS]
 */
#include <stdlib.h>
#include <time.h>

static volatile long sink;

__attribute__((noinline)) static void poll_clock(double secs)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		clock_gettime(CLOCK_MONOTONIC, &b);
		sink += b.tv_nsec;
	} while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < secs);
}

int main(int argc, char **argv)
{
	poll_clock(argc > 1 ? atof(argv[1]) : 0.5);
	return 0;
}
