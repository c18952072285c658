/*
 * aggregate-gen: writes synthetic raw files (include/cprof_rawfmt.h), for
 * the aggregation benchmark and for tests that need a recording before (or
 * without) the sampler.
 *
 *   aggregate-gen -n 10000000 [--stacks K] [--depth D] [--threads T]
 *                 [--format 1|2] -o big.cprof
 *       N samples over K distinct stacks of depth D in a fake mapping, T
 *       threads whose buffers drain in chunks (so the file is only roughly
 *       in time order, as a real one is).
 *   aggregate-gen --abc EXE [-n N] [--threads T] -o abc.cprof
 *       the story's program: EXE's functions main, A, B, C (found in its
 *       symbol table) in the 5:3:4 pattern A / A;C / B, one sample per 10 ms,
 *       mapped as a PIE at 0x555555554000 with EXE's real build-id, so the
 *       file symbolizes like a recording.
 *   --format 1 (the default) writes a version-1 file, every sample a SAMPLE
 *   record with its frames, as recorders wrote before version 2; --format 2
 *   writes what today's recorder writes: each distinct stack once as a
 *   STACK record, each sample a STACK_SAMPLE naming it.
 */
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests/unit/rawbuild.h"

#define PERIOD 10000000ULL
#define T0 5000000000ULL

static void die(const char *msg)
{
	fprintf(stderr, "aggregate-gen: %s\n", msg);
	exit(1);
}

static void flush(FILE *f, strbuf *sb)
{
	if (sb->len && fwrite(sb->buf, 1, sb->len, f) != sb->len)
		die("write error");
	sb_reset(sb);
}

/* ---- the symbol-table lookup for --abc ---------------------------------- */

typedef struct exe_info {
	uint64_t fn[4]; /* main, A, B, C: start */
	uint64_t sz[4];
	uint64_t seg_vaddr, seg_off, seg_size; /* executable PT_LOAD */
	unsigned char bid[64];
	size_t bidlen;
} exe_info;

static void read_exe(const char *path, exe_info *x)
{
	static const char *names[4] = { "main", "A", "B", "C" };
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die("cannot open the executable");
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		die("not an ELF file");
	memset(x, 0, sizeof(*x));
	size_t phnum;
	elf_getphdrnum(e, &phnum);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
			x->seg_vaddr = ph.p_vaddr & ~0xfffULL;
			x->seg_off = ph.p_offset & ~0xfffULL;
			x->seg_size = ph.p_memsz + (ph.p_vaddr & 0xfff);
		}
	}
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			size_t n = sh.sh_size / sh.sh_entsize;
			for (size_t i = 0; i < n; i++) {
				GElf_Sym s;
				gelf_getsym(d, (int)i, &s);
				const char *nm = elf_strptr(e, sh.sh_link, s.st_name);
				for (int k = 0; nm && k < 4; k++)
					if (!strcmp(nm, names[k]) && GELF_ST_TYPE(s.st_info) == STT_FUNC) {
						x->fn[k] = s.st_value;
						x->sz[k] = s.st_size;
					}
			}
		} else if (sh.sh_type == SHT_NOTE) {
			size_t off = 0, no, dof;
			GElf_Nhdr nh;
			while ((off = gelf_getnote(d, off, &nh, &no, &dof)) > 0)
				if (nh.n_type == NT_GNU_BUILD_ID && nh.n_descsz <= 64) {
					memcpy(x->bid, (char *)d->d_buf + dof, nh.n_descsz);
					x->bidlen = nh.n_descsz;
				}
		}
	}
	for (int k = 0; k < 4; k++)
		if (!x->fn[k] || x->sz[k] < 8)
			die("the executable lacks one of main, A, B, C in its symbol table");
	elf_end(e);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "stacks", required_argument, NULL, 's' }, { "depth", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' }, { "abc", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long n = 1000000, nstacks = 1000, depth = 16, nthreads = 4, format = 1;
	const char *out = NULL, *abc = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "n:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 's': nstacks = strtoull(optarg, NULL, 10); break;
		case 'd': depth = strtoull(optarg, NULL, 10); break;
		case 't': nthreads = strtoull(optarg, NULL, 10); break;
		case 'a': abc = optarg; break;
		case 'f': format = strtoull(optarg, NULL, 10); break;
		case 'o': out = optarg; break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: aggregate-gen [-n N] [--stacks K] [--depth D] [--threads T] "
				"[--abc EXE] [--format 1|2] -o FILE\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (!out || !nstacks || !nthreads || depth < 1 || depth > CPROF_RAW_MAX_FRAMES ||
	    (format != 1 && format != 2))
		die("need -o FILE, and sane --stacks/--depth/--threads/--format");
	FILE *f = fopen(out, "wb");
	if (!f)
		die("cannot create the output");
	strbuf sb = STRBUF_INIT;
	rb_header_v(&sb, (uint16_t)format);
	/* --format 2: which stacks have their STACK record (ids: key + 1) */
	unsigned char *defined = xcalloc(abc ? 6 : nstacks, 1);
	const char *exe = abc ? abc : "/nonexistent/bench-app";
	rb_info(&sb, PERIOD, T0, CPROF_MODE_CPU, exe, exe, strlen(exe));
	const uint64_t base = 0x555555554000ULL;
	exe_info x;
	if (abc) {
		read_exe(abc, &x);
		rb_mapping(&sb, T0, base + x.seg_vaddr, base + x.seg_vaddr + x.seg_size, x.seg_off,
			   x.bid, x.bidlen, abc);
	} else {
		rb_mapping(&sb, T0, base, base + 0x1000000, 0, (const unsigned char *)"\x01\x02", 2,
			   exe);
	}
	for (unsigned t = 0; t < nthreads; t++) {
		char name[32];
		snprintf(name, sizeof(name), t ? "worker-%u" : "main", t % 100000);
		rb_thread(&sb, T0, 1000 + t, abc && !t ? "abc" : name);
	}
	static const char *const kv[] = { "endpoint", "/users" };
	rb_labelset(&sb, 1, kv, 1);
	flush(f, &sb);

	/* Threads drain in chunks of 64 samples: thread t's chunk k covers
	 * samples [k*64*T + t .. step T), written one chunk after another. */
	uint64_t frames[CPROF_RAW_MAX_FRAMES];
	uint64_t x64 = 88172645463325252ULL;
	const unsigned chunk = 64;
	unsigned long long per_round = (unsigned long long)chunk * nthreads;
	for (unsigned long long r0 = 0; r0 < n; r0 += per_round) {
		for (unsigned t = 0; t < nthreads; t++) {
			for (unsigned long long i = r0 + t; i < r0 + per_round && i < n; i += nthreads) {
				uint16_t nf;
				uint32_t ls = 0;
				unsigned long long key;
				if (abc) {
					/* 5:3:4 of A / A;C / B, in a 12-sample cycle */
					unsigned ph = (unsigned)((i / nthreads) % 12);
					uint64_t a0 = base + x.fn[1], b0 = base + x.fn[2];
					uint64_t c0 = base + x.fn[3], m0 = base + x.fn[0];
					uint64_t mid_m = m0 + x.sz[0] / 2, mid_a = a0 + x.sz[1] / 2;
					key = ph < 5 ? ph % 4 : ph < 8 ? 4 : 5;
					if (ph < 5) {
						frames[0] = a0 + 4 + ph % 4;
						frames[1] = mid_m;
						nf = 2;
					} else if (ph < 8) {
						frames[0] = c0 + 4;
						frames[1] = mid_a;
						frames[2] = mid_m;
						nf = 3;
					} else {
						frames[0] = b0 + 4;
						frames[1] = mid_m + 1;
						nf = 2;
					}
				} else {
					x64 ^= x64 << 13;
					x64 ^= x64 >> 7;
					x64 ^= x64 << 17;
					unsigned long long s = x64 % nstacks;
					key = s;
					/* stack s: a deterministic path of depth D */
					uint64_t h = s * 0x9E3779B97F4A7C15ULL + 1;
					for (unsigned long long d = 0; d < depth; d++) {
						h ^= h >> 29;
						h *= 0xBF58476D1CE4E5B9ULL;
						frames[d] = base + 0x1000 + (h % 0xff0000);
					}
					nf = (uint16_t)depth;
					ls = (s % 8 == 0) ? 1 : 0;
				}
				uint64_t when = T0 + i * PERIOD / nthreads;
				if (format == 1) {
					rb_sample(&sb, when, 1000 + t, PERIOD, ls, 0, frames, nf);
				} else {
					if (!defined[key]) {
						rb_stack(&sb, (uint32_t)key + 1, 0, frames, nf);
						defined[key] = 1;
					}
					rb_stack_sample(&sb, when, 1000 + t, (uint32_t)key + 1, PERIOD,
							PERIOD, ls, 0);
				}
				if (sb.len > (1 << 20))
					flush(f, &sb);
			}
		}
	}
	rb_end(&sb, T0 + n * PERIOD / nthreads + PERIOD, n, 0);
	flush(f, &sb);
	if (fclose(f) != 0)
		die("write error");
	sb_release(&sb);
	free(defined);
	return 0;
}
