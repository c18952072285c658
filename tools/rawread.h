/*
 * rawread: a raw file from libsample (include/cprof_rawfmt.h) into the
 * profile model, on top of the record-level reader in rawfile.h.
 *
 * What the model gets (docs/model.md, "Raw input in the model"):
 *  - sample types [samples/count, cpu/nanoseconds] (wall/nanoseconds in
 *    wall mode), default type 1, period type cpu|wall/nanoseconds, period;
 *  - one model sample per raw sample, values [1, weight_ns], time_ns since
 *    the INFO record's start_monotonic_ns, tid, PROF_SAMPLE_OFFCPU; the
 *    samples are sorted by time (ties keep file order); with
 *    o->aggregate, one per distinct (stack, label set, tid, flags), values
 *    summed, in the order of (and with the time of) its first sample;
 *  - mappings from MAPPING records; each frame address is resolved against
 *    the mapping that covered it at the sample's time (dlopen/dlclose), and
 *    locations are interned per (mapping, address, leaf or return address):
 *    a return address is looked up at address-1 by the symbolizer so that
 *    its line is the call site, but the location keeps the original address;
 *  - threads from THREAD records (the last name seen wins; their pid is
 *    INFO's), string labels from LABELSET records, header facts from INFO
 *    and END (mono_start_ns: INFO's start_monotonic_ns, the time origin);
 *  - after symbolization, frames in anonymous memory (JIT code) are named
 *    from the recorded process's /tmp/perf-PID.map (perfmap.h).
 *
 * Problems that leave the rest readable (a file cut short, incomplete or
 * unknown records, a malformed record, an unknown label-set id, recorder
 * notes) are warnings through o->warn; only an unreadable file header or a
 * missing INFO record is an error.
 */
#ifndef CPROF_RAWREAD_H
#define CPROF_RAWREAD_H

#include "profile.h"
#include "readopts.h"

/* Reads the raw file d[0..n) into the EMPTY profile p, symbolizing unless
 * o->no_symbolize (o may be NULL: defaults). Returns 0, or -1 with err. */
int rawread(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o, cprof_err *err);

/* The same from an open regular file of size bytes, streamed (read twice
 * in chunks, never whole, never mapped): with o->aggregate, memory follows
 * the distinct stacks, not the file. A file that shrinks while it is read
 * is an error ("the file shrank from N to M bytes while being read"). */
int rawread_fd(profile *p, int fd, size_t size, const prof_read_opts *o, cprof_err *err);

#endif
