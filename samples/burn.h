/*
 * burn.h: spends CPU time on purpose, for the sample programs.
 *
 * BURN(secs) is a macro, not a function, so that the time it spends is
 * charged to the function that uses it: a profile of child_work() shows
 * child_work, not a shared helper. It spins until the calling thread has
 * used secs more seconds of CPU time.
 */
#ifndef CPROF_SAMPLES_BURN_H
#define CPROF_SAMPLES_BURN_H

#include <time.h>

static volatile unsigned long burn_sink;

static double thread_cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define BURN(secs)                                                             \
	do {                                                                   \
		double end_ = thread_cpu_seconds() + (secs);                   \
		unsigned long x_ = 0;                                          \
		while (thread_cpu_seconds() < end_)                            \
			for (unsigned long i_ = 0; i_ < 100000; i_++)          \
				x_ += i_ ^ (x_ >> 3);                          \
		burn_sink += x_;                                               \
	} while (0)

#endif
