/*
 * record: what cprof-record decides before and after it runs a command —
 * the library half of tools/cprof-record.c (which only parses options,
 * forks, waits and prints).
 *
 * Before running:
 *  - rec_check_output: can the sampler create the output file (and the
 *    FILE.<pid> files of children) where it was asked to? It tries what the
 *    sampler will do (an unnamed file in the directory), so permissions,
 *    read-only filesystems and missing directories are all caught.
 *
 * None of these functions prints; each fills a cprof_err and returns -1.
 */
#ifndef CPROF_RECORD_H
#define CPROF_RECORD_H

#include "util.h"

/* 0 when a file named path (absolute) can be created or replaced by the
 * sampler, else -1 with err saying why ("No such file or directory: the
 * directory /x does not exist", "is a directory", "Permission denied").
 * Leaves nothing behind. */
int rec_check_output(const char *path, cprof_err *err);

#endif
