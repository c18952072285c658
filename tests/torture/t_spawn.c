/* vfork and posix_spawn: children created both ways, some exec'ing this
 * program again, some leaving a vfork child through _exit without exec.
 * Usage: spawn [ROUNDS] | spawn child CODE */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "torture.h"

extern char **environ;

static int wait_code(pid_t p)
{
	int st = 0;
	if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "child") == 0) {
		tt_burn_ms(10);
		return atoi(argv[2]);
	}
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	long sum = 0;
	for (int i = 0; i < rounds; i++) {
		char code[16];
		snprintf(code, sizeof(code), "%d", i % 7);
		char *args[] = { argv[0], "child", code, NULL };

		pid_t p = vfork();
		if (p == 0) {
			execve("/proc/self/exe", args, environ);
			_exit(127);
		}
		sum += wait_code(p);

		p = vfork();
		if (p == 0)
			_exit(i % 3); /* a vfork child that never execs */
		sum += wait_code(p);

		if (posix_spawn(&p, "/proc/self/exe", NULL, NULL, args, environ) != 0) {
			printf("posix_spawn failed\n");
			return 1;
		}
		sum += wait_code(p);
		tt_burn_ms(5);
	}
	printf("spawn rounds %d status sum %ld\n", rounds, sum);
	return 0;
}
