/*
 * record: cprof-record's work — rec_record runs a command with the sampler
 * preloaded, or under the kernel sampler (perfrec.h), and says what it
 * recorded; tools/cmd/cprof-record.c only parses the options into rec_opts
 * and prints the messages.
 *
 * Before running:
 *  - rec_check_output: can the sampler create the output file (and the
 *    FILE.<pid> files of children) where it was asked to? It tries what the
 *    sampler will do (an unnamed file in the directory), so permissions,
 *    read-only filesystems and missing directories are all caught.
 *  - rec_inspect: what the command is, found through PATH as execvp finds
 *    it, following #! interpreters: the sampler reaches a program only
 *    through LD_PRELOAD, which needs a dynamically linked program of this
 *    machine's kind whose runtime leaves SIGPROF and thread creation to
 *    libc. Static and static-pie programs have no program interpreter to
 *    preload anything; Go programs (static, or dynamic with cgo) run their
 *    own signal handling and scheduler threads. Such programs go to the
 *    kernel sampler (--sampler auto), or are refused (--sampler preload).
 *
 * After running:
 *  - rec_collect: every raw file of this run (FILE, FILE.<pid>,
 *    FILE.<pid>.<n> started after the run began), each summarized; a file
 *    whose writer died without closing it (SIGKILL, the OOM killer, a crash
 *    the program handled) is cut after its last complete record, so no
 *    megabytes of zero padding are left behind — unless a live process
 *    still has it mapped (a daemon the command left running).
 *
 * The run (rec_record): the settings go to the sampler as its environment
 * variables (CPROF_OUT, CPROF_HZ, ...), the command is run with
 * libcprof-sample.so added to LD_PRELOAD; or, for the kernel sampler, it is
 * forked stopped before its exec while perfrec opens its events, then runs
 * while perfrec drains them into one perf.data file. The terminal's SIGINT
 * and SIGQUIT are left to it (they reach it directly), those sent to
 * cprof-record alone and SIGTERM and SIGHUP are forwarded to it, and
 * cprof-record exits with its status.
 *
 * None of these functions prints: the checks fill a cprof_err and return
 * -1, rec_record hands its messages to a callback.
 */
#ifndef CPROF_RECORD_H
#define CPROF_RECORD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* 0 when a file named path (absolute) can be created or replaced by the
 * sampler, else -1 with err saying why ("No such file or directory: the
 * directory /x does not exist", "is a directory", "Permission denied").
 * Leaves nothing behind. */
int rec_check_output(const char *path, cprof_err *err);

typedef enum rec_kind {
	REC_DYNAMIC,    /* a program interpreter: the sampler can be preloaded */
	REC_STATIC,     /* ELF without PT_INTERP, ET_EXEC */
	REC_STATIC_PIE, /* ELF without PT_INTERP, ET_DYN */
	REC_GO,         /* a Go program (.go.buildinfo or a Go build-id note) */
	REC_FOREIGN,    /* ELF of another class or machine than the sampler */
	REC_UNKNOWN,    /* not found, unreadable, not ELF: exec decides */
} rec_kind;

typedef struct rec_target {
	rec_kind kind;      /* of the program that will finally run */
	bool go_dynamic;    /* REC_GO: linked with a program interpreter (cgo) */
	char path[PATH_MAX];   /* that program ("" when not found) */
	char script[PATH_MAX]; /* the #! script that runs it, or "" */
} rec_target;

/* Finds cmd as execvp would (a name with '/' as is, else the first
 * executable regular file in $PATH, or in /bin:/usr/bin when PATH is unset)
 * and classifies it, following up to 4 levels of #! interpreters
 * ("#!/usr/bin/env NAME" looks NAME up in PATH). Never fails: a command
 * that cannot be found or read is REC_UNKNOWN, and exec reports it. */
void rec_inspect(const char *cmd, rec_target *t);

/* When the preloaded sampler cannot record t: appends why and what to do instead (several
 * lines, each ending in '\n', the first naming the program) and returns
 * true; cmd is the command as typed. Else false and sb untouched. */
bool rec_refusal(const rec_target *t, const char *cmd, strbuf *sb);

typedef struct rec_file {
	char *path;
	uint32_t pid;
	char *command;     /* the command line, arguments joined by spaces */
	uint64_t samples, dropped;
	int64_t cpu_ns;    /* sum of sample weights (CPU time in cpu mode) */
	bool wall;         /* wall mode: weights are wall time */
	uint64_t start_ns; /* CLOCK_MONOTONIC at start (INFO) */
	uint64_t end_ns;   /* END record's time, else the last timestamp seen */
	bool live;         /* a live process still has it mapped: left alone */
	uint64_t trimmed;  /* bytes of zero padding cut off (0: none) */
	char *problem;     /* how the data ended when not cleanly ("" if clean) */
} rec_file;

/* The raw files of a run that wrote to path (absolute): path itself and
 * path.<pid>[.<n>] whose recording started at or after since_ns
 * (CLOCK_MONOTONIC), sorted by start. Files cut short by a dead writer are
 * trimmed (see above). Unreadable candidates are skipped (they are not
 * this run's raw files). Returns the count; *files is freed with
 * rec_files_free. */
size_t rec_collect(const char *path, uint64_t since_ns, rec_file **files);
void rec_files_free(rec_file *files, size_t n);

/* Appends one line per file that holds samples (earliest first; a file
 * without samples only when it is the only one or still being written) —
 * "PATH: N samples (M dropped) in 1.234 s, pid P (COMMAND)[; problem]" —
 * then, for several files, "total: ..." naming out ("out*"). */
void rec_summary(const char *out, const rec_file *f, size_t n, strbuf *sb);

/* When the files hold less than half the user CPU time the command used
 * (used_ns, of at least 0.2 s and 20 samples at hz; never in wall mode):
 * appends the warning that programs ran unseen and returns true. */
bool rec_unseen_warning(const rec_file *f, size_t n, int64_t used_ns, uint64_t hz, strbuf *sb);

/* libcprof-sample.so: $CPROF_LIB, else ../lib/ next to the running
 * program (into buf), else the bare name for the loader's search path. */
const char *rec_find_library(char *buf, size_t n);

typedef enum rec_sampler {
	REC_SAMPLER_AUTO,    /* preload, or kernel for programs preload cannot enter */
	REC_SAMPLER_PRELOAD, /* libcprof-sample.so in every process (raw files) */
	REC_SAMPLER_KERNEL,  /* perf_event from outside (one perf.data file: perfrec.h) */
} rec_sampler;

typedef struct rec_opts {
	const char *output;     /* the raw file as given (relative: to the cwd) */
	uint64_t hz;            /* samples per second of CPU time per thread */
	const char *mode;       /* "cpu", "wall", or NULL: the sampler's default */
	const char *unwind;     /* "libunwind" or "dwarf" (the same), "fp", or NULL */
	rec_sampler sampler;
	uint64_t max_depth;     /* frames per sample; 0: the sampler's default */
	bool quiet;             /* no summary */
	const char *library;    /* the sampler; NULL: rec_find_library */
	char *const *argv;      /* the command, NULL-terminated */
	/* Each message (a refusal, an error, a summary line, a warning): text
	 * without the program's name or a final '\n' (a refusal has several
	 * lines); NULL: dropped. */
	void (*say)(void *ctx, const char *msg);
	void *say_ctx;
} rec_opts;

#define REC_OPTS_INIT { .output = "cprof.out", .hz = 100 }

/* Records one run of o->argv: checks that the output can be written and
 * picks the sampler (o->sampler; auto: the kernel one for programs the
 * preloaded one cannot enter), refusing what cannot be recorded (says why
 * and returns 2, nothing run: --sampler preload with such a program, wall
 * mode with the kernel sampler, perf_event_open refused), runs it (see
 * above), trims and summarizes the files it left, and returns what
 * cprof-record exits with: the command's status (128+N when killed by
 * signal N), 127/126 when it could not be executed, 2 when it succeeded
 * but nothing was recorded (or the kernel sampler's file could not be
 * written), or when it could not be started. */
int rec_record(const rec_opts *o);

#endif
