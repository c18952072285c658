/*
 * abc: the seed's example. main() calls A() and B() in turn; A() calls C()
 * every other time. Per two rounds the CPU time splits 10:6:8 between
 * A's own loop, C (called from A) and B, i.e. 5:3:4 of A / A;C / B:
 * 41.7% / 25% / 33.3% of the samples.
 *
 * Each function spins until it has used its budget of thread CPU time, so
 * the split holds whatever the speed of each loop (code alignment alone
 * moves a fixed-iteration loop by 20%). The budgets are long (a unit is
 * 5 ms) so that a fixed-rate sampler cannot alias with the pattern. The
 * clock is read every ~50 us, so well under 1% of the time is spent
 * outside the loops.
 *
 *   abc [SECONDS]   run for about SECONDS of CPU time (default 2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define UNIT_NS 5000000ull /* one unit of work: 5 ms of CPU time */
#define CHUNK 100000       /* loop iterations between clock reads */

static volatile unsigned long sink;

static unsigned long long thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Each function has its own loop so that its samples land in it. */
#define SPIN(units)                                                            \
	do {                                                                   \
		unsigned long long end_ = thread_cpu_ns() + (units) * UNIT_NS; \
		unsigned long x_ = 0;                                          \
		do {                                                           \
			for (unsigned long i_ = 0; i_ < CHUNK; i_++)           \
				x_ += i_ ^ (x_ >> 3);                          \
		} while (thread_cpu_ns() < end_);                              \
		sink += x_;                                                    \
	} while (0)

__attribute__((noinline)) void C(void)
{
	SPIN(6);
}

__attribute__((noinline)) void A(int call_c)
{
	SPIN(5);
	if (call_c)
		C();
}

__attribute__((noinline)) void B(void)
{
	SPIN(4);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	unsigned long long until;
	long rounds = 0;

	if (secs <= 0) {
		fprintf(stderr, "usage: abc [SECONDS]\n");
		return 2;
	}
	until = thread_cpu_ns() + (unsigned long long)(secs * 1e9);
	while (thread_cpu_ns() < until) {
		/* two rounds at a time keep the 5:3:4 pattern whole */
		A(1);
		B();
		A(0);
		B();
		rounds += 2;
	}
	printf("abc: %ld rounds\n", rounds);
	return 0;
}
