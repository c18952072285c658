/* The plugin samples/dlopener.c loads: plugin_work() burns CPU time. */
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void plugin_inner(double end)
{
	struct timespec ts;
	unsigned long x = 0;

	do {
		for (unsigned long i = 0; i < 100000; i++)
			x += i ^ (x >> 3);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	} while ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 < end);
	sink += x;
}

__attribute__((noinline)) void plugin_work(double secs)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	plugin_inner((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + secs);
}
