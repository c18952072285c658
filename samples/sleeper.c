/*
 * sleeper: half on the CPU, half blocked. Each 100 ms cycle spins 50 ms in
 * burn() and sleeps 50 ms in wait_idle(), for SECONDS of wall time. Under
 * wall-mode sampling about half the samples are off-CPU, in wait_idle.
 * The sleep resumes after a signal (a wall-mode sampler interrupts it).
 *
 *   sleeper [SECONDS]   default 2
 */
#include <errno.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static double now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void burn(double secs)
{
	double end = now(CLOCK_THREAD_CPUTIME_ID) + secs;
	unsigned long x = 0;
	while (now(CLOCK_THREAD_CPUTIME_ID) < end)
		for (unsigned long i = 0; i < 100000; i++)
			x += i ^ (x >> 3);
	sink += x;
}

__attribute__((noinline)) void wait_idle(double secs)
{
	struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	double end = now(CLOCK_MONOTONIC) + secs;

	if (secs <= 0) {
		fprintf(stderr, "usage: sleeper [SECONDS]\n");
		return 2;
	}
	long cycles = 0;
	while (now(CLOCK_MONOTONIC) < end) {
		burn(0.05);
		wait_idle(0.05);
		cycles++;
	}
	printf("sleeper: %ld cycles\n", cycles);
	return 0;
}
