/*
 * sampler: starts and stops a recording. It opens and maps the output file,
 * writes the header, INFO, MAPPING and THREAD records, arms one CPU timer
 * per thread (or, in wall mode, runs the thread that signals every thread
 * at the rate), and runs the writer thread.
 *
 * The writer thread never copies samples: the signal handler writes them
 * straight into the shared file mapping (see handler.c). The writer keeps
 * the file allocated ahead of the handler (fallocate in 8 MiB steps, so the
 * handler never stores to a page past the end of the file and a full disk
 * shows up here, as drops, not as SIGBUS); a writer of a record that leaves
 * less than 4 MiB free wakes it through a futex (no descriptor: see "cprof's
 * own file descriptors" below for why). Otherwise it wakes every 250 ms
 * (its own CPU time is overhead nobody samples: polling every
 * 10 ms cost 1.4% of a CPU on this machine), and every 500 ms it looks at
 * /proc/self/task: threads it has not seen get a timer and a THREAD record,
 * threads that are gone lose theirs; every second it re-reads the names. Threads created through pthread_create (wrapped in preload.c)
 * arm themselves at once, so short threads are not missed.
 *
 * Timers, best first (CPROF_TIMER forces one):
 *  - perf_event_open software task-clock per thread, sample_period = period
 *    in ns, its overflow signal routed to that thread (F_SETSIG SIGPROF,
 *    F_SETOWN_EX F_OWNER_TID). A high-resolution timer: the rate holds at
 *    1 kHz and beyond. Armed once with a large PERF_EVENT_IOC_REFRESH count
 *    (every overflow signals with POLL_IN; the handler refreshes on POLL_HUP).
 *  - timer_create on the thread's CPU clock, SIGEV_THREAD_ID to that thread.
 *  - setitimer(ITIMER_PROF), process-wide.
 * The last two are driven by the kernel tick (250 Hz here): the handler
 * weighs their samples by the thread CPU time really used.
 */
#define UNW_LOCAL_ONLY
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <libunwind.h>
#include <link.h>
#include <linux/futex.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "internal.h"

struct cp_state cp = {.fd = -1};
__thread uint32_t cp_tls_labelset CP_TLS;
__thread uintptr_t cp_tls_stack_lo CP_TLS, cp_tls_stack_hi CP_TLS;
__thread uint64_t cp_tls_last_cpu CP_TLS;
__thread int cp_tls_tid CP_TLS;
__thread atomic_int cp_tls_prog_blocks CP_TLS;
__thread int cp_tls_deferred CP_TLS;
__thread siginfo_t cp_tls_deferred_info CP_TLS;
__thread unsigned cp_tls_nsamples CP_TLS;
char cp_root_path[4096];

/* The file grows in steps that double from FIRST_CHUNK to CHUNK, keeping
 * free at least half the last step (at most MIN_FREE): a short process (a
 * shell, a compiler pass) allocates and frees 1 MiB, not 8 MiB. */
#define FIRST_CHUNK (1u << 20)
#define CHUNK (8u << 20)
#define MIN_FREE (4u << 20)

struct cp_thread {
	int tid;
	int fd;      /* perf event, or -1 */
	uint64_t perf_id; /* its id (PERF_EVENT_IOC_ID) */
	int statfd;  /* wall mode: /proc/self/task/TID/stat, or -1 */
	ino_t statino, sysino; /* statfd's and sysfd's identity */
	timer_t timer;
	int has_timer;
	int sysfd;   /* wall mode: /proc/self/task/TID/syscall, opened when first needed */
	int seen;    /* found by the last /proc scan */
	int skipped; /* wall mode: the last tick was not sent (see wall_blocked_thread) */
	int perf_on; /* wall mode: fd is a task-clock event, enabled */
	atomic_int *prog_blocks; /* the thread's cp_tls_prog_blocks, when it armed itself */
	char name[16];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct cp_thread threads[CP_MAX_THREADS];
static int nthreads;
static pthread_t writer_thr, wall_thr;
static int writer_running, wall_running;
static atomic_int stop_threads;
static atomic_int writer_tid, wall_tid;
static int grow_failed;
static struct cp_config cur_cfg;
static sigset_t fork_saved_mask;
static int fork_was_active;

/* executable mappings already written, to find new ones and gone ones */
struct known_map {
	uint64_t start, limit;
	int seen;
};
static struct known_map *maps;
static size_t nmaps, maps_alloc;

static void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warnx(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, "cprof: ", 7) < 0 || write(2, buf, (size_t)n) < 0)
		return;
}

/* libunwind caches what it learns of each address (the unwind rules of the
 * procedure) per thread, so an unwind in the handler does not look up the
 * unwind tables again, and takes no lock. */
void cp_unwind_setup(void)
{
	/* first: libunwind's pipe, made at its first use, is told by its caller */
	cp_mask_setup((void *)&unw_step);
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

void cp_adopt_mask(void)
{
	sigset_t cur, one;

	if (!cp_sigprof_is_ours() || cp_real_pthread_sigmask(SIG_BLOCK, NULL, &cur) != 0 ||
	    sigismember(&cur, SIGPROF) != 1)
		return;
	atomic_store(&cp_tls_prog_blocks, 1);
	sigemptyset(&one);
	sigaddset(&one, SIGPROF);
	cp_real_pthread_sigmask(SIG_UNBLOCK, &one, NULL);
}

/* ---- configuration ------------------------------------------------------ */

int cp_config_from_env(struct cp_config *cfg)
{
	const char *s;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = getenv("CPROF_OUT");
	cfg->hz = 100;
	cfg->mode = CPROF_MODE_CPU;
	cfg->unwinder = CPROF_UNWIND_LIBUNWIND;
	if ((s = getenv("CPROF_HZ")) && *s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (*end || v < 1 || v > 100000) {
			warnx("CPROF_HZ=%s: want a rate from 1 to 100000", s);
			return -1;
		}
		cfg->hz = (uint32_t)v;
	}
	cfg->max_depth = CP_MAX_FRAMES;
	if ((s = getenv("CPROF_MAX_DEPTH")) && *s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (*end || v < 1 || v > CPROF_RAW_MAX_FRAMES) {
			warnx("CPROF_MAX_DEPTH=%s: want a depth from 1 to %d", s, CPROF_RAW_MAX_FRAMES);
			return -1;
		}
		cfg->max_depth = (int)v;
	}
	if ((s = getenv("CPROF_MODE")) && *s) {
		if (!strcmp(s, "cpu"))
			cfg->mode = CPROF_MODE_CPU;
		else if (!strcmp(s, "wall"))
			cfg->mode = CPROF_MODE_WALL;
		else {
			warnx("CPROF_MODE=%s: want cpu or wall", s);
			return -1;
		}
	}
	if ((s = getenv("CPROF_UNWIND")) && *s) {
		if (!strcmp(s, "libunwind"))
			cfg->unwinder = CPROF_UNWIND_LIBUNWIND;
		else if (!strcmp(s, "fp"))
			cfg->unwinder = CPROF_UNWIND_FP;
		else {
			warnx("CPROF_UNWIND=%s: want libunwind or fp", s);
			return -1;
		}
	}
	return 0;
}

/* ---- records from ordinary code ------------------------------------------- */

void cp_note(int level, const char *text)
{
	struct cprof_raw_note n = {.time_ns = cp_now(CLOCK_MONOTONIC), .level = (uint32_t)level,
				   .len = (uint32_t)strlen(text)};
	struct iovec parts[2] = {{&n, sizeof(n)}, {(void *)text, n.len}};
	cp_emit(CPROF_RAW_NOTE, 0, parts, 2);
}

static void emit_thread(int tid, const char *name)
{
	struct cprof_raw_thread t = {.time_ns = cp_now(CLOCK_MONOTONIC), .tid = (uint32_t)tid};
	struct iovec part = {&t, sizeof(t)};

	memcpy(t.name, name, strnlen(name, sizeof(t.name)));
	cp_emit(CPROF_RAW_THREAD, 0, &part, 1);
}

static void read_comm(int tid, char name[16])
{
	char path[64], buf[32];
	int fd;
	ssize_t n = -1;

	memset(name, 0, 16);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return;
	if (buf[n - 1] == '\n')
		n--;
	memcpy(name, buf, (size_t)n < 16 ? (size_t)n : 15);
}

/* ---- mappings --------------------------------------------------------------- */

struct scan {
	struct map_seg {
		uint64_t start, limit, offset;
		uint32_t prot;
		char path[PATH_MAX];
		unsigned char build_id[64];
		uint16_t build_id_len;
	} *segs;
	size_t n, alloc;
};

static void find_build_id(const struct dl_phdr_info *info, struct map_seg *seg)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const unsigned char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t namesz = (nh->n_namesz + 3) & ~3u, descsz = (nh->n_descsz + 3) & ~3u;
			const unsigned char *name = p + sizeof(*nh), *desc = name + namesz;

			if (desc + descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && nh->n_descsz <= sizeof(seg->build_id)) {
				memcpy(seg->build_id, desc, nh->n_descsz);
				seg->build_id_len = (uint16_t)nh->n_descsz;
				return;
			}
			p = desc + descsz;
		}
	}
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct scan *sc = data;
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	char path[PATH_MAX];

	(void)size;
	if (!info->dlpi_name || !info->dlpi_name[0]) {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		path[n > 0 ? n : 0] = 0;
	} else if (strstr(info->dlpi_name, "linux-vdso") || strstr(info->dlpi_name, "linux-gate")) {
		strcpy(path, "[vdso]");
	} else {
		snprintf(path, sizeof(path), "%s", info->dlpi_name);
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		struct map_seg *seg;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (sc->n == sc->alloc) {
			sc->alloc = sc->alloc ? 2 * sc->alloc : 32;
			sc->segs = realloc(sc->segs, sc->alloc * sizeof(*sc->segs));
			if (!sc->segs)
				return 1;
		}
		seg = &sc->segs[sc->n++];
		memset(seg, 0, sizeof(*seg));
		seg->start = (info->dlpi_addr + ph->p_vaddr) & ~(pg - 1);
		seg->limit = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + pg - 1) & ~(pg - 1);
		seg->offset = ph->p_offset & ~(pg - 1);
		seg->prot = PROT_EXEC | (ph->p_flags & PF_R ? PROT_READ : 0) |
			    (ph->p_flags & PF_W ? PROT_WRITE : 0);
		snprintf(seg->path, sizeof(seg->path), "%s", path);
		find_build_id(info, seg);
	}
	return 0;
}

/* Writes MAPPING records for executable segments not yet written and
 * UNMAP records for those that are gone. Caller holds `lock`. */
static void scan_mappings_locked(void)
{
	struct scan sc = {0};
	uint64_t now = cp_now(CLOCK_MONOTONIC);
	sigset_t prof, old;

	/* The handler's unwind calls dl_iterate_phdr too (libunwind finds
	 * each frame's module with it): a sample taken while this thread is
	 * inside the loader's lock, in the instant of its unlock that has
	 * cleared the recursive owner but not yet released the lock word,
	 * waits for itself forever (seen: /bin/true at 10 kHz, hung in e2e
	 * 12, its probe timer armed before this first scan). SIGPROF waits
	 * until the scan is done instead. */
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	cp_real_pthread_sigmask(SIG_BLOCK, &prof, &old);
	dl_iterate_phdr(phdr_cb, &sc);
	cp_real_pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (size_t i = 0; i < nmaps; i++)
		maps[i].seen = 0;
	for (size_t i = 0; i < sc.n; i++) {
		struct map_seg *s = &sc.segs[i];
		size_t j;

		for (j = 0; j < nmaps; j++)
			if (maps[j].start == s->start && maps[j].limit == s->limit)
				break;
		if (j < nmaps) {
			maps[j].seen = 1;
			continue;
		}
		if (nmaps == maps_alloc) {
			size_t na = maps_alloc ? 2 * maps_alloc : 32;
			struct known_map *nm = realloc(maps, na * sizeof(*nm));
			if (!nm)
				break;
			maps = nm;
			maps_alloc = na;
		}
		maps[nmaps++] = (struct known_map){s->start, s->limit, 1};
		struct cprof_raw_mapping m = {.time_ns = now, .start = s->start, .limit = s->limit,
					      .offset = s->offset, .build_id_len = s->build_id_len,
					      .path_len = (uint16_t)strlen(s->path), .prot = s->prot};
		struct iovec parts[3] = {{&m, sizeof(m)}, {s->build_id, s->build_id_len},
					 {s->path, m.path_len}};
		cp_emit(CPROF_RAW_MAPPING, 0, parts, 3);
	}
	for (size_t i = 0; i < nmaps;) {
		if (maps[i].seen) {
			i++;
			continue;
		}
		struct cprof_raw_unmap u = {.time_ns = now, .start = maps[i].start, .limit = maps[i].limit};
		struct iovec part = {&u, sizeof(u)};
		cp_emit(CPROF_RAW_UNMAP, 0, &part, 1);
		maps[i] = maps[--nmaps];
	}
	free(sc.segs);
}

void cp_rescan_mappings(void)
{
	if (!atomic_load(&cp.active))
		return;
	pthread_mutex_lock(&lock);
	scan_mappings_locked();
	pthread_mutex_unlock(&lock);
}

/* ---- per-thread timers ---------------------------------------------------------- */

/* ---- cprof's own file descriptors ------------------------------------------ */

/*
 * A program may close every descriptor it did not open (daemons at their
 * start, closefrom, close_range, a loop up to the limit) and then get the
 * same numbers for files of its own: cprof would lose its timers and its
 * output file, and worse, grow, cut or close the program's files. So
 * cprof's descriptors (the output file, the perf events, wall mode's /proc
 * files) are:
 *  - moved high (fd_floor and up, below the soft limit), out of reach of
 *    the lowest-free numbers a program's open() gets;
 *  - marked in fd_bits, so that the close, close_range, closefrom and
 *    dup2/dup3 wrappers (preload.c) leave them open, telling the program
 *    that its close worked;
 *  - checked by the writer every tick (the file's identity, the event's
 *    id), for closes that bypass the wrappers (a raw system call): one that
 *    is no longer cprof's is forgotten, never grown, cut, read or closed,
 *    and opened again (the file by its name, the event for its thread),
 *    which a NOTE tells.
 */
#define FD_BITS 65536
static unsigned char fd_bits[FD_BITS / 8];
static int fd_floor = 3;
static atomic_int fds_lost, fds_lost_noted; /* given up behind cprof's back; the NOTE's count */

static void fd_mark(int fd, int on)
{
	if (fd < 0 || fd >= FD_BITS)
		return;
	if (on)
		__atomic_fetch_or(&fd_bits[fd >> 3], (unsigned char)(1u << (fd & 7)), __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&fd_bits[fd >> 3], (unsigned char)~(1u << (fd & 7)), __ATOMIC_RELAXED);
}

int cp_fd_marked(int fd)
{
	return fd >= 0 && fd < FD_BITS &&
	       (__atomic_load_n(&fd_bits[fd >> 3], __ATOMIC_RELAXED) >> (fd & 7) & 1);
}

/* /proc's, the perf events' (anon inodes), libunwind's pipe's */
static dev_t proc_dev, anon_dev, pipe_dev;
/* libunwind's pipe for checking addresses: the numbers it holds, and the
 * pipe's inode (both ends have it) */
static int unw_pipe[2] = {-1, -1};
static ino_t unw_pipe_ino;

static int same_file(int fd, dev_t dev, ino_t ino)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

/* A marked descriptor still is one of cprof's kinds of file (the output
 * file, a /proc file, an anon inode): a raw close system call may have
 * freed its number for a file of the program's, which the wrappers must
 * then close as asked (it is unmarked). */
int cp_fd_is_ours(int fd)
{
	struct stat st;

	if (!cp_fd_marked(fd))
		return 0;
	if (fstat(fd, &st) == 0 &&
	    ((st.st_dev == cp.out_dev && st.st_ino == cp.out_ino) ||
	     (proc_dev && st.st_dev == proc_dev) || (anon_dev && st.st_dev == anon_dev) ||
	     (pipe_dev && st.st_dev == pipe_dev && st.st_ino == unw_pipe_ino)))
		return 1;
	fd_mark(fd, 0);
	return 0;
}

int cp_fd_next_ours(int from)
{
	for (int fd = from < 0 ? 0 : from; fd < FD_BITS; fd++) {
		if (!(fd & 7) && !__atomic_load_n(&fd_bits[fd >> 3], __ATOMIC_RELAXED)) {
			fd += 7;
			continue;
		}
		if (cp_fd_is_ours(fd))
			return fd;
	}
	return -1;
}

/* Where cprof's descriptors go: 256 below the soft limit (at most 4096, so
 * that a limit of a million does not grow the descriptor table to it). */
static void fd_setup(void)
{
	static int done;
	struct rlimit rl;

	if (done)
		return;
	done = 1;
	rlim_t lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;

	if (lim > 4096)
		lim = 4096;
	fd_floor = lim > 512 ? (int)lim - 256 : lim > 6 ? (int)lim / 2 : 3;
}

/* A descriptor cprof just opened: moved high, marked as cprof's. */
static int fd_keep(int fd)
{
	int high;

	if (fd < 0)
		return fd;
	fd_setup();
	if (fd < fd_floor && (high = fcntl(fd, F_DUPFD_CLOEXEC, fd_floor)) >= 0) {
		syscall(SYS_close, fd);
		fd = high;
	}
	fd_mark(fd, 1);
	return fd;
}

void cp_fd_adopt_unwind_pipe(int fds[2])
{
	struct stat st;

	if (fstat(fds[0], &st) == 0 && S_ISFIFO(st.st_mode)) {
		pipe_dev = st.st_dev;
		unw_pipe_ino = st.st_ino;
	}
	fds[0] = fd_keep(fds[0]);
	fds[1] = fd_keep(fds[1]);
	unw_pipe[0] = fds[0];
	unw_pipe[1] = fds[1];
}

int cp_is_unwind_pipe(int fd)
{
	return fd >= 0 && (fd == unw_pipe[0] || fd == unw_pipe[1]);
}

int cp_unwind_pipe_end_ok(int fd)
{
	return same_file(fd, pipe_dev, unw_pipe_ino);
}

int cp_unwind_pipe_gone(void)
{
	return !cp_unwind_pipe_end_ok(unw_pipe[0]) || !cp_unwind_pipe_end_ok(unw_pipe[1]);
}

void cp_fd_forget(int fd)
{
	fd_mark(fd, 0);
}

/* Closes one of cprof's descriptors, or only forgets it when it is not
 * cprof's any more (`ours` 0). The real close: the wrapper would keep it. */
static void fd_release(int fd, int ours)
{
	if (fd < 0)
		return;
	fd_mark(fd, 0);
	if (ours)
		syscall(SYS_close, fd);
}

static int perf_is_ours(int fd, uint64_t id)
{
	uint64_t now;

	return fd >= 0 && ioctl(fd, PERF_EVENT_IOC_ID, &now) == 0 && now == id;
}

int cp_output_fd(void)
{
	int fd = atomic_load(&cp.fd), nfd = -1;

	if (!cp.map || same_file(fd, cp.out_dev, cp.out_ino))
		return fd;
	/* closed behind cprof's back: its number may be the program's now */
	if (!cp.unnamed && (nfd = open(cp.path, O_RDWR | O_CLOEXEC)) >= 0 &&
	    !same_file(nfd, cp.out_dev, cp.out_ino)) {
		syscall(SYS_close, nfd); /* renamed, replaced: not the file */
		nfd = -1;
	}
	nfd = fd_keep(nfd);
	if (!atomic_compare_exchange_strong(&cp.fd, &fd, nfd)) {
		fd_release(nfd, 1); /* another caller got there first */
		return atomic_load(&cp.fd);
	}
	if (fd >= 0) {
		fd_mark(fd, 0);
		atomic_fetch_add(&fds_lost, 1);
	}
	return nfd;
}

/* Moves the holder of descriptor fd (the output file, or a thread's
 * event or /proc file: the caller holds `lock`) to nfd; 0 if none holds it. */
static int fd_move(int fd, int nfd)
{
	int out = fd;

	if (atomic_compare_exchange_strong(&cp.fd, &out, nfd))
		return 1;
	for (int i = 0; i < nthreads; i++) {
		struct cp_thread *t = &threads[i];
		int *held = t->fd == fd ? &t->fd : t->statfd == fd ? &t->statfd : t->sysfd == fd ? &t->sysfd : NULL;
		if (held) {
			*held = nfd;
			return 1;
		}
	}
	return 0;
}

void cp_fd_vacate(int fd)
{
	int nfd;

	/* a vfork child shares this memory, not the descriptor table: its
	 * dup2 changes its own table only, which its exec closes */
	if ((pid_t)syscall(SYS_getpid) != cp.pid)
		return;
	fd_mark(fd, 0);
	/* libunwind's pipe cannot move (libunwind holds its numbers): its
	 * reads find it gone and open another (preload.c) */
	if (cp_is_unwind_pipe(fd))
		return;
	/* the same file or event at another number (a perf event's signal
	 * still comes: it is the file's; its si_fd names the old number,
	 * which the handler then no longer refreshes through). Without the
	 * lock (a dup2 in a signal handler) the writer's check arms again. */
	if ((nfd = fcntl(fd, F_DUPFD_CLOEXEC, fd_floor)) < 0)
		return;
	if (pthread_mutex_trylock(&lock) != 0) {
		syscall(SYS_close, nfd);
		return;
	}
	if (fd_move(fd, nfd))
		fd_mark(nfd, 1);
	else
		syscall(SYS_close, nfd);
	pthread_mutex_unlock(&lock);
}

/* A task-clock event sampling thread tid (its id in *id), or -1. */
static int perf_open(int tid, uint64_t *id)
{
	struct perf_event_attr a;
	struct f_owner_ex owner = {F_OWNER_TID, tid};
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = cp.period_ns;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.wakeup_events = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -1;
	/* moved before O_ASYNC: the signal's si_fd is the number it had then */
	fd = fd_keep(fd);
	struct stat st;
	if (!anon_dev && fstat(fd, &st) == 0)
		anon_dev = st.st_dev;
	if (fcntl(fd, F_SETFL, O_ASYNC) < 0 || fcntl(fd, F_SETSIG, SIGPROF) < 0 ||
	    fcntl(fd, F_SETOWN_EX, &owner) < 0 || ioctl(fd, PERF_EVENT_IOC_RESET, 0) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ID, id) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_REFRESH, CP_PERF_REFRESH) < 0) {
		fd_release(fd, 1);
		return -1;
	}
	return fd;
}

/* The CPU-time clock of any thread of ours (the kernel's encoding of
 * pthread_getcpuclockid for a tid). */
static clockid_t thread_cpu_clock(int tid)
{
	return (clockid_t)((~(unsigned)tid << 3) | 6);
}

static int timer_arm(int tid, timer_t *t)
{
	struct sigevent ev;
	struct itimerspec its;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGPROF;
	ev.sigev_value.sival_ptr = CP_SIGVAL(0);
	ev._sigev_un._tid = tid;
	if (timer_create(thread_cpu_clock(tid), &ev, t) < 0)
		return -1;
	its.it_interval.tv_sec = (time_t)(cp.period_ns / 1000000000u);
	its.it_interval.tv_nsec = (long)(cp.period_ns % 1000000000u);
	its.it_value = its.it_interval;
	if (timer_settime(*t, 0, &its, NULL) < 0) {
		timer_delete(*t);
		return -1;
	}
	return 0;
}

/* choose_timer's perf event, kept for the thread that starts recording:
 * one perf_event_open less per process */
static int probe_fd = -1;
static uint64_t probe_id;

/* /proc/self/task/TID/WHAT, kept open (its inode in *ino), or -1 */
static int open_task_file(int tid, const char *what, ino_t *ino)
{
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", tid, what);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		syscall(SYS_close, fd);
		return -1;
	}
	proc_dev = st.st_dev;
	*ino = st.st_ino;
	return fd_keep(fd);
}

static struct cp_thread *find_thread(int tid)
{
	for (int i = 0; i < nthreads; i++)
		if (threads[i].tid == tid)
			return &threads[i];
	return NULL;
}

/* Arms the timer of thread tid and writes its THREAD record; caller holds
 * `lock`. Returns the slot, or NULL (table full / the thread is gone). */
static struct cp_thread *arm_locked(int tid)
{
	struct cp_thread *t = find_thread(tid);

	if (t)
		return t;
	if (tid == atomic_load(&writer_tid) || tid == atomic_load(&wall_tid))
		return NULL;
	if (nthreads == CP_MAX_THREADS)
		return NULL;
	t = &threads[nthreads];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->fd = t->statfd = t->sysfd = -1;
	if (tid == cp_gettid())
		t->prog_blocks = &cp_tls_prog_blocks;
	switch (cp.timer) {
	case CPROF_TIMER_PERF_EVENT:
		if (tid == cp_gettid() && probe_fd >= 0) {
			t->fd = probe_fd;
			t->perf_id = probe_id;
			probe_fd = -1;
		} else if ((t->fd = perf_open(tid, &t->perf_id)) < 0) {
			return NULL;
		}
		break;
	case CPROF_TIMER_TIMER_CREATE:
		if (timer_arm(tid, &t->timer) < 0)
			return NULL;
		t->has_timer = 1;
		break;
	case CPROF_TIMER_WALL:
		if ((t->statfd = open_task_file(tid, "stat", &t->statino)) < 0)
			return NULL;
		break;
	default: /* setitimer: process-wide, nothing per thread */
		break;
	}
	nthreads++;
	t->seen = 1;
	read_comm(tid, t->name);
	emit_thread(tid, t->name);
	return t;
}

static void disarm(struct cp_thread *t)
{
	if (t->fd >= 0)
		fd_release(t->fd, perf_is_ours(t->fd, t->perf_id));
	t->perf_on = 0;
	if (t->statfd >= 0)
		fd_release(t->statfd, same_file(t->statfd, proc_dev, t->statino));
	if (t->sysfd >= 0)
		fd_release(t->sysfd, same_file(t->sysfd, proc_dev, t->sysino));
	if (t->has_timer)
		timer_delete(t->timer);
	t->fd = t->statfd = t->sysfd = -1;
	t->has_timer = 0;
}

static void remove_locked(struct cp_thread *t)
{
	disarm(t);
	*t = threads[--nthreads];
}

static pthread_key_t thread_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
/* Whether a new thread may leave libunwind's trace cache to its first
 * sample. Making it in the handler calls pthread_setspecific on libunwind's
 * key, which allocates (calloc: not async-signal-safe) only for a key past
 * glibc's 32 built-in slots. libunwind makes its key in cp_start's warm-up
 * just before ours and keys are handed out lowest first, so ours below 32
 * says libunwind's is too; otherwise every thread warms its cache up. */
static int lazy_trace_cache;

static void thread_exit_hook(void *unused)
{
	(void)unused;
	cp_thread_end();
}

static void make_key(void)
{
	pthread_key_create(&thread_key, thread_exit_hook);
}

/* The fallback timers weigh a sample by the thread CPU time used since the
 * previous one: the first sample of a thread counts from here, not one
 * period (a first tick that came late would lose the difference). */
static void start_thread_clock(void)
{
	cp_tls_last_cpu = cp.timer == CPROF_TIMER_TIMER_CREATE || cp.timer == CPROF_TIMER_SETITIMER
				  ? cp_now(CLOCK_THREAD_CPUTIME_ID)
				  : 0;
}

/* Only the fp walk reads them; for the main thread pthread_getattr_np
 * parses /proc/self/maps (~70 us of every process start). */
static void stack_bounds(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	if (cp.unwinder != CPROF_UNWIND_FP)
		return;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
		cp_tls_stack_lo = (uintptr_t)addr;
		cp_tls_stack_hi = (uintptr_t)addr + size;
	}
	pthread_attr_destroy(&attr);
}

void cp_thread_begin(void)
{
	if (!atomic_load(&cp.active))
		return;
	cp_warm_up(!lazy_trace_cache);
	stack_bounds();
	cp_tls_tid = 0;
	start_thread_clock();
	pthread_setspecific(thread_key, (void *)1); /* made by cp_start, before active */
	pthread_mutex_lock(&lock);
	arm_locked(cp_gettid());
	pthread_mutex_unlock(&lock);
}

void cp_thread_end(void)
{
	struct cp_thread *t;

	pthread_mutex_lock(&lock);
	if ((t = find_thread(cp_gettid())))
		remove_locked(t);
	pthread_mutex_unlock(&lock);
}

void cp_thread_renamed(void)
{
	struct cp_thread *t;
	char name[16];

	if (!atomic_load(&cp.active))
		return;
	read_comm(cp_gettid(), name);
	pthread_mutex_lock(&lock);
	if ((t = find_thread(cp_gettid())) && memcmp(t->name, name, 16)) {
		memcpy(t->name, name, 16);
		emit_thread(t->tid, name);
	}
	pthread_mutex_unlock(&lock);
}

/* Arms threads not seen yet, drops the ones that are gone, re-reads names
 * when `names`. */
static void scan_tasks(int names)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;

	if (!d)
		return;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nthreads; i++)
		threads[i].seen = 0;
	while ((de = readdir(d))) {
		int tid = atoi(de->d_name);
		struct cp_thread *t;

		if (tid <= 0)
			continue;
		if ((t = find_thread(tid))) {
			t->seen = 1;
			if (names) {
				char name[16];
				read_comm(tid, name);
				if (name[0] && memcmp(name, t->name, 16)) {
					memcpy(t->name, name, 16);
					emit_thread(tid, name);
				}
			}
		} else {
			arm_locked(tid);
		}
	}
	closedir(d);
	for (int i = 0; i < nthreads;) {
		if (!threads[i].seen)
			remove_locked(&threads[i]);
		else
			i++;
	}
	pthread_mutex_unlock(&lock);
}

/* ---- the writer thread --------------------------------------------------------- */

static void grow_file(void)
{
	uint64_t cap = atomic_load(&cp.cap), used = atomic_load(&cp.used);

	if (grow_failed || cap - used >= 2 * cp.low_water || cap >= cp.map_size ||
	    atomic_load(&cp.closing))
		return; /* closing: the file is cut to its length (_exit, a fatal signal) */
	uint64_t step = cap >= CHUNK ? CHUNK : cap >= FIRST_CHUNK ? cap : FIRST_CHUNK;
	uint64_t len = cap + step > cp.map_size ? cp.map_size - cap : step;
	/* A file size limit of the program's (ulimit -f): growing past it
	 * raises SIGXFSZ, which kills the process (its default action; the
	 * signal is the whole process's, not only this thread's). Grown up to
	 * the limit only, then full. */
	struct rlimit fsize;
	if (getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY &&
	    cap + len > fsize.rlim_cur) {
		if (fsize.rlim_cur <= cap) {
			grow_failed = 1;
			warnx("%s: the file cannot grow past the program's file size limit (ulimit -f: "
			      "%llu bytes): samples that find no room are counted as dropped",
			      cp.path, (unsigned long long)fsize.rlim_cur);
			return;
		}
		len = fsize.rlim_cur - cap;
	}
	int fd = cp_output_fd();
	if (fd < 0) {
		grow_failed = 1;
		warnx("%s: the program closed cprof's output file and it cannot be opened again by "
		      "its name: further samples are counted as dropped", cp.path);
		return;
	}
	int r = fallocate(fd, 0, (off_t)cap, (off_t)len);
	if (r < 0 && (errno == EOPNOTSUPP || errno == ENOSYS))
		r = ftruncate(fd, (off_t)(cap + len));
	if (r < 0) {
		grow_failed = 1;
		warnx("%s: cannot grow the file (%s): further samples are counted as dropped",
		      cp.path, strerror(errno));
		return;
	}
	atomic_store(&cp.cap, cap + len);
	cp.low_water = step / 2 < MIN_FREE ? step / 2 : MIN_FREE;
}

static void block_sigprof(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	cp_real_pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The writer's check of cprof's descriptors (see fd_bits): the output
 * file, and each thread's timer and /proc files, which a program's raw
 * close system call may have taken; a NOTE tells how many were. */
static void check_fds(void)
{
	int lost = 0;

	cp_output_fd();
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nthreads; i++) {
		struct cp_thread *t = &threads[i];
		if (t->fd >= 0 && !perf_is_ours(t->fd, t->perf_id)) {
			fd_release(t->fd, 0);
			t->perf_on = 0;
			t->fd = -1;
			lost++;
		}
		/* (again every tick while it fails: a full descriptor table) */
		if (t->fd == -1 && cp.timer == CPROF_TIMER_PERF_EVENT)
			t->fd = perf_open(t->tid, &t->perf_id);
		if (t->statfd >= 0 && !same_file(t->statfd, proc_dev, t->statino)) {
			fd_release(t->statfd, 0);
			t->statfd = open_task_file(t->tid, "stat", &t->statino);
			lost++;
		}
		if (t->sysfd >= 0 && !same_file(t->sysfd, proc_dev, t->sysino)) {
			fd_release(t->sysfd, 0); /* opened again when needed */
			t->sysfd = -1;
			lost++;
		}
	}
	pthread_mutex_unlock(&lock);
	lost = atomic_fetch_add(&fds_lost, lost) + lost;
	if (lost > atomic_load(&fds_lost_noted)) {
		char text[256];
		snprintf(text, sizeof(text),
			 "the program closed or replaced %d of cprof's file descriptors by system "
			 "calls cprof does not see (the output file, threads' timers); cprof opened "
			 "them again: the threads concerned may miss up to 0.25 s of samples each",
			 lost);
		cp_note(1, text);
		atomic_store(&fds_lost_noted, lost);
	}
}

#define WRITER_TICK_NS 250000000u

/* Wakes every 250 ms (its own CPU time is overhead nobody samples), or
 * when a record leaves little free space (the futex cp.wake_sent: no
 * descriptor a program could close). */
static void *writer_main(void *arg)
{
	int tick = 0;
	uint64_t next = cp_now(CLOCK_MONOTONIC) + WRITER_TICK_NS;

	(void)arg;
	block_sigprof();
	atomic_store(&writer_tid, (int)syscall(SYS_gettid));
	prctl(PR_SET_NAME, "cprof-writer");
	while (!atomic_load(&stop_threads)) {
		uint64_t now = cp_now(CLOCK_MONOTONIC);

		if (now < next) {
			struct timespec ts = {0, (long)(next - now)};
			syscall(SYS_futex, &cp.wake_sent, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
		}
		atomic_store(&cp.wake_sent, 0);
		grow_file();
		if (cp_now(CLOCK_MONOTONIC) < next)
			continue;
		next = cp_now(CLOCK_MONOTONIC) + WRITER_TICK_NS;
		check_fds();
		if (++tick % 2 == 0)
			scan_tasks(tick % 4 == 0);
	}
	return NULL;
}

/* Wall mode: a thread that believes SIGPROF blocked (it blocks every
 * signal, as thread pools do) could not be interrupted without cprof: a
 * signal must not cut one of its system calls short. The sampling thread's
 * signal cannot be timed safely (the thread may enter a sleeping call
 * between the check and the delivery: 2-9 of 50 nanosleep/poll/select calls
 * of tests/torture/t_blockall.c returned EINTR when such threads were
 * signalled while running), so such a thread gets a task-clock perf event
 * at the wall period instead: its overflow signal comes only while the
 * thread runs in user mode, where no call can be interrupted. Off the CPU:
 * sleeping in futex (a mutex, a condition variable, a join) or wait4 /
 * waitid, the kernel restarts the call after the handler (SA_RESTART or its
 * restart block) and the program sees nothing, so it is signalled as usual;
 * any other sleeping call (nanosleep, poll, epoll_wait, select,
 * sigtimedwait, a socket read with a timeout, ...) could return EINTR, and
 * that tick is not sampled (the time is reported in a NOTE at the end).
 * /proc/self/task/TID/syscall names the call. */
static uint64_t wall_skipped_ns;

enum { WALL_SIGNAL, WALL_RUNNING, WALL_UNSAFE };

static int wall_blocked_thread(struct cp_thread *t)
{
	char buf[32];
	ssize_t n;
	long nr;

	if (t->fd < 0 && (t->fd = perf_open(t->tid, &t->perf_id)) < 0)
		t->fd = -2; /* no perf_event: such threads go unsampled on the CPU */
	if (t->sysfd < 0 && (t->sysfd = open_task_file(t->tid, "syscall", &t->sysino)) < 0)
		return WALL_UNSAFE;
	n = pread(t->sysfd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return WALL_UNSAFE;
	buf[n] = 0;
	/* "running": on a CPU, where the perf event samples it */
	if (buf[0] < '0' || buf[0] > '9')
		return WALL_RUNNING;
	/* "-1 ...": off the CPU outside any system call (preempted, a page
	 * fault): the signal waits for its return to user mode */
	if (buf[0] == '-')
		return WALL_SIGNAL;
	nr = strtol(buf, NULL, 10);
	return nr == SYS_futex || nr == SYS_wait4 || nr == SYS_waitid ? WALL_SIGNAL : WALL_UNSAFE;
}

/* Wall mode: every period, read each thread's state and signal it. On a
 * starved machine this thread may wake late: it then signals once, with
 * the number of periods that passed, and each sample weighs that many
 * periods, so the weights still add up to the wall time. */
static void *wall_main(void *arg)
{
	uint64_t last = cp_now(CLOCK_MONOTONIC);
	pid_t pid = getpid();
	uid_t uid = getuid();

	(void)arg;
	block_sigprof();
	atomic_store(&wall_tid, (int)syscall(SYS_gettid));
	prctl(PR_SET_NAME, "cprof-wall");
	while (!atomic_load(&stop_threads)) {
		uint64_t next = last + cp.period_ns, now, ticks;
		struct timespec ts;

		ts.tv_sec = (time_t)(next / 1000000000u);
		ts.tv_nsec = (long)(next % 1000000000u);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = cp_now(CLOCK_MONOTONIC);
		ticks = now > last ? (now - last) / cp.period_ns : 1;
		if (ticks < 1)
			ticks = 1;
		last += ticks * cp.period_ns;
		if (ticks > CP_WALL_MAX_TICKS)
			ticks = CP_WALL_MAX_TICKS;
		pthread_mutex_lock(&lock);
		for (int i = 0; i < nthreads; i++) {
			struct cp_thread *t = &threads[i];
			char buf[256];
			int state = CP_WALL_RUNNING;
			ssize_t n = t->statfd >= 0 ? pread(t->statfd, buf, sizeof(buf) - 1, 0) : -1;

			char run = 'R';
			if (n > 0) {
				buf[n] = 0;
				char *p = strrchr(buf, ')');
				if (p && p[1] == ' ')
					run = p[2];
				if (run != 'R')
					state = CP_WALL_BLOCKED;
			}
			int vb = t->prog_blocks && atomic_load(t->prog_blocks);
			if (t->fd >= 0 && vb != t->perf_on &&
			    ioctl(t->fd, vb ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0) == 0)
				t->perf_on = vb;
			int how = vb ? wall_blocked_thread(t) : WALL_SIGNAL;
			if (t->fd >= 0 && vb && !t->perf_on)
				t->perf_on = 1; /* just opened, enabled */
			if (how != WALL_SIGNAL) {
				t->skipped = 1;
				if (how == WALL_UNSAFE || t->fd < 0)
					wall_skipped_ns += ticks * cp.period_ns;
				continue;
			}
			if (t->skipped)
				state |= CP_WALL_FRESH;
			t->skipped = 0;
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			si.si_signo = SIGPROF;
			si.si_code = SI_QUEUE;
			si.si_pid = pid;
			si.si_uid = uid;
			si.si_value.sival_ptr = CP_SIGVAL((uintptr_t)state | (uintptr_t)ticks << 8);
			syscall(SYS_rt_tgsigqueueinfo, pid, t->tid, SIGPROF, &si);
		}
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/* ---- start / stop -------------------------------------------------------------- */

/*
 * The output file gets its name only once its header and INFO record are in
 * it (publish_output), so a process killed in its first moments leaves no
 * file that cannot be read: open_output makes an unnamed O_TMPFILE in the
 * target's directory, publish_output links it in. A first process replaces
 * an older file of the same name atomically (link to a temporary name, then
 * rename); a forked child or an exec'd image takes the first free name of
 * PATH.<pid>, PATH.<pid>.<n> and never overwrites. Where the filesystem has
 * no O_TMPFILE, the file is created with its name at once, as before.
 */
static int open_named(const struct cp_config *cfg)
{
	int fd;

	if (!cfg->child) {
		snprintf(cp.path, sizeof(cp.path), "%s", cfg->path);
		return open(cp.path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	for (int seq = 0; seq < 1000; seq++) {
		if (seq == 0)
			snprintf(cp.path, sizeof(cp.path), "%s.%d", cfg->path, (int)getpid());
		else
			snprintf(cp.path, sizeof(cp.path), "%s.%d.%d", cfg->path, (int)getpid(), seq);
		fd = open(cp.path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

static int open_output(const struct cp_config *cfg)
{
	char dir[sizeof(cp.path)];
	const char *slash = strrchr(cfg->path, '/');

	if (slash == cfg->path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cfg->path), cfg->path);
	else
		snprintf(dir, sizeof(dir), ".");
	mode_t um = umask(0);
	umask(um);
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644 & ~um);
	if (fd >= 0) {
		cp.unnamed = 1;
		if (cfg->child)
			snprintf(cp.path, sizeof(cp.path), "%s.%d", cfg->path, (int)getpid());
		else
			snprintf(cp.path, sizeof(cp.path), "%s", cfg->path);
		return fd;
	}
	cp.unnamed = 0;
	return open_named(cfg);
}

/* Names the file written so far (unnamed, O_TMPFILE). Returns 0, -1 with
 * errno, or -2 when the name is taken by something that is not a regular
 * file (a device, a FIFO, a directory), which is never replaced. */
static int publish_output(const struct cp_config *cfg)
{
	char self[64], tmp[sizeof(cp.path) + 32];

	if (!cp.unnamed)
		return 0;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", atomic_load(&cp.fd));
	if (!cfg->child) {
		/* rename() replaces whatever has the name: run as root with
		 * CPROF_OUT=/dev/null it made the device a regular file. Only a
		 * regular file, or nothing, is replaced. */
		struct stat st;
		if (stat(cfg->path, &st) == 0 && !S_ISREG(st.st_mode))
			return -2;
		snprintf(tmp, sizeof(tmp), "%s.%d.tmp", cfg->path, (int)getpid());
		unlink(tmp);
		if (linkat(AT_FDCWD, self, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0)
			return -1;
		if (rename(tmp, cfg->path) < 0) {
			int e = errno;
			unlink(tmp);
			errno = e;
			return -1;
		}
		snprintf(cp.path, sizeof(cp.path), "%s", cfg->path);
		cp.unnamed = 0;
		return 0;
	}
	for (int seq = 0; seq < 1000; seq++) {
		if (seq == 0)
			snprintf(cp.path, sizeof(cp.path), "%s.%d", cfg->path, (int)getpid());
		else
			snprintf(cp.path, sizeof(cp.path), "%s.%d.%d", cfg->path, (int)getpid(), seq);
		if (linkat(AT_FDCWD, self, AT_FDCWD, cp.path, AT_SYMLINK_FOLLOW) == 0) {
			cp.unnamed = 0;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

static void write_info(const struct cp_config *cfg)
{
	char exe[PATH_MAX], cmd[8192];
	ssize_t exe_len = readlink("/proc/self/exe", exe, sizeof(exe));
	ssize_t cmd_len = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	struct timespec rt;

	if (exe_len < 0)
		exe_len = 0;
	if (fd >= 0) {
		ssize_t n;
		while (cmd_len < (ssize_t)sizeof(cmd) &&
		       (n = read(fd, cmd + cmd_len, sizeof(cmd) - (size_t)cmd_len)) > 0)
			cmd_len += n;
		close(fd);
	}
	if (cmd_len > 0 && cmd[cmd_len - 1] == 0)
		cmd_len--;
	clock_gettime(CLOCK_REALTIME, &rt);
	struct cprof_raw_info info = {
		.period_ns = cp.period_ns,
		.start_realtime_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec,
		.start_monotonic_ns = cp.start_mono,
		.hz = cfg->hz,
		.pid = (uint32_t)getpid(),
		.ppid = (uint32_t)(cfg->ppid ? cfg->ppid : getppid()),
		.timer = (uint8_t)cp.timer,
		.mode = (uint8_t)cp.mode,
		.unwinder = (uint8_t)cp.unwinder,
		.clock = CLOCK_MONOTONIC,
		.exe_len = (uint32_t)exe_len,
		.cmdline_len = (uint32_t)cmd_len,
	};
	struct iovec parts[3] = {{&info, sizeof(info)}, {exe, (size_t)exe_len}, {cmd, (size_t)cmd_len}};
	cp_emit_first(CPROF_RAW_INFO, parts, 3);
}

static void close_probe(void)
{
	if (probe_fd >= 0)
		fd_release(probe_fd, perf_is_ours(probe_fd, probe_id));
	probe_fd = -1;
}

static int choose_timer(void)
{
	const char *want = getenv("CPROF_TIMER");
	int fd;
	timer_t t;

	if (cp.mode == CPROF_MODE_WALL)
		return CPROF_TIMER_WALL;
	if (!want || !*want || !strcmp(want, "perf")) {
		fd = perf_open(cp_gettid(), &probe_id);
		if (fd >= 0) {
			probe_fd = fd; /* the starting thread's timer (arm_locked) */
			return CPROF_TIMER_PERF_EVENT;
		}
	}
	if (!want || !*want || strcmp(want, "setitimer")) {
		if (timer_arm(cp_gettid(), &t) == 0) {
			timer_delete(t);
			return CPROF_TIMER_TIMER_CREATE;
		}
	}
	return CPROF_TIMER_SETITIMER;
}

/* The signals whose default action (end the process) cprof takes over to
 * close the file first (cp_fatal); to the program their disposition stays
 * SIG_DFL (preload.c's sigaction and signal: Python installs its
 * KeyboardInterrupt handler only on a SIG_DFL SIGINT). */
static const int fatal_sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
				 SIGTERM, SIGINT, SIGHUP, SIGQUIT};

int cp_is_fatal_hooked(int sig)
{
	if (!atomic_load(&cp.fatal_hooked))
		return 0;
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		if (fatal_sigs[i] == sig)
			return 1;
	return 0;
}

void cp_fatal_action(struct sigaction *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_sigaction = cp_fatal;
	sa->sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigemptyset(&sa->sa_mask);
	sigaddset(&sa->sa_mask, SIGPROF);
}

static void hook_fatal_signals(void)
{
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++) {
		struct sigaction old, sa;

		if (cp_real_sigaction(fatal_sigs[i], NULL, &old) < 0 || old.sa_handler != SIG_DFL ||
		    (old.sa_flags & SA_SIGINFO))
			continue;
		cp_fatal_action(&sa);
		cp_real_sigaction(fatal_sigs[i], &sa, NULL);
	}
	atomic_store(&cp.fatal_hooked, 1);
}

static void stop_helpers(void)
{
	atomic_store(&stop_threads, 1);
	atomic_store(&cp.wake_sent, 1);
	syscall(SYS_futex, &cp.wake_sent, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	if (writer_running)
		pthread_join(writer_thr, NULL);
	if (wall_running)
		pthread_join(wall_thr, NULL);
	writer_running = wall_running = 0;
}

/* The writer (and in wall mode the wall) thread. */
static void start_helpers(void)
{
	atomic_store(&stop_threads, 0);
	atomic_store(&writer_tid, 0);
	atomic_store(&wall_tid, 0);
	/* our own threads are not sampled: start them with SIGPROF blocked */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	cp_real_pthread_sigmask(SIG_BLOCK, &set, &old);
	writer_running = cp_real_pthread_create(&writer_thr, NULL, writer_main, NULL) == 0;
	if (cp.mode == CPROF_MODE_WALL)
		wall_running = cp_real_pthread_create(&wall_thr, NULL, wall_main, NULL) == 0;
	cp_real_pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* they must not be armed by the scan below: wait for their tids */
	for (int i = 0; i < 1000; i++) {
		if ((!writer_running || atomic_load(&writer_tid)) &&
		    (!wall_running || atomic_load(&wall_tid)))
			break;
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
	}
}

/* Arms the calling thread, the process timer (setitimer), the helper
 * threads, and every other thread of the process. */
static void start_sampling(void)
{
	pthread_mutex_lock(&lock);
	nthreads = 0;
	stack_bounds();
	arm_locked(cp_gettid());
	pthread_mutex_unlock(&lock);
	if (cp.timer == CPROF_TIMER_SETITIMER) {
		struct itimerval it;
		it.it_interval.tv_sec = (time_t)(cp.period_ns / 1000000000u);
		it.it_interval.tv_usec = (suseconds_t)(cp.period_ns % 1000000000u / 1000);
		it.it_value = it.it_interval;
		setitimer(ITIMER_PROF, &it, NULL);
	}
	start_helpers();
	/* Threads that already run (API start in a threaded program). */
	scan_tasks(0);
}

/* unshare(CLONE_NEWUSER) and setns into a user namespace need a process of
 * one thread: cprof's helper threads stop for the call (preload.c) and
 * start again after it. A thread that was joined may still be leaving the
 * thread group for a moment, so the call is tried again on EINVAL for up to
 * 50 ms; a program with threads of its own gets its EINVAL as without
 * cprof. */
int cp_single_threaded_call(int (*call)(long, long), long a, long b)
{
	/* (a program with threads of its own gets EINVAL anyway: no pause) */
	int paused = atomic_load(&cp.active) && cp.pid == (pid_t)syscall(SYS_getpid) &&
		     (writer_running || wall_running) && nthreads <= 1;
	int r, e;

	if (paused)
		stop_helpers();
	for (int i = 0;; i++) {
		r = call(a, b);
		e = errno;
		if (r == 0 || e != EINVAL || !paused || i == 50)
			break;
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	if (paused)
		start_helpers();
	errno = e;
	return r;
}

/* Disarms every timer and joins the helper threads. */
static void stop_sampling(void)
{
	stop_helpers();
	if (cp.timer == CPROF_TIMER_SETITIMER) {
		struct itimerval it = {{0, 0}, {0, 0}};
		setitimer(ITIMER_PROF, &it, NULL);
	}
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nthreads; i++)
		disarm(&threads[i]);
	nthreads = 0;
	pthread_mutex_unlock(&lock);
}

static int sigprof_installed;

static void install_sigprof(void)
{
	struct sigaction sa, old;

	if (sigprof_installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = cp_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	cp_real_sigaction(SIGPROF, &sa, &old);
	if ((old.sa_flags & SA_SIGINFO) || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)) {
		cp.prog_act = old;
		atomic_store(&cp.prog_has_act, 1);
	}
	sigprof_installed = 1;
}

int cp_sigprof_is_ours(void)
{
	return sigprof_installed;
}

/* Undoes map_output: the mapping and the file (cp_stop, and a forked
 * child, which must not touch its parent's). */
static void unmap_output(void)
{
	int fd = atomic_exchange(&cp.fd, -1);

	munmap(cp.map, cp.map_size);
	fd_release(fd, same_file(fd, cp.out_dev, cp.out_ino));
	cp.map = NULL;
}

/* cp_start's file: created (unnamed until publish_output), mapped for
 * cp.map_size, its first chunk allocated and the file header stored.
 * -1 (said on stderr) when any of it fails. */
static int map_output(const struct cp_config *cfg)
{
	int fd;
	void *map;
	struct stat st;

	if ((fd = open_output(cfg)) < 0) {
		warnx("%s: cannot create the output file: %s", cp.path, strerror(errno));
		return -1;
	}
	/* the address space asked for (4 GiB by default) is only reserved,
	 * but a limit on it (ulimit -v) counts it: smaller halves are tried
	 * down to 1 MiB rather than recording nothing */
	map = MAP_FAILED;
	if (fstat(fd, &st) == 0)
		for (;;) {
			map = mmap(NULL, cp.map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
				   fd, 0);
			if (map != MAP_FAILED || errno != ENOMEM || cp.map_size / 2 < FIRST_CHUNK)
				break;
			cp.map_size = cp.map_size / 2 & ~(uint64_t)4095;
		}
	if (map == MAP_FAILED) {
		warnx("%s: cannot map the output file: %s", cp.path, strerror(errno));
		syscall(SYS_close, fd);
		return -1;
	}
	fd = fd_keep(fd);
	cp.out_dev = st.st_dev;
	cp.out_ino = st.st_ino;
	/* Records are written once, front to back: a fault must bring in its
	 * own page only. Without this the first store (the file header) made
	 * the kernel read ahead, zeroing a large folio of the preallocated
	 * file: ~40% of the CPU of a short process's start (bench/forkexec.sh) */
	madvise(map, cp.map_size, MADV_RANDOM);
	atomic_store(&cp.fd, fd);
	cp.map = map;
	cp.low_water = FIRST_CHUNK / 2;
	atomic_store(&cp.wake_sent, 0);
	atomic_store(&cp.used, 0);
	atomic_store(&cp.cap, 0);
	atomic_store(&cp.written, 0);
	atomic_store(&cp.dropped, 0);
	atomic_store(&cp.closing, 0);
	grow_failed = 0;
	grow_file();
	if (atomic_load(&cp.cap) == 0) {
		unmap_output();
		return -1;
	}
	struct cprof_raw_file_header h = {.version = CPROF_RAW_VERSION,
					  .hdr_size = sizeof(h), .bom = CPROF_RAW_BOM};
	memcpy(h.magic, CPROF_RAW_MAGIC, 8);
	memcpy(cp.map, &h, sizeof(h));
	atomic_store(&cp.used, sizeof(h));
	return 0;
}

int cp_start(const struct cp_config *cfg)
{
	if (atomic_load(&cp.active)) {
		errno = EBUSY;
		return -1;
	}
	if (!cfg->path || !*cfg->path) {
		errno = EINVAL;
		return -1;
	}
	/* the names made from it (PATH.<pid>.<n>, PATH.<pid>.tmp) are built in
	 * 4096-byte buffers: a longer one was cut, and the recording written
	 * (and renamed over) a file of the cut name */
	if (strlen(cfg->path) + 32 > sizeof(cp_root_path)) {
		warnx("%.64s...: output path longer than %zu bytes: not recording", cfg->path,
		      sizeof(cp_root_path) - 32);
		errno = ENAMETOOLONG;
		return -1;
	}
	cur_cfg = *cfg;
	if (!cfg->child)
		snprintf(cp_root_path, sizeof(cp_root_path), "%s", cfg->path);
	cur_cfg.path = cp_root_path[0] ? cp_root_path : cfg->path;
	cp.pid = getpid();
	cp_tls_tid = 0;
	cp.mode = cfg->mode;
	cp.unwinder = cfg->unwinder;
	cp.hz = cfg->hz;
	cp.period_ns = 1000000000u / cfg->hz;
	cp.max_depth = cfg->max_depth >= 1 && cfg->max_depth <= CPROF_RAW_MAX_FRAMES
			       ? cfg->max_depth
			       : CP_MAX_FRAMES;
	const char *ms = getenv("CPROF_MAX_SIZE");
	cp.map_size = ms && *ms ? strtoull(ms, NULL, 10) : (1ull << 32);
	if (cp.map_size < (64u << 10))
		cp.map_size = 64u << 10;
	/* under a limit on the address space (ulimit -v), an eighth of it at
	 * most: the program keeps the rest it counted on */
	struct rlimit as;
	if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY &&
	    cp.map_size > as.rlim_cur / 8)
		cp.map_size = as.rlim_cur / 8 > (64u << 10) ? as.rlim_cur / 8 : 64u << 10;
	cp.map_size &= ~(uint64_t)4095;
	if (map_output(cfg) < 0)
		return -1;
	cp_stacks_reset(); /* no handler runs: cp.active is 0 */
	cp.start_mono = cp_now(CLOCK_MONOTONIC);
	/* the handler first: choose_timer arms the starting thread's timer,
	 * and a tick before the handler is there meets SIGPROF's default
	 * action, which kills the process ("Profiling timer expired": 36 of
	 * 100 starts of /bin/true at 10 kHz, the libunwind warm-up below
	 * taking longer than a period). Ticks before `active` are not sampled. */
	install_sigprof();
	cp.timer = choose_timer();
	start_thread_clock();
	cp_warm_up(1);
	pthread_once(&key_once, make_key);
	lazy_trace_cache = thread_key < 32;

	/* INFO first, then samples: the starting thread's event is armed
	 * (choose_timer), and a tick between `active` and a later INFO put a
	 * sample first, a file cprof-record then did not count as the run's
	 * ("nothing was recorded": 4 runs of /bin/true in 40 at 20 kHz) */
	write_info(cfg);
	atomic_store(&cp.active, 1);
	int published = publish_output(cfg);
	if (published < 0) {
		/* no timer is armed yet: nothing can be sampled into it */
		if (published == -2)
			warnx("%s: not a regular file: not replaced, nothing is recorded", cfg->path);
		else
			warnx("%s: cannot name the output file: %s", cp.path, strerror(errno));
		atomic_store(&cp.active, 0);
		close_probe();
		unmap_output();
		return -1;
	}
	if (atomic_load(&cp.prog_has_act)) {
		cp_note(1, "the program has its own SIGPROF handler: cprof keeps sampling and "
			   "forwards the SIGPROF signals that are not its own to it");
		warnx("the program has its own SIGPROF handler; cprof forwards the signals that are not its own to it");
	}
	if (cp.timer != CPROF_TIMER_PERF_EVENT && cp.timer != CPROF_TIMER_WALL)
		cp_note(1, cp.timer == CPROF_TIMER_TIMER_CREATE
				   ? "perf_event task-clock unavailable: timer_create fallback, rate capped by the kernel tick"
				   : "perf_event and timer_create unavailable: setitimer fallback, rate capped by the kernel tick");
	cp_labels_reset();
	pthread_mutex_lock(&lock);
	nmaps = 0;
	scan_mappings_locked();
	pthread_mutex_unlock(&lock);
	start_sampling();
	if (!atomic_load(&cp.fatal_hooked))
		hook_fatal_signals();
	return 0;
}


int cp_stop(void)
{
	if (!cp.map)
		return -1;
	stop_sampling();
	if (wall_skipped_ns) {
		char text[200];
		snprintf(text, sizeof(text),
			 "wall mode: %.3f s of off-CPU time of threads that block signals was not "
			 "sampled (a signal would have cut their system calls short with EINTR)",
			 (double)wall_skipped_ns / 1e9);
		cp_note(0, text);
		wall_skipped_ns = 0;
	}
	cp_finish_file();
	unmap_output();
	return 0;
}

int cp_flush(void)
{
	/* Records are in the page cache as soon as they are stored; flushing
	 * means pushing them to the disk. */
	if (!cp.map)
		return -1;
	return msync(cp.map, atomic_load(&cp.used), MS_SYNC);
}

/* ---- fork and exec -------------------------------------------------------------- */

void cp_fork_prepare(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	cp_real_pthread_sigmask(SIG_BLOCK, &set, &fork_saved_mask);
	pthread_mutex_lock(&lock);
	fork_was_active = atomic_load(&cp.active);
}

void cp_fork_parent(void)
{
	pthread_mutex_unlock(&lock);
	cp_real_pthread_sigmask(SIG_SETMASK, &fork_saved_mask, NULL);
}

void cp_fork_child(void)
{
	struct cp_config cfg = cur_cfg;

	/* The parent's mapping is shared with us: stop touching it at once. */
	atomic_store(&cp.active, 0);
	pthread_mutex_init(&lock, NULL);
	cp_labels_atfork_child();
	cp_tls_tid = 0;
	cp_tls_last_cpu = 0;
	if (cp.map) {
		unmap_output();
		for (int i = 0; i < nthreads; i++)
			disarm(&threads[i]);
		nthreads = 0;
		writer_running = wall_running = 0;
		atomic_store(&cp.inflight, 0);
	}
	if (fork_was_active) {
		cfg.child = 1;
		cfg.ppid = getppid();
		cp_start(&cfg);
	}
	cp_real_pthread_sigmask(SIG_SETMASK, &fork_saved_mask, NULL);
}

/* exec: the file is closed as at exit (END, cut to length) before the
 * image goes away, but kept mapped: if the exec fails (a shell trying each
 * directory of PATH), the END record is taken back and recording goes on
 * in the same file, so a failed exec leaves no file behind. */
static int exec_was_active;
static uint64_t exec_end_at; /* offset of the END record exec_prepare wrote */

/* Takes back cprof's SIGPROF signals still pending once every timer is
 * stopped: the new image runs with SIGPROF's default action (terminate)
 * until its constructor installs the handler, so one pending signal killed
 * it ("Profiling timer expired": 99 of 200 `env true` at 10 kHz). Standard
 * signals queue once per thread and once per process; the program's own
 * pending SIGPROF (kill, raise, sigqueue) is put back as it was. */
static void drain_sigprof(void)
{
	sigset_t set, old;
	siginfo_t keep[4];
	int nkeep = 0;
	struct timespec zero = {0, 0};

	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	cp_real_pthread_sigmask(SIG_BLOCK, &set, &old);
	for (int i = 0; i < 16; i++) {
		siginfo_t si;
		if (syscall(SYS_rt_sigtimedwait, &set, &si, &zero, _NSIG / 8) != SIGPROF)
			break;
		if (!cp_sigprof_ours(&si) && nkeep < 4)
			keep[nkeep++] = si;
	}
	for (int i = 0; i < nkeep; i++)
		syscall(SYS_rt_tgsigqueueinfo, getpid(), cp_gettid(), SIGPROF, &keep[i]);
	cp_real_pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void cp_exec_prepare(void)
{
	exec_was_active = atomic_load(&cp.active);
	if (!exec_was_active)
		return;
	stop_sampling();
	drain_sigprof();
	exec_end_at = atomic_load(&cp.used);
	cp_finish_file();
}

void cp_exec_failed(void)
{
	uint64_t len;

	if (!exec_was_active)
		return;
	len = atomic_load(&cp.used); /* the file's length: cut after END */
	/* a size of 0 ends the data: the END record is gone before `used`
	 * moves back */
	__atomic_store_n((uint32_t *)(cp.map + exec_end_at), 0, __ATOMIC_RELEASE);
	memset(cp.map + exec_end_at, 0, len - exec_end_at);
	atomic_store(&cp.used, exec_end_at);
	atomic_store(&cp.cap, len);
	atomic_store(&cp.closing, 0);
	grow_file();
	atomic_store(&cp.active, 1);
	start_sampling();
}
