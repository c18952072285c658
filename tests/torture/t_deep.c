/* Deep recursion: 10k frames (more with an argument), CPU burnt at the
 * bottom, so samples carry stacks deeper than any recorder keeps.
 * Usage: deep [DEPTH] [MS] */
#include <stdio.h>
#include <stdlib.h>

#include "torture.h"

static unsigned ms;

unsigned long recurse(unsigned n);
unsigned long recurse(unsigned n)
{
	volatile char pad[32];
	pad[n % 32] = (char)n;
	unsigned long r = n == 0 ? (unsigned long)tt_burn_ms(ms) & 1 : recurse(n - 1);
	return r + (unsigned long)pad[n % 32] * 0; /* not a tail call */
}

int main(int argc, char **argv)
{
	unsigned depth = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
	ms = argc > 2 ? (unsigned)atoi(argv[2]) : 300;
	recurse(depth);
	printf("recursed %u frames\n", depth);
	return 0;
}
