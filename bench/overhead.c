/*
 * overhead: the workload and helpers of bench/overhead.sh.
 *
 *   overhead work DEPTH MILLIONS   fixed CPU-bound work: recurse DEPTH
 *                                  frames, then run MILLIONS x 1e6 loop
 *                                  iterations there, in 1000 slices
 *   overhead floor HZ DEPTH MILLIONS  the same work under the bare
 *                                  mechanism cprof uses (a perf_event
 *                                  task-clock signal per period) with an
 *                                  empty handler: the cost no sampler
 *                                  using that signal can go below
 *   overhead unwind DEPTH N [FILE] per-unwind cost (ns) of cprof's two
 *                                  unwinders at DEPTH frames, from a real
 *                                  signal frame; needs libcprof-sample.so
 *                                  preloaded (without CPROF_OUT); records
 *                                  at 1 Hz into FILE meanwhile
 *   overhead gperf-count FILE      samples in a gperftools CPU profile
 *   overhead raw-count FILE        samples in a cprof raw file
 *   overhead raw-size FILE         "SAMPLES BYTES V1_BYTES FRAMES": the
 *                                  samples, the file's bytes, what the file
 *                                  would take with every sample a version-1
 *                                  SAMPLE record (40 + 8 per frame, no
 *                                  STACK records), the frames per sample
 *   overhead measure CMD [ARGS]    runs CMD, prints "WALL_S CPU_S" (CPU:
 *                                  user + system of CMD, from rusage)
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "rawfile.h"

static volatile unsigned long sink;
static volatile sig_atomic_t done;

__attribute__((noinline)) static void spin(unsigned long n)
{
	unsigned long x = 0;
	for (unsigned long i = 0; i < n; i++)
		x += i ^ (x >> 3);
	sink += x;
}

__attribute__((noinline)) static void recurse(int depth, unsigned long n)
{
	if (depth > 1)
		recurse(depth - 1, n);
	else
		spin(n);
	sink++; /* not a tail call */
}

static double now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- unwind micro-benchmark ---------------------------------------------- */
typedef int (*unwind_fn)(void *, uint64_t *, int, int);
static unwind_fn unwind;
static long reps;
static double per_unwind[3];
static int frames_seen[3];

static void on_prof(int sig, siginfo_t *si, void *uc)
{
	uint64_t frames[256 + 16]; /* the unwinder needs max + 8 entries */
	(void)sig;
	(void)si;
	done = 1;
	for (int u = 1; u <= 2; u++) {
		int n = 0;
		double t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		for (long i = 0; i < reps; i++)
			n = unwind(uc, frames, 256, u);
		per_unwind[u] = (now_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / (double)reps;
		frames_seen[u] = n;
	}
}

/* The signal must interrupt our own code (frame pointers, unwind info),
 * as a profiling signal does: spin at the bottom until it has come. */
__attribute__((noinline)) static void deep(int depth)
{
	if (depth > 1) {
		deep(depth - 1);
	} else {
		unsigned long x = 0;
		while (!done)
			x += x >> 3 ^ 1;
		sink += x;
	}
	sink++;
}

static int gperf_count(const char *path)
{
	FILE *f = fopen(path, "rb");
	uintptr_t w[5], n = 0, count, npcs;
	if (!f) {
		perror(path);
		return 1;
	}
	/* header: 0, 3, 0, period, 0; then records: count, npcs, pcs...;
	 * the trailer record is 0, 1, 0 */
	if (fread(w, sizeof(uintptr_t), 5, f) != 5 || w[0] != 0 || w[1] != 3) {
		fprintf(stderr, "%s: not a gperftools CPU profile\n", path);
		fclose(f);
		return 1;
	}
	while (fread(&count, sizeof(count), 1, f) == 1 && fread(&npcs, sizeof(npcs), 1, f) == 1) {
		if (count == 0 && npcs == 1)
			break;
		n += count;
		if (fseek(f, (long)(npcs * sizeof(uintptr_t)), SEEK_CUR) != 0)
			break;
	}
	fclose(f);
	printf("%lu\n", (unsigned long)n);
	return 0;
}

static volatile long floor_signals;

static void on_floor(int sig)
{
	(void)sig;
	floor_signals++;
}

static int arm_floor(long hz)
{
	struct perf_event_attr a;
	struct f_owner_ex owner = {F_OWNER_TID, (pid_t)syscall(SYS_gettid)};
	struct sigaction sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_floor;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPROF, &sa, NULL);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = (unsigned long long)(1000000000 / hz);
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.wakeup_events = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 || fcntl(fd, F_SETFL, O_ASYNC) < 0 || fcntl(fd, F_SETSIG, SIGPROF) < 0 ||
	    fcntl(fd, F_SETOWN_EX, &owner) < 0 || ioctl(fd, PERF_EVENT_IOC_REFRESH, 0x3fffffff) < 0) {
		perror("overhead: perf_event_open");
		return -1;
	}
	return fd;
}

static int raw_count(const char *path)
{
	unsigned char *d;
	size_t n;
	cprof_err err;
	raw_reader r;
	raw_rec rec;
	unsigned long samples = 0;

	if (read_file_all(path, (size_t)1 << 34, &d, &n, &err) < 0 || raw_open(&r, d, n, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return 1;
	}
	while (raw_next(&r, &rec) == 1)
		samples += rec.type == CPROF_RAW_SAMPLE || rec.type == CPROF_RAW_STACK_SAMPLE;
	free(d);
	printf("%lu\n", samples);
	return 0;
}

static int raw_size(const char *path)
{
	unsigned char *d;
	size_t n;
	cprof_err err;
	raw_reader r;
	raw_rec rec;
	unsigned long long samples = 0, v1 = 0, frames = 0;
	uint32_t *depth = NULL; /* STACK id -> frames */
	size_t ndepth = 0;

	if (read_file_all(path, (size_t)1 << 34, &d, &n, &err) < 0 || raw_open(&r, d, n, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return 1;
	}
	v1 = r.hdr_size;
	while (raw_next(&r, &rec) == 1) {
		uint32_t nf = 0;
		if (rec.type == CPROF_RAW_STACK) {
			raw_stack_rec st;
			if (raw_stack(&rec, &st, &err) == 0) {
				if (st.h.id >= ndepth) {
					size_t nd = (size_t)st.h.id * 2 + 16;
					depth = realloc(depth, nd * sizeof(*depth));
					memset(depth + ndepth, 0, (nd - ndepth) * sizeof(*depth));
					ndepth = nd;
				}
				depth[st.h.id] = st.h.nframes;
			}
			continue; /* not in a version-1 file */
		}
		if (rec.type == CPROF_RAW_SAMPLE) {
			raw_sample_rec s;
			if (raw_sample(&rec, &s, &err) == 0)
				nf = s.h.nframes;
		} else if (rec.type == CPROF_RAW_STACK_SAMPLE) {
			raw_stack_sample_rec s;
			if (raw_stack_sample(&rec, &s, &err) == 0 && s.h.stack < ndepth)
				nf = depth[s.h.stack];
		} else {
			v1 += 8 + rec.body_len;
			continue;
		}
		samples++;
		frames += nf;
		v1 += 8 + sizeof(struct cprof_raw_sample) + 8ull * nf;
	}
	free(d);
	free(depth);
	printf("%llu %zu %llu %.1f\n", samples, n, v1, samples ? (double)frames / (double)samples : 0.0);
	return 0;
}

static int measure(char **cmd)
{
	double t0 = now_ns(CLOCK_MONOTONIC), t1;
	struct rusage ru;
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(cmd[0], cmd);
		perror(cmd[0]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0) {
		perror("overhead: measure");
		return 1;
	}
	t1 = now_ns(CLOCK_MONOTONIC);
	printf("%.4f %.4f\n", (t1 - t0) / 1e9,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "work")) {
		int depth = atoi(argv[2]);
		unsigned long total = strtoul(argv[3], NULL, 10) * 1000000ul;
		for (int i = 0; i < 1000; i++)
			recurse(depth, total / 1000);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "floor")) {
		int depth = atoi(argv[3]);
		unsigned long total = strtoul(argv[4], NULL, 10) * 1000000ul;
		if (arm_floor(atol(argv[2])) < 0)
			return 1;
		for (int i = 0; i < 1000; i++)
			recurse(depth, total / 1000);
		fprintf(stderr, "%ld\n", floor_signals);
		return 0;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "unwind")) {
		struct sigaction sa;
		*(void **)&unwind = dlsym(RTLD_DEFAULT, "cprof__bench_unwind");
		if (!unwind) {
			fprintf(stderr, "overhead: preload libcprof-sample.so\n");
			return 1;
		}
		/* a recording at 1 Hz, as the unwinders run in a real one (the
		 * library knows this thread's stack bounds) */
		int (*start)(const char *, const void *);
		*(void **)&start = dlsym(RTLD_DEFAULT, "cprof_start");
		if (!start || start(argc > 4 ? argv[4] : "/dev/null", NULL) != 0)
			fprintf(stderr, "overhead: cprof_start failed: the fp figure checks every page\n");
		reps = atol(argv[3]);
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_prof;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = {{0, 0}, {0, 20000}};
		setitimer(ITIMER_REAL, &it, NULL);
		deep(atoi(argv[2]));
		printf("libunwind %.0f ns (%d frames)\nfp %.0f ns (%d frames)\n", per_unwind[1],
		       frames_seen[1], per_unwind[2], frames_seen[2]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "gperf-count"))
		return gperf_count(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "raw-count"))
		return raw_count(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "raw-size"))
		return raw_size(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "measure"))
		return measure(argv + 2);
	fprintf(stderr, "usage: overhead work DEPTH MILLIONS | floor HZ DEPTH MILLIONS |\n"
			"       unwind DEPTH N [FILE] | gperf-count FILE |\n"
			"       raw-count FILE | raw-size FILE | measure CMD [ARGS...]\n");
	return 2;
}
