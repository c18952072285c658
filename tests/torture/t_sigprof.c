/* A program with its own SIGPROF handler and its own ITIMER_PROF timer: it
 * must keep receiving its ticks under the profiler.
 * Usage: sigprof [MS] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "torture.h"

static volatile sig_atomic_t ticks;

static void on_prof(int sig)
{
	(void)sig;
	ticks++;
}

int main(int argc, char **argv)
{
	unsigned ms = argc > 1 ? (unsigned)atoi(argv[1]) : 400;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) != 0) {
		perror("sigaction");
		return 1;
	}
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	if (setitimer(ITIMER_PROF, &it, NULL) != 0) {
		perror("setitimer");
		return 1;
	}
	tt_burn_ms(ms);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_PROF, &off, NULL);
	/* 10 ms ticks over ms of CPU: about ms/10 expected, but a loaded
	 * machine's tick-based accounting gives far fewer; any tick shows the
	 * handler still gets its signals */
	unsigned want = 1;
	printf("own SIGPROF handler: %s\n", ticks >= (sig_atomic_t)want ? "ticking" : "starved");
	fprintf(stderr, "ticks %d (want >= %u)\n", (int)ticks, want);
	return ticks >= (sig_atomic_t)want ? 0 : 1;
}
