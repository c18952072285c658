/* dlopen/dlclose in a loop: two libraries loaded and unloaded in turn, so
 * they often occupy the same addresses one after the other. Samples inside
 * each must be symbolized as that library's function afterwards.
 * Usage: dlopen LIBA LIBB [ROUNDS] [MS] */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef unsigned long long (*spin_fn)(unsigned);

/* Distinct callers, so a test can check which library each sample hit. */
unsigned long long call_in_a(spin_fn f, unsigned ms);
unsigned long long call_in_b(spin_fn f, unsigned ms);
unsigned long long call_in_a(spin_fn f, unsigned ms) { return f(ms); }
unsigned long long call_in_b(spin_fn f, unsigned ms) { return f(ms); }

static int round_trip(const char *path, const char *sym, int which, unsigned ms,
		      unsigned long long *sum)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		printf("dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	spin_fn f = (spin_fn)dlsym(h, sym);
	if (!f) {
		printf("dlsym %s: missing\n", sym);
		return -1;
	}
	*sum += which ? call_in_b(f, ms) : call_in_a(f, ms);
	if (dlclose(h) != 0) {
		printf("dlclose: %s\n", dlerror());
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: dlopen LIBA LIBB [ROUNDS] [MS]\n");
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 40;
	unsigned ms = argc > 4 ? (unsigned)atoi(argv[4]) : 15;
	unsigned long long sum = 0;
	for (int i = 0; i < rounds; i++) {
		if (round_trip(argv[1], "tortdl_a_spin", 0, ms, &sum) ||
		    round_trip(argv[2], "tortdl_b_spin", 1, ms, &sum))
			return 1;
	}
	printf("dlopen rounds %d sum %llu\n", rounds, sum);
	return 0;
}
