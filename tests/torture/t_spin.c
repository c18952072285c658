/* A busy multi-threaded program for the SIGKILL test: it runs until killed
 * (or for SECONDS). Usage: spin [SECONDS] [NTHREADS] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "torture.h"

static unsigned secs;

void *spin_worker(void *arg);
void *spin_worker(void *arg)
{
	tt_burn_ms(secs * 1000);
	return arg;
}

int main(int argc, char **argv)
{
	secs = argc > 1 ? (unsigned)atoi(argv[1]) : 10;
	int n = argc > 2 ? atoi(argv[2]) : 2;
	pthread_t t[16];
	if (n > 16)
		n = 16;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, spin_worker, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("spun\n");
	return 0;
}
