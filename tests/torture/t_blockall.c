/* Threads started with every signal blocked, as liblzma and many thread
 * pools start their workers: the main thread blocks all signals, creates
 * the threads, and restores its mask. Under the profiler the workers must
 * be sampled, and yet see what they would see without it:
 *  - busy workers burn MS ms of CPU each; each checks that its mask still
 *    reads as "everything blocked" (SIGPROF included), and that a mask it
 *    sets and reads back is the one it set;
 *  - a sleeper blocks everything and calls nanosleep, poll, epoll_wait,
 *    select and sigtimedwait with timeouts: none may return EINTR (no signal
 *    can reach it without the profiler);
 *  - a waiter blocks everything and takes the program's own SIGPROF with
 *    sigwait, sent by the main thread with pthread_kill; a second SIGPROF,
 *    sent to the main thread while it blocks SIGPROF, must show in
 *    sigpending and be taken by sigwait there.
 * Prints a summary that does not depend on timing.
 * Usage: blockall [NTHREADS] [MS] */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "torture.h"

static unsigned ms;
static int bad_masks, eintrs, sleeps;

/* tt_burn_ms with few clock reads: user time, nearly no system time (the
 * test compares samples with CPU time, and cpu mode samples user mode) */
static void burn(unsigned n)
{
	uint64_t end = tt_thread_cpu_ns() + (uint64_t)n * 1000000u, x = 0;
	while (tt_thread_cpu_ns() < end)
		x += tt_work(500000, x);
}

void *busy(void *arg);
void *sleeper(void *arg);
void *waiter(void *arg);

static void check_all_blocked(const char *who)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	if (sigismember(&cur, SIGPROF) != 1 || sigismember(&cur, SIGUSR1) != 1) {
		printf("FAIL %s: mask does not read as all blocked\n", who);
		__atomic_add_fetch(&bad_masks, 1, __ATOMIC_RELAXED);
	}
}

void *busy(void *arg)
{
	sigset_t set, old, back;

	pthread_setname_np(pthread_self(), "blockall-busy");
	check_all_blocked("busy");
	burn(ms / 2);
	/* set a mask with SIGPROF and SIGUSR2 only, read it back */
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_SETMASK, &set, &old);
	if (sigismember(&old, SIGPROF) != 1)
		__atomic_add_fetch(&bad_masks, 1, __ATOMIC_RELAXED);
	sigprocmask(SIG_BLOCK, NULL, &back);
	if (sigismember(&back, SIGPROF) != 1 || sigismember(&back, SIGUSR2) != 1 ||
	    sigismember(&back, SIGUSR1) != 0) {
		printf("FAIL busy: the mask set is not the mask read\n");
		__atomic_add_fetch(&bad_masks, 1, __ATOMIC_RELAXED);
	}
	burn(ms - ms / 2);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	check_all_blocked("busy, restored");
	return arg;
}

static void count(int r, const char *what)
{
	if (r < 0 && errno == EINTR) {
		printf("FAIL sleeper: %s returned EINTR\n", what);
		__atomic_add_fetch(&eintrs, 1, __ATOMIC_RELAXED);
	}
}

void *sleeper(void *arg)
{
	int ep = epoll_create1(0), p[2];
	struct epoll_event ev = {.events = EPOLLIN};
	sigset_t none;

	pthread_setname_np(pthread_self(), "blockall-sleep");
	check_all_blocked("sleeper");
	if (pipe(p) < 0 || ep < 0)
		return arg;
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	sigemptyset(&none);
	sigaddset(&none, SIGUSR2);
	for (int i = 0; i < 10; i++) {
		struct timespec ts = {0, 10000000};
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		struct timeval tv = {0, 10000};
		fd_set rd;

		count(nanosleep(&ts, NULL), "nanosleep");
		count(poll(&pfd, 1, 10), "poll");
		count(epoll_wait(ep, &ev, 1, 10), "epoll_wait");
		FD_ZERO(&rd);
		FD_SET(p[0], &rd);
		count(select(p[0] + 1, &rd, NULL, NULL, &tv), "select");
		count(sigtimedwait(&none, NULL, &ts), "sigtimedwait");
		tt_burn_ms(2);
		sleeps++;
	}
	close(ep);
	close(p[0]);
	close(p[1]);
	return arg;
}

void *waiter(void *arg)
{
	sigset_t set;
	int sig = 0;

	pthread_setname_np(pthread_self(), "blockall-wait");
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	if (sigwait(&set, &sig) != 0 || sig != SIGPROF)
		printf("FAIL waiter: sigwait gave %d\n", sig);
	*(int *)arg = sig;
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4, got = 0, sig = 0;
	pthread_t t[64], ts, tw;
	sigset_t all, old, one, pend;

	ms = argc > 2 ? (unsigned)atoi(argv[2]) : 300;
	if (n > 64)
		n = 64;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, busy, NULL);
	pthread_create(&ts, NULL, sleeper, NULL);
	pthread_create(&tw, NULL, waiter, &got);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_join(ts, NULL);
	/* the program's own SIGPROF, for the waiter */
	pthread_kill(tw, SIGPROF);
	pthread_join(tw, NULL);
	/* and one while this thread blocks it: pending, then taken */
	sigemptyset(&one);
	sigaddset(&one, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &one, NULL);
	pthread_kill(pthread_self(), SIGPROF);
	sigpending(&pend);
	if (sigismember(&pend, SIGPROF) != 1)
		printf("FAIL main: SIGPROF sent while blocked is not pending\n");
	else if (sigwait(&one, &sig) != 0 || sig != SIGPROF)
		printf("FAIL main: sigwait gave %d\n", sig);
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	printf("blockall: %d busy threads, bad masks %d, sleeps %d, EINTR %d, sigwait %s\n", n,
	       bad_masks, sleeps, eintrs, got == SIGPROF && sig == SIGPROF ? "ok" : "FAILED");
	return bad_masks || eintrs || got != SIGPROF || sig != SIGPROF;
}
