/*
 * cprof.h: the API of libcprof-sample.so, the cprof sampler.
 *
 * Two ways to profile a program with it:
 *  - no code change: LD_PRELOAD=libcprof-sample.so CPROF_OUT=out.cprof ./prog
 *    (or cprof-record -- ./prog); the recording runs from start to exit;
 *  - this API: link with -lcprof-sample (pkg-config cprof) and call
 *    cprof_start() / cprof_stop() around what you want to see. If CPROF_OUT
 *    is set in the environment the recording already runs from the start
 *    and cprof_start() fails with EBUSY.
 *
 * Labels: each thread has a current set of key=value labels; every sample
 * the thread takes carries the set current at that moment. Setting a label
 * costs a lookup under a lock (no allocation once a set has been seen), so
 * it is meant for request boundaries, not for inner loops.
 *
 * Optional use: a program that must also run without the library defines
 * CPROF_OPTIONAL before including this header. The functions are then
 * declared weak: they are NULL unless the library is linked or preloaded,
 * so call them as `if (cprof_label_set) cprof_label_set("k", "v");`
 * (samples/labels.c does this).
 *
 * All functions return 0 on success and -1 with errno set on failure.
 */
#ifndef CPROF_H
#define CPROF_H

#ifdef __cplusplus
extern "C" {
#endif

#ifdef CPROF_OPTIONAL
#define CPROF_API __attribute__((weak))
#else
#define CPROF_API
#endif

struct cprof_options {
	unsigned int hz;    /* samples per second of CPU time (0: $CPROF_HZ or 100) */
	const char *mode;   /* "cpu" or "wall" (NULL: $CPROF_MODE or "cpu") */
	const char *unwind; /* "libunwind" or "fp" (NULL: $CPROF_UNWIND or "libunwind") */
};

/* Starts recording every thread of the process into path (NULL: $CPROF_OUT,
 * else "cprof.out"); opts may be NULL. EBUSY if a recording runs. */
CPROF_API int cprof_start(const char *path, const struct cprof_options *opts);
/* Stops, writes the END record and closes the file. */
CPROF_API int cprof_stop(void);
/* Pushes what was recorded so far to the disk (the file is readable at
 * any time even without it: records go straight to the page cache). */
CPROF_API int cprof_flush(void);
/* 1 while a recording runs, else 0. */
CPROF_API int cprof_recording(void);

/* Sets key=value in the calling thread's label set (replacing the key's
 * value). Keys up to 255 bytes, values up to 1023, at most 16 labels. */
CPROF_API int cprof_label_set(const char *key, const char *value);
/* Removes key from the calling thread's set; NULL removes all labels. */
CPROF_API int cprof_label_clear(const char *key);

#ifdef __cplusplus
}
#endif

#endif
