/*
 * profile: the one in-memory profile model every reader fills and every
 * writer and view reads. It follows pprof's profile.proto closely, so that
 * pprof input round-trips, and adds what the raw file carries and pprof
 * does not: each sample's timestamp and thread.
 *
 * Everything is an index into one of the profile's arrays (0-based; pprof's
 * 1-based ids exist only inside the pprof reader/writer). Strings are
 * interned: two equal strings are the same pointer, so names compare with
 * ==. They are escaped (util.h: a NUL byte is C0 80, a C0 byte C0 C1), so
 * that they stay C strings and a pprof string with NUL bytes stays whole;
 * text without those bytes (valid UTF-8) is stored as it is. Whatever
 * prints a model string's bytes decodes it (sb_add_unesc; the XML and JSON
 * escapers read the escape; names_frame's cleaning decodes too). Stacks
 * and label sets are interned too: a sample is (stack id, labelset id,
 * values, time, thread). All memory belongs to the profile and
 * is freed at once by prof_free().
 *
 * Iteration order is insertion order, and readers insert deterministically,
 * so the same input gives the same model and the same output bytes.
 *
 * Grouping (prof_group_samples) sums samples by (stack[, labelset][,
 * thread]) without changing the model: the raw view and the aggregated views
 * are two reads of one model.
 */
#ifndef CPROF_PROFILE_H
#define CPROF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define PROF_NONE UINT32_MAX /* "no such index" */

/* What a sample's value means. Values are integers, as pprof's; a type
 * with decimals > 0 holds fixed-point numbers: the value v stands for
 * v / 10^decimals (folded input's fractional counts, "a;b 1.5" is 15 with
 * decimals 1). Every writer prints a value through prof_add_value (exact
 * decimals) or prof_value_real (a double for scaled displays). */
#define PROF_MAX_DECIMALS 9
typedef struct prof_value_type {
	const char *type;  /* "samples", "cpu", "wall" */
	const char *unit;  /* "count", "nanoseconds" */
	uint32_t decimals; /* 0..PROF_MAX_DECIMALS */
} prof_value_type;

typedef struct prof_mapping {
	uint64_t start, limit, offset;
	const char *file;     /* interned; "" if unknown */
	const char *build_id; /* interned, lower-case hex; "" if unknown */
	bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
} prof_mapping;

typedef struct prof_function {
	const char *name;        /* interned, demangled */
	const char *system_name; /* interned, as in the symbol table */
	const char *filename;    /* interned; "" if unknown */
	int64_t start_line;
} prof_function;

typedef struct prof_line {
	uint32_t function; /* index into functions */
	int64_t line;      /* 0 if unknown */
	int64_t column;
} prof_line;

typedef struct prof_location {
	uint32_t mapping; /* index into mappings, or PROF_NONE */
	uint64_t address; /* 0 if unknown */
	/* Inlined frames, leaf (innermost) first, as pprof stores them. An
	 * unsymbolized location has nlines == 0 and is shown as
	 * "module+0xoffset". */
	prof_line *lines;
	uint32_t nlines;
	bool is_folded;
} prof_location;

typedef struct prof_stack {
	uint32_t *locs; /* location indexes, leaf first */
	uint32_t depth;
} prof_stack;

typedef struct prof_label {
	const char *key;  /* interned */
	const char *str;  /* interned string value, or NULL for a numeric label */
	int64_t num;      /* numeric value when str == NULL */
	const char *unit; /* interned unit of a numeric label, or NULL */
} prof_label;

typedef struct prof_labelset {
	/* sorted by key; a key's values in the order they came (pprof keeps
	 * them as a list): {a=1,a=2} and {a=2,a=1} are two sets */
	prof_label *labels;
	uint32_t n;
} prof_labelset;

typedef struct prof_sample {
	uint32_t stack;    /* index into stacks */
	uint32_t labelset; /* index into labelsets; 0 is the empty set */
	int64_t time_ns;   /* since the profile's start, or -1 if unknown */
	int32_t tid;       /* thread id, or -1 if unknown */
	uint32_t flags;    /* PROF_SAMPLE_* */
} prof_sample;

#define PROF_SAMPLE_OFFCPU 0x1 /* wall mode: the thread was blocked */

typedef struct prof_thread {
	int32_t tid;
	int32_t pid;      /* its process, 0 if unknown */
	const char *name; /* interned; "" if unknown */
} prof_thread;

typedef struct profile profile;

struct profile {
	/* what each sample's values mean; nvalues entries */
	prof_value_type *sample_types;
	uint32_t nvalues;
	uint32_t default_type; /* index into sample_types (pprof default_sample_type) */

	prof_mapping *mappings;
	uint32_t nmappings;
	prof_function *functions;
	uint32_t nfunctions;
	prof_location *locations;
	uint32_t nlocations;
	prof_stack *stacks;
	uint32_t nstacks;
	prof_labelset *labelsets; /* labelsets[0] is always the empty set */
	uint32_t nlabelsets;

	prof_sample *samples;
	int64_t *values; /* nsamples * nvalues, row-major: values[i*nvalues + j] */
	size_t nsamples;

	prof_thread *threads; /* known thread names (raw input) */
	uint32_t nthreads;

	/* pprof header fields */
	const char **comments;
	uint32_t ncomments;
	const char *drop_frames, *keep_frames; /* interned regexes or NULL */
	prof_value_type period_type;
	int64_t period;
	int64_t time_nanos;     /* wall-clock start, ns since the epoch */
	int64_t duration_nanos;
	/* CLOCK_MONOTONIC at the time origin (raw input; 0 if unknown): the
	 * clock every process of one boot of one machine shares, so profiles
	 * of one run merge onto one axis (prof_origin_delta). */
	int64_t mono_start_ns;
	bool has_timestamps;    /* samples carry time_ns / tid (raw input) */

	/* raw-input facts, for headers and views (0 / NULL when unknown) */
	const char *source_format; /* "raw", "pprof", "folded" */
	const char *mode;          /* "cpu" or "wall" for raw input */
	const char *timer;         /* which timer the recorder used */
	const char *executable;
	const char *cmdline;
	int32_t pid;
	uint64_t samples_dropped;

	struct prof_internal *in; /* arena, intern tables: private */
};

/* ---- building ---------------------------------------------------------- */
profile *prof_new(void);
void prof_free(profile *p);

/* Interns the bytes s[0..n) (prof_intern: up to the NUL), escaped, in the
 * profile's arena; NULL stays NULL. A string this profile returned before
 * comes back unchanged (it is escaped already), so builders may be handed
 * the model's own strings. */
const char *prof_intern(profile *p, const char *s);
const char *prof_intern_n(profile *p, const char *s, size_t n);

/* Sets the sample types (copied); must be called before samples are added. */
void prof_set_sample_types(profile *p, const prof_value_type *types, uint32_t n);
/* Gives sample type j more decimals (never fewer): every value of type j
 * is multiplied by 10^(decimals - before). False (nothing changed) when a
 * value would not fit in int64. */
bool prof_set_decimals(profile *p, uint32_t j, uint32_t decimals);

uint32_t prof_add_mapping(profile *p, const prof_mapping *m);
/* Functions are interned by (name, system_name, filename, start_line). */
uint32_t prof_intern_function(profile *p, const char *name, const char *system_name,
			      const char *filename, int64_t start_line);
/* The same, of strings this profile interned (none NULL): a reader that
 * interned its string table first need not have them looked up again. */
uint32_t prof_intern_function_own(profile *p, const char *name, const char *system_name,
				  const char *filename, int64_t start_line);
/* Appends a function of strings this profile interned (none NULL) that
 * the profile cannot have (the caller knows no function has all four
 * fields), without a probe of the functions' table (indexed at the next
 * lookup): the pprof reader's functions of names new to its functions. */
uint32_t prof_add_function_own(profile *p, const char *name, const char *system_name,
			       const char *filename, int64_t start_line);
/* How many distinct strings the profile holds: a reader that interned n
 * strings and saw this grow by n knows they were n distinct ones. */
size_t prof_string_count(const profile *p);
/* The function named s[0..n) (its system name too; no file, no line),
 * for a reader that asks once per distinct name (the caller promises
 * s[0..n) was not given here before on p): a name new to the profile is
 * appended as a string and a function without a probe of their tables
 * (they are indexed at the next lookup that needs them). */
uint32_t prof_intern_named_function(profile *p, const char *s, size_t n);
/* Gives function fn a new name (interned), e.g. demangled; the function
 * index follows (two functions may become equal: both stay). name is
 * escaped already (made from the model's strings). */
void prof_rename_function(profile *p, uint32_t fn, const char *name);
/* Adds a location; lines are copied. Not interned: see prof_intern_location. */
uint32_t prof_add_location(profile *p, uint32_t mapping, uint64_t address,
			   const prof_line *lines, uint32_t nlines);
/* Interns an unsymbolized location by (mapping, address) (the perf.data
 * reader's frames). */
uint32_t prof_intern_location(profile *p, uint32_t mapping, uint64_t address);
/* Replaces a location's lines (copied), e.g. once the symbolizer knows them. */
void prof_set_location_lines(profile *p, uint32_t loc, const prof_line *lines, uint32_t nlines);
/* Interns a stack (leaf-first location indexes, copied). */
uint32_t prof_intern_stack(profile *p, const uint32_t *locs, uint32_t depth);
/* Appends a stack the profile cannot have (it holds a location no stack
 * holds yet), without a probe of the stacks' table (indexed at the next
 * prof_intern_stack). */
uint32_t prof_add_stack(profile *p, const uint32_t *locs, uint32_t depth);
/* Interns a label set; labels are copied and sorted by key (stable). n == 0
 * gives 0. */
uint32_t prof_intern_labelset(profile *p, const prof_label *labels, uint32_t n);
/* Appends a sample; values has nvalues entries. */
void prof_add_sample(profile *p, uint32_t stack, uint32_t labelset, const int64_t *values,
		     int64_t time_ns, int32_t tid, uint32_t flags);
/* Makes room for n more samples at once (a reader that knows the count). */
void prof_reserve_samples(profile *p, size_t n);
void prof_set_thread_name(profile *p, int32_t tid, const char *name);
const char *prof_thread_name(const profile *p, int32_t tid); /* NULL if unknown */
/* Records which process a thread belongs to (adding the thread, nameless,
 * if it is new). */
void prof_set_thread_pid(profile *p, int32_t tid, int32_t pid);
/* The process of a thread: its own pid if known, else the profile's pid
 * (one-process input), else 0. */
int32_t prof_thread_pid(const profile *p, int32_t tid);
/* Orders threads by (pid, tid), the order views list them in: -1, 0, 1. */
static inline int prof_cmp_pid_tid(int32_t pid_a, int32_t tid_a, int32_t pid_b, int32_t tid_b)
{
	if (pid_a != pid_b)
		return (pid_a > pid_b) - (pid_a < pid_b);
	return (tid_a > tid_b) - (tid_a < tid_b);
}
/* Appends a comment (interned). */
void prof_add_comment(profile *p, const char *comment);

/* a + b, saturated at INT64_MIN/INT64_MAX: values and line numbers come
 * from files, and their sums (or a line plus a margin) may not fit in int64,
 * where overflow is undefined. */
static inline int64_t prof_sadd(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* v * 10^k, or false when it does not fit in int64. */
static inline bool prof_scale_up(int64_t v, uint32_t k, int64_t *out)
{
	for (; k > 0; k--)
		if (__builtin_mul_overflow(v, 10, &v))
			return false;
	*out = v;
	return true;
}

/* ---- reading ----------------------------------------------------------- */
static inline const int64_t *prof_sample_values(const profile *p, size_t i)
{
	/* no sample types: values may be NULL, and NULL + 0 is undefined */
	return p->nvalues ? p->values + i * p->nvalues : p->values;
}

/* The one way to print a value: v of a type with `decimals` written
 * exactly, as a decimal number without trailing zeros ("1.5", "3",
 * "-0.25"); the plain integer when decimals is 0. */
void prof_add_value(strbuf *sb, int64_t v, uint32_t decimals);
/* v / 10^decimals as a double, for displays that scale and round
 * (pprof's units, percentages). */
double prof_value_real(int64_t v, uint32_t decimals);

/* Index of the sample type named `type` ("samples", "cpu"), or of the
 * default when type is NULL; PROF_NONE if there is no such type. */
uint32_t prof_find_value(const profile *p, const char *type);

/* One frame of a stack as the views see it: inlined lines expanded. */
typedef struct prof_frame {
	uint32_t location;
	uint32_t function; /* PROF_NONE for an unsymbolized location */
	int64_t line;
	bool inlined; /* called inline from the next frame (toward the root) */
} prof_frame;

/* Expands a stack into frames, leaf first. Returns the count; the array is
 * owned by the caller's scratch buffer, grown as needed. */
uint32_t prof_stack_frames(const profile *p, uint32_t stack, prof_frame **buf, size_t *alloc);

/* The display name of a frame: the function name, or "module+0xoff" for an
 * unsymbolized location (module is the mapping file's base name), or
 * "0xaddr" without a mapping. Appends to sb. */
void prof_frame_name(const profile *p, const prof_frame *f, strbuf *sb);
/* The unsymbolized name of a location ("module+0xoff" or "0xaddr"),
 * whatever its lines say. Appends to sb. */
void prof_location_name(const profile *p, uint32_t loc, strbuf *sb);

/* The sample type the stack views (folded, flame) count by default, as
 * flamegraph.pl counts samples: samples/count when the profile has it, else
 * its default sample type; for perf input (source_format "perf ...") its
 * default type, the event's periods, as stackcollapse-perf.pl counts. */
uint32_t prof_count_value(const profile *p);

/* ---- grouping ---------------------------------------------------------- */
/* The one grouping path (pprof's graph.New plays this part): every writer
 * that sums samples asks for groups here and never groups on its own.
 * Samples are grouped by stack, and by labelset and thread if asked; values
 * are summed saturating at INT64_MAX / INT64_MIN (int64 overflow is
 * undefined; pprof's Go would wrap, a saturated total is the lesser lie). A
 * group's flags are the OR of its samples' flags. The profile is not
 * changed. */
typedef struct prof_group {
	uint32_t stack;
	uint32_t labelset; /* 0 (the empty set) unless by_labels */
	int32_t tid;       /* -1 unless by_thread */
	uint32_t flags;    /* PROF_SAMPLE_*, OR-ed */
} prof_group;

typedef struct prof_groups {
	prof_group *g;
	int64_t *values; /* n * nvalues, row-major; NULL when nvalues == 0 */
	size_t n;
	uint32_t nvalues;
} prof_groups;

typedef struct prof_group_opts {
	const bool *mask; /* nsamples entries: which samples count; NULL: all */
	bool by_labels;   /* a group per (stack, labelset) */
	bool by_thread;   /* a group per (stack[, labelset], tid) */
	bool sorted;      /* order by (stack, labelset, tid), else first appearance */
} prof_group_opts;

#define PROF_GROUP_OPTS_INIT { NULL, false, false, false }

/* Fills out (release with prof_groups_free); o NULL is PROF_GROUP_OPTS_INIT. */
void prof_group_samples(const profile *p, const prof_group_opts *o, prof_groups *out);
void prof_groups_free(prof_groups *g);

/* The indexes of the samples mask keeps (NULL: all; *n gets how many;
 * caller frees) in the order a per-thread view reads them: with timestamps
 * by (thread, time, index), each thread one contiguous time-sorted run;
 * without, the model's order. */
size_t *prof_thread_time_order(const profile *p, const bool *mask, size_t *n);

static inline const int64_t *prof_group_values(const prof_groups *g, size_t i)
{
	return g->nvalues ? g->values + i * g->nvalues : g->values;
}

/* ---- transforming ------------------------------------------------------ */
/* Merges src into dst (same sample types required, else -1 with err).
 * An empty dst (fresh from prof_new) takes src's sample types and header.
 * Mappings, functions and locations equal in every field are shared.
 * The two go on one time axis (prof_origin_delta): the earlier start is the
 * origin, the other's sample times are shifted by the difference, and
 * duration_nanos spans both; with no common clock, times stay as they are
 * and the duration is the longer one. The executable and command line stay
 * only while every input has the same. */
int prof_merge(profile *dst, const profile *src, cprof_err *err);

/* How far b's time origin is after a's, in ns (negative: before), into
 * *delta. From CLOCK_MONOTONIC (mono_start_ns) when both have it and both
 * were recorded in one boot of one machine (their CLOCK_REALTIME -
 * CLOCK_MONOTONIC offsets agree within a second), else from the wall-clock
 * starts (time_nanos). Returns false when there is no common clock. */
bool prof_origin_delta(const profile *a, const profile *b, int64_t *delta);

/* Moves the profile's time origin d ns earlier: known sample times grow by
 * d, mono_start_ns and time_nanos shrink by d (when known), duration_nanos
 * grows by d. d >= 0. */
void prof_shift_origin(profile *p, int64_t d);

/* Puts n profiles of one run on one time axis without merging them (cprof-raw
 * shows each input on its own): the earliest start among those with
 * timestamps and a common clock (prof_origin_delta) with the first of them
 * is 0, each such profile is shifted there (prof_shift_origin) and offs[i]
 * is its start on that axis; offs[i] is -1 for a profile left on its own
 * axis (no timestamps, or no common clock). */
void prof_common_axis(profile *const *ps, size_t n, int64_t *offs);

#endif
