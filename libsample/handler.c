/*
 * ASYNC-SIGNAL-SAFE CODE ONLY. Everything in this file may run inside a
 * signal handler that interrupted the program anywhere: inside malloc,
 * holding a stdio lock, inside the dynamic loader. So: no malloc, no
 * locks, no stdio, no function that is not async-signal-safe, and errno is
 * saved and restored. Only syscalls, atomics and plain stores.
 *
 * The signal path, for one SIGPROF:
 *   1. decide whether the signal is ours (si_code/si_value say which timer
 *      sent it) or the program's, which gets it forwarded;
 *   2. enter the "in flight" bracket (a counter the closing code waits on)
 *      and give up if recording has stopped;
 *   3. unwind the interrupted context: libunwind from the signal frame, or a
 *      frame-pointer walk that never reads memory it has not checked;
 *   4. look the stack up in the stack table (internal.h): a stack seen
 *      before is written as a STACK_SAMPLE record naming it, a new one
 *      first as a STACK record; a full or contended table gives a full
 *      SAMPLE record instead;
 *   5. reserve the record's bytes in the shared file mapping with a
 *      compare-and-swap on `used`, never past `cap` (the length already
 *      allocated in the file), write size and body, then publish `type`
 *      with a release store. No room: the sample is counted as dropped.
 */
#define UNW_LOCAL_ONLY
#include <errno.h>
#include <fcntl.h>
#include <libunwind.h>
#include <linux/futex.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include "internal.h"

uint64_t cp_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int cp_gettid(void)
{
	if (!cp_tls_tid)
		cp_tls_tid = (int)syscall(SYS_gettid);
	return cp_tls_tid;
}

/* memcpy and memset are async-signal-safe (POSIX.1-2008 TC2 lists them). */
static void copy(unsigned char *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

/* Reserves and writes one record; `slack` bytes below cap stay free. */
static int emit(uint16_t type, uint16_t flags, const struct iovec *parts, int nparts,
		uint64_t slack)
{
	uint64_t body = 0, size, off;
	unsigned char *p;

	for (int i = 0; i < nparts; i++)
		body += parts[i].iov_len;
	size = CPROF_RAW_ALIGN(sizeof(struct cprof_raw_rec) + body);
	off = atomic_load(&cp.used);
	do {
		if (off + size + slack > atomic_load(&cp.cap))
			return -1;
	} while (!atomic_compare_exchange_weak(&cp.used, &off, off + size));
	if (atomic_load(&cp.cap) - (off + size) < cp.low_water && !atomic_exchange(&cp.wake_sent, 1))
		syscall(SYS_futex, &cp.wake_sent, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	p = cp.map + off;
	/* size first: a reader that finds 0 here stops (end of data) */
	__atomic_store_n((uint32_t *)p, (uint32_t)size, __ATOMIC_RELAXED);
	__atomic_store_n((uint16_t *)(p + 6), flags, __ATOMIC_RELAXED);
	p += sizeof(struct cprof_raw_rec);
	for (int i = 0; i < nparts; i++) {
		copy(p, parts[i].iov_base, parts[i].iov_len);
		p += parts[i].iov_len;
	}
	memset(p, 0, size - sizeof(struct cprof_raw_rec) - body);
	/* type last: until this store the record reads as incomplete */
	__atomic_store_n((uint16_t *)(cp.map + off + 4), type, __ATOMIC_RELEASE);
	return 0;
}

int cp_emit_first(uint16_t type, const struct iovec *parts, int nparts)
{
	return emit(type, 0, parts, nparts, CP_END_SLACK);
}

int cp_emit(uint16_t type, uint16_t flags, const struct iovec *parts, int nparts)
{
	int ret = -1;

	atomic_fetch_add(&cp.inflight, 1);
	if (atomic_load(&cp.active))
		ret = emit(type, flags, parts, nparts, CP_END_SLACK);
	atomic_fetch_sub(&cp.inflight, 1);
	return ret;
}

/* ---- unwinding ------------------------------------------------------------ */

/* The slow path: libunwind's cursor from the signal frame, one unw_step per
 * frame (each step takes libunwind's global cache lock, two sigprocmask
 * calls, in Debian's build). */
static int unwind_cursor(ucontext_t *uc, uint64_t *frames, int max, int *truncated)
{
	unw_cursor_t c;
	unw_word_t ip;
	int n = 0;

	if (unw_init_local2(&c, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0) {
		frames[0] = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
		return 1;
	}
	for (;;) {
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		if (n == max) {
			*truncated = 1;
			break;
		}
		frames[n++] = ip;
		if (unw_step(&c) <= 0)
			break;
	}
	if (n == 0)
		frames[n++] = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	return n;
}

/* The fast path: unw_backtrace() walks from here, through this handler and
 * the kernel's signal frame, into the interrupted code, using libunwind's
 * per-thread cache of frame layouts (one hash lookup per frame once an
 * address has been seen). The frames before the interrupted PC are ours
 * and are dropped. */
#define OWN_FRAMES 8
static int unwind_libunwind(ucontext_t *uc, uint64_t *frames, int max, int *truncated)
{
	/* unw_backtrace fills `frames` itself (void * and uint64_t are the
	 * same size here), so the handler needs one frame buffer, not two:
	 * it may run on a 16 KiB thread stack or sigaltstack. */
	uint64_t pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	int n = unw_backtrace((void **)frames, max + OWN_FRAMES), i;

	for (i = 0; i < n && i <= OWN_FRAMES; i++)
		if (frames[i] == pc)
			break;
	if (i >= n || i > OWN_FRAMES)
		return unwind_cursor(uc, frames, max, truncated);
	n -= i;
	if (n > max) {
		n = max;
		*truncated = 1;
	}
	memmove(frames, frames + i, (size_t)n * sizeof(frames[0]));
	return n;
}

/* Reads 16 bytes at addr without faulting: from the known stack range
 * directly; elsewhere the first read in each page goes through
 * process_vm_readv, which fails with EFAULT instead of crashing, and later
 * reads in a page already proven readable are direct. */
static int read_frame(uintptr_t addr, uintptr_t lo, uintptr_t hi, uintptr_t *ok_page,
		      uint64_t out[2])
{
	uintptr_t first = addr & ~(uintptr_t)4095, last = (addr + 15) & ~(uintptr_t)4095;

	if ((hi && addr >= lo && addr + 16 <= hi) || (first == last && first == *ok_page)) {
		out[0] = ((const uint64_t *)addr)[0];
		out[1] = ((const uint64_t *)addr)[1];
		return 0;
	}
	struct iovec local = {out, 16}, remote = {(void *)addr, 16};
	pid_t pid = cp.pid ? cp.pid : (pid_t)syscall(SYS_getpid);
	if (syscall(SYS_process_vm_readv, pid, &local, 1UL, &remote, 1UL, 0UL) != 16)
		return -1;
	if (first == last)
		*ok_page = first;
	return 0;
}

static int unwind_fp(ucontext_t *uc, uint64_t *frames, int max, int *truncated)
{
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	uintptr_t fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
	uintptr_t lo = cp_tls_stack_lo, hi = cp_tls_stack_hi, ok_page = 1;
	int n = 0;

	frames[n++] = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	if (!(hi && sp >= lo && sp < hi))
		lo = hi = 0; /* on an alternate stack or bounds unknown: check every read */
	/* Frames live above the interrupted sp and grow toward higher
	 * addresses as we walk to the root; anything else ends the walk. */
	while (fp >= sp && (fp & 7) == 0 && fp - sp < (64u << 20)) {
		uint64_t fr[2];

		if (read_frame(fp, lo, hi, &ok_page, fr) < 0 || fr[1] == 0)
			break;
		if (n == max) {
			*truncated = 1;
			break;
		}
		frames[n++] = fr[1];
		if (fr[0] <= fp)
			break;
		sp = fp;
		fp = (uintptr_t)fr[0];
	}
	return n;
}

int cp_unwind(void *ucontext, uint64_t *frames, int max, int *truncated)
{
	*truncated = 0;
	if (cp.unwinder == CPROF_UNWIND_FP)
		return unwind_fp(ucontext, frames, max, truncated);
	return unwind_libunwind(ucontext, frames, max, truncated);
}

/* ---- the stack table ---------------------------------------------------------- */

void cp_stacks_reset(void)
{
	if (!cp.stack_slots) {
		void *s = mmap(NULL, CP_STACK_SLOTS * sizeof(struct cp_stack_slot),
			       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		void *f = mmap(NULL, (size_t)CP_STACK_FRAMES * 8, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (s == MAP_FAILED || f == MAP_FAILED) {
			if (s != MAP_FAILED)
				munmap(s, CP_STACK_SLOTS * sizeof(struct cp_stack_slot));
			if (f != MAP_FAILED)
				munmap(f, (size_t)CP_STACK_FRAMES * 8);
			return; /* no table: full SAMPLE records */
		}
		cp.stack_frames = f;
		cp.stack_gen = 0;
		/* the slots' publication (below) comes after the arrays are set */
		__atomic_store_n(&cp.stack_slots, (struct cp_stack_slot *)s, __ATOMIC_RELEASE);
	}
	if (++cp.stack_gen > 0xffff) {
		/* generations wrapped: really empty the slots, once in 65535 files */
		memset(cp.stack_slots, 0, CP_STACK_SLOTS * sizeof(struct cp_stack_slot));
		cp.stack_gen = 1;
	}
	atomic_store(&cp.stack_used, 0);
	atomic_store(&cp.stack_next_id, 1);
}

static uint64_t stack_hash(const uint64_t *f, int n, uint32_t key_n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ key_n;
	for (int i = 0; i < n; i++) {
		h = (h ^ f[i]) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return h;
}

static int same_frames(const uint64_t *a, const uint64_t *b, int n)
{
	for (int i = 0; i < n; i++) /* no memcmp: plain loads only */
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The id of the stack frames[0..n) (cut when truncated) in this file's
 * table, adding it, and writing its STACK record, when it is new. 0 when
 * the table cannot tell in CP_STACK_PROBES slots (full, or those slots
 * being filled by other threads) or the frames or the STACK record find no
 * room: the caller writes a full SAMPLE then. Lock-free and bounded. */
static uint32_t intern_stack(const uint64_t *frames, int n, int truncated)
{
	struct cp_stack_slot *slots = __atomic_load_n(&cp.stack_slots, __ATOMIC_ACQUIRE);
	if (!slots)
		return 0;
	uint64_t gen = cp.stack_gen, busy = gen << 48 | 1;
	uint32_t key_n = (uint32_t)n | (truncated ? CP_STACK_TRUNCATED : 0);
	uint64_t h = stack_hash(frames, n, key_n);
	uint64_t ready = gen << 48 | (h & 0xffffffffffffULL) | 2;
	size_t i = (size_t)(h >> 40) & (CP_STACK_SLOTS - 1);

	for (int probe = 0; probe < CP_STACK_PROBES; probe++, i = (i + 1) & (CP_STACK_SLOTS - 1)) {
		struct cp_stack_slot *s = &slots[i];
		uint64_t tag = atomic_load_explicit(&s->tag, memory_order_acquire);

		if (tag == ready && s->nframes == key_n && same_frames(cp.stack_frames + s->at, frames, n))
			return s->id;
		if (tag >> 48 == gen)
			continue; /* another stack, or one being filled */
		/* empty: claim it */
		if (!atomic_compare_exchange_strong(&s->tag, &tag, busy))
			return 0; /* another thread was quicker: do not wait */
		uint32_t at = atomic_load(&cp.stack_used);
		if (at > CP_STACK_FRAMES - (uint32_t)n ||
		    (at = atomic_fetch_add(&cp.stack_used, (uint32_t)n)) > CP_STACK_FRAMES - (uint32_t)n) {
			atomic_store_explicit(&s->tag, 0, memory_order_release);
			return 0;
		}
		for (int k = 0; k < n; k++)
			cp.stack_frames[at + k] = frames[k];
		struct cprof_raw_stack st;
		memset(&st, 0, sizeof(st));
		st.id = atomic_fetch_add(&cp.stack_next_id, 1);
		st.nframes = (uint16_t)n;
		st.sflags = truncated ? CPROF_SAMPLE_TRUNCATED : 0;
		struct iovec parts[2] = {{&st, sizeof(st)}, {(void *)frames, (size_t)n * 8}};
		if (emit(CPROF_RAW_STACK, 0, parts, 2, CP_END_SLACK) < 0) {
			atomic_store_explicit(&s->tag, 0, memory_order_release);
			return 0;
		}
		s->id = st.id;
		s->nframes = key_n;
		s->at = at;
		atomic_store_explicit(&s->tag, ready, memory_order_release);
		return st.id;
	}
	return 0;
}

/* ---- the SIGPROF handler ---------------------------------------------------- */

static void take_sample(siginfo_t *si, void *uc, uint32_t wall_state)
{
	/* the stack the handler runs on may be small (a 16 KiB sigaltstack):
	 * at the default depth this is ~2 KiB */
	uint64_t frames[cp.max_depth + OWN_FRAMES];
	struct cprof_raw_sample s;
	int truncated, n;

	atomic_fetch_add(&cp.inflight, 1);
	if (!atomic_load(&cp.active))
		goto out;
	(void)si;
	memset(&s, 0, sizeof(s));
	s.time_ns = cp_now(CLOCK_MONOTONIC);
	s.weight_ns = cp.period_ns;
	if (cp.timer == CPROF_TIMER_TIMER_CREATE || cp.timer == CPROF_TIMER_SETITIMER) {
		/* Tick-driven timers may fire late, and on a loaded machine
		 * lose runs of ticks (one pending signal absorbs the next):
		 * weigh by the CPU time the thread really used since its last
		 * sample. The cap keeps a long stretch with SIGPROF blocked
		 * from being charged to the stack that unblocks it; at 10
		 * periods it cut 16 % of the CPU time under load (2 vCPUs,
		 * load 5, 100 Hz setitimer: gaps of 100 ms and more). */
		uint64_t cpu = cp_now(CLOCK_THREAD_CPUTIME_ID), last = cp_tls_last_cpu;

		if (last && cpu > last && cpu - last < 100 * cp.period_ns)
			s.weight_ns = cpu - last;
		cp_tls_last_cpu = cpu;
	}
	if ((wall_state & 0xff) == CP_WALL_BLOCKED)
		s.sflags |= CPROF_SAMPLE_OFFCPU;
	if (cp.timer == CPROF_TIMER_WALL) {
		/* The wall time since this thread's previous sample: right even
		 * when the sampling thread ran late (it says how many periods
		 * passed) or a signal was merged into a pending one; but only
		 * its own ticks after ticks it was not sent (CP_WALL_FRESH). */
		uint64_t last = cp_tls_last_cpu, ticks = wall_state >> 8;

		if (!(wall_state & CP_WALL_FRESH) && last >= cp.start_mono && s.time_ns > last &&
		    s.time_ns - last < 1000 * cp.period_ns)
			s.weight_ns = s.time_ns - last;
		else if (ticks > 1)
			s.weight_ns = ticks * cp.period_ns;
		cp_tls_last_cpu = s.time_ns;
	}
	cp_tls_nsamples++;
	s.tid = (uint32_t)cp_gettid();
	s.labelset = cp_tls_labelset;
	n = cp_unwind(uc, frames, cp.max_depth, &truncated);
	if (truncated)
		s.sflags |= CPROF_SAMPLE_TRUNCATED;
	s.nframes = (uint16_t)n;
	uint32_t id = intern_stack(frames, n, truncated);
	int r;
	if (id) {
		/* the stack is in a STACK record: time, thread, id, and what
		 * differs from the usual (a weight, labels, off-CPU) */
		struct cprof_raw_stack_sample ss = {s.time_ns, s.tid, id};
		uint16_t fl = (s.sflags & CPROF_SAMPLE_OFFCPU) ? CPROF_SSAMPLE_OFFCPU : 0;
		struct iovec parts[3] = {{&ss, sizeof(ss)}};
		int np = 1;
		if (s.weight_ns != cp.period_ns) {
			fl |= CPROF_SSAMPLE_WEIGHT;
			parts[np++] = (struct iovec){&s.weight_ns, 8};
		}
		if (s.labelset) {
			fl |= CPROF_SSAMPLE_LABELS;
			parts[np++] = (struct iovec){&s.labelset, 4};
		}
		r = emit(CPROF_RAW_STACK_SAMPLE, fl, parts, np, CP_END_SLACK);
	} else {
		struct iovec parts[2] = {{&s, sizeof(s)}, {frames, (size_t)n * 8}};
		r = emit(CPROF_RAW_SAMPLE, 0, parts, 2, CP_END_SLACK);
	}
	if (r == 0)
		atomic_fetch_add(&cp.written, 1);
	else
		atomic_fetch_add(&cp.dropped, 1);
out:
	atomic_fetch_sub(&cp.inflight, 1);
}

static void forward(int sig, siginfo_t *si, void *uc)
{
	atomic_fetch_add(&cp.foreign, 1);
	if (atomic_load(&cp_tls_prog_blocks)) {
		/* the program blocks SIGPROF here (the kernel does not): it
		 * stays pending for the program (preload.c) */
		cp_tls_deferred_info = *si;
		cp_tls_deferred = 1;
		return;
	}
	if (!atomic_load(&cp.prog_has_act))
		return; /* nobody else wants SIGPROF: its default action would kill */
	if (cp.prog_act.sa_flags & SA_SIGINFO) {
		if (cp.prog_act.sa_sigaction)
			cp.prog_act.sa_sigaction(sig, si, uc);
	} else if (cp.prog_act.sa_handler != SIG_IGN && cp.prog_act.sa_handler != SIG_DFL) {
		cp.prog_act.sa_handler(sig);
	}
}

int cp_sigprof_ours(const siginfo_t *si)
{
	uintptr_t v;

	switch (si->si_code) {
	case POLL_IN: case POLL_OUT: case POLL_MSG: case POLL_ERR: case POLL_PRI: case POLL_HUP:
		return 1; /* a perf_event task-clock overflow (F_SETSIG) */
	case SI_TIMER:
	case SI_QUEUE:
		v = (uintptr_t)si->si_value.sival_ptr;
		return v >> 32 == CP_SIGVAL_MAGIC && (si->si_code == SI_TIMER || si->si_pid == cp.pid);
	case SI_KERNEL:
		return cp.timer == CPROF_TIMER_SETITIMER;
	default:
		return 0;
	}
}

void cp_sigprof(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (!cp_sigprof_ours(si)) {
		forward(sig, si, uc);
	} else if (si->si_code == SI_TIMER || si->si_code == SI_QUEUE) {
		take_sample(si, uc, (uint32_t)((uintptr_t)si->si_value.sival_ptr & 0xffffffffu));
	} else if (si->si_code == SI_KERNEL) {
		take_sample(si, uc, 0);
	} else {
		/* (an event moved away from a number the program took: its si_fd
		 * is the old number, the program's now) */
		if (si->si_code == POLL_HUP && cp_fd_marked(si->si_fd))
			ioctl(si->si_fd, PERF_EVENT_IOC_REFRESH, CP_PERF_REFRESH);
		/* wall mode: a thread that blocks signals, on the CPU for one
		 * period (sampler.c: wall_blocked_thread) */
		take_sample(si, uc, cp.timer == CPROF_TIMER_WALL
					    ? CP_WALL_RUNNING | CP_WALL_FRESH | 1u << 8
					    : 0);
	}
	errno = saved;
}

/* ---- closing ---------------------------------------------------------------- */

static void wait_inflight(void)
{
	/* Bounded: a fatal signal may have hit a thread inside the bracket. */
	for (int i = 0; i < 2000 && atomic_load(&cp.inflight) > 0; i++) {
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
	}
}

void cp_finish_file(void)
{
	struct cprof_raw_end e;

	atomic_store(&cp.active, 0);
	if (!cp.map || atomic_exchange(&cp.closing, 1))
		return;
	wait_inflight();
	memset(&e, 0, sizeof(e));
	e.time_ns = cp_now(CLOCK_MONOTONIC);
	e.samples_written = atomic_load(&cp.written);
	e.samples_dropped = atomic_load(&cp.dropped);
	struct iovec part = {&e, sizeof(e)};
	emit(CPROF_RAW_END, 0, &part, 1, 0);
	/* Cut the zero tail; the mapping above `used` is never touched again. */
	int fd = cp_output_fd();
	while (fd >= 0 && ftruncate(fd, (off_t)atomic_load(&cp.used)) < 0 && errno == EINTR)
		;
}

static size_t fmt_uint(char *buf, unsigned v)
{
	char tmp[12];
	size_t n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		buf[i++] = tmp[--n];
	return i;
}

void cp_fatal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	char text[64] = "the program was ended by signal ";
	size_t len = strlen(text);
	struct cprof_raw_note note;
	struct sigaction dfl;

	(void)uc;
	len += fmt_uint(text + len, (unsigned)sig);
	memset(&note, 0, sizeof(note));
	note.time_ns = cp_now(CLOCK_MONOTONIC);
	note.level = 1;
	note.len = (uint32_t)len;
	struct iovec parts[2] = {{&note, sizeof(note)}, {text, len}};
	/* (a vfork child shares the parent's memory and file: not its to end) */
	int owner = cp.pid == (pid_t)syscall(SYS_getpid);
	if (owner && cp.map && !atomic_load(&cp.closing))
		emit(CPROF_RAW_NOTE, 0, parts, 2, 64);
	if (owner)
		cp_finish_file();
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	cp_real_sigaction(sig, &dfl, NULL); /* not the wrapper: it would put cp_fatal back */
	/* A fault re-executes the faulting instruction and dies by default;
	 * a signal sent by someone is sent again to ourselves. */
	if (si->si_code <= 0 || sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid), sig);
	}
	errno = saved;
}

/* Called in ordinary context (start of a recording, start of a thread):
 * runs once every function the handler calls, so that the dynamic
 * linker's lazy binding (stack-hungry, and taking the loader's lock) and
 * libunwind's one-time set-up (pthread_once, its thread key) never happen
 * inside the handler. With trace_cache, also libunwind's per-thread trace
 * cache: 256 KiB mapped and filled, unmapped at thread exit, about 300 us
 * of system time per thread here, which made thread creation 2-4x slower
 * under the profiler. Without it, the first fast-path unwind in the thread
 * makes the cache inside the handler, as libunwind is built to (it maps
 * with mmap and grows the cache in handlers anyway): see cp_thread_begin. */
/* libunwind's _Unwind_Backtrace under its own name (libgcc_s exports
 * _Unwind_Backtrace too): one frame is enough to bind its calls. */
extern int __libunwind_Unwind_Backtrace(int (*fn)(void *ctx, void *arg), void *arg);
extern uintptr_t __libunwind_Unwind_GetIP(void *ctx);
static int warm_frame(void *ctx, void *arg)
{
	(void)arg;
	(void)__libunwind_Unwind_GetIP(ctx);
	return 5; /* _URC_END_OF_STACK: stop */
}

void cp_warm_up(int trace_cache)
{
	uint64_t frames[16];
	unw_context_t ctx;
	unw_cursor_t c;
	unw_word_t ip;
	unsigned char a[8] = {0}, b[8];
	struct iovec local = {b, 8}, remote = {a, 8};

	if (trace_cache) {
		unw_backtrace((void **)frames, 16);
		/* libunwind's own calls go through its PLT too (getcontext,
		 * init_local, step, get_reg): unw_backtrace's slow path, taken
		 * when the fast trace fails (a tick in a PLT stub), made its first
		 * unw_getcontext call in the handler, and the loader's lazy
		 * binding (an XSAVE area on the stack) overflowed a 16 KiB thread
		 * stack: e2e 61 altstack died with SIGSEGV about 1 run in 12.
		 * Its _Unwind_Backtrace walks the same calls in ordinary context,
		 * and binding is process-wide: once at the start is enough. */
		__libunwind_Unwind_Backtrace(warm_frame, NULL);
	}
	if (unw_getcontext(&ctx) == 0 && unw_init_local(&c, &ctx) == 0) {
		unw_get_reg(&c, UNW_REG_IP, &ip);
		unw_step(&c);
	}
	cp_now(CLOCK_MONOTONIC);
	cp_now(CLOCK_THREAD_CPUTIME_ID);
	memcpy(b, a, sizeof(b));
	memmove(b, a, sizeof(b));
	memset(b, 0, sizeof(b));
	syscall(SYS_process_vm_readv, (pid_t)syscall(SYS_getpid), &local, 1UL, &remote, 1UL, 0UL);
	if (ioctl(-1, PERF_EVENT_IOC_REFRESH, 0) < 0 && write(-1, b, 0) < 0)
		errno = 0;
}

/* For bench/overhead: the same unwinders, callable from a benchmark's own
 * signal handler (not part of the API; the library does not record). */
CP_EXPORT int cprof__bench_unwind(void *ucontext, uint64_t *frames, int max, int unwinder)
{
	int truncated;

	cp.unwinder = unwinder;
	if (max > CP_MAX_FRAMES)
		max = CP_MAX_FRAMES; /* frames must hold max + OWN_FRAMES */
	return cp_unwind(ucontext, frames, max, &truncated);
}
