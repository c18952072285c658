/* Fuzz target: the reader on raw files from libsample (CPROFRAW records).
 * Inputs go through prof_read_mem; an input detected as another
 * format is rejected (another target covers it). fuzz.h says what is checked.
 * Then the same bytes as a file (memfd): read in 24-byte chunks they give
 * the same records as in memory, and the aggregated streamed read
 * (prof_read_file with prof_read_opts.aggregate) keeps the totals. */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "rawfile.h"

static void check_streamed(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_raw", 0);
	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	raw_reader m, f;
	raw_rec a, b;
	cprof_err e1, e2;
	int om = raw_open(&m, data, size, &e1), of = raw_open_fd(&f, fd, size, 24, &e2);
	FUZZ_ASSERT(om == of);
	if (om == 0) {
		int km, kf;
		do {
			km = raw_next(&m, &a);
			kf = raw_next(&f, &b);
			FUZZ_ASSERT(km == kf);
			if (km == 1)
				FUZZ_ASSERT(a.offset == b.offset && a.type == b.type &&
					    a.body_len == b.body_len && !memcmp(a.body, b.body, a.body_len));
		} while (km == 1);
		FUZZ_ASSERT(m.stop_offset == f.stop_offset && m.truncated == f.truncated &&
			    m.zero_tail == f.zero_tail && m.ended == f.ended &&
			    m.nincomplete == f.nincomplete && m.nunknown == f.nunknown);
	}
	raw_close(&f);

	prof_read_opts o = fuzz_read_opts();
	profile *p = NULL, *q = NULL;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int rp = prof_read_mem(data, size, &o, &p, &e1);
	o.aggregate = true;
	int rq = prof_read_file(path, &o, &q, &e2);
	FUZZ_ASSERT(rp == rq);
	if (rq == 0) {
		fuzz_check_model(q);
		FUZZ_ASSERT(q->nvalues == p->nvalues && q->nsamples <= p->nsamples);
		for (uint32_t j = 0; j < p->nvalues && fuzz_small_values(p); j++)
			FUZZ_ASSERT(fuzz_total(q, j) == fuzz_total(p, j));
	} else {
		FUZZ_ASSERT(strchr(e2.msg, '\n') == NULL); /* one line */
	}
	prof_free(p);
	prof_free(q);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* -1: not this target's format, keep it out of the corpus */
	const char *fmt = prof_detect_format(data, size);
	if (!fmt || strcmp(fmt, "raw") != 0)
		return -1;
	fuzz_read_and_check(data, size);
	check_streamed(data, size);
	return 0;
}
