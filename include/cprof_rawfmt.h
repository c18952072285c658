/*
 * The raw file: what libsample writes and the tools read. The byte layout
 * is documented in docs/raw-format.md; this header is its definition, and
 * the only place the numbers live.
 *
 * A raw file is a 16-byte file header followed by records. Every record
 * starts with an 8-byte record header (size, type, flags), its size is a
 * multiple of 8 and includes the header, so a reader skips any type it does
 * not know. All integers are in the writer's byte order, which the file
 * header's byte-order mark makes detectable; today's readers accept
 * little-endian files only and say so otherwise.
 *
 * Crash safety: the writer fills in `size` and the body first and `type`
 * last. A record whose size is 0 marks the end of the data (the zero tail
 * of a file that was never closed); a record with type 0 was reserved but
 * never completed (the process died inside the signal handler) and is
 * skipped. A file cut anywhere reads up to its last complete record.
 */
#ifndef CPROF_RAWFMT_H
#define CPROF_RAWFMT_H

#include <stdint.h>

#define CPROF_RAW_MAGIC "CPROFRAW" /* 8 bytes, no NUL */
#define CPROF_RAW_VERSION 2
/* Version 2 added STACK and STACK_SAMPLE records (a sample that refers to a
 * stack written once); readers read versions 1 and 2. */
#define CPROF_RAW_BOM 0x01020304u

struct cprof_raw_file_header {
	char magic[8];     /* CPROF_RAW_MAGIC */
	uint16_t version;  /* CPROF_RAW_VERSION; a reader refuses a newer major */
	uint16_t hdr_size; /* sizeof(struct cprof_raw_file_header) = 16 */
	uint32_t bom;      /* CPROF_RAW_BOM as written by the writer */
};

struct cprof_raw_rec {
	uint32_t size;  /* whole record in bytes, header included, multiple of 8 */
	uint16_t type;  /* enum cprof_raw_type; written last (0: incomplete) */
	uint16_t flags; /* per-type flags */
};

enum cprof_raw_type {
	CPROF_RAW_INCOMPLETE = 0,
	CPROF_RAW_INFO = 1,     /* once, first record */
	CPROF_RAW_MAPPING = 2,  /* an executable mapping appeared */
	CPROF_RAW_THREAD = 3,   /* a thread was seen or renamed */
	CPROF_RAW_SAMPLE = 4,   /* one stack sample */
	CPROF_RAW_LABELSET = 5, /* a set of key=value labels, referenced by id */
	CPROF_RAW_END = 6,      /* clean end: totals */
	CPROF_RAW_NOTE = 7,     /* a warning the recorder wants the reader to see */
	CPROF_RAW_UNMAP = 8,    /* a mapping went away (dlclose) */
	CPROF_RAW_STACK = 9,    /* v2: a stack, written once, referenced by id */
	CPROF_RAW_STACK_SAMPLE = 10, /* v2: one sample of a STACK record's stack */
};

enum cprof_raw_timer {
	CPROF_TIMER_PERF_EVENT = 1,   /* perf_event_open task-clock, per thread */
	CPROF_TIMER_TIMER_CREATE = 2, /* timer_create(CLOCK_THREAD_CPUTIME_ID) */
	CPROF_TIMER_SETITIMER = 3,    /* setitimer(ITIMER_PROF), process-wide */
	CPROF_TIMER_WALL = 4,         /* a sampling thread on CLOCK_MONOTONIC */
};

enum cprof_raw_mode {
	CPROF_MODE_CPU = 0,  /* samples taken as a thread consumes CPU time */
	CPROF_MODE_WALL = 1, /* every thread sampled at the rate, running or not */
};

enum cprof_raw_unwinder {
	CPROF_UNWIND_LIBUNWIND = 1,
	CPROF_UNWIND_FP = 2, /* frame-pointer walk */
};

/* INFO body, followed by: exe path (exe_len bytes), then the command line
 * (cmdline_len bytes, arguments separated by NUL), then padding. */
struct cprof_raw_info {
	uint64_t period_ns;          /* the period actually used */
	uint64_t start_realtime_ns;  /* CLOCK_REALTIME at start (pprof time_nanos) */
	uint64_t start_monotonic_ns; /* CLOCK_MONOTONIC at start: time origin */
	uint32_t hz;                 /* the rate that was asked for */
	uint32_t pid;
	uint32_t ppid;
	uint8_t timer;    /* enum cprof_raw_timer */
	uint8_t mode;     /* enum cprof_raw_mode */
	uint8_t unwinder; /* enum cprof_raw_unwinder */
	uint8_t clock;    /* clock id of sample timestamps: CLOCK_MONOTONIC (1) */
	uint32_t exe_len;
	uint32_t cmdline_len;
};

/* MAPPING body, followed by build_id (build_id_len bytes) and the path
 * (path_len bytes), then padding. */
struct cprof_raw_mapping {
	uint64_t time_ns; /* CLOCK_MONOTONIC when it was recorded */
	uint64_t start;   /* first address */
	uint64_t limit;   /* one past the last address */
	uint64_t offset;  /* file offset mapped at start */
	uint16_t build_id_len;
	uint16_t path_len;
	uint32_t prot; /* PROT_* bits of the mapping */
};

/* THREAD body. */
struct cprof_raw_thread {
	uint64_t time_ns;
	uint32_t tid;
	uint32_t reserved;
	char name[16]; /* NUL-padded, as in /proc/self/task/TID/comm */
};

#define CPROF_SAMPLE_OFFCPU 0x1    /* wall mode: the thread was not running */
#define CPROF_SAMPLE_TRUNCATED 0x2 /* the stack was deeper than recorded */

/* SAMPLE body, followed by nframes uint64 addresses, leaf first: frames[0]
 * is the interrupted instruction, the others are return addresses. */
struct cprof_raw_sample {
	uint64_t time_ns;   /* CLOCK_MONOTONIC */
	uint64_t weight_ns; /* CPU (or wall) time this sample stands for */
	uint32_t tid;
	uint32_t labelset; /* 0: no labels, else a LABELSET id */
	uint16_t nframes;
	uint16_t sflags; /* CPROF_SAMPLE_* */
	uint32_t reserved;
};

/* STACK body (v2), followed by nframes uint64 addresses, leaf first, as a
 * SAMPLE's. The recorder writes one for each distinct stack it interns,
 * before the first STACK_SAMPLE that refers to it. */
struct cprof_raw_stack {
	uint32_t id; /* > 0, unique within the file */
	uint16_t nframes;
	uint16_t sflags; /* CPROF_SAMPLE_TRUNCATED: the stack was cut at nframes */
};

/* STACK_SAMPLE body (v2): a sample whose stack is in a STACK record. What a
 * SAMPLE would repeat is left out: the optional fields follow the fixed part
 * only when the record header's flags say so, in this order:
 *   CPROF_SSAMPLE_WEIGHT: uint64 weight_ns (else the weight is INFO's
 *                         period_ns);
 *   CPROF_SSAMPLE_LABELS: uint32 labelset (else 0: no labels).
 * CPROF_SSAMPLE_OFFCPU in the flags is SAMPLE's CPROF_SAMPLE_OFFCPU. A
 * record is 24 bytes, 32 with a weight or labels, 40 with both. */
struct cprof_raw_stack_sample {
	uint64_t time_ns; /* CLOCK_MONOTONIC */
	uint32_t tid;
	uint32_t stack; /* a STACK record's id */
};
#define CPROF_SSAMPLE_OFFCPU 0x1 /* record flags: the thread was not running */
#define CPROF_SSAMPLE_WEIGHT 0x2 /* record flags: a uint64 weight_ns follows */
#define CPROF_SSAMPLE_LABELS 0x4 /* record flags: a uint32 labelset follows */

/* LABELSET body, followed by count entries of
 * { uint16_t key_len; uint16_t value_len; key bytes; value bytes },
 * then padding. Ids are > 0 and unique within a file. */
struct cprof_raw_labelset {
	uint32_t id;
	uint32_t count;
};

/* END body. */
struct cprof_raw_end {
	uint64_t time_ns;
	uint64_t samples_written;
	uint64_t samples_dropped; /* buffer full or file full: counted, never silent */
	uint64_t reserved;
};

/* NOTE body, followed by len bytes of UTF-8 text. */
struct cprof_raw_note {
	uint64_t time_ns;
	uint32_t level; /* 0 info, 1 warning */
	uint32_t len;
};

/* UNMAP body. */
struct cprof_raw_unmap {
	uint64_t time_ns;
	uint64_t start;
	uint64_t limit;
};

#define CPROF_RAW_MAX_FRAMES 1024 /* the most frames one sample records */
#define CPROF_RAW_ALIGN(n) (((n) + 7u) & ~7u)

#endif
