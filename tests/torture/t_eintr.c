/* EINTR-heavy I/O under sampling: pipe reads and writes, accept and
 * connect on loopback, and nanosleep, each in a thread that also burns CPU
 * so the profiler's signals land while it is inside system calls.
 *
 * The calls restarted under SA_RESTART (read, write, accept, connect) are
 * used naively: an EINTR there is a failure the profiler caused. nanosleep
 * is never restarted by the kernel, so it is resumed with the remaining
 * time as POSIX asks; the program checks it slept at least the whole time.
 * Usage: eintr [MESSAGES] [CONNECTIONS] [SLEEPS] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "torture.h"

static int nmsg, nconn, nsleep;
static int pfd[2];
static int lfd;
static int port;
static volatile int failures;

static void fail(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	failures++;
}

void *pipe_writer(void *arg);
void *pipe_writer(void *arg)
{
	for (int i = 0; i < nmsg; i++) {
		uint32_t v = (uint32_t)i;
		if (write(pfd[1], &v, sizeof(v)) != (ssize_t)sizeof(v)) {
			fail("write");
			break;
		}
		if (i % 64 == 0)
			tt_work(20000, v);
	}
	close(pfd[1]);
	return arg;
}

void *pipe_reader(void *arg)
{
	long *sum = arg;
	for (int i = 0; i < nmsg; i++) {
		uint32_t v;
		ssize_t r = read(pfd[0], &v, sizeof(v));
		if (r != (ssize_t)sizeof(v)) {
			fail("read");
			break;
		}
		if (v != (uint32_t)i) {
			printf("FAIL pipe order %u != %d\n", v, i);
			failures++;
			break;
		}
		*sum += v;
		if (i % 64 == 0)
			tt_work(20000, v);
	}
	return NULL;
}

void *acceptor(void *arg)
{
	int *got = arg;
	for (int i = 0; i < nconn; i++) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0) {
			fail("accept");
			break;
		}
		uint32_t v;
		if (read(c, &v, sizeof(v)) != (ssize_t)sizeof(v))
			fail("socket read");
		else
			*got += (int)v;
		close(c);
		tt_work(50000, v);
	}
	return NULL;
}

void *connector(void *arg)
{
	for (int i = 0; i < nconn; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a;
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
			fail("connect");
			close(s);
			break;
		}
		uint32_t v = 1;
		if (write(s, &v, sizeof(v)) != (ssize_t)sizeof(v))
			fail("socket write");
		close(s);
		tt_work(50000, (uint64_t)i);
	}
	return arg;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void *sleeper(void *arg)
{
	int *short_sleeps = arg;
	for (int i = 0; i < nsleep; i++) {
		struct timespec req = { 0, 1000000 }, rem;
		uint64_t t0 = mono_ns();
		while (nanosleep(&req, &rem) != 0) {
			if (errno != EINTR) {
				fail("nanosleep");
				return NULL;
			}
			req = rem;
		}
		if (mono_ns() - t0 < 1000000)
			(*short_sleeps)++;
		tt_work(20000, (uint64_t)i);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	nmsg = argc > 1 ? atoi(argv[1]) : 20000;
	nconn = argc > 2 ? atoi(argv[2]) : 200;
	nsleep = argc > 3 ? atoi(argv[3]) : 200;
	if (pipe(pfd) != 0) {
		perror("pipe");
		return 1;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof(a);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0) {
		perror("listen on loopback");
		return 1;
	}
	port = ntohs(a.sin_port);

	long psum = 0;
	int got = 0, short_sleeps = 0;
	pthread_t t[5];
	pthread_create(&t[0], NULL, pipe_writer, NULL);
	pthread_create(&t[1], NULL, pipe_reader, &psum);
	pthread_create(&t[2], NULL, acceptor, &got);
	pthread_create(&t[3], NULL, connector, NULL);
	pthread_create(&t[4], NULL, sleeper, &short_sleeps);
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	close(lfd);
	printf("pipe %ld connections %d short sleeps %d failures %d\n", psum, got, short_sleeps,
	       (int)failures);
	return failures ? 1 : 0;
}
