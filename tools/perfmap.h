/*
 * perfmap: names frames of JIT-compiled code from perf map files, the
 * convention of perf and of the JITs that write them (node --perf-basic-prof,
 * Python 3.12's -X perf, JVM agents such as perf-map-agent): a process with
 * generated code writes /tmp/perf-PID.map, one line per function,
 *
 *     START SIZE NAME        (START and SIZE in hex, NAME to the end of line)
 *
 * A location nothing else named (no lines) whose mapping is anonymous memory
 * ("//anon", "[anon:...]", "/memfd:...", no file) or that has no mapping at
 * all is looked up in its process's map file: the entry with the largest
 * START at or below the address, if the address is below START + SIZE; a
 * later line for the same START wins, as the JIT rewrote that code.
 */
#ifndef CPROF_PERFMAP_H
#define CPROF_PERFMAP_H

#include <stdint.h>

#include "profile.h"
#include "readopts.h"

/* Names p's unnamed anonymous-memory locations from /tmp/perf-PID.map.
 * loc_pid[i] is location i's process (nlocations entries), or NULL: every
 * location is pid's. A pid <= 0 is skipped; a missing map file is no
 * error (most processes have none), an unreadable one a warning through o. */
void perfmap_symbolize(profile *p, const int32_t *loc_pid, int32_t pid, const prof_read_opts *o);

#endif
