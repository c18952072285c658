/* Threads that block SIGPROF next to threads that do not: nothing hangs,
 * everything finishes. Usage: sigblock [NTHREADS] [MS] */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "torture.h"

static unsigned ms;

void *blocked_worker(void *arg);
void *open_worker(void *arg);

void *blocked_worker(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_setname_np(pthread_self(), "blocked");
	tt_burn_ms(ms);
	return arg;
}

void *open_worker(void *arg)
{
	pthread_setname_np(pthread_self(), "open");
	tt_burn_ms(ms);
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 6;
	ms = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
	pthread_t t[64];
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, i % 2 ? blocked_worker : open_worker, NULL);
	/* the main thread blocks it for a while too, then unblocks */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	tt_burn_ms(ms / 2);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	tt_burn_ms(ms / 2);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("sigblock threads %d done\n", n);
	return 0;
}
