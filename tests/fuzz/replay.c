/*
 * replay: runs a fuzz target's LLVMFuzzerTestOneInput over files, without
 * libFuzzer, so the regression inputs (tests/fuzz/regress/NAME/) and the
 * seeds replay in every build, sanitizers included.
 *   replay [--prefixes] FILE|DIR...
 * prints "replayed N inputs"; a crash is a failure. --prefixes replays
 * every prefix of each file too (a file cut at every offset), and for a
 * gzipped file every prefix of the data inside it, gzipped again.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gzip.h"
#include "util.h"

static int prefixes;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	unsigned char *d = NULL;
	size_t n = 0;
	cprof_err err;
	if (read_file_all(path, (size_t)1 << 30, &d, &n, &err) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, err.msg);
		return -1;
	}
	/* an exact-size copy, so ASan sees any read past the end */
	size_t first = prefixes ? 0 : n;
	for (size_t len = first; len <= n; len++) {
		unsigned char *copy = malloc(len ? len : 1);
		if (len)
			memcpy(copy, d, len);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
	}
	unsigned char *in = NULL;
	size_t inn = 0;
	if (prefixes && gz_is_gzip(d, n) && gz_inflate(d, n, (size_t)64 << 20, &in, &inn, &err) == 0) {
		for (size_t len = 0; len < inn; len++) {
			strbuf gz = STRBUF_INIT;
			if (gz_deflate(in, len, &gz, &err) == 0) {
				unsigned char *copy = malloc(gz.len);
				memcpy(copy, gz.buf, gz.len);
				LLVMFuzzerTestOneInput(copy, gz.len);
				free(copy);
			}
			sb_release(&gz);
		}
		free(in);
	}
	free(d);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--prefixes") == 0) {
			prefixes = 1;
			continue;
		}
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: no such file\n", argv[i]);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= replay_file(argv[i]) != 0;
			count++;
			continue;
		}
		DIR *dir = opendir(argv[i]);
		if (!dir) {
			bad = 1;
			continue;
		}
		char **names = NULL;
		size_t nn = 0, alloc = 0;
		struct dirent *e;
		while ((e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			ALLOC_GROW(names, nn + 1, alloc);
			names[nn++] = xstrdup(e->d_name);
		}
		closedir(dir);
		qsort(names, nn, sizeof(*names), cmp);
		for (size_t k = 0; k < nn; k++) {
			strbuf p = STRBUF_INIT;
			sb_addf(&p, "%s/%s", argv[i], names[k]);
			bad |= replay_file(p.buf) != 0;
			count++;
			sb_release(&p);
			free(names[k]);
		}
		free(names);
	}
	printf("replayed %zu inputs\n", count);
	return bad;
}
