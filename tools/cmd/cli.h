/*
 * cli: the small pieces every tool main() repeats — reading the inputs
 * (any format, several files merged), printing errors as
 * "tool: file: message", writing the result to stdout or "-o FILE" without
 * ever leaving half a file, and the common lines of --help.
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

/* The program name every message starts with, set once by main() before
 * anything else (git's setup of argv[0]); "cprof" until then. */
extern const char *cli_name;
void cli_init(const char *name);

/* Exit codes, the same in every tool: 0 success; 1 an input that cannot be
 * read or used (a missing file, a sample type the profile does not have, a
 * failed write); 2 a usage error (an unknown option, a bad option argument,
 * no input file). */

/* True, after printing "tool: no input file ...", when argv has no operand
 * left after the options: the caller exits 2. */
bool cli_no_inputs(int argc, int optind);

/* Prints "tool: file: msg" (or "tool: msg" when file is NULL) to stderr. */
void cli_error(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reads every path ("-" is stdin) and merges them into one profile.
 * Warnings print as "tool: file: warning: ...". Returns NULL after printing
 * the error when a file cannot be read or the profiles do not merge. */
profile *cli_read_inputs(char *const *paths, int npaths,
			 const prof_read_opts *opts);

/* cli_read_inputs, then the --value name (when not NULL) into *value and
 * the filter mask (cli_filter_mask, errors naming paths[0]) into *mask.
 * Returns the profile, or NULL after printing the error (nothing to free). */
profile *cli_load(char *const *paths, int npaths, const prof_read_opts *opts,
		  const char *value_name, uint32_t *value, const struct filter_opts *f, bool **mask);

/* Parses arg as a decimal integer in [min, max] into *out; else prints
 * "tool: bad NAME 'ARG': want WANT" and returns -1. */
int cli_parse_long(const char *name, const char *arg, long min, long max,
		   const char *want, long *out);

/* Writes the bytes to path (NULL or "-": stdout) through out_open/
 * out_commit. Returns 0, or prints the error and returns 1. */
int cli_write(const char *path, const char *data, size_t len);

/* Parses a sample type name for --value: an index (0, 1, ...), a type
 * ("cpu", "samples"; "inuse_space" finds "space" as pprof does), or
 * "type/unit". Returns the index or PROF_NONE after printing what there is. */
uint32_t cli_find_value(const profile *p, const char *name);

/* The --help lines every tool shares (input formats, --max-decompressed,
 * -o, --help). */
extern const char cli_help_common[];

/* ---- the input options every reading tool takes ------------------------ */
#define CLI_READ_LONGOPTS                                                  \
	{ "max-decompressed", required_argument, NULL, CLI_OPT_MAXDEC },    \
	{ "event", required_argument, NULL, CLI_OPT_EVENT },               \
	{ "no-cache", no_argument, NULL, CLI_OPT_NOCACHE },                \
	{ "names", required_argument, NULL, CLI_OPT_NAMES }
#define CLI_HELP_READ                                                                \
	"  --max-decompressed N  refuse gzip input that inflates beyond N bytes\n"   \
	"                      (suffixes K, M, G; default 2G): a gzip bomb stops there\n" \
	"  --event EVENT       perf input: keep the samples of EVENT (e.g. cycles);\n"  \
	"                      default: the first event in the file\n"                 \
	"  --no-cache          raw input: do not read or write the symbol cache\n"     \
	"                      ($XDG_CACHE_HOME/cprof/sym, else ~/.cache/cprof/sym)\n" \
	"  --names MODE        C++ names as go tool pprof shows them: short (default:\n" \
	"                      no parameter lists, no template arguments), templates\n" \
	"                      (keep template arguments) or full\n"

/* Handles one getopt result if it is one of CLI_READ_LONGOPTS (into ro):
 * 1 handled, 0 not one of them, -1 bad argument (printed). */
int cli_read_opt(int opt, const char *arg, prof_read_opts *ro);

/* ---- the filter options (filter.h), shared by the views ---------------- */
enum {
	CLI_OPT_FOCUS = 1000,
	CLI_OPT_IGNORE,
	CLI_OPT_TAG,
	CLI_OPT_THREAD,
	CLI_OPT_FROM,
	CLI_OPT_TO,
	CLI_OPT_PID,
	CLI_OPT_VALUE, /* CLI_NAME_LONGOPTS */
	CLI_OPT_LINES,
	CLI_OPT_ADDRS,
	CLI_OPT_INLINE,
	CLI_OPT_THREADS,
	CLI_OPT_NOSYM,
	CLI_OPT_MAXDEC, /* CLI_READ_LONGOPTS */
	CLI_OPT_EVENT,
	CLI_OPT_NOCACHE,
	CLI_OPT_NAMES,  /* CLI_READ_LONGOPTS */
	CLI_OPT_FIRST_FREE /* tools number their own long options from here */
};
#define CLI_FILTER_LONGOPTS                                   \
	{ "focus", required_argument, NULL, CLI_OPT_FOCUS },   \
	{ "ignore", required_argument, NULL, CLI_OPT_IGNORE }, \
	{ "tag", required_argument, NULL, CLI_OPT_TAG },       \
	{ "thread", required_argument, NULL, CLI_OPT_THREAD }, \
	{ "pid", required_argument, NULL, CLI_OPT_PID },       \
	{ "process", required_argument, NULL, CLI_OPT_PID },   \
	{ "from", required_argument, NULL, CLI_OPT_FROM },     \
	{ "to", required_argument, NULL, CLI_OPT_TO }
extern const char cli_help_filters[];

/* ---- the options that choose the value and the frame names (cprof-fold,
 * cprof-flame): --value --lines --addrs --inline --threads --no-symbolize */
#define CLI_NAME_LONGOPTS                                         \
	{ "value", required_argument, NULL, CLI_OPT_VALUE },       \
	{ "lines", no_argument, NULL, CLI_OPT_LINES },             \
	{ "addrs", no_argument, NULL, CLI_OPT_ADDRS },             \
	{ "inline", no_argument, NULL, CLI_OPT_INLINE },           \
	{ "threads", no_argument, NULL, CLI_OPT_THREADS },         \
	{ "no-symbolize", no_argument, NULL, CLI_OPT_NOSYM }

/* Handles one getopt result if it is one of CLI_NAME_LONGOPTS (the --value
 * name into *value, --no-symbolize into ro): 1 handled, 0 not one of them. */
int cli_name_opt(int opt, const char *arg, const char **value, names_opts *names, bool *threads,
		 prof_read_opts *ro);

/* Handles one getopt result if it is a filter option: 1 handled, 0 not a
 * filter option, -1 bad argument (printed). */
int cli_filter_opt(int opt, const char *arg, struct filter_opts *f);

/* The mask of the samples the filters keep, or NULL when no filter is set
 * (all samples). Returns 0, or prints "tool: file: error" and returns -1. */
int cli_filter_mask(const char *file, const profile *p,
		    const struct filter_opts *f, bool **mask);

#endif
