/*
 * record: cprof-record's run, and its checks before and after (see
 * record.h). ELF files are read with libelf (elfutils), which the
 * symbolizer links too.
 */
#include "record.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "perfrec.h"
#include "rawfile.h"

/* The directory part of an absolute path ("/" for "/x"). */
static void dir_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

int rec_check_output(const char *path, cprof_err *err)
{
	char dir[PATH_MAX];
	struct stat st;

	if (strlen(path) >= PATH_MAX - 32)
		return cprof_fail(err, "the path is too long");
	if (path[strlen(path) - 1] == '/')
		return cprof_fail(err, "is a directory name, not a file name");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return cprof_fail(err, "exists and is not a regular file (%s)",
				  S_ISDIR(st.st_mode) ? "a directory" : "a device, pipe or socket");
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		return cprof_fail(err, "%s: the directory %s %s", strerror(errno), dir,
				  errno == ENOENT ? "does not exist" : "cannot be reached");
	if (!S_ISDIR(st.st_mode))
		return cprof_fail(err, "%s is not a directory", dir);
	/* What the sampler does first: an unnamed file in the directory. */
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return cprof_fail(err, "cannot create files in %s: %s", dir, strerror(errno));
	/* no O_TMPFILE on this filesystem: a named file, removed at once */
	char probe[PATH_MAX + 32];
	snprintf(probe, sizeof(probe), "%s/.cprof-record-XXXXXX", dir);
	fd = mkstemp(probe);
	if (fd < 0)
		return cprof_fail(err, "cannot create files in %s: %s", dir, strerror(errno));
	close(fd);
	unlink(probe);
	return 0;
}

/* ---- what the command is ------------------------------------------------ */

/* execvp's search: the first executable regular file named cmd in PATH. */
static bool resolve(const char *cmd, char *out, size_t n)
{
	struct stat st;
	if (!*cmd)
		return false;
	if (strchr(cmd, '/')) {
		snprintf(out, n, "%s", cmd);
		return true;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	for (const char *p = path;; p++) {
		const char *e = strchr(p, ':');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		/* an empty entry is the current directory */
		if ((size_t)snprintf(out, n, "%.*s%s%s", (int)len, p, len ? "/" : "", cmd) < n &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return true;
		if (!e)
			break;
		p = e;
	}
	return false;
}

/* A "Go" note of type 4 (NT_GO_BUILD_ID) in a PT_NOTE segment. */
static bool has_go_note(Elf *e, const GElf_Phdr *ph)
{
	Elf_Data *d = elf_getdata_rawchunk(e, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	if (!d)
		return false;
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	while (off < d->d_size && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0)
		if (nh.n_type == 4 && nh.n_namesz == 3 &&
		    !memcmp((const char *)d->d_buf + name_off, "Go", 3))
			return true;
	return false;
}

/* The sampler's own ELF class and machine: what LD_PRELOAD can load into. */
static void own_machine(int *cls, int *machine)
{
	static int c = -1, m = -1;
	if (c < 0) {
		int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		Elf *e = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
		GElf_Ehdr eh;
		if (e && gelf_getehdr(e, &eh)) {
			c = eh.e_ident[EI_CLASS];
			m = eh.e_machine;
		} else {
			c = m = 0;
		}
		if (e)
			elf_end(e);
		if (fd >= 0)
			close(fd);
	}
	*cls = c;
	*machine = m;
}

/* Classifies an ELF file; REC_UNKNOWN if it is not one. */
static rec_kind classify_elf(int fd, bool *go_dynamic)
{
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	rec_kind k = REC_UNKNOWN;
	size_t nph = 0, shstrndx;
	bool interp = false, go = false;

	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &nph) < 0)
		goto out;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			continue;
		if (ph.p_type == PT_INTERP)
			interp = true;
		else if (ph.p_type == PT_NOTE && !go)
			go = has_go_note(e, &ph);
	}
	if (!go && elf_getshdrstrndx(e, &shstrndx) == 0) {
		for (Elf_Scn *s = NULL; (s = elf_nextscn(e, s));) {
			GElf_Shdr sh;
			const char *name;
			if (gelf_getshdr(s, &sh) && (name = elf_strptr(e, shstrndx, sh.sh_name)) &&
			    (!strcmp(name, ".go.buildinfo") || !strcmp(name, ".note.go.buildid"))) {
				go = true;
				break;
			}
		}
	}
	int cls, machine;
	own_machine(&cls, &machine);
	if (cls && (eh.e_ident[EI_CLASS] != cls || eh.e_machine != machine))
		k = REC_FOREIGN;
	else if (go)
		k = REC_GO;
	else if (interp)
		k = REC_DYNAMIC;
	else
		k = eh.e_type == ET_DYN ? REC_STATIC_PIE : REC_STATIC;
	*go_dynamic = go && interp;
out:
	if (e)
		elf_end(e);
	return k;
}

/* The next blank-separated word at *p into word (advancing *p); false at
 * the end of the line or for a word longer than the buffer. */
static bool next_word(const char **p, char *word, size_t n)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	size_t len = strcspn(*p, " \t\n");
	if (!len || len >= n)
		return false;
	snprintf(word, n, "%.*s", (int)len, *p);
	*p += len;
	return true;
}

/* The interpreter a "#!" line names, into out ("" if none): the first word;
 * for /usr/bin/env, the first argument that is not an option, through PATH. */
static void shebang(const char *line, char *out, size_t n)
{
	char word[PATH_MAX];
	const char *p = line;

	*out = 0;
	if (!next_word(&p, word, sizeof(word)))
		return;
	const char *base = strrchr(word, '/');
	if (strcmp(base ? base + 1 : word, "env")) {
		snprintf(out, n, "%s", word);
		return;
	}
	do {
		if (!next_word(&p, word, sizeof(word)))
			return;
	} while (word[0] == '-' || strchr(word, '='));
	if (!resolve(word, out, n))
		*out = 0;
}

void rec_inspect(const char *cmd, rec_target *t)
{
	char path[PATH_MAX];

	memset(t, 0, sizeof(*t));
	t->kind = REC_UNKNOWN;
	if (!resolve(cmd, path, sizeof(path)))
		return;
	elf_version(EV_CURRENT);
	for (int depth = 0; depth < 5; depth++) {
		char head[512];
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return;
		ssize_t got = pread(fd, head, sizeof(head) - 1, 0);
		if (got >= 2 && head[0] == '#' && head[1] == '!') {
			close(fd);
			head[got] = 0;
			if (!t->script[0])
				snprintf(t->script, sizeof(t->script), "%s", path);
			char interp[PATH_MAX];
			shebang(head + 2, interp, sizeof(interp));
			if (!interp[0])
				return;
			snprintf(path, sizeof(path), "%s", interp);
			continue;
		}
		snprintf(t->path, sizeof(t->path), "%s", path);
		t->kind = got >= 4 && !memcmp(head, ELFMAG, SELFMAG) ? classify_elf(fd, &t->go_dynamic)
								     : REC_UNKNOWN;
		close(fd);
		return;
	}
}

/* What t's program is, for the note that the kernel sampler records it. */
static const char *kind_name(const rec_target *t)
{
	switch (t->kind) {
	case REC_STATIC:
		return "is statically linked";
	case REC_STATIC_PIE:
		return "is a static-pie program";
	case REC_GO:
		return "is a Go program";
	default:
		return "is built for another machine or word size";
	}
}

/* Why the preloaded sampler cannot enter t's program, or NULL. */
static const char *cannot_preload(const rec_target *t)
{
	const char *why;
	switch (t->kind) {
	case REC_STATIC:
		why = "is statically linked (no program interpreter): LD_PRELOAD cannot load the "
		      "sampler into it";
		break;
	case REC_STATIC_PIE:
		why = "is a static-pie program (no program interpreter): LD_PRELOAD cannot load the "
		      "sampler into it";
		break;
	case REC_GO:
		why = t->go_dynamic
			? "is a Go program (linked with cgo): Go's runtime owns SIGPROF and its "
			  "threads, so the preloaded sampler cannot record it safely"
			: "is a Go program, statically linked: LD_PRELOAD cannot load the sampler "
			  "into it, and Go's runtime owns SIGPROF and its threads";
		break;
	case REC_FOREIGN:
		why = "is built for another machine or word size than the sampler: the loader "
		      "cannot preload it";
		break;
	default:
		return NULL;
	}
	return why;
}

bool rec_refusal(const rec_target *t, const char *cmd, strbuf *sb)
{
	const char *why = cannot_preload(t);
	if (!why)
		return false;
	sb_addf(sb, "%s %s; nothing was run.\n", t->path, why);
	if (t->script[0])
		sb_addf(sb, "(%s is a script run by it)\n", t->script);
	if (t->kind == REC_GO)
		sb_adds(sb, "For Go, profile with runtime/pprof (pprof.StartCPUProfile, "
			    "go test -cpuprofile, net/http/pprof):\n"
			    "every cprof tool reads its output, e.g. cprof-top cpu.pprof, "
			    "cprof-html cpu.pprof -o report.html.\n");
	sb_addf(sb, "To sample it from outside the process, use the kernel sampler (the default for "
		    "such programs): cprof-record --sampler kernel -- %s\n",
		cmd);
	return true;
}

/* ---- the files of a run ------------------------------------------------- */

/* True when a live process pid has the file (dev, ino) mapped. */
static bool mapped_by(uint32_t pid, dev_t dev, ino_t ino)
{
	char name[64], line[PATH_MAX + 128];
	snprintf(name, sizeof(name), "/proc/%u/maps", pid);
	FILE *f = fopen(name, "re");
	bool hit = false;
	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long long inode;
		if (sscanf(line, "%*x-%*x %*s %*x %x:%x %llu", &maj, &min, &inode) == 3)
			hit = inode == (unsigned long long)ino && maj == major(dev) &&
			      min == minor(dev);
	}
	fclose(f);
	return hit;
}

/* Reads one candidate; 1 if it is a raw file of this run (filled in). The
 * file is read in chunks, not mapped: a writer that cuts it meanwhile makes
 * the read stop early (raw_next -1), never SIGBUS. */
static int read_one(const char *path, uint64_t since_ns, rec_file *rf)
{
	size_t n;
	cprof_err err;
	raw_reader r;
	raw_rec rec;
	struct stat st;
	int found = 0;
	size_t last_end = 0;
	uint64_t period_ns = 0;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	n = (size_t)st.st_size;
	memset(rf, 0, sizeof(*rf));
	if (raw_open_fd(&r, fd, n, 0, &err) < 0)
		goto out;
	while (raw_next(&r, &rec) == 1) {
		last_end = rec.offset + 8 + rec.body_len;
		if (rec.type == CPROF_RAW_INFO && !found) {
			raw_info_rec info;
			if (raw_info(&rec, &info, &err) < 0 || info.h.start_monotonic_ns < since_ns)
				goto out;
			found = 1;
			rf->pid = info.h.pid;
			period_ns = info.h.period_ns;
			rf->wall = info.h.mode == CPROF_MODE_WALL;
			rf->start_ns = rf->end_ns = info.h.start_monotonic_ns;
			strbuf c = STRBUF_INIT;
			const char *s = info.cmdline_len ? info.cmdline : info.exe;
			size_t sl = info.cmdline_len ? info.cmdline_len : info.exe_len;
			for (size_t i = 0; i < sl; i++)
				sb_addc(&c, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
			rf->command = sb_detach(&c, NULL);
		} else if (!found) {
			goto out; /* INFO comes first in every raw file */
		} else if (rec.type == CPROF_RAW_SAMPLE) {
			raw_sample_rec s;
			if (raw_sample(&rec, &s, NULL) < 0)
				continue;
			rf->samples++;
			rf->cpu_ns += (int64_t)s.h.weight_ns;
			if (s.h.time_ns > rf->end_ns)
				rf->end_ns = s.h.time_ns;
		} else if (rec.type == CPROF_RAW_STACK_SAMPLE) {
			raw_stack_sample_rec s;
			if (raw_stack_sample(&rec, &s, NULL) < 0)
				continue;
			rf->samples++;
			rf->cpu_ns += (int64_t)(s.has_weight ? s.weight_ns : period_ns);
			if (s.h.time_ns > rf->end_ns)
				rf->end_ns = s.h.time_ns;
		} else if (rec.type == CPROF_RAW_END) {
			struct cprof_raw_end e;
			if (raw_end(&rec, &e, NULL) == 0) {
				rf->dropped = e.samples_dropped;
				if (e.time_ns > rf->end_ns)
					rf->end_ns = e.time_ns;
			}
		}
	}
	if (!found)
		goto out;
	rf->path = xstrdup(path);
	rf->live = r.zero_tail && mapped_by(rf->pid, st.st_dev, st.st_ino);
	strbuf sb = STRBUF_INIT;
	bool trim = r.zero_tail && !rf->live && last_end > 0 && last_end < n;
	if (rf->live) {
		sb_addf(&sb, "still being written by pid %u", rf->pid);
	} else {
		/* describe the file as it will be once trimmed */
		if (trim && !r.ended)
			sb_addf(&sb, "no END record (recording did not finish cleanly): read %llu "
				     "records", (unsigned long long)r.nrecords);
		else
			raw_describe_end(&r, &sb);
	}
	rf->problem = sb_detach(&sb, NULL);
	raw_close(&r);
	close(fd);
	if (trim && truncate(path, (off_t)last_end) == 0)
		rf->trimmed = n - last_end;
	return 1;
out:
	free(rf->command);
	rf->command = NULL;
	raw_close(&r);
	close(fd);
	return 0;
}

static int cmp_start(const void *a, const void *b)
{
	const rec_file *x = a, *y = b;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* "base", "base.<digits>" or "base.<digits>.<digits>" */
static bool run_name(const char *name, const char *base)
{
	size_t bl = strlen(base);
	if (strncmp(name, base, bl))
		return false;
	name += bl;
	for (int part = 0; *name; part++) {
		if (part == 2 || *name != '.' || !(name[1] >= '0' && name[1] <= '9'))
			return false;
		name++;
		while (*name >= '0' && *name <= '9')
			name++;
	}
	return true;
}

size_t rec_collect(const char *path, uint64_t since_ns, rec_file **files)
{
	char dir[PATH_MAX];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	rec_file *v = NULL;
	size_t n = 0, alloc = 0;
	DIR *dh;
	struct dirent *de;

	dir_of(path, dir, sizeof(dir));
	*files = NULL;
	if (!(dh = opendir(dir)))
		return 0;
	while ((de = readdir(dh))) {
		if (!run_name(de->d_name, base))
			continue;
		strbuf full = STRBUF_INIT;
		sb_addf(&full, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", de->d_name);
		ALLOC_GROW(v, n + 1, alloc);
		if (read_one(full.buf, since_ns, &v[n]))
			n++;
		sb_release(&full);
	}
	closedir(dh);
	if (n)
		qsort(v, n, sizeof(*v), cmp_start);
	*files = v;
	return n;
}

void rec_files_free(rec_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].command);
		free(files[i].problem);
	}
	free(files);
}

/* ---- the report after the run -------------------------------------------- */

/* "1.234 s" */
static void add_secs(strbuf *sb, int64_t ns)
{
	sb_addf(sb, "%.3f s", (double)ns / 1e9);
}

void rec_summary(const char *out, const rec_file *f, size_t n, strbuf *sb)
{
	uint64_t samples = 0, dropped = 0;
	int64_t cpu = 0;
	size_t with = 0;

	for (size_t i = 0; i < n; i++) {
		samples += f[i].samples;
		dropped += f[i].dropped;
		cpu += f[i].wall ? 0 : f[i].cpu_ns;
		with += f[i].samples > 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!f[i].samples && !f[i].live && n > 1)
			continue;
		sb_addf(sb, "%s: %llu samples (%llu dropped) in ", f[i].path,
			(unsigned long long)f[i].samples, (unsigned long long)f[i].dropped);
		add_secs(sb, (int64_t)(f[i].end_ns - f[i].start_ns));
		sb_addf(sb, ", pid %u (%s)", f[i].pid, f[i].command);
		if (*f[i].problem)
			sb_addf(sb, "; %s", f[i].problem);
		if (f[i].trimmed)
			sb_addf(sb, "; %llu bytes of zero padding cut off",
				(unsigned long long)f[i].trimmed);
		sb_addc(sb, '\n');
	}
	if (n > 1) {
		sb_addf(sb, "total: %llu samples (%llu dropped", (unsigned long long)samples,
			(unsigned long long)dropped);
		if (cpu) {
			sb_adds(sb, ", ");
			add_secs(sb, cpu);
			sb_adds(sb, " of CPU");
		}
		sb_addf(sb, ") in %zu file%s %s*", with, with == 1 ? "" : "s", out);
		if (n > with)
			sb_addf(sb, "; %zu more file%s without samples", n - with,
				n - with == 1 ? "" : "s");
		sb_addc(sb, '\n');
	}
}

bool rec_unseen_warning(const rec_file *f, size_t n, int64_t used_ns, uint64_t hz, strbuf *sb)
{
	int64_t got = 0;
	bool wall = false;
	for (size_t i = 0; i < n; i++) {
		got += f[i].cpu_ns;
		wall |= f[i].wall;
	}
	/* below 20 samples' worth of CPU, or 0.2 s, the gap is noise */
	int64_t floor_ns = (int64_t)(20 * 1e9 / (double)hz);
	if (wall || used_ns < 200000000 || used_ns < floor_ns || got >= used_ns / 2)
		return false;
	sb_addf(sb,
		"warning: the command used %.3f s of user CPU but the files hold %.3f s (%.0f%%): "
		"programs it ran were not recorded (static or Go programs, or programs that clear "
		"LD_PRELOAD: --sampler kernel records them)",
		(double)used_ns / 1e9, (double)got / 1e9, 100.0 * (double)got / (double)used_ns);
	return true;
}

/* ---- running the command ------------------------------------------------- */

static void say(const rec_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const rec_opts *o, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (o->say)
		o->say(o->say_ctx, sb.buf);
	sb_release(&sb);
}

/* Each line of text (the last '\n' optional) as one message. */
static void say_lines(const rec_opts *o, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		say(o, "%.*s", (int)n, text);
		text += n + (nl != NULL);
	}
}

const char *rec_find_library(char *buf, size_t n)
{
	char self[PATH_MAX - 32];
	const char *env = getenv("CPROF_LIB");
	ssize_t len;

	if (env && *env)
		return env;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, n, "%s/../lib/libcprof-sample.so", self);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	return "libcprof-sample.so";
}

/* The child the forwarded signals go to: a signal handler has no context
 * argument, so this one variable is the process's. */
static volatile pid_t rec_child;

/* SIGTERM and SIGHUP go to the command. SIGINT and SIGQUIT from the
 * terminal reach the command's process group by themselves (here they are
 * ignored, so that the recording outlives the command); sent to
 * cprof-record alone (kill), they are passed on too. */
static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	bool from_tty = (sig == SIGINT || sig == SIGQUIT) && si->si_code == SI_KERNEL;
	if (rec_child > 0 && !from_tty)
		kill(rec_child, sig);
}

static const int guarded[4] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };

static void guard_signals(struct sigaction old[4])
{
	struct sigaction fwd = { .sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO };
	for (int i = 0; i < 4; i++)
		sigaction(guarded[i], &fwd, &old[i]);
}

static void restore_signals(const struct sigaction old[4])
{
	for (int i = 0; i < 4; i++)
		sigaction(guarded[i], &old[i], NULL);
}

typedef struct rec_run {
	int status;      /* wait4's */
	struct rusage ru;
	int exec_errno;  /* why the command did not start, or 0 */
} rec_run;

/* In the child: the sampler's settings (preload: NULL for the kernel
 * sampler, which needs none), then the command. With go >= 0, the exec
 * waits until the parent writes a byte to it (its events are open then);
 * EOF instead means the parent gave up: nothing is run. An exec error goes
 * back through the close-on-exec pipe fd (nothing is printed here). */
static void exec_child(const rec_opts *o, const char *outabs, const char *preload, int fd, int go)
{
	char num[24];
	for (int i = 0; i < 4; i++)
		signal(guarded[i], SIG_DFL);
	if (go >= 0) {
		ssize_t k;
		while ((k = read(go, num, 1)) < 0 && errno == EINTR)
			;
		if (k != 1)
			_exit(127);
	}
	if (preload) {
		setenv("LD_PRELOAD", preload, 1);
		setenv("CPROF_OUT", outabs, 1);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)o->hz);
		setenv("CPROF_HZ", num, 1);
		if (o->mode)
			setenv("CPROF_MODE", o->mode, 1);
		if (o->unwind)
			setenv("CPROF_UNWIND", strcmp(o->unwind, "fp") ? "libunwind" : "fp", 1);
		if (o->max_depth) {
			snprintf(num, sizeof(num), "%llu", (unsigned long long)o->max_depth);
			setenv("CPROF_MAX_DEPTH", num, 1);
		}
		unsetenv("CPROF_ROOT_PID");
	}
	execvp(o->argv[0], o->argv);
	int e = errno;
	if (write(fd, &e, sizeof(e)) != (ssize_t)sizeof(e)) {
		/* the parent then sees a plain exit status */
	}
	_exit(e == ENOENT ? 127 : 126);
}

/* Reaps the command (rusage of it and of the descendants it waited for)
 * and reads why its exec failed, if it did; -1 (said) on a wait error. */
static int reap(const rec_opts *o, int errfd, rec_run *r)
{
	int rc = 0;
	while (wait4(rec_child, &r->status, 0, &r->ru) < 0) {
		if (errno != EINTR) {
			say(o, "waitpid: %s", strerror(errno));
			rc = -1;
			break;
		}
	}
	r->exec_errno = 0;
	while (read(errfd, &r->exec_errno, sizeof(r->exec_errno)) < 0 && errno == EINTR)
		;
	return rc;
}

/* Runs the command with the sampler preloaded and waits for it (see
 * forward_signal). -1 (said) when it cannot be started at all. */
static int run_command(const rec_opts *o, const char *outabs, const char *preload, rec_run *r)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		say(o, "pipe: %s", strerror(errno));
		return -1;
	}
	struct sigaction old[4];
	guard_signals(old);
	int rc = 0;
	rec_child = fork();
	if (rec_child == 0)
		exec_child(o, outabs, preload, pipefd[1], -1);
	close(pipefd[1]);
	if (rec_child < 0) {
		say(o, "fork: %s", strerror(errno));
		rc = -1;
	} else {
		rc = reap(o, pipefd[0], r);
	}
	close(pipefd[0]);
	rec_child = 0;
	restore_signals(old);
	return rc;
}

/* True once the command has ended (a zombie: not reaped yet). */
static bool child_ended(void)
{
	siginfo_t si = { 0 };
	return waitid(P_PID, (id_t)rec_child, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid;
}

/* The kernel sampler's run: the command is forked stopped before its exec,
 * its events are opened, then it runs while the buffers are drained into
 * the file, until it ends. 0: the command ran and *st says what the file
 * holds (all zero when its exec failed: no file then); 1 (said): it ran,
 * but the file could not be written; -1 (said): nothing was run. */
static int run_kernel(const rec_opts *o, const char *outabs, rec_run *r, prec_stats *st)
{
	int errp[2], gop[2];
	if (pipe2(errp, O_CLOEXEC) < 0) {
		say(o, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(gop, O_CLOEXEC) < 0) {
		say(o, "pipe: %s", strerror(errno));
		close(errp[0]);
		close(errp[1]);
		return -1;
	}
	struct sigaction old[4];
	guard_signals(old);
	int rc = -1;
	rec_child = fork();
	if (rec_child == 0) {
		close(gop[1]);
		exec_child(o, outabs, NULL, errp[1], gop[0]);
	}
	close(errp[1]);
	close(gop[0]);
	if (rec_child < 0) {
		say(o, "fork: %s", strerror(errno));
		close(gop[1]);
		goto out;
	}
	prec_opts po = PREC_OPTS_INIT;
	po.hz = o->hz;
	po.fp = o->unwind && !strcmp(o->unwind, "fp");
	po.max_depth = (uint32_t)o->max_depth;
	prec *pr;
	cprof_err err = { { 0 } };
	if (prec_open(&pr, rec_child, &po, outabs, &err) < 0) {
		close(gop[1]); /* EOF: the child exits without running anything */
		reap(o, errp[0], r);
		say(o, "cannot record with the kernel sampler: %s; nothing was run", err.msg);
		goto out;
	}
	/* a pidfd turns readable when the command ends; without one (before
	 * Linux 5.3) the loop looks every 100 ms */
	int pidfd = (int)syscall(SYS_pidfd_open, rec_child, 0);
	if (write(gop[1], "g", 1) != 1) {
		/* the child is gone: the loop sees it end */
	}
	close(gop[1]);
	bool failed = false;
	for (;;) {
		int k = prec_poll(pr, pidfd, pidfd >= 0 ? -1 : 100, &err);
		if (k < 0) {
			/* the disk is full, say: the command goes on unrecorded */
			say(o, "%s; recording stopped, the command goes on", err.msg);
			prec_abort(pr);
			failed = true;
			break;
		}
		if ((k == 1 || pidfd < 0) && child_ended())
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
	rc = 1;
	if (reap(o, errp[0], r) < 0) {
		if (!failed)
			prec_abort(pr);
		rc = -1;
		goto out;
	}
	if (failed)
		goto out;
	if (r->exec_errno) {
		prec_abort(pr); /* nothing ran: no file */
		memset(st, 0, sizeof(*st));
		rc = 0;
		goto out;
	}
	if (prec_finish(pr, st, &err) < 0) {
		say(o, "%s", err.msg);
		goto out;
	}
	rc = 0;
out:
	close(errp[0]);
	rec_child = 0;
	restore_signals(old);
	return rc;
}

/* The kernel sampler's summary: the file, then its processes with the
 * most samples. */
static void kernel_summary(const rec_opts *o, const prec_stats *st)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s: %llu samples (%llu lost) in ", o->output, (unsigned long long)st->samples,
		(unsigned long long)st->lost);
	add_secs(&sb, (int64_t)(st->last_ns - st->first_ns));
	sb_addf(&sb, ", %zu process%s (%zu with samples); perf.data from the kernel sampler, "
		     "%.1f MiB",
		st->nprocs, st->nprocs == 1 ? "" : "es", st->nprocs_sampled,
		(double)st->bytes / (1 << 20));
	say(o, "%s", sb.buf);
	size_t show = st->nprocs_sampled < 8 ? st->nprocs_sampled : 8;
	for (size_t i = 0; i < show && st->nprocs_sampled > 1; i++) {
		sb_reset(&sb);
		sb_addf(&sb, "  pid %u (%s): %llu samples", st->procs[i].pid, st->procs[i].comm,
			(unsigned long long)st->procs[i].samples);
		say(o, "%s", sb.buf);
	}
	if (st->nprocs_sampled > show)
		say(o, "  and %zu more processes with samples", st->nprocs_sampled - show);
	sb_release(&sb);
}

/* What cprof-record exits with after the command ran: its status, or
 * 128+N when a signal N killed it. */
static int exit_status(const rec_run *r)
{
	return WIFSIGNALED(r->status) ? 128 + WTERMSIG(r->status) : WEXITSTATUS(r->status);
}

/* After the run: the files, the summary, the warnings; the exit status. */
static int report(const rec_opts *o, const char *outabs, const char *lib, uint64_t t0,
		  const rec_run *r)
{
	int rc = exit_status(r);
	bool exec_failed = WIFEXITED(r->status) && WEXITSTATUS(r->status) >= 126;
	if (r->exec_errno)
		say(o, "%s: %s", o->argv[0], strerror(r->exec_errno));
	rec_file *files;
	size_t nfiles = rec_collect(outabs, t0, &files);
	strbuf sb = STRBUF_INIT;
	if (!nfiles && !exec_failed) {
		/* The truth, and a failure: nothing of the run was recorded. */
		say(o, "nothing was recorded: %s was not written, so no program the command ran "
		       "loaded %s (a static or Go program run by a script, a program that clears "
		       "LD_PRELOAD, or a library the loader refused: see its message above)",
		    o->output, lib);
		if (!rc)
			rc = 2;
	} else if (nfiles) {
		if (!o->quiet)
			rec_summary(o->output, files, nfiles, &sb);
		/* user CPU the command's processes used (those waited for)
		 * against what the files hold: a large gap is programs that ran
		 * unseen. User CPU only: the sampler's timer counts user mode
		 * (exclude_kernel), so a program that spends its time in system
		 * calls (find, du) is not one that ran unseen. */
		int64_t used = (int64_t)r->ru.ru_utime.tv_sec * 1000000000 +
			       (int64_t)r->ru.ru_utime.tv_usec * 1000;
		rec_unseen_warning(files, nfiles, used, o->hz, &sb);
		say_lines(o, sb.buf);
	}
	sb_release(&sb);
	rec_files_free(files, nfiles);
	return rc;
}

/* The kernel sampler's run and report: the command's status; 2 when the
 * command succeeded but its file could not be written, or recording could
 * not start. */
static int record_kernel(const rec_opts *o, const char *outabs)
{
	rec_run r;
	prec_stats st = { 0 };
	int k = run_kernel(o, outabs, &r, &st);
	if (k < 0)
		return 2;
	int rc = exit_status(&r);
	if (k > 0)
		return rc ? rc : 2;
	if (r.exec_errno)
		say(o, "%s: %s", o->argv[0], strerror(r.exec_errno));
	else if (!o->quiet)
		kernel_summary(o, &st);
	free(st.procs);
	return rc;
}

int rec_record(const rec_opts *o)
{
	strbuf outabs = STRBUF_INIT, why = STRBUF_INIT, preload = STRBUF_INIT;
	char libbuf[PATH_MAX + 64];
	int rc = 2;
	if (o->output[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			say(o, "getcwd: %s", strerror(errno));
			goto done;
		}
		sb_addf(&outabs, "%s/", cwd);
	}
	sb_adds(&outabs, o->output);
	/* Before the command runs: a recording that cannot be written must not
	 * cost the user the whole run, and a program the sampler cannot enter
	 * is said before it runs. */
	cprof_err err = { { 0 } };
	if (rec_check_output(outabs.buf, &err) < 0) {
		say(o, "cannot write %s: %s", o->output, err.msg);
		goto done;
	}
	rec_target tgt;
	rec_inspect(o->argv[0], &tgt);
	bool wall = o->mode && !strcmp(o->mode, "wall");
	bool kernel = o->sampler == REC_SAMPLER_KERNEL ||
		      (o->sampler == REC_SAMPLER_AUTO && cannot_preload(&tgt));
	if (kernel && wall) {
		say(o, "--mode wall needs the preloaded sampler: the kernel sampler takes samples "
		       "of CPU time only%s%s%s; nothing was run",
		    o->sampler == REC_SAMPLER_AUTO ? ", and " : "",
		    o->sampler == REC_SAMPLER_AUTO ? tgt.path : "",
		    o->sampler == REC_SAMPLER_AUTO ? " cannot be preloaded" : "");
		goto done;
	}
	if (kernel) {
		if (o->sampler == REC_SAMPLER_AUTO && !o->quiet)
			say(o, "%s %s: the preloaded sampler cannot enter it, so the kernel sampler "
			       "records it (--sampler kernel: a perf.data file)",
			    tgt.path, kind_name(&tgt));
		rc = record_kernel(o, outabs.buf);
		goto done;
	}
	if (rec_refusal(&tgt, o->argv[0], &why)) {
		why.buf[--why.len] = 0; /* one message: the first line names the program */
		say(o, "%s", why.buf);
		goto done;
	}
	const char *lib = o->library ? o->library : rec_find_library(libbuf, sizeof(libbuf));
	const char *old = getenv("LD_PRELOAD");
	if (old && *old)
		sb_addf(&preload, "%s:", old);
	sb_adds(&preload, lib);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t t0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	rec_run r;
	if (run_command(o, outabs.buf, preload.buf, &r) == 0)
		rc = report(o, outabs.buf, lib, t0, &r);
done:
	sb_release(&outabs);
	sb_release(&why);
	sb_release(&preload);
	return rc;
}
