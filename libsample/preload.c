/*
 * preload: what makes LD_PRELOAD profiling work without a code change.
 *
 * The constructor starts a recording when CPROF_OUT is set (and nothing
 * happens otherwise, so linking the library for its API costs nothing). The
 * first process image to start writes CPROF_OUT itself and puts its pid in
 * CPROF_ROOT_PID; every later image that inherits the environment (a forked
 * child, an exec'd program, a program started by system()) sees the variable
 * and writes "<CPROF_OUT>.<pid>" instead, or "<CPROF_OUT>.<pid>.<n>" when
 * that name is taken (an exec in a forked child), never overwriting a file.
 *
 * Wrapped functions (each calls the real one found with dlsym(RTLD_NEXT)):
 *   pthread_create       the new thread arms its own timer before running
 *   pthread_setname_np   the new name is recorded at once
 *   exec*                the file is closed cleanly (END, cut to length)
 *                        before the image goes away; reopened if exec fails
 *   dlopen / dlclose     MAPPING / UNMAP records for the objects that came
 *                        or went
 *   sigaction / signal   for SIGPROF once cprof owns it: the program's
 *                        handler is kept aside and called for the SIGPROF
 *                        signals that are not cprof's (reported once)
 *   pthread_sigmask /    SIGPROF is taken out of the masks the program
 *   sigprocmask,         sets, and put back into the masks it reads, so
 *   sigpending,          that a thread that blocks every signal is still
 *   sigwait*             sampled; a SIGPROF of the program's own that comes
 *                        while it believes the signal blocked waits for it
 *                        (raised again when it unblocks, or handed to its
 *                        sigwait). Calls from libunwind pass unchanged: it
 *                        blocks signals around its locks, against the very
 *                        handler that unwinds.
 *   close, close_range,  cprof's own descriptors (its file, its timers,
 *   closefrom, dup2,     libunwind's pipe) are left open, the program told
 *   dup3                 its close worked (a daemon closing everything at
 *                        its start); a dup2 onto one of them moves cprof's
 *                        out of the way (see sampler.c)
 *   pipe2, read, write   libunwind's pipe is moved with cprof's own; if
 *                        the program takes its numbers anyway, libunwind's
 *                        reads and writes through it fail (EBADF) and it
 *                        opens another
 *   unshare, setns       into a new user namespace (one thread wanted):
 *                        cprof's helper threads stop for the call
 * fork needs no wrapper: pthread_atfork handlers give the child its own file.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/close_range.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

#define REAL(ret, name, args)                                                  \
	static ret(*real_##name) args;                                         \
	static void resolve_##name(void)                                       \
	{                                                                      \
		if (!real_##name)                                              \
			*(void **)&real_##name = dlsym(RTLD_NEXT, #name);      \
	}

REAL(int, sigaction, (int, const struct sigaction *, struct sigaction *))
REAL(sighandler_t, signal, (int, sighandler_t))
REAL(int, pthread_create, (pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))
REAL(int, pthread_setname_np, (pthread_t, const char *))
REAL(int, execve, (const char *, char *const[], char *const[]))
REAL(int, execv, (const char *, char *const[]))
REAL(int, execvp, (const char *, char *const[]))
REAL(int, execvpe, (const char *, char *const[], char *const[]))
REAL(int, fexecve, (int, char *const[], char *const[]))
REAL(void *, dlopen, (const char *, int))
REAL(int, dlclose, (void *))
REAL(void, _exit, (int))
REAL(void, _Exit, (int))
REAL(int, pthread_sigmask, (int, const sigset_t *, sigset_t *))
REAL(int, sigprocmask, (int, const sigset_t *, sigset_t *))
REAL(int, sigpending, (sigset_t *))
REAL(int, sigwait, (const sigset_t *, int *))
REAL(int, sigwaitinfo, (const sigset_t *, siginfo_t *))
REAL(int, sigtimedwait, (const sigset_t *, siginfo_t *, const struct timespec *))
REAL(int, close, (int))
REAL(int, pipe2, (int[2], int))
REAL(int, unshare, (int))
REAL(int, setns, (int, int))
REAL(ssize_t, read, (int, void *, size_t))
REAL(ssize_t, write, (int, const void *, size_t))
REAL(int, dup2, (int, int))
REAL(int, dup3, (int, int, int))

int cp_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	resolve_sigaction();
	return real_sigaction(sig, act, old);
}

int cp_real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	resolve_pthread_create();
	return real_pthread_create(t, attr, fn, arg);
}

int cp_real_pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	resolve_pthread_sigmask();
	return real_pthread_sigmask(how, set, old);
}

/* ---- start and exit --------------------------------------------------------- */

__attribute__((constructor)) static void cp_init(void)
{
	struct cp_config cfg;
	const char *root;
	char pid[32], abs[4096];

	pthread_atfork(cp_fork_prepare, cp_fork_parent, cp_fork_child);
	cp_unwind_setup();
	/* resolved now: the wrappers may run inside signal handlers */
	resolve_pthread_sigmask();
	resolve_sigprocmask();
	resolve_sigpending();
	resolve_sigwait();
	resolve_sigwaitinfo();
	resolve_sigtimedwait();
	resolve__exit();
	resolve__Exit();
	resolve_close();
	resolve_pipe2();
	resolve_unshare();
	resolve_setns();
	resolve_read();
	resolve_write();
	resolve_dup2();
	resolve_dup3();
	if (!getenv("CPROF_OUT") || !*getenv("CPROF_OUT"))
		return;
	if (cp_config_from_env(&cfg) < 0)
		return;
	root = getenv("CPROF_ROOT_PID");
	if (root && *root) {
		cfg.child = 1;
	} else {
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		setenv("CPROF_ROOT_PID", pid, 1);
		/* children may run elsewhere (make -C dir): they name their
		 * files after CPROF_OUT, so it is made absolute here */
		if (cfg.path[0] != '/' && getcwd(abs, sizeof(abs) - 1)) {
			size_t n = strlen(abs);
			if (n + 1 + strlen(cfg.path) < sizeof(abs)) {
				snprintf(abs + n, sizeof(abs) - n, "/%s", cfg.path);
				setenv("CPROF_OUT", abs, 1);
				cfg.path = getenv("CPROF_OUT");
			}
		}
	}
	if (cp_start(&cfg) == 0)
		cp_adopt_mask(); /* an image started with SIGPROF blocked */
}

__attribute__((destructor)) static void cp_fini(void)
{
	if (cp.map && cp.pid == getpid())
		cp_stop();
}

/* _exit skips the destructor: close the file here as exit() would (END, cut
 * to length), so no zero tail is left. Async-signal-safe, as _exit is. */
CP_EXPORT void _exit(int status)
{
	if (cp.map && cp.pid == (pid_t)syscall(SYS_getpid))
		cp_finish_file();
	if (real__exit)
		real__exit(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

CP_EXPORT void _Exit(int status)
{
	if (cp.map && cp.pid == (pid_t)syscall(SYS_getpid))
		cp_finish_file();
	if (real__Exit)
		real__Exit(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

/* ---- namespaces --------------------------------------------------------------- */

static int do_unshare(long flags, long unused)
{
	(void)unused;
	return real_unshare ? real_unshare((int)flags) : (int)syscall(SYS_unshare, flags);
}

static int do_setns(long fd, long nstype)
{
	return real_setns ? real_setns((int)fd, (int)nstype) : (int)syscall(SYS_setns, fd, nstype);
}

/* A new user namespace wants a process of one thread (EINVAL otherwise):
 * `unshare -U`, rootless containers and sandboxes failed under cprof, whose
 * writer thread made every program a threaded one. */
CP_EXPORT int unshare(int flags)
{
	if (flags & CLONE_NEWUSER)
		return cp_single_threaded_call(do_unshare, flags, 0);
	return do_unshare(flags, 0);
}

CP_EXPORT int setns(int fd, int nstype)
{
	/* nstype 0: whatever namespace fd is, a user namespace too; a mount
	 * namespace wants the filesystem state unshared, which threads share */
	if (!nstype || (nstype & (CLONE_NEWUSER | CLONE_NEWNS)))
		return cp_single_threaded_call(do_setns, fd, nstype);
	return do_setns(fd, nstype);
}

/* ---- threads ---------------------------------------------------------------- */

struct tramp {
	void *(*fn)(void *);
	void *arg;
	int prog_blocks; /* the creator's: a new thread inherits its mask */
};

static void *trampoline(void *p)
{
	struct tramp t = *(struct tramp *)p;

	free(p);
	atomic_store(&cp_tls_prog_blocks, t.prog_blocks);
	cp_adopt_mask();
	cp_thread_begin();
	return t.fn(t.arg);
}

CP_EXPORT int pthread_create(pthread_t *thr, const pthread_attr_t *attr, void *(*fn)(void *),
			     void *arg)
{
	struct tramp *t;
	int r;

	resolve_pthread_create();
	/* after a recording stopped, the trampoline still hands the new thread
	 * its creator's view of SIGPROF (the masks stay rewritten) */
	if (!cp_sigprof_is_ours() || !(t = malloc(sizeof(*t))))
		return real_pthread_create(thr, attr, fn, arg);
	t->fn = fn;
	t->arg = arg;
	t->prog_blocks = atomic_load(&cp_tls_prog_blocks);
	r = real_pthread_create(thr, attr, trampoline, t);
	if (r != 0)
		free(t);
	return r;
}

CP_EXPORT int pthread_setname_np(pthread_t thr, const char *name)
{
	int r;

	resolve_pthread_setname_np();
	r = real_pthread_setname_np(thr, name);
	if (r == 0 && pthread_equal(thr, pthread_self()))
		cp_thread_renamed();
	return r;
}

/* ---- SIGPROF ownership ------------------------------------------------------- */

static atomic_int conflict_reported;

static void set_prog_act(const struct sigaction *act)
{
	int has = (act->sa_flags & SA_SIGINFO) ||
		  (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN);

	atomic_store(&cp.prog_has_act, 0);
	cp.prog_act = *act;
	atomic_store(&cp.prog_has_act, has);
	if (has && !atomic_exchange(&conflict_reported, 1)) {
		static const char msg[] = "cprof: the program installs its own SIGPROF handler; "
					  "cprof keeps sampling and forwards the SIGPROF signals "
					  "that are not its own to it\n";
		if (write(2, msg, sizeof(msg) - 1) < 0)
			(void)0;
		if (atomic_load(&cp.active))
			cp_note(1, "the program installed its own SIGPROF handler: cprof keeps "
				   "sampling and forwards the SIGPROF signals that are not its own to it");
	}
}

/* A fatal signal's action as the program sees it: cprof's cp_fatal stands
 * for SIG_DFL, and a SIG_DFL the program sets keeps it (the file is still
 * closed before the process ends). */
static int fatal_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction ours, cur;
	int r;

	if (act && act->sa_handler == SIG_DFL) {
		cp_fatal_action(&ours);
		act = &ours;
	}
	if ((r = real_sigaction(sig, act, &cur)) == 0 && old) {
		*old = cur;
		if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == cp_fatal) {
			memset(old, 0, sizeof(*old));
			old->sa_handler = SIG_DFL;
		}
	}
	return r;
}

CP_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	resolve_sigaction();
	if (sig != SIGPROF && cp_is_fatal_hooked(sig))
		return fatal_sigaction(sig, act, old);
	if (sig != SIGPROF || !cp_sigprof_is_ours())
		return real_sigaction(sig, act, old);
	if (old) {
		if (atomic_load(&cp.prog_has_act)) {
			*old = cp.prog_act;
		} else {
			memset(old, 0, sizeof(*old));
			old->sa_handler = SIG_DFL;
		}
	}
	if (act)
		set_prog_act(act);
	return 0;
}

CP_EXPORT sighandler_t signal(int sig, sighandler_t h)
{
	struct sigaction act, old;

	resolve_signal();
	if (sig != SIGPROF && cp_is_fatal_hooked(sig) && h != SIG_DFL) {
		/* the real signal() (it keeps siginterrupt's choice); cprof's
		 * handler it replaces reads as SIG_DFL */
		sighandler_t prev = real_signal(sig, h);
		return (void *)prev == (void *)cp_fatal ? SIG_DFL : prev;
	}
	if ((sig != SIGPROF || !cp_sigprof_is_ours()) && !cp_is_fatal_hooked(sig))
		return real_signal(sig, h);
	/* glibc's signal(): BSD semantics, the signal blocked in its handler */
	memset(&act, 0, sizeof(act));
	act.sa_handler = h;
	act.sa_flags = SA_RESTART;
	sigaddset(&act.sa_mask, sig);
	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

/* ---- signal masks --------------------------------------------------------------- */

/* libunwind's text: its calls to the mask functions pass unchanged. */
static uintptr_t unw_lo, unw_hi;

static int find_unwind_text(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t addr = (uintptr_t)data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && addr >= lo && addr < hi) {
			unw_lo = lo;
			unw_hi = hi;
			return 1;
		}
	}
	return 0;
}

void cp_mask_setup(void *unwind_fn)
{
	dl_iterate_phdr(find_unwind_text, unwind_fn);
}

static int rewritten(const void *caller)
{
	uintptr_t a = (uintptr_t)caller;

	return cp_sigprof_is_ours() && !(a >= unw_lo && a < unw_hi);
}

/* ---- cprof's descriptors ------------------------------------------------------ */

static int from_libunwind(const void *caller)
{
	uintptr_t a = (uintptr_t)caller;

	return a >= unw_lo && a < unw_hi;
}

/* libunwind's pipe, through which it checks that an address can be read
 * (a write from it fails with EFAULT when it cannot): were the program to
 * close it and take its numbers, libunwind would read from and write into
 * the program's files. Its numbers are moved high and kept as cprof's. */
CP_EXPORT int pipe2(int fds[2], int flags)
{
	int r = real_pipe2 ? real_pipe2(fds, flags) : (int)syscall(SYS_pipe2, fds, flags);

	if (r == 0 && from_libunwind(__builtin_return_address(0)))
		cp_fd_adopt_unwind_pipe(fds);
	return r;
}

/* Were the program to take a number of libunwind's pipe anyway (a raw
 * close, a dup2 onto it), libunwind's read or write through it fails as if
 * it were closed, and libunwind opens another pipe: it never reads from or
 * writes into the program's file. */
static int unwind_pipe_taken(int fd, const void *caller)
{
	return cp_is_unwind_pipe(fd) && from_libunwind(caller) && cp_unwind_pipe_gone();
}

CP_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	if (unwind_pipe_taken(fd, __builtin_return_address(0))) {
		errno = EBADF;
		return -1;
	}
	return real_read ? real_read(fd, buf, n) : syscall(SYS_read, fd, buf, n);
}

CP_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	if (unwind_pipe_taken(fd, __builtin_return_address(0))) {
		errno = EBADF;
		return -1;
	}
	return real_write ? real_write(fd, buf, n) : syscall(SYS_write, fd, buf, n);
}

CP_EXPORT int close(int fd)
{
	const void *caller = __builtin_return_address(0);

	if (unwind_pipe_taken(fd, caller)) {
		int still = cp_unwind_pipe_end_ok(fd);
		cp_fd_forget(fd);
		if (!still)
			return 0; /* the program's file now: libunwind opens another pipe */
		return real_close ? real_close(fd) : (int)syscall(SYS_close, fd);
	}
	if (cp_fd_is_ours(fd)) {
		if (!from_libunwind(caller))
			return 0; /* the program's close-everything */
		cp_fd_forget(fd); /* libunwind's own, opening its pipe again */
	}
	return real_close ? real_close(fd) : (int)syscall(SYS_close, fd);
}

/* close_range over the gaps between cprof's descriptors */
CP_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	unsigned lo = first;
	int ours;

	/* cprof's are close-on-exec already; first > last is the kernel's EINVAL */
	if ((flags & CLOSE_RANGE_CLOEXEC) || first > last)
		return (int)syscall(SYS_close_range, first, last, flags);
	while ((ours = cp_fd_next_ours(lo > INT_MAX ? INT_MAX : (int)lo)) >= 0 &&
	       (unsigned)ours <= last) {
		if ((unsigned)ours > lo && syscall(SYS_close_range, lo, (unsigned)ours - 1, flags) < 0)
			return -1;
		lo = (unsigned)ours + 1;
		if (lo > last) /* cprof's was the range's last */
			return 0;
	}
	return (int)syscall(SYS_close_range, lo, last, flags);
}

CP_EXPORT void closefrom(int lowfd)
{
	long max;

	if (lowfd < 0)
		lowfd = 0;
	if (close_range((unsigned)lowfd, ~0u, 0) == 0)
		return;
	/* no close_range (a kernel before 5.9, a seccomp filter): the open
	 * ones, from /proc/self/fd as glibc does (the limit may be 1e9) */
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	if (!d) {
		max = sysconf(_SC_OPEN_MAX);
		for (long fd = lowfd; fd < max && fd < 65536; fd++)
			if (!cp_fd_is_ours((int)fd))
				syscall(SYS_close, (int)fd);
		return;
	}
	while ((de = readdir(d))) {
		long fd = strtol(de->d_name, NULL, 10);
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && fd >= lowfd && fd != dirfd(d) &&
		    !cp_fd_is_ours((int)fd))
			syscall(SYS_close, (int)fd);
	}
	closedir(d);
}

/* Moves cprof's descriptor out of the way of a dup2/dup3 that will work
 * (oldfd open, flags valid): one that fails leaves both as they were. */
static void make_room(int oldfd, int newfd, int flags)
{
	if (oldfd != newfd && !(flags & ~O_CLOEXEC) && fcntl(oldfd, F_GETFD) >= 0 &&
	    cp_fd_is_ours(newfd))
		cp_fd_vacate(newfd);
}

CP_EXPORT int dup2(int oldfd, int newfd)
{
	make_room(oldfd, newfd, 0);
	return real_dup2 ? real_dup2(oldfd, newfd) : (int)syscall(SYS_dup2, oldfd, newfd);
}

CP_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	make_room(oldfd, newfd, flags);
	return real_dup3 ? real_dup3(oldfd, newfd, flags) : (int)syscall(SYS_dup3, oldfd, newfd, flags);
}

static void raise_deferred(void)
{
	if (cp_tls_deferred && !atomic_load(&cp_tls_prog_blocks)) {
		cp_tls_deferred = 0;
		syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid), SIGPROF);
	}
}

/* One body for both mask functions (they differ in how they report errors).
 * Async-signal-safe: programs change masks inside their handlers. */
static int set_mask(int (*real)(int, const sigset_t *, sigset_t *), int how,
		    const sigset_t *set, sigset_t *old)
{
	int was = atomic_load(&cp_tls_prog_blocks), want = was, r;
	sigset_t mine;

	if (set && sigismember(set, SIGPROF) == 1) {
		if (how == SIG_BLOCK || how == SIG_SETMASK) {
			want = 1;
			mine = *set;
			sigdelset(&mine, SIGPROF);
			set = &mine;
		} else if (how == SIG_UNBLOCK) {
			want = 0;
		}
	} else if (set && how == SIG_SETMASK) {
		want = 0;
	}
	r = real(how, set, old);
	if (r != 0)
		return r;
	if (old && was)
		sigaddset(old, SIGPROF);
	atomic_store(&cp_tls_prog_blocks, want);
	raise_deferred();
	return r;
}

CP_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	resolve_pthread_sigmask();
	if (!rewritten(__builtin_return_address(0)))
		return real_pthread_sigmask(how, set, old);
	return set_mask(real_pthread_sigmask, how, set, old);
}

CP_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	resolve_sigprocmask();
	if (!rewritten(__builtin_return_address(0)))
		return real_sigprocmask(how, set, old);
	return set_mask(real_sigprocmask, how, set, old);
}

CP_EXPORT int sigpending(sigset_t *set)
{
	int r;

	resolve_sigpending();
	r = real_sigpending(set);
	if (r == 0 && cp_tls_deferred)
		sigaddset(set, SIGPROF);
	return r;
}

/* A thread that waits for SIGPROF with sigwait while it blocks it: the
 * signal went to cprof's handler, which kept it for this thread. Returns 1
 * (and fills *info) when there is one to hand over. */
static int take_deferred(const sigset_t *set, siginfo_t *info)
{
	if (!cp_tls_deferred || sigismember(set, SIGPROF) != 1)
		return 0;
	cp_tls_deferred = 0;
	if (info)
		*info = cp_tls_deferred_info;
	return 1;
}

/* The waits are interrupted by the handler when the SIGPROF they want
 * arrives (it is not blocked in the kernel): then it is handed over; an
 * interruption by one of cprof's own samples is not the program's, and the
 * wait goes on. */
static int wait_sig(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
	struct timespec end, now, left;
	unsigned before;
	int r;

	if (timeout) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += timeout->tv_sec;
		end.tv_nsec += timeout->tv_nsec;
		if (end.tv_nsec >= 1000000000) {
			end.tv_sec++;
			end.tv_nsec -= 1000000000;
		}
	}
	for (;;) {
		if (take_deferred(set, info))
			return SIGPROF;
		left = timeout ? *timeout : (struct timespec){0, 0};
		if (timeout) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = end.tv_sec - now.tv_sec;
			left.tv_nsec = end.tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_sec--;
				left.tv_nsec += 1000000000;
			}
			if (left.tv_sec < 0)
				left = (struct timespec){0, 0};
		}
		before = cp_tls_nsamples;
		r = timeout ? real_sigtimedwait(set, info, &left) : real_sigwaitinfo(set, info);
		if (r >= 0 || errno != EINTR)
			return r;
		if (take_deferred(set, info))
			return SIGPROF;
		if (cp_tls_nsamples == before)
			return r; /* the program's own signal interrupted it */
	}
}

CP_EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	resolve_sigwaitinfo();
	resolve_sigtimedwait();
	if (!cp_sigprof_is_ours())
		return real_sigwaitinfo(set, info);
	return wait_sig(set, info, NULL);
}

CP_EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
	resolve_sigwaitinfo();
	resolve_sigtimedwait();
	if (!cp_sigprof_is_ours())
		return real_sigtimedwait(set, info, timeout);
	return wait_sig(set, info, timeout);
}

CP_EXPORT int sigwait(const sigset_t *set, int *sig)
{
	int r;

	resolve_sigwait();
	resolve_sigwaitinfo();
	resolve_sigtimedwait();
	if (!cp_sigprof_is_ours())
		return real_sigwait(set, sig);
	do
		r = wait_sig(set, NULL, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	*sig = r;
	return 0;
}

/* ---- exec ------------------------------------------------------------------------ */

/* An explicit environment without CPROF_ROOT_PID would make the new image
 * believe it is the first and overwrite CPROF_OUT: add the variable. */
static char *const *env_with_root(char *const envp[], char **buf, size_t nbuf)
{
	const char *root = getenv("CPROF_ROOT_PID");
	static char var[64];
	size_t n = 0;

	if (!root || !envp)
		return envp;
	for (; envp[n]; n++)
		if (!strncmp(envp[n], "CPROF_ROOT_PID=", 15))
			return envp;
	if (n + 2 > nbuf)
		return envp;
	snprintf(var, sizeof(var), "CPROF_ROOT_PID=%s", root);
	memcpy(buf, envp, n * sizeof(char *));
	buf[n] = var;
	buf[n + 1] = NULL;
	return buf;
}

/* Only the process that owns the recording closes it: a vfork child shares
 * our memory and must not touch it. */
static int owner(void)
{
	return cp.map && cp.pid == getpid();
}

#define EXEC_BODY(call)                                                        \
	int r, mine = owner();                                                 \
	if (mine)                                                              \
		cp_exec_prepare();                                             \
	r = call;                                                              \
	if (mine) {                                                            \
		int e = errno;                                                 \
		cp_exec_failed();                                              \
		errno = e;                                                     \
	}                                                                      \
	return r;

/* A shell looking a command up in PATH execs each candidate until one
 * exists: those that do not are let fail without closing the file. */
static int missing(const char *path)
{
	return path && access(path, F_OK) < 0 && errno == ENOENT;
}

CP_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	char *buf[4096];

	resolve_execve();
	if (missing(path))
		return real_execve(path, argv, envp);
	EXEC_BODY(real_execve(path, argv, env_with_root(envp, buf, 4096)))
}

CP_EXPORT int execv(const char *path, char *const argv[])
{
	resolve_execv();
	if (missing(path))
		return real_execv(path, argv);
	EXEC_BODY(real_execv(path, argv))
}

CP_EXPORT int execvp(const char *file, char *const argv[])
{
	resolve_execvp();
	EXEC_BODY(real_execvp(file, argv))
}

CP_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	char *buf[4096];

	resolve_execvpe();
	EXEC_BODY(real_execvpe(file, argv, env_with_root(envp, buf, 4096)))
}

CP_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	char *buf[4096];

	resolve_fexecve();
	EXEC_BODY(real_fexecve(fd, argv, env_with_root(envp, buf, 4096)))
}

/* The l-variants collect their arguments and go through the v-variants. */
#define COLLECT_ARGS(first, extra_env)                                         \
	va_list ap;                                                            \
	size_t n = 1;                                                          \
	va_start(ap, first);                                                   \
	while (va_arg(ap, char *))                                             \
		n++;                                                           \
	va_end(ap);                                                            \
	char *argv[n + 1];                                                     \
	argv[0] = (char *)first;                                               \
	va_start(ap, first);                                                   \
	for (size_t i = 1; i <= n; i++)                                        \
		argv[i] = va_arg(ap, char *);                                  \
	extra_env;                                                             \
	va_end(ap);

CP_EXPORT int execl(const char *path, const char *arg, ...)
{
	COLLECT_ARGS(arg, (void)0)
	return execv(path, argv);
}

CP_EXPORT int execlp(const char *file, const char *arg, ...)
{
	COLLECT_ARGS(arg, (void)0)
	return execvp(file, argv);
}

CP_EXPORT int execle(const char *path, const char *arg, ...)
{
	char *const *envp;
	COLLECT_ARGS(arg, envp = va_arg(ap, char *const *))
	return execve(path, argv, envp);
}

/* ---- dlopen / dlclose -------------------------------------------------------------- */

CP_EXPORT void *dlopen(const char *file, int flags)
{
	void *h;

	resolve_dlopen();
	h = real_dlopen(file, flags);
	if (h && atomic_load(&cp.active))
		cp_rescan_mappings();
	return h;
}

CP_EXPORT int dlclose(void *h)
{
	int r;

	resolve_dlclose();
	r = real_dlclose(h);
	if (r == 0 && atomic_load(&cp.active))
		cp_rescan_mappings();
	return r;
}
