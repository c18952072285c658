/* Fork storm: 100 children, each working for a while and exiting with its
 * own status (some through exit, some through _exit, some returning from a
 * nested fork). Usage: fork [NCHILDREN] [MS] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "torture.h"

static int child(int i, unsigned ms)
{
	tt_burn_ms(ms);
	if (i % 10 == 0) {
		/* a grandchild too */
		pid_t g = fork();
		if (g == 0) {
			tt_burn_ms(ms);
			_exit(7);
		}
		int st = 0;
		waitpid(g, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) + i % 3 : 99;
	}
	return i % 5;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	unsigned ms = argc > 2 ? (unsigned)atoi(argv[2]) : 20;
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	for (int i = 0; i < n; i++) {
		fflush(stdout);
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			return 1;
		}
		if (pids[i] == 0) {
			int rc = child(i, ms);
			if (i % 2)
				_exit(rc);
			exit(rc);
		}
		if (i % 4 == 0)
			tt_burn_ms(2);
	}
	long sum = 0;
	for (int i = 0; i < n; i++) {
		int st = 0;
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st)) {
			printf("child %d: bad status 0x%x\n", i, st);
			return 1;
		}
		sum += WEXITSTATUS(st);
	}
	printf("forks %d status sum %ld\n", n, sum);
	free(pids);
	return 3;
}
