/* The second library of the dlopen torture: often mapped where tortdla was. */
#include "torture.h"

uint64_t tortdl_b_spin(unsigned ms);
uint64_t tortdl_b_spin(unsigned ms)
{
	(void)tt_burn_ms(ms);
	return 2;
}
