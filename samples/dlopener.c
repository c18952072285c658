/*
 * dlopener: loads libcprof-plugin.so (built from samples/plugin/ next to
 * this program), runs its plugin_work() for SECONDS of CPU time, unloads it,
 * then burns as long again in after_unload(). The recording shows a MAPPING
 * for the plugin after the dlopen and an UNMAP after the dlclose.
 *
 *   dlopener [SECONDS]   default 0.5
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

__attribute__((noinline)) void after_unload(double secs)
{
	struct timespec ts;
	double end;
	unsigned long x = 0;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	end = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + secs;
	do {
		for (unsigned long i = 0; i < 100000; i++)
			x += i ^ (x >> 3);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	} while ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 < end);
	sink += x;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.5;
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	void *h;
	void (*work)(double);

	if (n <= 0) {
		perror("dlopener: /proc/self/exe");
		return 1;
	}
	self[n] = 0;
	*strrchr(self, '/') = 0;
	snprintf(path, sizeof(path), "%s/libcprof-plugin.so", self);
	if (!(h = dlopen(path, RTLD_NOW))) {
		fprintf(stderr, "dlopener: %s\n", dlerror());
		return 1;
	}
	*(void **)&work = dlsym(h, "plugin_work");
	if (!work) {
		fprintf(stderr, "dlopener: %s\n", dlerror());
		return 1;
	}
	work(secs);
	if (dlclose(h) != 0) {
		fprintf(stderr, "dlopener: %s\n", dlerror());
		return 1;
	}
	after_unload(secs);
	printf("dlopener: done\n");
	return 0;
}
