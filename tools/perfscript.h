/*
 * perfscript: reader of `perf script` text (the folded names of
 * FlameGraph's stackcollapse-perf.pl for it are names_perf_folded's).
 *
 * A record is an event line, then its callchain (one frame a line, leaf
 * first, "\tADDR SYM+OFF (DSO)"), then a blank line:
 *
 *     java 24636/25607 [000] 4794564.109216:     100 cycles:
 *             7f1b2c3d main+0x1c (/usr/bin/prog)
 *
 * Every field of the event line but the command name and the thread id is
 * optional (perf script -F chooses them): "PID/TID", "[CPU]", "SECS.USECS:",
 * the period, "EVENT:". Lines are recognised with stackcollapse-perf.pl's
 * own patterns, so both split a line the same way. Without a callchain
 * (perf record without -g) the one frame sits on the event line and no
 * blank line follows.
 *
 * The model: one sample per record, with the thread id, the time (ns since
 * the earliest record), labels "comm" (the command name) and "pid" (when
 * printed), and two values: samples/count (1) and EVENT/UNIT (the period,
 * 1 without one; nanoseconds for cpu-clock and task-clock). Only records of
 * one event are kept: the one named by opts->event, else the first seen
 * (as stackcollapse-perf.pl does; mixing cycles with instructions would add
 * unlike things). A frame is a location: its DSO is the mapping's file, its
 * address the printed one, its symbol (the "+0x.." offset stripped) the
 * function; "a->b" (perf's inline chains) becomes inlined lines, and an
 * "[unknown]" symbol an unsymbolized location. Threads are named by the
 * command name of their last record.
 *
 * A record whose callchain is not closed by a blank line before the end of
 * the input (a file cut short) is left out with a warning, as
 * stackcollapse-perf.pl leaves it out.
 */
#ifndef CPROF_PERFSCRIPT_H
#define CPROF_PERFSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"
#include "readopts.h"

/* source_format of a profile this reader made */
#define PERFSCRIPT_FORMAT "perf script"

/* True when the first record looks like perf script output: an event line
 * followed by a callchain line, or an event line with a time or an event
 * name (perf script without callchains). Folded stacks never match. */
bool perfscript_looks_like(const unsigned char *d, size_t n);

/* Parses perf script text into an EMPTY profile (see above). Fails when
 * the input holds a NUL byte, has no record at all, or none of the chosen
 * event. */
int perfscript_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		    cprof_err *err);

/* True when p was read from perf script text (its first input, if merged). */
bool perfscript_is(const profile *p);

#endif
