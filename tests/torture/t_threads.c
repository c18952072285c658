/* Thread churn: thousands of short-lived threads created and joined while
 * the profiler samples. Usage: threads [NTHREADS] [BATCH] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "torture.h"

static void *worker(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	char name[16];
	snprintf(name, sizeof(name), "churn-%u", (unsigned)(i % 1000));
	pthread_setname_np(pthread_self(), name);
	return (void *)(uintptr_t)(tt_work(20000 + i % 64, i) & 0xffff);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 3000;
	unsigned batch = argc > 2 ? (unsigned)atoi(argv[2]) : 16;
	pthread_t *t = calloc(batch, sizeof(*t));
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i += batch) {
		unsigned k = 0;
		for (; k < batch && i + k < n; k++)
			if (pthread_create(&t[k], NULL, worker, (void *)(uintptr_t)(i + k)) != 0) {
				fprintf(stderr, "pthread_create failed\n");
				return 1;
			}
		for (unsigned j = 0; j < k; j++) {
			void *r;
			pthread_join(t[j], &r);
			sum += (uintptr_t)r;
		}
	}
	printf("threads %u sum %llu\n", n, (unsigned long long)sum);
	free(t);
	return 0;
}
