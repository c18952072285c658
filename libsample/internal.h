/*
 * libsample internals: the state shared by the signal path (handler.c, the
 * only async-signal-safe file), the recorder (sampler.c), the interposed
 * functions (preload.c) and the public API (api.c).
 *
 * The output file is mapped MAP_SHARED; every record, from the signal
 * handler or from ordinary code, is written straight into the mapping after
 * reserving its bytes with a compare-and-swap on `used`. The handler only
 * writes below `cap`, the length the writer thread has already allocated in
 * the file, so it never touches a page beyond the end of the file. Data in
 * a shared file mapping belongs to the page cache as soon as it is stored:
 * SIGKILL, _exit or a crash lose nothing that was stored.
 */
#ifndef CPROF_SAMPLE_INTERNAL_H
#define CPROF_SAMPLE_INTERNAL_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include "cprof_rawfmt.h"

#define CP_EXPORT __attribute__((visibility("default")))
#define CP_TLS __attribute__((tls_model("initial-exec")))

#define CP_MAX_FRAMES 256         /* default frames one sample keeps (deeper: TRUNCATED) */
/* CPROF_MAX_DEPTH goes up to the format's CPROF_RAW_MAX_FRAMES (1024): the
 * handler's frame buffer (8 bytes a frame) is on the interrupted stack. */
#define CP_MAX_THREADS 4096       /* threads profiled at once */
#define CP_SIGVAL_MAGIC 0x63707266 /* si_value of our timer_create / wall signals */
#define CP_PERF_REFRESH 0x3fffffff /* overflows before a task-clock event needs a refresh */
#define CP_END_SLACK 256           /* bytes kept free below cap for NOTE + END at the close */
/* Wall-mode signals carry si_value = CP_SIGVAL(state | ticks << 8): the
 * sampler thread's view of the target (running or blocked) in bits 0-7. */
#define CP_SIGVAL(state) ((void *)(((uintptr_t)CP_SIGVAL_MAGIC << 32) | (uintptr_t)(state)))
#define CP_WALL_RUNNING 1
#define CP_WALL_BLOCKED 2
/* The thread was not signalled for the ticks before this one (it sat in a
 * system call that a signal would have cut short with EINTR, see
 * wall_blocked_thread in sampler.c): this sample weighs its own ticks only. */
#define CP_WALL_FRESH 4
/* ... and, in bits 8-31, the periods this sample stands for (>= 1) */
#define CP_WALL_MAX_TICKS 0xffffff

/* The stack table (handler.c): the signal handler interns each stack it
 * records, writes it once as a STACK record and then only STACK_SAMPLE
 * records that name it (24 bytes instead of 40 + 8 per frame). Fixed size,
 * lock-free: a slot is claimed with a compare-and-swap and published with
 * a release store of its tag; a handler that finds the table full, its
 * slots being filled by another thread, or no room for the frames writes
 * a full SAMPLE record instead. A new file starts a new generation: slots
 * of an earlier one read as empty, so resetting costs no memory traffic. */
#define CP_STACK_SLOTS 16384          /* power of two */
#define CP_STACK_PROBES 16            /* slots one lookup looks at, at most */
#define CP_STACK_FRAMES (1u << 19)    /* frames the table keeps (4 MiB) */
#define CP_STACK_TRUNCATED 0x80000000u /* in cp_stack_slot.nframes */
struct cp_stack_slot {
	/* (generation << 48) | 1 while being filled; (generation << 48) |
	 * (hash & 0xffffffffffff) | 2 once filled; any other generation: empty */
	atomic_uint_fast64_t tag;
	uint32_t id;      /* its STACK record's id */
	uint32_t nframes; /* | CP_STACK_TRUNCATED */
	uint32_t at;      /* its first frame in cp.stack_frames */
	uint32_t pad;
};

struct cp_state {
	/* --- read by the signal handler ------------------------------------ */
	atomic_int active;      /* 1 while samples are recorded */
	atomic_int inflight;    /* handlers between their check of active and their last store */
	unsigned char *map;     /* MAP_SHARED view of the file, map_size bytes of address space */
	uint64_t map_size;
	atomic_uint_fast64_t used; /* bytes of records in the file (next record's offset) */
	atomic_uint_fast64_t cap;  /* bytes allocated in the file: records stay below */
	atomic_uint_fast64_t written, dropped; /* samples */
	atomic_uint_fast64_t foreign;          /* SIGPROFs that were not ours */
	atomic_int fd;           /* the output file; read it through cp_output_fd() */
	dev_t out_dev;           /* the output file's identity (fstat) */
	ino_t out_ino;
	atomic_int wake_sent;    /* futex word: a wake-up of the writer is pending (it clears it) */
	uint64_t low_water;      /* free bytes below which the writer is woken */
	uint64_t period_ns;
	int max_depth; /* frames a sample keeps (CPROF_MAX_DEPTH) */
	int mode;     /* enum cprof_raw_mode */
	int timer;    /* enum cprof_raw_timer */
	int unwinder; /* enum cprof_raw_unwinder */
	/* The program's own SIGPROF action, called for signals that are not
	 * ours (see preload.c: sigaction/signal are wrapped). */
	struct sigaction prog_act;
	atomic_int prog_has_act;
	atomic_int fatal_hooked; /* we own the fatal-signal handlers */
	atomic_int closing;      /* cp_finish_file ran (or runs) for this file */
	/* the stack table (NULL: none, every sample is a SAMPLE record) */
	struct cp_stack_slot *stack_slots;
	uint64_t *stack_frames;      /* CP_STACK_FRAMES */
	atomic_uint stack_used;      /* frames of stack_frames taken */
	atomic_uint stack_next_id;   /* the next STACK record's id */
	uint64_t stack_gen;          /* 1..0xffff: the file's generation */

	/* --- ordinary code only -------------------------------------------- */
	uint32_t hz;
	uint64_t start_mono;
	char path[4096];
	int unnamed; /* the file is an O_TMPFILE until publish_output names it */
	pid_t pid;
};

extern struct cp_state cp;

/* Per-thread state read by the handler (initial-exec TLS: no allocation on
 * first touch, which a handler could not afford). */
extern __thread uint32_t cp_tls_labelset CP_TLS; /* current LABELSET id, 0: none */
extern __thread uintptr_t cp_tls_stack_lo CP_TLS, cp_tls_stack_hi CP_TLS; /* 0: unknown */
extern __thread uint64_t cp_tls_last_cpu CP_TLS; /* at the last sample: thread CPU ns (fallback timers), monotonic ns (wall) */
extern __thread int cp_tls_tid CP_TLS;           /* cached gettid(), 0: unknown */
/* The program believes SIGPROF is blocked in this thread (it blocked it, or
 * the thread was born with it blocked); the kernel's mask never holds it
 * once cprof's handler is installed (preload.c: the mask wrappers). */
extern __thread atomic_int cp_tls_prog_blocks CP_TLS;
/* A SIGPROF that was not ours arrived while the program blocked it: it is
 * raised again when the program unblocks it (or handed to sigwait). */
extern __thread int cp_tls_deferred CP_TLS;
extern __thread siginfo_t cp_tls_deferred_info CP_TLS;
extern __thread unsigned cp_tls_nsamples CP_TLS; /* samples this thread took (tells our EINTR from the program's) */

/* ---- handler.c: async-signal-safe ---------------------------------------- */
uint64_t cp_now(clockid_t clk);
int cp_gettid(void);
/* Writes one record (header + the iov parts, zero padding) into the file.
 * Returns 0, or -1 when there is no room (the caller counts the drop). */
int cp_emit(uint16_t type, uint16_t flags, const struct iovec *parts, int nparts);
/* The same before recording starts (cp.active 0: no handler writes), for
 * the INFO record, which must come first in the file. */
int cp_emit_first(uint16_t type, const struct iovec *parts, int nparts);
void cp_sigprof(int sig, siginfo_t *si, void *uc);
/* Whether a SIGPROF's info says it came from cprof's timers (not the program's). */
int cp_sigprof_ours(const siginfo_t *si);
/* Ordinary context, no handler running: a new file's (empty) stack table,
 * mapped at the first call. */
void cp_stacks_reset(void);
void cp_fatal(int sig, siginfo_t *si, void *uc);
/* Stops recording and closes the file cleanly: waits for handlers in
 * flight, writes END, cuts the file to its used length. Safe in a handler. */
void cp_finish_file(void);
/* Ordinary context only: runs the handler's callees once, with libunwind's
 * per-thread trace cache when trace_cache is set (see handler.c). */
void cp_warm_up(int trace_cache);
/* Unwinds the calling context into frames (leaf first); returns the count
 * and sets *truncated. frames must hold max + 8 entries (libunwind's pass
 * also sees the handler's own frames). */
int cp_unwind(void *ucontext, uint64_t *frames, int max, int *truncated);

/* ---- sampler.c -------------------------------------------------------------- */
struct cp_config {
	const char *path;
	uint32_t hz;
	int mode;     /* enum cprof_raw_mode */
	int unwinder; /* enum cprof_raw_unwinder */
	int max_depth; /* 1..CPROF_RAW_MAX_FRAMES */
	int child;    /* 1: a forked child / exec'd image: find a free name from path */
	pid_t ppid;
};
/* Fills cfg from CPROF_* variables; returns 0 or -1 (a message on stderr). */
int cp_config_from_env(struct cp_config *cfg);
int cp_start(const struct cp_config *cfg);
int cp_stop(void);
int cp_flush(void);
/* Called on the new thread itself (pthread_create trampoline). */
void cp_thread_begin(void);
void cp_thread_end(void);
void cp_thread_renamed(void);
void cp_rescan_mappings(void);
void cp_note(int level, const char *text);
void cp_fork_prepare(void);
void cp_fork_parent(void);
void cp_fork_child(void);
void cp_exec_prepare(void);
void cp_exec_failed(void);
extern char cp_root_path[4096]; /* CPROF_OUT as given, for children's names */

int cp_sigprof_is_ours(void);
/* A fatal signal whose SIG_DFL cprof replaced with cp_fatal (to close the
 * file first); cp_fatal's action, to put in again for a SIG_DFL. */
int cp_is_fatal_hooked(int sig);
/* Runs call(a, b) with cprof's helper threads stopped (unshare, setns into
 * a user namespace: the kernel wants one thread). */
int cp_single_threaded_call(int (*call)(long, long), long a, long b);
void cp_fatal_action(struct sigaction *sa);
void cp_unwind_setup(void); /* our SIGPROF handler is installed */
/* cprof's own file descriptors (see sampler.c): the close, close_range,
 * closefrom and dup2/dup3 wrappers leave them to cprof. All three are
 * async-signal-safe. */
int cp_fd_is_ours(int fd);
/* The lowest descriptor of cprof's at `from` or above, or -1. */
int cp_fd_next_ours(int from);
/* A dup2/dup3 of the program's is about to replace descriptor fd, one of
 * cprof's: the output file moves to another number, a timer is given up
 * (the writer arms it again). */
void cp_fd_vacate(int fd);
/* libunwind's pipe for checking addresses (preload.c's pipe2): moved high,
 * kept as cprof's. Whether fd is one of its numbers; whether either end is
 * no longer that pipe (closed or replaced behind cprof's back). */
void cp_fd_adopt_unwind_pipe(int fds[2]);
int cp_is_unwind_pipe(int fd);
int cp_unwind_pipe_gone(void);
int cp_unwind_pipe_end_ok(int fd); /* fd still is libunwind's pipe */
/* libunwind closes one of its pipe's ends; the bit check of fd_bits. */
void cp_fd_forget(int fd);
int cp_fd_marked(int fd);
/* The output file's descriptor, checked to still be the file (opened again
 * by its name if the program closed it behind cprof's back); -1 if it
 * cannot be had. */
int cp_output_fd(void);

/* ---- preload.c: the real functions behind the wrapped ones ------------------- */
#include <pthread.h>
int cp_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int cp_real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
/* The real pthread_sigmask (cprof's own masking must not be rewritten). */
int cp_real_pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
/* Takes SIGPROF out of the calling thread's mask if it is there, and
 * remembers that the program believes it blocked (a thread born with every
 * signal blocked, an exec'd image). */
void cp_adopt_mask(void);
/* Finds libunwind's text from one of its functions (its mask calls pass
 * unchanged). */
void cp_mask_setup(void *unwind_fn);

/* ---- api.c ------------------------------------------------------------------ */
/* Emits LABELSET records again after a restart (fork child, new file). */
void cp_labels_reset(void);
void cp_labels_atfork_child(void);

#endif
