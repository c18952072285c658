/*
 * perfdata: `perf record`'s perf.data file (magic PERFILE2, the seekable
 * form perf writes to a file) into the model, as raw samples: one model
 * sample per PERF_RECORD_SAMPLE, with its time (since the first sample),
 * thread and period, so the raw view, the timeline and every aggregated view
 * work on perf recordings. A file recorded on CLOCK_MONOTONIC (use_clockid:
 * cprof-record --sampler kernel, perf record -k mono) has its first
 * sample's time as mono_start_ns, on the axis of raw files of the same run.
 *
 *  - sample types [samples/count, X]: X is cpu/nanoseconds for the cpu-clock
 *    and task-clock events (their period is nanoseconds), the hardware
 *    event's name (cycles, instructions, ...) or "events" otherwise, count;
 *  - frames from the callchain (PERF_SAMPLE_CALLCHAIN; else the sample's IP),
 *    leaf first; every user frame but the leaf is a return address and is
 *    stored minus one, so that it lands on the call (as pprof stores them);
 *    kernel frames are kept exact (their chains hold the IPs interrupts
 *    stopped, and perf report names those as they are);
 *  - user frames resolve against the MMAP/MMAP2 records of the sample's
 *    process at the sample's time: the latest mapping recorded before it
 *    since the process's last exec (COMM with the exec flag), else its
 *    parent's at fork time (FORK records: perf does not record a child's
 *    inherited mappings again); build-ids from the MMAP2 record or the
 *    file's build-id feature section; then cprof's symbolizer (libdwfl:
 *    inline frames, build-ids checked);
 *  - kernel frames are named from /proc/kallsyms when it is readable with
 *    addresses (of the running kernel: the recording's kernel is assumed to
 *    be this one); otherwise a stack's kernel part becomes one [kernel]
 *    frame;
 *  - thread names from COMM records (a new thread or process has its
 *    parent's until one names it), lost samples from LOST records;
 *  - frames in anonymous memory (JIT code) named from /tmp/perf-PID.map
 *    (perfmap.h), per sample's process.
 *
 *  - --call-graph dwarf samples (user registers and a copy of the stack):
 *    the user part is unwound offline with libdw (dwunwind.h) over the
 *    process's files, as perf report does; a sample that cannot be unwound
 *    (or under --no-symbolize, which opens no file) keeps its callchain.
 *
 * Not read (each refused or warned about in one line): perf's pipe format
 * (perf record -o -), big-endian files, compressed records (perf record -z),
 * several events in one file (only the first event's samples are kept).
 *
 * Every offset, size and count is checked against the file before use; a
 * file cut short reads up to its last complete record, with a warning.
 */
#ifndef CPROF_PERFDATA_H
#define CPROF_PERFDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"
#include "readopts.h"

/* True when d starts with perf.data's magic ("PERFILE2", either byte order). */
bool perfdata_looks_like(const unsigned char *d, size_t n);

/* Reads a perf.data file into the EMPTY profile p, symbolizing unless
 * o->no_symbolize. Returns 0, or -1 with err. */
int perfdata_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		  cprof_err *err);

#endif
