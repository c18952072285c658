/*
 * perfrec: the kernel sampler (contract in perfrec.h).
 *
 * Why per-CPU buffers: an inherited event (the command's children and
 * threads get copies of it) cannot be mapped when it follows a task on
 * every CPU (cpu = -1), so perf record, and this, open one event per CPU
 * for the task; each inherited copy writes into the buffer of the event it
 * was copied from, so one buffer per CPU holds every process of the run.
 *
 * The file, as perf writes it to a seekable file (perfdata.c reads it):
 *
 *   [0, 104)        file header: "PERFILE2", sizes, sections, feature bits
 *   [104, +A)       the one attr: perf_event_attr, then {offset, size} of
 *                   its ids (one per CPU event)
 *   ids             u64 each
 *   data            the records as the kernel wrote them, buffer by buffer,
 *                   a FINISHED_ROUND record after each round of draining
 *                   (perf report sorts by time up to the previous round)
 *
 * No feature sections: MMAP2 records carry the kernel's build-ids
 * (attr.build_id), so no pass over the data is needed at the end (perf
 * record reads its whole file again to find the build-ids of the files hit).
 * Times are CLOCK_MONOTONIC (attr.clockid), the clock of cprof's raw files.
 */
#include "perfrec.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FILE_HEADER 104
#define FINISHED_ROUND 68
/* the user registers perf --call-graph dwarf asks for on x86-64: every
 * general register but the segment registers ds, es, fs, gs */
#define REGS_X86_64 0xff0fffULL

typedef struct ring {
	int fd;
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	uint64_t size; /* of data: a power of two */
	size_t map_len;
} ring;

typedef prec_proc proc;

struct prec {
	ring *rings;
	size_t nrings;
	out_file out;
	uint64_t sample_type;
	uint64_t data_at, data_len;
	struct perf_event_attr attr;
	uint64_t *ids;
	size_t nids;       /* one per CPU event */
	uint64_t header_ns; /* when the header was last written */
	unsigned char *wrap; /* a record that wraps around the buffer's end */
	struct pollfd *pfds; /* prec_poll's: one per buffer, one more */
	prec_stats st;
	hidx pids; /* pid -> index into procs */
	proc *procs;
	size_t nprocs, procs_alloc;
	bool werr;
	int werrno;
};

/* The online CPUs ("0-3,5"), into *cpus; their count. */
static size_t online_cpus(int **cpus)
{
	size_t n = 0, alloc = 0;
	unsigned char *d;
	size_t len;
	cprof_err e;
	*cpus = NULL;
	if (read_file_all("/sys/devices/system/cpu/online", 4096, &d, &len, &e) == 0) {
		char *s = (char *)d;
		s[len ? len - 1 : 0] = 0;
		while (*s) {
			char *end;
			long a = strtol(s, &end, 10), b = a;
			if (end == s || a < 0)
				break;
			if (*end == '-')
				b = strtol(end + 1, &end, 10);
			for (long c = a; c <= b && c < 65536; c++) {
				ALLOC_GROW(*cpus, n + 1, alloc);
				(*cpus)[n++] = (int)c;
			}
			s = *end == ',' ? end + 1 : end;
			if (*end != ',')
				break;
		}
		free(d);
	}
	if (!n) {
		long k = sysconf(_SC_NPROCESSORS_ONLN);
		for (long c = 0; c < (k > 0 ? k : 1); c++) {
			ALLOC_GROW(*cpus, n + 1, alloc);
			(*cpus)[n++] = (int)c;
		}
	}
	return n;
}

static long sysctl_num(const char *path, long dflt)
{
	unsigned char *d;
	size_t len;
	cprof_err e;
	long v = dflt;
	if (read_file_all(path, 64, &d, &len, &e) == 0) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%.*s", (int)len, (const char *)d);
		char *end;
		long x = strtol(buf, &end, 10);
		if (end != buf)
			v = x;
		free(d);
	}
	return v;
}

static int open_fail(prec *r, int e, int cpu, cprof_err *err)
{
	long paranoid = sysctl_num("/proc/sys/kernel/perf_event_paranoid", -100);
	strbuf why = STRBUF_INIT;
	if (e == EACCES || e == EPERM)
		sb_addf(&why, "not allowed (kernel.perf_event_paranoid is %ld%s; a user may sample "
			      "their own processes in user mode up to 2: sysctl "
			      "kernel.perf_event_paranoid=2, or run as root or with CAP_PERFMON)",
			paranoid, paranoid == -100 ? ", unreadable" : "");
	else if (e == ENOENT || e == ENOSYS || e == EOPNOTSUPP)
		sb_adds(&why, "this kernel has no software cpu-clock event for perf_event_open "
			      "(CONFIG_PERF_EVENTS)");
	else if (e == EMFILE || e == ENFILE)
		sb_adds(&why, "too many open files (one event per CPU is needed: raise ulimit -n)");
	else if (e == ESRCH)
		sb_adds(&why, "the command's process is gone");
	else
		sb_addf(&why, "kernel.perf_event_paranoid is %ld", paranoid);
	cprof_fail(err, "perf_event_open for CPU %d: %s: %s", cpu, strerror(e), why.buf);
	sb_release(&why);
	prec_abort(r);
	return -1;
}

static int map_ring(ring *g, bool dwarf, cprof_err *err)
{
	long page = sysconf(_SC_PAGESIZE);
	/* dwarf samples are ~8 KiB: a larger buffer when the locked-memory
	 * limit allows it (perf_event_mlock_kb per user, 516 KiB by default,
	 * then RLIMIT_MEMLOCK); halved down to 16 pages on EPERM/ENOMEM */
	size_t pages = dwarf ? 512 : 128;
	for (;;) {
		size_t len = (pages + 1) * (size_t)page;
		void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
		if (m != MAP_FAILED) {
			g->meta = m;
			g->map_len = len;
			g->data = (unsigned char *)m + (g->meta->data_offset ? g->meta->data_offset
									      : (uint64_t)page);
			g->size = g->meta->data_size ? g->meta->data_size : pages * (uint64_t)page;
			return 0;
		}
		if ((errno != EPERM && errno != ENOMEM) || pages <= 16)
			return cprof_fail(err, "cannot map a perf_event buffer of %zu KiB: %s "
					       "(kernel.perf_event_mlock_kb is %ld)",
					  pages * (size_t)page / 1024, strerror(errno),
					  sysctl_num("/proc/sys/kernel/perf_event_mlock_kb", -1));
		pages /= 2;
	}
}

int prec_open(prec **out, pid_t pid, const prec_opts *o, const char *path, cprof_err *err)
{
	prec *r = xcalloc(1, sizeof(*r));
	int *cpus;
	size_t ncpu = online_cpus(&cpus);
	struct perf_event_attr *a = &r->attr;

	*out = NULL;
	long maxstack = sysctl_num("/proc/sys/kernel/perf_event_max_stack", 127);
	if (maxstack <= 0 || maxstack > 65535)
		maxstack = 127;
	*a = (struct perf_event_attr){
		.size = sizeof(*a),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = o->hz ? 1000000000 / o->hz : 10000000,
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			       PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN,
		.sample_max_stack = (uint16_t)(o->max_depth && o->max_depth < maxstack ? o->max_depth
										: maxstack),
		.disabled = 1, .enable_on_exec = 1, .inherit = 1,
		.exclude_kernel = 1, .exclude_hv = 1, .exclude_callchain_kernel = 1,
		.mmap = 1, .mmap2 = 1, .comm = 1, .comm_exec = 1, .task = 1, .sample_id_all = 1,
		.use_clockid = 1, .clockid = CLOCK_MONOTONIC,
		.build_id = 1,
		.watermark = 1, /* wakeup_watermark 0: the kernel wakes poll at half a buffer */
	};
	if (!o->fp) {
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->sample_regs_user = REGS_X86_64;
		a->sample_stack_user = (o->stack_bytes + 7) & ~7u;
	}
	r->sample_type = a->sample_type;

	r->rings = xcalloc(ncpu, sizeof(ring));
	r->pfds = xcalloc(ncpu + 1, sizeof(struct pollfd));
	r->ids = xcalloc(ncpu, sizeof(uint64_t));
	for (size_t i = 0; i < ncpu; i++) {
		ring *g = &r->rings[i];
		g->fd = (int)syscall(SYS_perf_event_open, a, pid, cpus[i], -1, PERF_FLAG_FD_CLOEXEC);
		if (g->fd < 0 && errno == EINVAL && a->build_id) {
			/* before Linux 5.12: no build-ids in MMAP2 (readers then
			 * look files up by path) */
			a->build_id = 0;
			g->fd = (int)syscall(SYS_perf_event_open, a, pid, cpus[i], -1,
					     PERF_FLAG_FD_CLOEXEC);
		}
		if (g->fd < 0) {
			int e = errno, cpu = cpus[i];
			free(cpus);
			return open_fail(r, e, cpu, err);
		}
		r->nrings++;
		r->nids++;
		if (ioctl(g->fd, PERF_EVENT_IOC_ID, &r->ids[i]) < 0)
			r->ids[i] = 0;
		if (map_ring(g, !o->fp, err) < 0) {
			free(cpus);
			prec_abort(r);
			return -1;
		}
	}
	free(cpus);
	r->wrap = xmalloc(65536);
	if (out_open(&r->out, path, err) < 0) {
		prec_abort(r);
		return -1;
	}
	setvbuf(r->out.fp, NULL, _IOFBF, 1 << 20);
	/* room for the header, attr and ids; the data follows */
	uint64_t asz = sizeof(*a) + 16;
	r->data_at = FILE_HEADER + asz + 8 * r->nrings;
	static const unsigned char zero[4096];
	for (uint64_t left = r->data_at; left;) {
		size_t k = left < sizeof(zero) ? (size_t)left : sizeof(zero);
		fwrite(zero, 1, k, r->out.fp);
		left -= k;
	}
	r->st.first_ns = UINT64_MAX;
	*out = r;
	return 0;
}

static bool proc_eq(const void *ctx, uint32_t i, const void *key)
{
	return ((const prec *)ctx)->procs[i].pid == *(const uint32_t *)key;
}

static proc *proc_of(prec *r, uint32_t pid)
{
	size_t slot;
	uint32_t h = (uint32_t)hash_u64(0, pid);
	uint32_t i = hidx_find(&r->pids, h, proc_eq, r, &pid, &slot);
	if (i == HIDX_NONE) {
		ALLOC_GROW(r->procs, r->nprocs + 1, r->procs_alloc);
		r->procs[r->nprocs] = (proc){ .pid = pid };
		i = (uint32_t)r->nprocs++;
		hidx_set(&r->pids, slot, h, i);
	}
	return &r->procs[i];
}

/* The leading fields of the records the summary reads (the kernel's
 * layouts for this attr's sample_type). */
struct sample_head { uint64_t ip; uint32_t pid, tid; uint64_t time; };
struct comm_head { uint32_t pid, tid; };
struct fork_head { uint32_t pid, ppid; };
struct lost_head { uint64_t id, lost; };

/* What the summary needs from one record (b: its body, len bytes). */
static void account(prec *r, uint32_t type, const unsigned char *b, size_t len)
{
	if (type == PERF_RECORD_SAMPLE && len >= sizeof(struct sample_head)) {
		struct sample_head h;
		memcpy(&h, b, sizeof(h));
		r->st.samples++;
		proc_of(r, h.pid)->samples++;
		if (h.time < r->st.first_ns)
			r->st.first_ns = h.time;
		if (h.time > r->st.last_ns)
			r->st.last_ns = h.time;
	} else if (type == PERF_RECORD_COMM && len > sizeof(struct comm_head)) {
		/* a process's name: its main thread's, set at exec */
		struct comm_head h;
		memcpy(&h, b, sizeof(h));
		proc *p = proc_of(r, h.pid);
		size_t n = strnlen((const char *)b + sizeof(h), len - sizeof(h));
		if (h.pid == h.tid || !p->comm[0])
			snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(n < 15 ? n : 15),
				 (const char *)b + sizeof(h));
	} else if (type == PERF_RECORD_FORK && len >= sizeof(struct fork_head)) {
		/* a new process when pid != ppid (else a thread); it has its
		 * parent's name until it execs */
		struct fork_head h;
		memcpy(&h, b, sizeof(h));
		if (h.pid != h.ppid) {
			char parent[16];
			memcpy(parent, proc_of(r, h.ppid)->comm, sizeof(parent));
			proc *p = proc_of(r, h.pid);
			if (!p->comm[0])
				memcpy(p->comm, parent, sizeof(parent));
		}
	} else if (type == PERF_RECORD_LOST && len >= sizeof(struct lost_head)) {
		struct lost_head h;
		memcpy(&h, b, sizeof(h));
		r->st.lost += h.lost;
	} else if (type == PERF_RECORD_LOST_SAMPLES && len >= 8) {
		uint64_t lost;
		memcpy(&lost, b, 8);
		r->st.lost += lost;
	}
}

static void put(prec *r, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, r->out.fp) != n && !r->werr) {
		r->werr = true;
		r->werrno = errno;
	}
	r->data_len += n;
}

/* Copies the records between the buffer's tail and head into the file. */
static void drain(prec *r, ring *g)
{
	uint64_t head = __atomic_load_n(&g->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = g->meta->data_tail;
	uint64_t mask = g->size - 1;
	while (head - tail >= sizeof(struct perf_event_header)) {
		const unsigned char *h = g->data + (tail & mask);
		struct perf_event_header eh;
		/* records are 8-byte multiples and the buffer a power of two:
		 * a header never wraps, a body may */
		memcpy(&eh, h, sizeof(eh));
		if (eh.size < sizeof(eh) || eh.size > head - tail)
			break;
		size_t off = (size_t)(tail & mask), first = (size_t)(g->size - off);
		const unsigned char *rec = h;
		if (eh.size > first) {
			memcpy(r->wrap, h, first);
			memcpy(r->wrap + first, g->data, eh.size - first);
			rec = r->wrap;
		}
		account(r, eh.type, rec + sizeof(eh), eh.size - sizeof(eh));
		put(r, rec, eh.size);
		tail += eh.size;
	}
	__atomic_store_n(&g->meta->data_tail, tail, __ATOMIC_RELEASE);
}

static void w64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* The file header, the attr and its ids, for the data written so far;
 * -1 with errno on a write error. Written at the end, and once a second
 * while recording after a complete round, so that the temporary file of a
 * cprof-record that dies (SIGKILL) reads up to its last second. */
static int write_header(prec *r)
{
	unsigned char h[FILE_HEADER] = { 0 };
	uint64_t asz = sizeof(r->attr) + 16, ids_at = FILE_HEADER + asz;
	memcpy(h, "PERFILE2", 8);
	w64(h + 8, FILE_HEADER);
	w64(h + 16, asz);
	w64(h + 24, FILE_HEADER);       /* attrs */
	w64(h + 32, asz);
	w64(h + 40, r->data_at);        /* data */
	w64(h + 48, r->data_len);
	/* event types (unused): 0, 0; no feature bits */
	unsigned char ae[sizeof(r->attr) + 16];
	memcpy(ae, &r->attr, sizeof(r->attr));
	w64(ae + sizeof(r->attr), ids_at);
	w64(ae + sizeof(r->attr) + 8, 8 * r->nids);
	int fd = fileno(r->out.fp);
	size_t idn = 8 * r->nids;
	if (fflush(r->out.fp) != 0 || pwrite(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    pwrite(fd, ae, sizeof(ae), FILE_HEADER) != (ssize_t)sizeof(ae) ||
	    pwrite(fd, r->ids, idn, (off_t)ids_at) != (ssize_t)idn)
		return -1;
	return 0;
}

static void drain_all(prec *r)
{
	uint64_t before = r->data_len;
	for (size_t i = 0; i < r->nrings; i++)
		drain(r, &r->rings[i]);
	if (r->data_len != before) {
		struct perf_event_header fr = { FINISHED_ROUND, 0, sizeof(fr) };
		put(r, &fr, sizeof(fr));
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		if (now - r->header_ns >= 1000000000u && !r->werr) {
			r->header_ns = now;
			if (write_header(r) < 0) {
				r->werr = true;
				r->werrno = errno;
			}
		}
	}
}

static int write_error(prec *r, cprof_err *err)
{
	return cprof_fail(err, "cannot write %s: %s", r->out.path, strerror(r->werrno));
}

int prec_poll(prec *r, int fd, int timeout_ms, cprof_err *err)
{
	struct pollfd *pf = r->pfds;
	size_t n = 0;
	for (size_t i = 0; i < r->nrings; i++)
		pf[n++] = (struct pollfd){ r->rings[i].fd, POLLIN, 0 };
	int fdi = -1;
	if (fd >= 0) {
		fdi = (int)n;
		pf[n++] = (struct pollfd){ fd, POLLIN, 0 };
	}
	int k = poll(pf, n, timeout_ms);
	drain_all(r);
	if (r->werr)
		return write_error(r, err);
	return k > 0 && fdi >= 0 && (pf[fdi].revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}

static int cmp_proc(const void *a, const void *b)
{
	const proc *x = a, *y = b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void close_rings(prec *r)
{
	for (size_t i = 0; i < r->nrings; i++) {
		if (r->rings[i].meta)
			munmap(r->rings[i].meta, r->rings[i].map_len);
		close(r->rings[i].fd);
	}
	r->nrings = 0;
}

static void free_rec(prec *r)
{
	close_rings(r);
	free(r->rings);
	free(r->ids);
	free(r->wrap);
	free(r->pfds);
	free(r->procs);
	hidx_free(&r->pids);
	free(r);
}

int prec_finish(prec *r, prec_stats *st, cprof_err *err)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < r->nrings; i++)
		ioctl(r->rings[i].fd, PERF_EVENT_IOC_DISABLE, 0);
	drain_all(r);
	close_rings(r);
	if (r->werr) {
		write_error(r, err);
		out_abort(&r->out);
		free_rec(r);
		return -1;
	}
	if (write_header(r) < 0) {
		r->werrno = errno;
		write_error(r, err);
		out_abort(&r->out);
		free_rec(r);
		return -1;
	}
	if (out_commit(&r->out, err) < 0) {
		free_rec(r);
		return -1;
	}
	*st = r->st;
	st->bytes = r->data_at + r->data_len;
	if (st->first_ns == UINT64_MAX)
		st->first_ns = st->last_ns = 0;
	st->nprocs = r->nprocs;
	size_t ns = 0;
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].samples)
			r->procs[ns++] = r->procs[i];
	if (ns)
		qsort(r->procs, ns, sizeof(*r->procs), cmp_proc);
	st->procs = r->procs; /* the caller's now */
	st->nprocs_sampled = ns;
	r->procs = NULL;
	free_rec(r);
	return 0;
}

void prec_abort(prec *r)
{
	if (!r)
		return;
	if (r->out.fp)
		out_abort(&r->out);
	free_rec(r);
}
