/*
 * cli: the small pieces every tool main() repeats — the option table and
 * its parser, reading the inputs (any format, several files merged),
 * printing errors as "tool: file: message", writing the result to stdout or
 * "-o FILE" without ever leaving half a file.
 *
 * Options (git's parse-options): a main lists every option it takes in one
 * array of cli_option — its own ones and the shared groups below
 * (CLI_OPTS_READ, CLI_OPTS_FILTER, CLI_OPTS_NAMES, CLI_OPT_VALUE,
 * CLI_OPT_OUTPUT), each entry pointing at the field it fills — and calls
 * cli_parse once. An option name is defined once here, so it means the
 * same in every tool that takes it, is parsed the same way and fails with
 * the same message and exit code; --help is printed from the same table, in
 * its order, so it lists every option and no other.
 *
 * This is the one module besides the tools themselves that prints: it is
 * only called from main().
 */
#ifndef CPROF_CLI_H
#define CPROF_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "filter.h"
#include "names.h"
#include "reader.h"

/* The program name every message starts with, set once (by cli_parse, or
 * cli_init) before anything else (git's setup of argv[0]); "cprof" until
 * then. */
extern const char *cli_name;
void cli_init(const char *name);

/* Exit codes, the same in every tool: 0 success; 1 an input that cannot be
 * read or used (a missing file, a sample type the profile does not have, a
 * failed write); 2 a usage error (an unknown option, a bad option argument,
 * no input file). cprof-record exits with its command's status, and 2 when
 * it refuses to run it (a usage error, an output it cannot write, a program
 * it cannot record) or nothing was recorded. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_INPUT = 1, CLI_EXIT_USAGE = 2 };

/* ---- the option table ----------------------------------------------------- */
typedef enum cli_type {
	CLI_END,      /* ends the table */
	CLI_TEXT,     /* a line or paragraph of --help, no option */
	CLI_BOOL,     /* sets *(bool *)value */
	CLI_STRING,   /* *(const char **)value = the argument */
	CLI_INT,      /* *(int *)value = a decimal integer in [min, max] */
	CLI_U32,      /* *(uint32_t *)value, the same */
	CLI_U64,      /* *(uint64_t *)value, the same */
	CLI_DOUBLE,   /* *(double *)value = a number in [min, max] */
	CLI_CALLBACK, /* cb(value, arg) */
} cli_type;

/* Parses arg (NULL for an option without argument) into value: 0; -1 when
 * arg is not what the option wants (cli_parse prints "bad --x 'ARG': want
 * WANT" from the entry's want); -2 after printing an error of its own. */
typedef int (*cli_cb)(void *value, const char *arg);

typedef struct cli_option {
	cli_type type;
	int short_name;        /* 'o', or 0 */
	const char *long_name; /* "output", or NULL */
	void *value;           /* what the option fills */
	const char *argh;      /* its argument in --help ("FILE"); NULL: none */
	const char *help;      /* '\n'-separated lines; NULL: left out of --help
				* (an alias) */
	double min, max;       /* CLI_INT .. CLI_DOUBLE: the range */
	const char *want;      /* what the argument must be, in words: the error is
				* "bad --x 'ARG': want WANT" */
	cli_cb cb;             /* CLI_CALLBACK */
} cli_option;

/* The entries. The value pointer's type is checked: a CLI_INT given a
 * long * does not compile. */
#define CLI_TYPED(T, v) ((void *)(1 ? (v) : (T *)0))
#define CLI_OPT_END() { CLI_END, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL }
#define CLI_OPT_TEXT(text) { CLI_TEXT, 0, NULL, NULL, NULL, text, 0, 0, NULL, NULL }
#define CLI_OPT_BOOL(s, l, v, h) { CLI_BOOL, s, l, CLI_TYPED(bool, v), NULL, h, 0, 0, NULL, NULL }
#define CLI_OPT_STRING(s, l, v, a, h) \
	{ CLI_STRING, s, l, CLI_TYPED(const char *, v), a, h, 0, 0, NULL, NULL }
#define CLI_OPT_INT(s, l, v, a, h, lo, hi, w) \
	{ CLI_INT, s, l, CLI_TYPED(int, v), a, h, lo, hi, w, NULL }
#define CLI_OPT_U32(s, l, v, a, h, lo, hi, w) \
	{ CLI_U32, s, l, CLI_TYPED(uint32_t, v), a, h, lo, hi, w, NULL }
#define CLI_OPT_U64(s, l, v, a, h, lo, hi, w) \
	{ CLI_U64, s, l, CLI_TYPED(uint64_t, v), a, h, lo, hi, w, NULL }
#define CLI_OPT_DOUBLE(s, l, v, a, h, lo, hi, w) \
	{ CLI_DOUBLE, s, l, CLI_TYPED(double, v), a, h, lo, hi, w, NULL }
/* a = NULL: the option takes no argument and cb gets NULL */
#define CLI_OPT_CALLBACK(s, l, v, a, h, f, w) { CLI_CALLBACK, s, l, v, a, h, 0, 0, w, f }

/* What --help says around the options. */
typedef struct cli_usage {
	const char *name;     /* "cprof-fold" (cli_parse calls cli_init) */
	const char *synopsis; /* "cprof-fold [options] FILE..." */
	const char *about;    /* paragraphs before the options, or NULL */
	const char *footer;   /* after the options (examples), or NULL */
	/* the error when no operand follows the options ("no input file ...");
	 * NULL: operands are optional */
	const char *no_operand;
	bool stop_at_operand; /* options end at the first operand (a command) */
} cli_usage;

/* cli_usage.no_operand of the tools that read profiles */
#define CLI_NO_INPUT "no input file (use - for stdin; see --help)"

/* Parses argv by the table (-h/--help are added to it) and returns the
 * index of the first operand. --help prints the text to stdout and exits
 * 0; an unknown option, a missing or bad argument, or no operand when one
 * is needed prints one line (naming the option and what it wants) and
 * exits 2. */
int cli_parse(int argc, char **argv, const cli_option *opts, const cli_usage *u);
/* The same without exiting: 0 parsed (*first is the first operand's
 * index), 1 --help printed, 2 a usage error printed. */
int cli_parse_args(int argc, char **argv, const cli_option *opts, const cli_usage *u,
		   int *first);
/* Appends the --help text of u and opts. */
void cli_help(const cli_option *opts, const cli_usage *u, strbuf *out);

/* ---- the shared options ----------------------------------------------------
 * What a reading tool's main fills from them and hands to cli_load. */
typedef struct cli_args {
	prof_read_opts read;  /* CLI_OPTS_READ */
	filter_opts filter;   /* CLI_OPTS_FILTER */
	const char *value;    /* CLI_OPT_VALUE: the sample type's name, or NULL */
	const char *output;   /* CLI_OPT_OUTPUT: NULL or "-" is stdout */
	const char *file;     /* the first input's name, set by cli_load */
	profile *profile;     /* cli_load's result, freed by cli_finish */
	bool *mask;           /* the filters' mask, or NULL (all samples) */
	out_file *stream;     /* the output cli_stream opened, or NULL */
} cli_args;
#define CLI_ARGS_INIT { { 0 }, { 0 }, NULL, NULL, NULL, NULL, NULL, NULL }

/* The input options every reading tool takes (r: prof_read_opts *), after
 * the text on input formats: --no-symbolize, --debug-dir, --names,
 * --max-decompressed, --event, --no-cache. */
#define CLI_OPTS_READ(r)                                                                         \
	CLI_OPT_TEXT(cli_help_inputs),                                                            \
	CLI_OPT_BOOL(0, "no-symbolize", &(r)->no_symbolize,                                      \
		     "raw input: do not read debug information; frames stay\n"                   \
		     "module+0xoffset"),                                                         \
	CLI_OPT_STRING(0, "debug-dir", &(r)->debug_dir, "DIR",                                   \
		       "raw input: also look for debug files in DIR (and\n"      \
		       "DIR/.build-id)"),       \
	CLI_OPT_CALLBACK(0, "names", &(r)->names, "MODE",                                        \
			 "C++ names as go tool pprof shows them: short (default:\n"               \
			 "no parameter lists, no template arguments), templates\n"                \
			 "(keep template arguments) or full",                                     \
			 cli_cb_names, "short, templates or full"),                                                           \
	CLI_OPT_CALLBACK(0, "max-decompressed", &(r)->max_decompressed, "N",                     \
			 "refuse gzip input that inflates beyond N bytes\n"                       \
			 "(suffixes K, M, G; default 2G): a gzip bomb stops there",               \
			 cli_cb_size, "a size: N, NK, NM or NG"),                                                            \
	CLI_OPT_STRING(0, "event", &(r)->event, "EVENT",                                         \
		       "perf script and perf.data input: keep the samples\n"                    \
		       "of EVENT (e.g. cycles); default: the first event"),                       \
	CLI_OPT_BOOL(0, "no-cache", &(r)->no_cache,                                              \
		     "raw input: do not read or write the symbol cache\n"                        \
		     "($XDG_CACHE_HOME/cprof/sym, else ~/.cache/cprof/sym)")

/* The filters (filter.h; f: filter_opts *): --focus --ignore --tag
 * --thread --process --from --to, after a heading: the views' (pprof's:
 * what they drop is not shown, percentages stay of the whole profile), or
 * CLI_OPTS_FILTER_OUT's, for the tools that write a profile or a report
 * (what they drop is not written). One meaning per option either way. */
#define CLI_OPTS_FILTER(f)                                                                       \
	CLI_OPT_TEXT("Filters (as in pprof; percentages stay of the whole profile):"),            \
	CLI_OPTS_FILTER_ONLY(f)
#define CLI_OPTS_FILTER_OUT(f)                                                                   \
	CLI_OPT_TEXT("Filters (as in pprof; the output holds only the samples they keep):"),     \
	CLI_OPTS_FILTER_ONLY(f)
#define CLI_OPTS_FILTER_ONLY(f)                                                                  \
	CLI_OPT_CALLBACK(0, "focus", &(f)->focus, "RE",                                           \
			 "only samples with a frame matching RE (POSIX extended\n"               \
			 "regex on function name, file or module)",                               \
			 cli_cb_focus, NULL),                                                     \
	CLI_OPT_CALLBACK(0, "ignore", &(f)->ignore, "RE", "drop samples with a frame matching RE", \
			 cli_cb_ignore, NULL),                                                    \
	CLI_OPT_CALLBACK(0, "tag", (f), "KEY=VALUE",                                              \
			 "only samples labelled KEY=VALUE (repeatable: all must\n"   \
			 "hold)",           \
			 cli_cb_tag, "KEY=VALUE"),                                                             \
	CLI_OPT_CALLBACK(0, "thread", (f), "TID", "only samples of thread TID (raw, perf input)", \
			 cli_cb_thread, "a thread id"),                                                          \
	CLI_OPT_CALLBACK(0, "process", (f), "PID",                                                \
			 "only samples of process PID (raw, perf input); --pid\n"             \
			 "without an argument is cprof-fold's stackcollapse-perf\n"            \
			 "flag (process name-PID roots)",                                       \
			 cli_cb_process, "a process id"),        \
	CLI_OPT_CALLBACK(0, "from", (f), "T",                                                     \
			 "only samples at T or later since the start (raw, perf\n"           \
			 "input; several inputs: since the earliest one's start);\n"          \
			 "T like 1.5s, 250ms, 40us, 1000ns; a bare number is ms",            \
			 cli_cb_from, NULL),                                                         \
	CLI_OPT_CALLBACK(0, "to", (f), "T", "only samples before T", cli_cb_to, NULL)

/* How frames are named (names_opts *n): --lines --addrs --inline; they mean
 * the same in cprof-raw, cprof-fold and cprof-flame. */
#define CLI_OPTS_NAMES(n)                                                                        \
	CLI_OPT_BOOL(0, "lines", &(n)->lines, "frames as func:line"),                             \
	CLI_OPT_BOOL(0, "addrs", &(n)->addrs,                                                     \
		     "frames told apart by address: func@0xaddress (frames as\n"                \
		     "module+0xoffset: --no-symbolize)"),                                        \
	CLI_OPT_BOOL(0, "inline", &(n)->inline_marks,                                             \
		     "mark inlined frames with FlameGraph's _[i] suffix")

/* --threads (v: bool *): the thread as the root frame (cprof-fold, cprof-flame) */
#define CLI_OPT_THREADS(v) \
	CLI_OPT_BOOL(0, "threads", v, "the thread name as the root frame (raw, perf input)")

/* --value TYPE (v: const char **); dflt: the tool's default, a string
 * literal ending the help. */
#define CLI_OPT_VALUE(v, dflt)                                                                   \
	CLI_OPT_STRING(0, "value", v, "TYPE",                                                    \
		       "the sample type (e.g. samples, cpu; TYPE/UNIT; or its\n"                 \
		       "index, as pprof's -sample_index);\n" dflt)

/* -o, --output FILE (v: const char **) */
#define CLI_OPT_OUTPUT(v) \
	CLI_OPT_STRING('o', "output", v, "FILE", "write FILE (atomically) instead of stdout")

extern const char cli_help_inputs[];
/* 0 when re compiles as the views compile it (POSIX extended), else prints
 * "bad OPT 'RE': want a POSIX extended regex (why)" and returns -2: a bad
 * regex is a usage error (exit 2) like any bad option argument. */
int cli_check_regex(const char *opt, const char *re);
int cli_cb_focus(void *str, const char *arg);
int cli_cb_ignore(void *str, const char *arg);
int cli_cb_names(void *names_mode_p, const char *arg);
int cli_cb_size(void *size_t_p, const char *arg);
int cli_cb_tag(void *filter, const char *arg);
int cli_cb_thread(void *filter, const char *arg);
int cli_cb_process(void *filter, const char *arg);
int cli_cb_from(void *filter, const char *arg);
int cli_cb_to(void *filter, const char *arg);

/* ---- reading, writing, errors ---------------------------------------------- */
/* Prints "tool: file: msg" (or "tool: msg" when file is NULL) to stderr. */
void cli_error(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reads every path ("-" is stdin) and merges them into one profile.
 * Warnings print as "tool: file: warning: ...". Returns NULL after printing
 * the error when a file cannot be read or the profiles do not merge. */
profile *cli_read_inputs(char *const *paths, int npaths,
			 const prof_read_opts *opts);

/* Reads paths into a->profile (cli_read_inputs, a->read), finds a->value
 * (when set) into *value, and computes the mask of a->filter into a->mask
 * (errors naming paths[0]). a->read.aggregate is dropped when a->filter has
 * a time filter (--from, --to), which reads each sample's time. Returns the profile, or NULL after printing the
 * error (the caller exits 1; nothing to free). */
profile *cli_load(cli_args *a, char *const *paths, int npaths, uint32_t *value);
/* Frees a->profile and a->mask (NULL after). */
void cli_args_release(cli_args *a);

/* The end of a main that built its output in out: when rc < 0, prints err
 * naming the first input and returns 1; else writes out to a->output
 * (cli_write, or the rest of a cli_stream output, then committed).
 * Releases out, a->mask, a->profile and the stream either way (a stream's
 * -o file is removed on an error). */
int cli_finish(cli_args *a, int rc, const cprof_err *err, strbuf *out);

/* Opens a->output now (out_open) for a writer that hands out full buffers
 * (cli_flush, with a->stream as its context) instead of holding its whole
 * output in memory; cli_finish writes the rest. A -o file still appears
 * only complete. Returns 0, or prints the error and returns 1. */
int cli_stream(cli_args *a);
/* A writer's flush callback (ctx: an out_file): writes out and empties it
 * (sb_reset); a write error surfaces at out_commit. */
void cli_flush(void *ctx, strbuf *out);

/* Writes the bytes to path (NULL or "-": stdout) through out_open/
 * out_commit. Returns 0, or prints the error and returns 1. */
int cli_write(const char *path, const char *data, size_t len);

/* The mask of the samples the filters keep, or NULL when no filter is set
 * (all samples). Returns 0, or prints "tool: file: error" and returns -1. */
int cli_filter_mask(const char *file, const profile *p,
		    const struct filter_opts *f, bool **mask);

#endif
