/*
 * ownprof: a program with its own SIGPROF profiler: it installs a SIGPROF
 * handler, arms setitimer(ITIMER_PROF) at 100 Hz and burns SECONDS of CPU
 * time in spin(). It checks that its handler got at least half of the
 * signals it expects, so it fails if a profiler around it steals them.
 *
 *   ownprof [SECONDS]   default 1
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t ticks;
static volatile unsigned long sink;

static void on_prof(int sig)
{
	(void)sig;
	ticks++;
}

__attribute__((noinline)) void spin(double secs)
{
	struct timespec ts;
	double end;
	unsigned long x = 0;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	end = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + secs;
	do {
		for (unsigned long i = 0; i < 100000; i++)
			x += i ^ (x >> 3);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	} while ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 < end);
	sink += x;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct sigaction sa;
	struct itimerval it = {{0, 10000}, {0, 10000}};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) < 0 || setitimer(ITIMER_PROF, &it, NULL) < 0) {
		perror("ownprof");
		return 1;
	}
	spin(secs);
	it = (struct itimerval){{0, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &it, NULL);
	printf("ownprof: %d SIGPROF ticks in %.1f s of CPU\n", (int)ticks, secs);
	if (ticks < secs * 100 / 2) {
		fprintf(stderr, "ownprof: too few ticks (%d)\n", (int)ticks);
		return 1;
	}
	return 0;
}
