/*
 * perfrec: the kernel sampler — records a process and every child it forks
 * from outside, as `perf record -- cmd` does, into a perf.data file that
 * every cprof tool reads (perfdata.h) and perf report/script read too.
 *
 * One perf_event per online CPU, pid = the command, inherit (its threads
 * and children follow), enable_on_exec (nothing before the command's exec
 * counts), user mode only (perf_event_paranoid 2 allows that much to any
 * user); cpu-clock at a fixed period of 1e9/hz ns; MMAP2 (with the kernel's
 * build-ids), COMM, FORK/EXIT records. Each sample carries the kernel's
 * frame-pointer callchain and, in dwarf mode, the user registers and the
 * top of the user stack (8 KiB) that cprof's readers unwind offline with
 * libdw (dwunwind.h), as perf --call-graph dwarf does. The per-CPU ring
 * buffers are drained by the caller's loop (prec_poll) into the output.
 *
 * The file is written under a temporary name next to its path and renamed
 * into place by prec_finish, its header written last: the final path never
 * holds a half-written file. Not async-signal-safe; never prints.
 */
#ifndef CPROF_PERFREC_H
#define CPROF_PERFREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

typedef struct prec prec;

typedef struct prec_opts {
	uint64_t hz;        /* samples per second of CPU time per thread */
	bool fp;            /* true: the kernel's frame-pointer callchain only */
	uint32_t stack_bytes; /* dwarf mode: user stack copied per sample */
	uint32_t max_depth; /* callchain frames (capped at perf_event_max_stack); 0: its value */
} prec_opts;

#define PREC_OPTS_INIT { .hz = 100, .stack_bytes = 8192 }

/* Opens the events for pid (stopped before its exec: they are enabled by
 * it), maps their buffers and creates the temporary output next to path.
 * -1 with err naming the cause (perf_event_open's errno, and for EACCES or
 * EPERM the perf_event_paranoid setting) when recording is impossible. */
int prec_open(prec **out, pid_t pid, const prec_opts *o, const char *path, cprof_err *err);

/* Waits up to timeout_ms (-1: no limit) for a buffer to fill past its
 * watermark or for fd (>= 0) to become readable, then drains every buffer
 * into the output. Returns 1 when fd is readable, 0 otherwise, -1 with err
 * on a write error. A signal ends the wait early (0). */
int prec_poll(prec *r, int fd, int timeout_ms, cprof_err *err);

typedef struct prec_proc {
	uint32_t pid;
	char comm[16];
	uint64_t samples;
} prec_proc;

typedef struct prec_stats {
	uint64_t samples, lost; /* lost: PERF_RECORD_LOST(_SAMPLES) counts */
	uint64_t first_ns, last_ns; /* CLOCK_MONOTONIC of the first and last sample */
	uint64_t bytes;     /* the file's size */
	size_t nprocs;      /* processes seen (the command and its children) */
	prec_proc *procs;   /* those with samples, most first; nprocs_sampled of them */
	size_t nprocs_sampled;
} prec_stats;

/* Disables the events, drains what is left, writes the header and renames
 * the file into place; fills st (free st->procs). Frees r either way.
 * -1 with err (nothing is left at the path, nor a temporary). */
int prec_finish(prec *r, prec_stats *st, cprof_err *err);

/* Drops the recording: events closed, the temporary removed. */
void prec_abort(prec *r);

#endif
