/* A program that closes every descriptor it did not open, as daemons do at
 * their start, then puts files of its own on every number up to near the
 * limit (dup2), works, and closes them again. cprof's descriptors must
 * survive (sampling goes on) and it must never grow, cut or write the
 * program's files. Usage: closefds HOW FILE [MS] [NTHREADS], HOW one of
 *   loop       close() on every number from 3 to the limit
 *   range      close_range(3, ~0U, 0) through libc
 *   closefrom  closefrom(3)
 *   raw        the close_range and dup2 system calls themselves, which no
 *              wrapper sees (cprof finds out at its next check)
 * or: closefds semantics (close_range and dup2/dup3 answers; no FILE)
 * Prints what it checked; exits 1 when its file or pipe was touched. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "torture.h"

static unsigned ms;
static pthread_barrier_t started;

void *worker(void *arg);
void *worker(void *arg)
{
	pthread_barrier_wait(&started);
	tt_burn_ms(ms);
	return arg;
}

static void close_all(const char *how, int limit)
{
	if (!strcmp(how, "loop")) {
		for (int fd = 3; fd < limit; fd++)
			close(fd);
	} else if (!strcmp(how, "range")) {
		close_range(3, ~0u, 0);
	} else if (!strcmp(how, "closefrom")) {
		closefrom(3);
	} else {
		syscall(SYS_close_range, 3u, ~0u, 0);
	}
}

static void put(int raw, int from, int to)
{
	if (raw)
		syscall(SYS_dup3, from, to, 0);
	else
		dup2(from, to);
}

static int open_count(void)
{
	int n = 0;

	for (int fd = 0; fd < 65536; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* The wrapped calls' answers, which must be the kernel's and glibc's:
 * close_range from 0 really closes, a reversed range is EINVAL, a failed
 * dup2 or dup3 leaves no descriptor behind. */
static int semantics(void)
{
	int keep = dup(1), null = open("/dev/null", O_RDONLY);
	dup2(null, 0);
	int r = close_range(0, 0, 0);
	dprintf(keep, "close_range(0, 0): %d, fd 0 %s\n", r, fcntl(0, F_GETFD) >= 0 ? "open" : "closed");
	errno = 0;
	r = close_range(10, 5, 0);
	dprintf(keep, "close_range(10, 5): %d %s\n", r, strerror(errno));
	int before = open_count();
	for (int fd = 3; fd < 4096; fd++) {
		if (fd == keep || fd == null)
			continue;
		if (dup2(1000000, fd) >= 0 || dup3(null, fd, 0x12345) >= 0)
			dprintf(keep, "dup2/dup3 onto %d worked\n", fd);
	}
	dprintf(keep, "failed dup2/dup3 onto 3..4095: %d more descriptors\n", open_count() - before);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "semantics"))
		return semantics();
	if (argc < 3) {
		fprintf(stderr, "usage: closefds loop|range|closefrom|raw FILE [MS] [NTHREADS]\n");
		return 2;
	}
	const char *how = argv[1], *path = argv[2];
	int raw = !strcmp(how, "raw");
	ms = argc > 3 ? (unsigned)atoi(argv[3]) : 400;
	int n = argc > 4 ? atoi(argv[4]) : 2;
	pthread_t t[16];
	struct rlimit rl;
	int limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1024 ? (int)rl.rlim_cur : 1024;
	int fill = limit - 24; /* room left for what cprof opens again */

	if (n > 16)
		n = 16;
	pthread_barrier_init(&started, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	pthread_barrier_wait(&started);
	close_all(how, limit);

	int file = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), p[2];
	if (file < 0 || pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0 || write(file, "before\n", 7) != 7) {
		perror(path);
		return 2;
	}
	/* the program's files on every number (cprof's among them) */
	for (int fd = 3; fd < fill; fd++)
		if (fd != file && fd != p[0] && fd != p[1])
			put(raw, fd % 2 ? p[1] : file, fd);
	tt_burn_ms(ms);
	for (int fd = 3; fd < fill; fd++)
		if (fd != file && fd != p[0] && fd != p[1])
			close(fd);
	tt_burn_ms(ms / 2);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);

	char buf[64];
	ssize_t got = pread(file, buf, sizeof(buf), 0), inpipe = read(p[0], buf + 32, 16);
	struct stat st;
	int file_ok = fstat(file, &st) == 0 && st.st_size == 7 && got == 7 && !memcmp(buf, "before\n", 7);
	int pipe_ok = inpipe < 0 && errno == EAGAIN;
	printf("closefds %s: file %s, pipe %s, %d threads done\n", how, file_ok ? "intact" : "TOUCHED",
	       pipe_ok ? "empty" : "WRITTEN", n);
	if (!file_ok)
		fprintf(stderr, "closefds: %s is %lld bytes, not 7\n", path, (long long)st.st_size);
	return file_ok && pipe_ok ? 0 : 1;
}
