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
#include "reader.h"

/* Prints "tool: file: msg" (or "tool: msg" when file is NULL) to stderr. */
void cli_error(const char *tool, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads every path ("-" is stdin) and merges them into one profile.
 * Warnings print as "tool: file: warning: ...". Returns NULL after printing
 * the error when a file cannot be read or the profiles do not merge. */
profile *cli_read_inputs(const char *tool, char *const *paths, int npaths,
			 const prof_read_opts *opts);

/* Writes the bytes to path (NULL or "-": stdout) through out_open/
 * out_commit. Returns 0, or prints the error and returns 1. */
int cli_write(const char *tool, const char *path, const char *data, size_t len);

/* Parses a sample type name for --value: a type ("cpu", "samples"), or
 * "type/unit". Returns the index or PROF_NONE after printing what there is. */
uint32_t cli_find_value(const char *tool, const profile *p, const char *name);

/* The --help lines every tool shares (input formats, -o, --help). */
extern const char cli_help_common[];

#endif
