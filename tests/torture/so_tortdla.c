/* A library the dlopen torture loads and unloads in turn with tortdlb. */
#include "torture.h"

uint64_t tortdl_a_spin(unsigned ms);
uint64_t tortdl_a_spin(unsigned ms)
{
	(void)tt_burn_ms(ms);
	return 1;
}
