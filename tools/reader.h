/*
 * reader: turns any input file into a profile. The format is detected from
 * the first bytes (gzip magic, the raw file's magic, protobuf, text), never
 * from the file name. Formats sit in a table in reader.c: each entry says
 * how to recognise its first bytes and how to read.
 *
 * Every count, length and depth taken from a file is checked against what
 * is left of the input and against a ceiling before anything is allocated;
 * decompression stops at max_decompressed.
 */
#ifndef CPROF_READER_H
#define CPROF_READER_H

#include "names.h"
#include "profile.h"
#include "readopts.h"

/* Reads path ("-" is stdin) into a new profile. Returns 0 and *out, or -1
 * with err saying what is wrong (without the path, which the caller puts
 * in front: "cprof-top: x.pb.gz: truncated gzip data"). A raw file is
 * streamed from the file (rawread_fd: any size, memory following the
 * distinct stacks with opts->aggregate); other regular files are mapped,
 * the rest read whole (at most opts->max_input bytes). */
int prof_read_file(const char *path, const prof_read_opts *opts, profile **out, cprof_err *err);

/* The same, from memory (the reader copies what it keeps). */
int prof_read_mem(const unsigned char *data, size_t len, const prof_read_opts *opts,
		  profile **out, cprof_err *err);

/* The format's name as detected from the first bytes: a row of the table
 * in reader.c ("raw", "gperftools", "perf.data", "pprof", "pprof-legacy",
 * "perf script", "folded"), "pprof.gz" for any gzip, or NULL if none fits
 * (reading then names the formats read). */
const char *prof_detect_format(const unsigned char *data, size_t len);

#endif
