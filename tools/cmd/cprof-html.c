/* cprof-html: one self-contained HTML report (or speedscope JSON) of any profile. */
#include <string.h>

#include "cli.h"
#include "html.h"
#include "speedscope.h"


static const cli_usage usage = {
	.name = "cprof-html",
	.synopsis = "cprof-html [options] IN... [-o report.html]",
	.about = "Writes one self-contained HTML file (no server, no network needed): a\n"
		 "timeline of every raw sample per thread, a flame graph, top and stack tables,\n"
		 "all linked (a time range selected on the timeline re-aggregates the rest).\n"
		 "pprof and folded input have no timestamps, so their report has the aggregated\n"
		 "views only.\n",
	.footer = "Example:\n"
		  "  cprof-record -o abc.cprof ./abc && cprof-html abc.cprof -o abc.html\n",
	.no_operand = CLI_NO_INPUT,
};

int main(int argc, char **argv)
{
	cli_args a = CLI_ARGS_INIT;
	html_opts ho = { 0 };
	speedscope_opts so = { NULL, PROF_NONE, NULL };
	bool speedscope = false;
	const cli_option opts[] = {
		CLI_OPT_STRING(0, "title", &ho.title, "T", "the report's title (default: the input names)"),
		CLI_OPT_BOOL(0, "speedscope", &speedscope,
			     "write speedscope's JSON file format instead of HTML"),
		CLI_OPT_VALUE(&a.value, "--speedscope's weight; default: the\n"
					"profile's default type (the report shows every type)"),
		CLI_OPT_BOOL(0, "no-source", &ho.no_source,
			     "leave out the source lines of the source view (by default\n"
			     "the lines around each sampled line are embedded, read from\n"
			     "the files the debug info names, where they exist here)"),
		CLI_OPTS_FILTER_OUT(&a.filter),
		CLI_OPTS_READ(&a.read),
		CLI_OPT_OUTPUT(&a.output),
		CLI_OPT_END(),
	};
	int first = cli_parse(argc, argv, opts, &usage);
	if (!speedscope)
		a.value = NULL; /* the report has every sample type */
	profile *p = cli_load(&a, argv + first, argc - first, &so.value);
	if (!p)
		return CLI_EXIT_INPUT;
	ho.mask = so.mask = a.mask;
	strbuf t = STRBUF_INIT;
	if (ho.title) {
		sb_adds(&t, ho.title);
	} else {
		for (int i = first; i < argc; i++) {
			const char *b = strrchr(argv[i], '/');
			sb_addf(&t, "%s%s", i > first ? " + " : "", strcmp(argv[i], "-") ? (b ? b + 1 : argv[i]) : "stdin");
		}
	}
	ho.title = so.name = t.buf;
	if (first + 1 < argc)
		a.file = NULL; /* an error is the merged profile's */
	strbuf doc = STRBUF_INIT;
	cprof_err err = { { 0 } };
	int r = speedscope ? speedscope_write(p, &so, &doc, &err) : html_write(p, &ho, &doc, &err);
	r = cli_finish(&a, r, &err, &doc);
	sb_release(&t);
	return r;
}
