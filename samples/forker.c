/*
 * forker: forks; the child burns CPU in child_work() and the parent in
 * parent_work(), each for about SECONDS of CPU time, then the parent waits.
 * With the sampler preloaded the parent's file is CPROF_OUT and the child's
 * CPROF_OUT.<child pid>.
 *
 *   forker [SECONDS [exit|_exit]]   default 1 s; how the child ends (exit)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "burn.h"

__attribute__((noinline)) void child_work(double secs)
{
	BURN(secs);
}

__attribute__((noinline)) void parent_work(double secs)
{
	BURN(secs);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	int use__exit = argc > 2 && !strcmp(argv[2], "_exit");
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		child_work(secs);
		printf("forker: child %d done\n", (int)getpid());
		fflush(stdout);
		if (use__exit)
			_exit(0);
		exit(0);
	}
	parent_work(secs);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "forker: child failed\n");
		return 1;
	}
	printf("forker: parent %d, child %d\n", (int)getpid(), (int)pid);
	return 0;
}
