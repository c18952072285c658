/* cprof-pprof: any profile(s) in, one gzipped pprof profile out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pprof.h"


static void usage(FILE *f)
{
	fprintf(f,
		"usage: cprof-pprof [options] IN... [-o OUT.pb.gz]\n"
		"Converts profiles to one gzipped pprof profile (what `go tool pprof` reads):\n"
		"sample types samples/count and cpu/nanoseconds (wall/nanoseconds in wall mode),\n"
		"samples grouped by (stack, labels), mappings with build-ids, functions with\n"
		"file and start line, locations with addresses and inlined lines. Several\n"
		"inputs merge into one profile; they must have the same sample types.\n"
		"%s"
		"  --thread-labels          label each sample with its thread: \"thread\" (name)\n"
		"                           and \"tid\" (numeric); groups by thread too\n"
		"  --no-symbolize           raw input: keep frames as module+0xoffset\n"
		"The output is binary: it is not written to a terminal.\n"
		"Example:\n"
		"  cprof-pprof out.cprof -o out.pb.gz && go tool pprof -top out.pb.gz\n",
		cli_help_common);
}

int main(int argc, char **argv)
{
	cli_init("cprof-pprof");
	enum { OPT_THREADS = CLI_OPT_FIRST_FREE, OPT_NOSYM };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "thread-labels", no_argument, NULL, OPT_THREADS },
		CLI_READ_LONGOPTS,
		{ "no-symbolize", no_argument, NULL, OPT_NOSYM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	pprof_write_opts wo = { 0 };
	prof_read_opts ro = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		int r = cli_read_opt(c, optarg, &ro);
		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_THREADS:
			wo.thread_labels = true;
			break;
		case OPT_NOSYM:
			ro.no_symbolize = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (cli_no_inputs(argc, optind))
		return 2;
	bool to_stdout = !out || strcmp(out, "-") == 0;
	if (to_stdout && isatty(STDOUT_FILENO)) {
		cli_error(NULL, "refusing to write binary pprof data to a terminal "
				      "(use -o FILE or redirect stdout)");
		return 2;
	}

	profile *p = cli_read_inputs(argv + optind, argc - optind, &ro);
	if (!p)
		return 1;
	strbuf gz = STRBUF_INIT;
	cprof_err err = { { 0 } };
	int rc = 0;
	if (pprof_write(p, &wo, &gz, &err) < 0) {
		cli_error(to_stdout ? "stdout" : out, "%s", err.msg);
		rc = 1;
	} else {
		rc = cli_write(out, gz.buf, gz.len);
	}
	sb_release(&gz);
	prof_free(p);
	return rc;
}
