/*
 * torture.h: what the sampler torture programs share. Each program does a
 * fixed amount of work and prints a result that does not depend on timing,
 * so the tests can compare its output and exit status with and without the
 * profiler.
 */
#ifndef CPROF_TORTURE_H
#define CPROF_TORTURE_H

#include <stdint.h>
#include <time.h>

static inline uint64_t tt_thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A fixed amount of arithmetic: the result depends only on n and seed. */
static inline uint64_t tt_work(uint64_t n, uint64_t seed)
{
	volatile uint64_t x = seed | 1;
	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005u + 1442695040888963407u;
	return x;
}

/* Burns about ms milliseconds of this thread's CPU time; returns a value the
 * caller can ignore (it keeps the loop from being optimised away). */
static inline uint64_t tt_burn_ms(unsigned ms)
{
	uint64_t end = tt_thread_cpu_ns() + (uint64_t)ms * 1000000u, x = 0;
	while (tt_thread_cpu_ns() < end)
		x += tt_work(2000, x);
	return x;
}

#endif
