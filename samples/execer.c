/*
 * execer: burns CPU in before_exec(), then exec's itself with "--after";
 * the new image burns CPU in after_exec(). With the sampler preloaded the
 * first image writes CPROF_OUT and the new one CPROF_OUT.<pid> (same pid).
 *
 *   execer [SECONDS]   CPU seconds for each image (default 0.5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "burn.h"

__attribute__((noinline)) void before_exec(double secs)
{
	BURN(secs);
}

__attribute__((noinline)) void after_exec(double secs)
{
	BURN(secs);
}

int main(int argc, char **argv)
{
	double secs = 0.5;

	if (argc > 1 && strcmp(argv[1], "--after") == 0) {
		if (argc > 2)
			secs = atof(argv[2]);
		after_exec(secs);
		printf("execer: after exec, pid %d\n", (int)getpid());
		return 0;
	}
	if (argc > 1)
		secs = atof(argv[1]);
	before_exec(secs);
	char arg[64];
	snprintf(arg, sizeof(arg), "%g", secs);
	printf("execer: before exec, pid %d\n", (int)getpid());
	fflush(stdout);
	execl("/proc/self/exe", argv[0], "--after", arg, (char *)NULL);
	perror("execer: exec");
	return 1;
}
