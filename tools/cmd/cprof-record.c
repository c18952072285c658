/*
 * cprof-record: runs a command under the cprof sampler (LD_PRELOAD of
 * libcprof-sample.so) and exits with the command's status.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rawfile.h"
#include "record.h"
#include "util.h"

static const char usage[] =
	"usage: cprof-record [-F HZ] [-o FILE] [--mode cpu|wall] [--unwind libunwind|fp]\n"
	"                    [--max-depth N] -- COMMAND [ARGS...]\n"
	"\n"
	"Runs COMMAND with the cprof sampler preloaded and records every thread's\n"
	"stacks into a raw file (see docs/raw-format.md). Exits with COMMAND's exit\n"
	"status (128+N if it was killed by signal N). An output path it cannot write\n"
	"is an error (exit 2) before anything runs.\n"
	"\n"
	"  -F, --frequency HZ   samples per second of CPU time per thread (default 100)\n"
	"  -o, --output FILE    the raw file (default cprof.out); a forked child writes\n"
	"                       FILE.<pid>, an exec'd image FILE.<pid> or FILE.<pid>.<n>\n"
	"      --mode MODE      cpu: sample threads as they use CPU time (default);\n"
	"                       wall: sample every thread at the rate, running or\n"
	"                       blocked (off-CPU samples are flagged)\n"
	"      --unwind U       libunwind (default, DWARF unwind info) or fp (frame\n"
	"                       pointers: faster, needs -fno-omit-frame-pointer)\n"
	"      --max-depth N    frames kept per sample, 1 to 1024 (default 256);\n"
	"                       deeper stacks are cut and flagged as truncated\n"
	"  -q, --quiet          no summary line at the end\n"
	"  -h, --help           this text\n"
	"\n"
	"The same settings work without cprof-record, as environment variables of\n"
	"a program run with LD_PRELOAD=libcprof-sample.so:\n"
	"  CPROF_OUT=FILE (recording starts only if set)  CPROF_HZ=HZ\n"
	"  CPROF_MODE=cpu|wall  CPROF_UNWIND=libunwind|fp  CPROF_MAX_DEPTH=N\n"
	"  CPROF_TIMER=perf|timer_create|setitimer (force a timer; default: the best)\n"
	"  CPROF_MAX_SIZE=BYTES (largest file, default 4 GiB; beyond: samples dropped)\n"
	"cprof-record finds libcprof-sample.so in ../lib next to itself, else in\n"
	"$CPROF_LIB or the loader's search path.\n"
	"\n"
	"example:\n"
	"  cprof-record -F 1000 -o abc.cprof -- ./abc 2 && cprof-raw abc.cprof\n";

static const char *find_library(char *buf, size_t n)
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

/* The recorded file's summary: "cprof-record: FILE: N samples (M dropped)". */
static void summarize(const char *path, time_t since)
{
	unsigned char *d;
	size_t n;
	cprof_err err;
	raw_reader r;
	raw_rec rec;
	uint64_t samples = 0, dropped = 0;
	char dir[PATH_MAX], *slash;
	const char *base;
	DIR *dh;
	struct dirent *de;
	int others = 0;

	if (read_file_all(path, (size_t)1 << 34, &d, &n, &err) < 0) {
		fprintf(stderr, "cprof-record: %s: %s\n", path, err.msg);
		return;
	}
	if (raw_open(&r, d, n, &err) < 0) {
		fprintf(stderr, "cprof-record: %s: %s\n", path, err.msg);
		free(d);
		return;
	}
	while (raw_next(&r, &rec) == 1) {
		struct cprof_raw_end e;
		if (rec.type == CPROF_RAW_SAMPLE)
			samples++;
		else if (rec.type == CPROF_RAW_END && raw_end(&rec, &e, NULL) == 0)
			dropped = e.samples_dropped;
	}
	strbuf sb = STRBUF_INIT;
	raw_describe_end(&r, &sb);
	fprintf(stderr, "cprof-record: %s: %llu samples (%llu dropped)%s%s\n", path,
		(unsigned long long)samples, (unsigned long long)dropped, sb.len ? "; " : "",
		sb.len ? sb.buf : "");
	sb_release(&sb);
	free(d);

	/* files of forked children and exec'd images */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		base = path + (slash - dir) + 1;
	} else {
		strcpy(dir, ".");
		base = path;
	}
	if (!(dh = opendir(dir)))
		return;
	while ((de = readdir(dh))) {
		struct stat st;
		char full[PATH_MAX + 256];
		size_t bl = strlen(base);
		if (strncmp(de->d_name, base, bl) || de->d_name[bl] != '.' ||
		    !(de->d_name[bl + 1] >= '0' && de->d_name[bl + 1] <= '9'))
			continue;
		snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
		if (stat(full, &st) == 0 && st.st_mtime >= since)
			others++;
	}
	closedir(dh);
	if (others)
		fprintf(stderr, "cprof-record: and %d more file%s %s.<pid>* from child processes\n",
			others, others > 1 ? "s" : "", path);
}

static pid_t child;

static void forward_signal(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"frequency", required_argument, NULL, 'F'},
		{"output", required_argument, NULL, 'o'},
		{"mode", required_argument, NULL, 'm'},
		{"unwind", required_argument, NULL, 'u'},
		{"max-depth", required_argument, NULL, 'd'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = "cprof.out", *mode = NULL, *unwind = NULL, *hz = "100", *depth = NULL;
	char libbuf[PATH_MAX + 64];
	strbuf outsb = STRBUF_INIT;
	const char *outabs;
	int c, quiet = 0, status;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "+F:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > 100000) {
				fprintf(stderr, "cprof-record: -F %s: want a rate from 1 to 100000\n", optarg);
				return 2;
			}
			hz = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "cpu") && strcmp(optarg, "wall")) {
				fprintf(stderr, "cprof-record: --mode %s: want cpu or wall\n", optarg);
				return 2;
			}
			mode = optarg;
			break;
		case 'u':
			if (strcmp(optarg, "libunwind") && strcmp(optarg, "fp")) {
				fprintf(stderr, "cprof-record: --unwind %s: want libunwind or fp\n", optarg);
				return 2;
			}
			unwind = optarg;
			break;
		case 'd':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > CPROF_RAW_MAX_FRAMES) {
				fprintf(stderr, "cprof-record: --max-depth %s: want a depth from 1 to %d\n",
					optarg, CPROF_RAW_MAX_FRAMES);
				return 2;
			}
			depth = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cprof-record: no command to run\n%s", usage);
		return 2;
	}
	if (out[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			fprintf(stderr, "cprof-record: getcwd: %s\n", strerror(errno));
			return 2;
		}
		sb_addf(&outsb, "%s/%s", cwd, out);
	} else {
		sb_adds(&outsb, out);
	}
	outabs = outsb.buf;
	/* Before the command runs: a recording that cannot be written must not
	 * cost the user the whole run. */
	cprof_err oerr;
	if (rec_check_output(outabs, &oerr) < 0) {
		fprintf(stderr, "cprof-record: cannot write %s: %s\n", out, oerr.msg);
		sb_release(&outsb);
		return 2;
	}

	const char *lib = find_library(libbuf, sizeof(libbuf));
	const char *old = getenv("LD_PRELOAD");
	strbuf pre = STRBUF_INIT;
	if (old && *old)
		sb_addf(&pre, "%s:", old);
	sb_adds(&pre, lib);

	time_t since = time(NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, forward_signal);
	signal(SIGHUP, forward_signal);
	child = fork();
	if (child < 0) {
		fprintf(stderr, "cprof-record: fork: %s\n", strerror(errno));
		sb_release(&pre);
		sb_release(&outsb);
		return 2;
	}
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		setenv("LD_PRELOAD", pre.buf, 1);
		setenv("CPROF_OUT", outabs, 1);
		setenv("CPROF_HZ", hz, 1);
		if (mode)
			setenv("CPROF_MODE", mode, 1);
		if (unwind)
			setenv("CPROF_UNWIND", unwind, 1);
		if (depth)
			setenv("CPROF_MAX_DEPTH", depth, 1);
		unsetenv("CPROF_ROOT_PID");
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "cprof-record: %s: %s\n", argv[optind], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	sb_release(&pre);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "cprof-record: waitpid: %s\n", strerror(errno));
			sb_release(&outsb);
			return 2;
		}
	}
	if (!quiet && access(outabs, F_OK) == 0)
		summarize(outabs, since);
	else if (!quiet && !(WIFEXITED(status) && WEXITSTATUS(status) >= 126))
		fprintf(stderr, "cprof-record: %s was not written (is %s loadable?)\n", out, lib);
	sb_release(&outsb);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
