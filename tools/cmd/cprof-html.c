/* cprof-html: one self-contained HTML report (or speedscope JSON) of any profile. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "html.h"
#include "speedscope.h"


static void usage(FILE *f)
{
	fprintf(f,
		"usage: cprof-html [options] IN... [-o report.html]\n"
		"Writes one self-contained HTML file (no server, no network needed): a timeline of\n"
		"every raw sample per thread, a flame graph, top and stack tables, all linked (a\n"
		"time range selected on the timeline re-aggregates the rest). pprof and folded\n"
		"input have no timestamps, so their report has the aggregated views only.\n"
		"  --title T           the report's title (default: the input names)\n"
		"  --speedscope        write speedscope's JSON file format instead of HTML\n"
		"  --value TYPE        speedscope weight: a sample type (cpu, wall, samples)\n"
		"  --no-symbolize      raw input: keep module+offset frames\n"
		"  --no-source         leave out the source lines of the source view (by default\n"
		"                      the lines around each sampled line are embedded, read from\n"
		"                      the files the debug info names, where they exist here)\n"
		"%s"
		"Example:\n"
		"  cprof-record -o abc.cprof ./abc && cprof-html abc.cprof -o abc.html\n",
		cli_help_common);
}

int main(int argc, char **argv)
{
	cli_init("cprof-html");
	enum { OPT_TITLE = 256, OPT_SPEEDSCOPE, OPT_VALUE, OPT_NOSYM, OPT_NOSOURCE };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "speedscope", no_argument, NULL, OPT_SPEEDSCOPE },
		{ "value", required_argument, NULL, OPT_VALUE },
		{ "no-symbolize", no_argument, NULL, OPT_NOSYM },
		{ "no-source", no_argument, NULL, OPT_NOSOURCE },
		{ "help", no_argument, NULL, 'h' },
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *title = NULL, *value = NULL;
	int speedscope = 0;
	bool no_source = false;
	prof_read_opts ro = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		int r = cli_read_opt(c, optarg, &ro);
		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		switch (c) {
		case 'o': out = optarg; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_SPEEDSCOPE: speedscope = 1; break;
		case OPT_VALUE: value = optarg; break;
		case OPT_NOSYM: ro.no_symbolize = true; break;
		case OPT_NOSOURCE: no_source = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (cli_no_inputs(argc, optind))
		return 2;
	profile *p = cli_read_inputs(argv + optind, argc - optind, &ro);
	if (!p)
		return 1;
	strbuf t = STRBUF_INIT;
	if (title) {
		sb_adds(&t, title);
	} else {
		for (int i = optind; i < argc; i++) {
			const char *b = strrchr(argv[i], '/');
			sb_addf(&t, "%s%s", i > optind ? " + " : "", strcmp(argv[i], "-") ? (b ? b + 1 : argv[i]) : "stdin");
		}
	}
	strbuf doc = STRBUF_INIT;
	cprof_err err;
	int rc;
	if (speedscope) {
		speedscope_opts so = { t.buf, PROF_NONE };
		if (value && (so.value = cli_find_value(p, value)) == PROF_NONE) {
			rc = 1; /* as every tool: the profile has no such type */
			goto done;
		}
		rc = speedscope_write(p, &so, &doc, &err);
	} else {
		html_opts ho = { .title = t.buf, .no_source = no_source };
		rc = html_write(p, &ho, &doc, &err);
	}
	if (rc < 0) {
		cli_error(optind + 1 == argc ? argv[optind] : NULL, "%s", err.msg);
		rc = 1;
	} else {
		rc = cli_write(out, doc.buf, doc.len);
	}
done:
	sb_release(&doc);
	sb_release(&t);
	prof_free(p);
	return rc;
}
