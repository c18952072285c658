/*
 * source: the annotated source listing, as `go tool pprof -list RE` prints
 * it (pprof's report.printSource): for every function whose name matches
 * RE and for each of its source files, a ROUTINE header with its flat and
 * cum, then the file's lines from the function's first line (or 5 before
 * the first sampled line) to 5 after the last sampled line, each with the
 * flat and cum of the samples at that line ("." for none).
 *
 * Source files are found as pprof finds them: the path in the debug info
 * (the profile's function file names), trimmed by --trim-path prefixes (or,
 * without one, up to the base name of a --source-path directory), then an
 * absolute path is opened as it is, a relative one in each --source-path
 * directory (':'-separated; default: the current directory) and its
 * parents.
 */
#ifndef CPROF_SOURCE_H
#define CPROF_SOURCE_H

#include "top.h"

/* Appends the listing of the functions matching o->symbol (POSIX extended
 * regex) to out. A source file that cannot be read is reported in the
 * listing (" Error: ..."), as pprof does. Fails on a bad value index or
 * regex, or when no function matches. */
int source_list(const profile *p, const top_opts *o, strbuf *out, cprof_err *err);

#endif
