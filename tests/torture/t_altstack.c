/* Tiny stacks: threads with the smallest stack pthreads allows, and threads
 * that burn CPU inside a signal handler running on a small sigaltstack,
 * where the profiler's handler lands with only a few KiB to spare.
 * Usage: altstack [MS] [ALTSTACK_BYTES] */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torture.h"

static unsigned ms;
static size_t alt_size;
/* Three threads' handlers count here, often at the same moment: a plain
 * ++ lost one now and then ("2 handlers ran"), and e2e 61 saw another
 * output under the profiler. A lock-free atomic add is async-signal-safe. */
static int handled;

static void on_usr1(int sig)
{
	(void)sig;
	tt_burn_ms(ms);
	__atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
}

void *small_stack_worker(void *arg);
void *small_stack_worker(void *arg)
{
	tt_burn_ms(ms);
	return arg;
}

void *altstack_worker(void *arg);
void *altstack_worker(void *arg)
{
	stack_t ss;
	memset(&ss, 0, sizeof(ss));
	ss.ss_sp = malloc(alt_size);
	ss.ss_size = alt_size;
	if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0) {
		perror("sigaltstack");
		exit(1);
	}
	pthread_kill(pthread_self(), SIGUSR1); /* runs on_usr1 on the alt stack */
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	free(ss.ss_sp);
	return arg;
}

int main(int argc, char **argv)
{
	ms = argc > 1 ? (unsigned)atoi(argv[1]) : 200;
	alt_size = argc > 2 ? (size_t)atol(argv[2]) : 16384;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
	pthread_t t[6];
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t[i], &attr, small_stack_worker, NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
	for (int i = 3; i < 6; i++)
		pthread_create(&t[i], NULL, altstack_worker, NULL);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	printf("tiny stacks done, %d handlers ran\n", __atomic_load_n(&handled, __ATOMIC_RELAXED));
	return 0;
}
