/* Exec chain: the program replaces itself N times (working before each
 * exec) and the last image exits with a known status. Usage: exec [N] */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "torture.h"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 5;
	tt_burn_ms(30);
	if (n > 0) {
		char arg[16];
		snprintf(arg, sizeof(arg), "%d", n - 1);
		printf("exec %d\n", n);
		fflush(stdout);
		execl("/proc/self/exe", argv[0], arg, (char *)NULL);
		perror("execl");
		return 1;
	}
	printf("end of chain\n");
	return 4;
}
