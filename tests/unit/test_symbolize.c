/* Unit tests of the symbolizer on a program compiled here, at test time,
 * with -O2 and always_inline functions: it runs once, prints where its code
 * is mapped, its build-id and a return address inside two levels of inlined
 * code; the test builds a raw file from that and checks the inline chain,
 * the lines (call sites, thanks to the address-1 adjustment), a stripped
 * copy with a separate debug file (next to it via .gnu_debuglink, and by
 * build-id under debug_dir), build-id mismatch and missing file warnings,
 * one lookup per distinct address, sessions and the cache file, demangling,
 * and every frame of ~2000 addresses of a C++ program (templates, lambdas,
 * inlined code, -O2 -g) against eu-addr2line -i -f -C and addr2line -i -f
 * -C run on the same addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gelf.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "rawread.h"
#include "reader.h"
#include "symbolize.h"
#include "vdso.h"
#include "rawbuild.h"

static const char prog_src[] =
	"#define _GNU_SOURCE\n"
	"#include <elf.h>\n"
	"#include <link.h>\n"
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"static void *ra;\n"
	"__attribute__((noinline)) void probe(void) { ra = __builtin_return_address(0); __asm__ volatile(\"\"); }\n"
	"static inline __attribute__((always_inline)) void inner(void) {\n"
	"\tprobe(); /*L_INNER*/\n"
	"}\n"
	"static inline __attribute__((always_inline)) void mid(void) {\n"
	"\tinner(); /*L_MID*/\n"
	"}\n"
	"__attribute__((noinline)) void outer(void) {\n"
	"\tmid(); /*L_OUTER*/\n"
	"\t__asm__ volatile(\"\");\n"
	"}\n"
	"static int bid(struct dl_phdr_info *info, size_t size, void *data) {\n"
	"\t(void)size; (void)data;\n"
	"\tif (info->dlpi_name[0]) return 0;\n"
	"\tfor (int i = 0; i < info->dlpi_phnum; i++) {\n"
	"\t\tconst ElfW(Phdr) *ph = &info->dlpi_phdr[i];\n"
	"\t\tif (ph->p_type != PT_NOTE) continue;\n"
	"\t\tconst unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;\n"
	"\t\twhile (p + 12 <= end) {\n"
	"\t\t\tconst ElfW(Nhdr) *n = (const void *)p;\n"
	"\t\t\tconst unsigned char *desc = p + 12 + ((n->n_namesz + 3) & ~3u);\n"
	"\t\t\tif (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(p + 12, \"GNU\", 4)) {\n"
	"\t\t\t\tfor (unsigned j = 0; j < n->n_descsz; j++) printf(\"%02x\", desc[j]);\n"
	"\t\t\t\treturn 1;\n"
	"\t\t\t}\n"
	"\t\t\tp = desc + ((n->n_descsz + 3) & ~3u);\n"
	"\t\t}\n"
	"\t}\n"
	"\treturn 0;\n"
	"}\n"
	"int main(void) {\n"
	"\touter();\n"
	"\tunsigned long a = (unsigned long)ra;\n"
	"\tFILE *f = fopen(\"/proc/self/maps\", \"r\");\n"
	"\tchar line[4096];\n"
	"\twhile (f && fgets(line, sizeof line, f)) {\n"
	"\t\tunsigned long s, e, off; char perms[8]; char path[4096] = \"\";\n"
	"\t\tif (sscanf(line, \"%lx-%lx %7s %lx %*s %*s %4095s\", &s, &e, perms, &off, path) >= 4 && a >= s && a < e)\n"
	"\t\t\tprintf(\"%lx %lx %lx %lx %lx \", a, (unsigned long)(void *)probe, s, e, off);\n"
	"\t}\n"
	"\tdl_iterate_phdr(bid, NULL);\n"
	"\tprintf(\"\\n\");\n"
	"\treturn 0;\n"
	"}\n";

typedef struct fixture {
	char dir[64];
	char prog[128];
	uint64_t ra, probe, start, limit, offset;
	unsigned char bid[64];
	size_t bidlen;
	char bidhex[130];
	int l_inner, l_mid, l_outer;
} fixture;

static fixture fx;

static int line_of(const char *marker)
{
	const char *m = strstr(prog_src, marker);
	int n = 1;
	for (const char *s = prog_src; s < m; s++)
		n += *s == '\n';
	return n;
}

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/cprof-sym-XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	char src[128];
	snprintf(src, sizeof(src), "%s/inl.c", fx.dir);
	snprintf(fx.prog, sizeof(fx.prog), "%s/inl", fx.dir);
	FILE *f = fopen(src, "w");
	if (!f)
		return -1;
	fputs(prog_src, f);
	fclose(f);
	if (sh("cc -O2 -g -fno-optimize-sibling-calls -Wl,--build-id -o %s %s", fx.prog, src))
		return -1;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "%s", fx.prog);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char hexid[130] = "";
	unsigned long v[5];
	int n = fscanf(p, "%lx %lx %lx %lx %lx %129s", &v[0], &v[1], &v[2], &v[3], &v[4], hexid);
	pclose(p);
	if (n != 6)
		return -1;
	fx.ra = v[0];
	fx.probe = v[1];
	fx.start = v[2];
	fx.limit = v[3];
	fx.offset = v[4];
	snprintf(fx.bidhex, sizeof(fx.bidhex), "%s", hexid);
	fx.bidlen = strlen(hexid) / 2;
	for (size_t i = 0; i < fx.bidlen; i++) {
		unsigned b;
		sscanf(hexid + 2 * i, "%2x", &b);
		fx.bid[i] = (unsigned char)b;
	}
	fx.l_inner = line_of("L_INNER");
	fx.l_mid = line_of("L_MID");
	fx.l_outer = line_of("L_OUTER");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", fx.dir);
	return 0;
}

typedef struct warns {
	strbuf all;
	int n;
} warns;

static void collect(void *ctx, const char *msg)
{
	warns *w = ctx;
	sb_adds(&w->all, msg);
	sb_addc(&w->all, '\n');
	w->n++;
}

/* A raw file with nsamples samples of the stack [probe (leaf), ra]. */
static void build(strbuf *sb, const char *path, const unsigned char *bid, size_t bidlen, int nsamples)
{
	rb_header(sb);
	rb_info(sb, 1000000, 1000, CPROF_MODE_CPU, path, "", 0);
	rb_mapping(sb, 1000, fx.start, fx.limit, fx.offset, bid, bidlen, path);
	uint64_t frames[] = { fx.probe, fx.ra };
	for (int i = 0; i < nsamples; i++)
		rb_sample(sb, 2000 + (uint64_t)i, 1, 1000000, 0, 0, frames, 2);
	rb_end(sb, 5000000, (uint64_t)nsamples, 0);
}

static profile *read_with(const strbuf *sb, const char *debug_dir, warns *w)
{
	prof_read_opts o = { 0 };
	o.debug_dir = debug_dir;
	o.warn = collect;
	o.warn_ctx = w;
	profile *p = prof_new();
	cprof_err err;
	assert_int_equal(rawread(p, (const unsigned char *)sb->buf, sb->len, &o, &err), 0);
	return p;
}

static const char *fname(const profile *p, const prof_frame *f)
{
	return f->function == PROF_NONE ? "?" : p->functions[f->function].name;
}

/* The stack must be: probe (leaf) <- inner <- mid <- outer, lines at the call sites. */
static void check_chain(const profile *p)
{
	assert_true(p->nsamples >= 1);
	prof_frame *fr = NULL;
	size_t alloc = 0;
	uint32_t n = prof_stack_frames(p, p->samples[0].stack, &fr, &alloc);
	assert_int_equal(n, 4);
	assert_string_equal(fname(p, &fr[0]), "probe");
	assert_false(fr[0].inlined);
	assert_string_equal(fname(p, &fr[1]), "inner");
	assert_true(fr[1].inlined);
	assert_int_equal(fr[1].line, fx.l_inner);
	assert_string_equal(fname(p, &fr[2]), "mid");
	assert_true(fr[2].inlined);
	assert_int_equal(fr[2].line, fx.l_mid);
	assert_string_equal(fname(p, &fr[3]), "outer");
	assert_false(fr[3].inlined);
	assert_int_equal(fr[3].line, fx.l_outer);
	/* the location keeps the original return address */
	assert_int_equal(p->locations[fr[1].location].address, fx.ra);
	assert_non_null(strstr(p->functions[fr[3].function].filename, "inl.c"));
	const prof_mapping *m = &p->mappings[0];
	assert_true(m->has_functions && m->has_filenames && m->has_line_numbers &&
		    m->has_inline_frames);
	free(fr);
}

static void test_inline_chain_and_call_sites(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	build(&sb, fx.prog, fx.bid, fx.bidlen, 1);
	warns w = { STRBUF_INIT, 0 };
	profile *p = read_with(&sb, NULL, &w);
	check_chain(p);
	assert_int_equal(w.n, 0);
	prof_free(p);
	sb_release(&sb);
	sb_release(&w.all);
}

static void test_each_address_resolved_once(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	build(&sb, fx.prog, fx.bid, fx.bidlen, 1000);
	prof_read_opts o = { 0 };
	o.no_symbolize = true;
	profile *p = prof_new();
	cprof_err err;
	assert_int_equal(rawread(p, (const unsigned char *)sb.buf, sb.len, &o, &err), 0);
	assert_int_equal(p->nsamples, 1000);
	assert_int_equal(p->nlocations, 2);
	assert_int_equal(p->locations[0].nlines, 0); /* not symbolized */
	sym_stats st;
	prof_read_opts nc = { 0 };
	nc.no_cache = true;
	sym_symbolize(p, NULL, &nc, &st);
	assert_int_equal(st.lookups, 2); /* 2000 frames, 2 distinct addresses */
	assert_int_equal(st.resolved, 2);
	assert_int_equal(st.files, 1);
	/* Looked up as a leaf (is_call NULL), the return address is the
	 * instruction after the call: no longer inside the inlined code. With
	 * rawread's address-1 it is (test_inline_chain_and_call_sites). */
	assert_int_equal(p->locations[1].address, fx.ra);
	assert_string_not_equal(p->functions[p->locations[1].lines[0].function].name, "inner");
	/* a second run has nothing left to do */
	sym_symbolize(p, NULL, &nc, &st);
	assert_int_equal(st.lookups, 0);
	prof_free(p);
	sb_release(&sb);
}

/* Reads the raw file in sb without symbolizing. */
static profile *read_unsymbolized(const strbuf *sb)
{
	prof_read_opts o = { 0 };
	o.no_symbolize = true;
	profile *p = prof_new();
	cprof_err err;
	assert_int_equal(rawread(p, (const unsigned char *)sb->buf, sb->len, &o, &err), 0);
	return p;
}

/* One session for several profiles: an address is resolved once however
 * many inputs have it; a new session finds it in the cache file; the
 * answers are the same every way. */
static void test_session_and_cache(void **state)
{
	(void)state;
	char cache[128];
	snprintf(cache, sizeof(cache), "%s/cache-session", fx.dir);
	char *prev = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
	setenv("XDG_CACHE_HOME", cache, 1);
	strbuf sb = STRBUF_INIT;
	build(&sb, fx.prog, fx.bid, fx.bidlen, 10);
	sym_stats st;
	prof_read_opts o = { 0 };
	o.sym = sym_session_new(NULL, true);
	profile *a = read_unsymbolized(&sb), *b = read_unsymbolized(&sb);
	sym_symbolize(a, NULL, &o, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.cached, 0);
	sym_symbolize(b, NULL, &o, &st);
	assert_int_equal(st.lookups, 0);
	assert_int_equal(st.cached, 2);
	assert_int_equal(st.resolved, 2);
	sym_session_free(o.sym); /* writes the cache file */

	o.sym = sym_session_new(NULL, true);
	profile *c = read_unsymbolized(&sb);
	sym_symbolize(c, NULL, &o, &st);
	assert_int_equal(st.lookups, 0);
	assert_int_equal(st.cached, 2);
	sym_session_free(o.sym);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(a->locations[i].nlines, c->locations[i].nlines);
		for (uint32_t k = 0; k < a->locations[i].nlines; k++) {
			const prof_line *x = &a->locations[i].lines[k], *y = &c->locations[i].lines[k];
			assert_int_equal(x->line, y->line);
			assert_string_equal(a->functions[x->function].name, c->functions[y->function].name);
			assert_string_equal(a->functions[x->function].filename,
					    c->functions[y->function].filename);
		}
	}

	/* a damaged cache file is ignored (looked up again, then rewritten) */
	assert_int_equal(sh("for f in %s/cprof/sym/*; do printf garbage > $f; done", cache), 0);
	o.sym = sym_session_new(NULL, true);
	profile *d = read_unsymbolized(&sb);
	sym_symbolize(d, NULL, &o, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(d->locations[1].nlines, a->locations[1].nlines);
	sym_session_free(o.sym);
	prof_free(a);
	prof_free(b);
	prof_free(c);
	prof_free(d);
	sb_release(&sb);
	if (prev)
		setenv("XDG_CACHE_HOME", prev, 1);
	else
		unsetenv("XDG_CACHE_HOME");
	free(prev);
}

static void test_stripped_with_debuglink(void **state)
{
	(void)state;
	char stripped[160];
	snprintf(stripped, sizeof(stripped), "%s/inl.stripped", fx.dir);
	assert_int_equal(sh("cd %s && objcopy --only-keep-debug inl inl.debug && "
			    "objcopy --strip-all --add-gnu-debuglink=inl.debug inl inl.stripped",
			    fx.dir),
			 0);
	strbuf sb = STRBUF_INIT;
	build(&sb, stripped, fx.bid, fx.bidlen, 1);
	warns w = { STRBUF_INIT, 0 };
	profile *p = read_with(&sb, NULL, &w);
	check_chain(p);
	prof_free(p);

	/* without the debug file, a stripped binary has no names at all */
	assert_int_equal(sh("mv %s/inl.debug %s/moved.debug", fx.dir, fx.dir), 0);
	p = read_with(&sb, NULL, &w);
	prof_frame *fr = NULL;
	size_t alloc = 0;
	uint32_t n = prof_stack_frames(p, p->samples[0].stack, &fr, &alloc);
	assert_int_equal(n, 2);
	assert_int_equal(fr[0].function, PROF_NONE);
	strbuf name = STRBUF_INIT;
	prof_frame_name(p, &fr[0], &name);
	assert_non_null(strstr(name.buf, "inl.stripped+0x"));
	prof_free(p);

	/* ... and finds it again by build-id under debug_dir */
	char bdir[256];
	snprintf(bdir, sizeof(bdir), "%s/dbg/.build-id/%.2s", fx.dir, fx.bidhex);
	assert_int_equal(sh("mkdir -p %s && mv %s/moved.debug %s/%s.debug", bdir, fx.dir, bdir,
			    fx.bidhex + 2),
			 0);
	char dbg[128];
	snprintf(dbg, sizeof(dbg), "%s/dbg", fx.dir);
	p = read_with(&sb, dbg, &w);
	check_chain(p);
	prof_free(p);
	free(fr);
	sb_release(&name);
	sb_release(&sb);
	sb_release(&w.all);
}

static void test_mismatch_and_missing_warn(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	build(&sb, fx.prog, (const unsigned char *)"\xde\xad\xbe\xef", 4, 3);
	warns w = { STRBUF_INIT, 0 };
	profile *p = read_with(&sb, NULL, &w);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.all.buf, "build-id mismatch (recorded deadbeef"));
	assert_non_null(strstr(w.all.buf, fx.bidhex));
	assert_int_equal(p->locations[0].nlines, 0);
	strbuf name = STRBUF_INIT;
	prof_location_name(p, 0, &name);
	char want[64];
	snprintf(want, sizeof(want), "inl+0x%llx",
		 (unsigned long long)(fx.probe - fx.start + fx.offset));
	assert_string_equal(name.buf, want);
	prof_free(p);

	sb_reset(&sb);
	sb_reset(&w.all);
	w.n = 0;
	build(&sb, "/nonexistent/libgone.so", fx.bid, fx.bidlen, 3);
	p = read_with(&sb, NULL, &w);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.all.buf, "/nonexistent/libgone.so: cannot open it"));
	assert_non_null(strstr(w.all.buf, "stay libgone.so+0xoffset"));
	assert_int_equal(p->mappings[0].has_functions, false);
	prof_free(p);
	sb_release(&name);
	sb_release(&sb);
	sb_release(&w.all);
}

/* The vdso has no file: the symbolizer reads this process's own vdso when
 * the recorded build-id matches (the same kernel) or none was recorded
 * (with a warning), else keeps [vdso]+0xoff. */
/* The GNU build-id in a note section's data, if there is one. */
static void note_build_id(Elf_Data *d, unsigned char bid[64], size_t *bidlen)
{
	size_t off = 0, no, dof;
	GElf_Nhdr nh;
	while ((off = gelf_getnote(d, off, &nh, &no, &dof)) > 0)
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_descsz <= 64) {
			memcpy(bid, (char *)d->d_buf + dof, nh.n_descsz);
			*bidlen = nh.n_descsz;
		}
}

static void test_vdso(void **state)
{
	(void)state;
	unsigned char *img = (unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (!img)
		skip();
	elf_version(EV_CURRENT);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	size_t size = (size_t)eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	Elf *e = elf_memory((char *)img, size);
	assert_non_null(e);
	uint64_t addr = 0;
	unsigned char bid[64];
	size_t bidlen = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		Elf_Data *d = elf_getdata(scn, NULL);
		if (sh.sh_type == SHT_DYNSYM) {
			for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
				GElf_Sym sym;
				gelf_getsym(d, (int)i, &sym);
				const char *nm = elf_strptr(e, sh.sh_link, sym.st_name);
				if (nm && !strcmp(nm, "__vdso_clock_gettime"))
					addr = (uint64_t)(uintptr_t)img + sym.st_value + 4;
			}
		} else if (sh.sh_type == SHT_NOTE) {
			note_build_id(d, bid, &bidlen);
		}
	}
	elf_end(e);
	if (!addr || !bidlen)
		skip();
	/* vdso_build_id (libdw's dwelf_elf_gnu_build_id over the image; the
	 * unwinder checks a recording's vdso with it) = libelf's note walk */
	char hexid[2 * sizeof bid + 1];
	for (size_t i = 0; i < bidlen; i++)
		snprintf(hexid + 2 * i, 3, "%02x", bid[i]);
	assert_string_equal(vdso_build_id(), hexid);
	uint64_t start = (uint64_t)(uintptr_t)img, limit = start + ((size + 4095) & ~4095ul);
	/* 0: the recorded build-id is this system's; 1: another; 2: none
	 * recorded (this system's is used, as perf report does, saying so) */
	for (int wrong = 0; wrong < 3; wrong++) {
		strbuf sb = STRBUF_INIT;
		rb_header(&sb);
		rb_info(&sb, 1000000, 1000, CPROF_MODE_CPU, "/bin/x", "", 0);
		if (wrong == 1)
			bid[0] ^= 0xff;
		rb_mapping(&sb, 1000, start, limit, 0, bid, wrong == 2 ? 0 : bidlen, "[vdso]");
		rb_sample(&sb, 2000, 1, 1000000, 0, 0, &addr, 1);
		rb_end(&sb, 3000, 1, 0);
		warns w = { STRBUF_INIT, 0 };
		profile *p = read_with(&sb, NULL, &w);
		strbuf name = STRBUF_INIT;
		prof_frame *fr = NULL;
		size_t alloc = 0;
		assert_int_equal(prof_stack_frames(p, p->samples[0].stack, &fr, &alloc), 1);
		prof_frame_name(p, &fr[0], &name);
		if (wrong == 2) {
			assert_non_null(strstr(name.buf, "clock_gettime"));
			assert_int_equal(w.n, 1);
			assert_non_null(strstr(w.all.buf, "[vdso]: no recorded build-id to check it against: "
							  "this system's vdso is used"));
		} else if (!wrong) {
			assert_non_null(strstr(name.buf, "clock_gettime"));
			assert_int_equal(w.n, 0);
		} else {
			char want[64];
			snprintf(want, sizeof(want), "[vdso]+0x%llx",
				 (unsigned long long)(addr - start));
			assert_string_equal(name.buf, want);
			assert_non_null(strstr(w.all.buf, "[vdso]: build-id mismatch"));
		}
		free(fr);
		sb_release(&name);
		prof_free(p);
		sb_release(&sb);
		sb_release(&w.all);
	}
}

/* A C++ program: names come out demangled, the mangled one is kept as the
 * system name. */
static const char cxx_src[] =
	"#include <cstdio>\n"
	"namespace shop { struct Cart { int n; __attribute__((noinline)) int total(int x); }; }\n"
	"int shop::Cart::total(int x) { for (int i = 0; i < x; i++) n += i; return n; }\n"
	"int main() {\n"
	"\tshop::Cart c{0};\n"
	"\tunsigned long a = (unsigned long)(void *)&shop::Cart::total;\n"
	"\tFILE *f = fopen(\"/proc/self/maps\", \"r\"); char line[4096];\n"
	"\twhile (f && fgets(line, sizeof line, f)) { unsigned long s, e, off; char perms[8];\n"
	"\t\tif (sscanf(line, \"%lx-%lx %7s %lx\", &s, &e, perms, &off) == 4 && a >= s && a < e)\n"
	"\t\t\tprintf(\"%lx %lx %lx %lx\\n\", a, s, e, off); }\n"
	"\treturn c.total(3) == 99;\n"
	"}\n";

static void test_cxx_demangled(void **state)
{
	(void)state;
	if (sh("command -v c++ >/dev/null"))
		skip();
	char src[128], bin[128];
	snprintf(src, sizeof(src), "%s/cart.cc", fx.dir);
	snprintf(bin, sizeof(bin), "%s/cart", fx.dir);
	FILE *f = fopen(src, "w");
	assert_non_null(f);
	fputs(cxx_src, f);
	fclose(f);
	/* -Wno-pmf-conversions: taking a member function's address as void * */
	assert_int_equal(sh("c++ -O1 -g -Wno-pmf-conversions -o %s %s", bin, src), 0);
	FILE *p = popen(bin, "r");
	assert_non_null(p);
	unsigned long a, st, en, off;
	assert_int_equal(fscanf(p, "%lx %lx %lx %lx", &a, &st, &en, &off), 4);
	pclose(p);
	strbuf sb = STRBUF_INIT;
	rb_header(&sb);
	rb_info(&sb, 1000000, 1000, CPROF_MODE_CPU, bin, "", 0);
	rb_mapping(&sb, 1000, st, en, off, NULL, 0, bin);
	uint64_t fr = a + 1;
	rb_sample(&sb, 2000, 1, 1000000, 0, 0, &fr, 1);
	rb_end(&sb, 3000, 1, 0);
	warns w = { STRBUF_INIT, 0 };
	profile *pr = read_with(&sb, NULL, &w);
	const prof_location *l = &pr->locations[0];
	assert_int_equal(l->nlines, 1);
	const prof_function *fn = &pr->functions[l->lines[0].function];
	assert_string_equal(fn->name, "shop::Cart::total(int)");
	assert_string_equal(fn->system_name, "_ZN4shop4Cart5totalEi");
	assert_non_null(strstr(fn->filename, "cart.cc"));
	assert_int_equal(fn->start_line, 3);
	prof_free(pr);
	sb_release(&sb);
	sb_release(&w.all);
}

static const char cxx_prog_src[] =
	"#include <algorithm>\n"
	"#include <functional>\n"
	"#include <map>\n"
	"#include <numeric>\n"
	"#include <string>\n"
	"#include <vector>\n"
	"namespace t {\n"
	"template <int N> struct K {\n"
	"\tstatic inline unsigned long mix(unsigned long x) { return (x ^ (x >> (N % 7 + 1))) * (2 * N + 1); }\n"
	"\ttemplate <typename C> static unsigned long run(C &c, unsigned long s) {\n"
	"\t\tstd::vector<unsigned long> v(16 + N);\n"
	"\t\tstd::generate(v.begin(), v.end(), [&] { return s = mix(s + N); });\n"
	"\t\tstd::sort(v.begin(), v.end(), [](unsigned long a, unsigned long b) { return mix(a) < mix(b); });\n"
	"\t\tc[v[0] % 13] += std::accumulate(v.begin(), v.end(), 0ul);\n"
	"\t\treturn s ^ std::to_string(v.back()).size() ^ K<N - 1>::run(c, s + 1);\n"
	"\t}\n"
	"};\n"
	"template <> struct K<0> { template <typename C> static unsigned long run(C &c, unsigned long s) { return c[s % 3] += s; } };\n"
	"}\n"
	"int main(int argc, char **argv) {\n"
	"\tstd::map<unsigned long, unsigned long> m;\n"
	"\tstd::function<unsigned long(unsigned long)> f = [&](unsigned long s) { return t::K<12>::run(m, s); };\n"
	"\treturn (int)(f((unsigned long)argc + (unsigned long)argv[0][0]) & 1);\n"
	"}\n";

/* A chain whose innermost function is unknown ("??", whatever line the
 * line table has) is "??\n0\n": the symbolizer then keeps no frame. */
static char *unknown(strbuf *cur)
{
	if (!strncmp(cur->buf, "??\n", 3)) {
		sb_reset(cur);
		sb_adds(cur, "??\n0\n");
	}
	return sb_detach(cur, NULL);
}

/* One address's frames, leaf first, as "function\nline\n" lines. */
/* Two chains ("name\nline\n" per frame) are the same when every line is,
 * except that our name may be the peer's qualified by its scopes: both
 * peers print a bare DWARF name ("__introsort_loop<...>") for an inlined
 * function without a linkage name, cprof "std::__introsort_loop<...>". */
static bool same_line(const char *ours, size_t a, const char *peer, size_t b)
{
	if (a == b && !memcmp(ours, peer, a))
		return true;
	return a > b + 2 && !memcmp(ours + a - b, peer, b) && !memcmp(ours + a - b - 2, "::", 2);
}

/* The same, line by line against either peer (addr2line names an inlined
 * frame by its symbol where eu-addr2line gives the bare DWARF name; cprof
 * may side with either, frame by frame). */
static bool same_chain(const char *ours, const char *eu, const char *bu)
{
	while (*ours && *eu && *bu) {
		size_t a = strcspn(ours, "\n"), e = strcspn(eu, "\n"), b = strcspn(bu, "\n");
		if (!same_line(ours, a, eu, e) && !same_line(ours, a, bu, b))
			return false;
		ours += a + (ours[a] == '\n');
		eu += e + (eu[e] == '\n');
		bu += b + (bu[b] == '\n');
	}
	return !*ours && !*eu && !*bu;
}

static void peer_chains(const char *cmd, char **out, size_t naddr)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char line[65536];
	strbuf cur = STRBUF_INIT;
	size_t k = 0;
	bool fn = true;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "0x", 2) && strspn(line + 2, "0123456789abcdef") == strlen(line + 2)) {
			if (cur.len && k < naddr)
				out[k++] = unknown(&cur);
			sb_reset(&cur);
			fn = true;
			continue;
		}
		if (fn) {
			/* eu-addr2line: "f inlined at file:line:col in caller" */
			char *in = strstr(line, " inlined at ");
			if (in)
				*in = 0;
			sb_addf(&cur, "%s\n", line);
		} else {
			/* file:line[:col][ (discriminator N)]: keep the line */
			char *d = strstr(line, " (discriminator");
			if (d)
				*d = 0;
			char *c = strrchr(line, ':');
			long a = c ? strtol(c + 1, NULL, 10) : 0;
			*c = 0;
			char *c2 = strrchr(line, ':');
			if (c2 && strspn(c2 + 1, "0123456789") == strlen(c2 + 1) && c2[1])
				a = strtol(c2 + 1, NULL, 10); /* eu-addr2line: file:line:col */
			sb_addf(&cur, "%ld\n", a);
		}
		fn = !fn;
	}
	if (cur.len && k < naddr)
		out[k++] = unknown(&cur);
	sb_release(&cur);
	pclose(p);
	assert_int_equal(k, naddr);
}

static void test_matches_addr2line(void **state)
{
	(void)state;
	if (sh("command -v g++ >/dev/null && command -v eu-addr2line >/dev/null && "
	       "command -v addr2line >/dev/null"))
		skip(); /* scripts/deps.sh test installs them */
	char exe[160];
	snprintf(exe, sizeof(exe), "%s/cxx", fx.dir);
	FILE *f;
	char src[160];
	snprintf(src, sizeof(src), "%s/cxx.cc", fx.dir);
	f = fopen(src, "w");
	assert_non_null(f);
	fputs(cxx_prog_src, f);
	fclose(f);
	assert_int_equal(sh("g++ -O2 -g -Wl,--build-id -o %s %s", exe, src), 0);

	/* the executable segment, the build-id, addresses spread over every
	 * function of the symbol table */
	elf_version(EV_CURRENT);
	int fd = open(exe, O_RDONLY);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	uint64_t seg_vaddr = 0, seg_off = 0, seg_size = 0;
	size_t phnum;
	elf_getphdrnum(e, &phnum);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
			seg_vaddr = ph.p_vaddr & ~0xfffULL;
			seg_off = ph.p_offset & ~0xfffULL;
			seg_size = ph.p_memsz + (ph.p_vaddr & 0xfff);
		}
	}
	unsigned char bid[64];
	size_t bidlen = 0;
	uint64_t *addrs = NULL;
	size_t naddr = 0, alloc = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr shd;
		gelf_getshdr(scn, &shd);
		Elf_Data *d = elf_getdata(scn, NULL);
		if (shd.sh_type == SHT_SYMTAB) {
			for (size_t i = 0; i < shd.sh_size / shd.sh_entsize; i++) {
				GElf_Sym sym;
				gelf_getsym(d, (int)i, &sym);
				if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_size ||
				    sym.st_value < seg_vaddr || sym.st_value >= seg_vaddr + seg_size)
					continue;
				uint64_t step = sym.st_size / 24 + 1;
				for (uint64_t a = sym.st_value; a < sym.st_value + sym.st_size; a += step) {
					ALLOC_GROW(addrs, naddr + 1, alloc);
					addrs[naddr++] = a;
				}
				/* and just past its end: padding or the next function */
				ALLOC_GROW(addrs, naddr + 1, alloc);
				addrs[naddr++] = sym.st_value + sym.st_size + 1;
			}
		} else if (shd.sh_type == SHT_NOTE) {
			note_build_id(d, bid, &bidlen);
		}
	}
	elf_end(e);
	close(fd);
	assert_true(naddr >= 1000);

	/* a raw file with one sample per address (a leaf: looked up as is),
	 * the executable mapped as a PIE */
	const uint64_t base = 0x555555554000ULL;
	strbuf sb = STRBUF_INIT;
	rb_header(&sb);
	rb_info(&sb, 1000000, 1000, CPROF_MODE_CPU, exe, "", 0);
	rb_mapping(&sb, 1000, base + seg_vaddr, base + seg_vaddr + seg_size, seg_off, bid, bidlen, exe);
	char list[160];
	snprintf(list, sizeof(list), "%s/addrs", fx.dir);
	f = fopen(list, "w");
	for (size_t i = 0; i < naddr; i++) {
		uint64_t a = base + addrs[i];
		rb_sample(&sb, 2000 + i, 1, 1000000, 0, 0, &a, 1);
		fprintf(f, "0x%llx\n", (unsigned long long)addrs[i]);
	}
	fclose(f);
	rb_end(&sb, 5000000 + naddr, naddr, 0);
	prof_read_opts o = { 0 };
	o.no_cache = true;
	profile *p = prof_new();
	cprof_err err;
	assert_int_equal(rawread(p, (const unsigned char *)sb.buf, sb.len, &o, &err), 0);
	assert_int_equal(p->nsamples, naddr);

	char **eu = xcalloc(naddr, sizeof(char *)), **bu = xcalloc(naddr, sizeof(char *));
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "eu-addr2line -a -i -f -C -e %s < %s", exe, list);
	peer_chains(cmd, eu, naddr);
	snprintf(cmd, sizeof(cmd), "addr2line -a -i -f -C -e %s < %s", exe, list);
	peer_chains(cmd, bu, naddr);
	size_t same_eu = 0, same_bu = 0, neither = 0, inl = 0;
	strbuf ours = STRBUF_INIT;
	for (size_t i = 0; i < naddr; i++) {
		const prof_location *l = &p->locations[p->stacks[p->samples[i].stack].locs[0]];
		sb_reset(&ours);
		for (uint32_t k = 0; k < l->nlines; k++)
			sb_addf(&ours, "%s\n%lld\n", p->functions[l->lines[k].function].name,
				(long long)l->lines[k].line);
		if (!l->nlines)
			sb_adds(&ours, "??\n0\n");
		inl += l->nlines > 1;
		bool e = same_chain(ours.buf, eu[i], eu[i]), b = same_chain(ours.buf, bu[i], bu[i]);
		if (!e && !b && same_chain(ours.buf, eu[i], bu[i]))
			e = b = true;
		same_eu += e;
		same_bu += b;
		if (!e && !b && neither++ < 3)
			print_message("# 0x%llx: ours\n%s# eu-addr2line\n%s# addr2line\n%s",
				      (unsigned long long)addrs[i], ours.buf, eu[i], bu[i]);
		free(eu[i]);
		free(bu[i]);
		eu[i] = bu[i] = NULL;
	}
	print_message("# %zu addresses (%zu with inlined frames): the same chain of functions and "
		      "lines as eu-addr2line for %zu, as addr2line for %zu, as neither for %zu\n",
		      naddr, inl, same_eu, same_bu, neither);
	assert_true(inl >= naddr / 4);
	assert_int_equal(neither, 0);

	/* Without DWARF the symbol table names the function: the same names
	 * as eu-addr2line (libdwfl's dwfl_module_addrinfo) for every address,
	 * in symbols, between them and past the last. */
	assert_int_equal(sh("objcopy --strip-debug %s", exe), 0);
	prof_free(p);
	p = prof_new();
	assert_int_equal(rawread(p, (const unsigned char *)sb.buf, sb.len, &o, &err), 0);
	snprintf(cmd, sizeof(cmd), "eu-addr2line -a -f -C -e %s < %s", exe, list);
	peer_chains(cmd, eu, naddr);
	same_eu = 0;
	for (size_t i = 0; i < naddr; i++) {
		const prof_location *l = &p->locations[p->stacks[p->samples[i].stack].locs[0]];
		sb_reset(&ours);
		if (l->nlines)
			sb_addf(&ours, "%s\n%lld\n", p->functions[l->lines[0].function].name,
				(long long)l->lines[0].line);
		else
			sb_adds(&ours, "??\n0\n");
		if (!strcmp(ours.buf, eu[i]))
			same_eu++;
		else if (i - same_eu < 3)
			print_message("# stripped 0x%llx: ours\n%s# eu-addr2line\n%s",
				      (unsigned long long)addrs[i], ours.buf, eu[i]);
		free(eu[i]);
	}
	assert_int_equal(same_eu, naddr);
	sb_release(&ours);
	free(eu);
	free(bu);
	free(addrs);
	prof_free(p);
	sb_release(&sb);
}

static void test_demangle(void **state)
{
	(void)state;
	char *d = sym_demangle("_ZN3foo3barEi");
	assert_non_null(d);
	assert_string_equal(d, "foo::bar(int)");
	free(d);
	assert_null(sym_demangle("main"));
	assert_null(sym_demangle("_Znot_really_mangled!"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_chain_and_call_sites),
		cmocka_unit_test(test_each_address_resolved_once),
		cmocka_unit_test(test_session_and_cache),
		cmocka_unit_test(test_stripped_with_debuglink),
		cmocka_unit_test(test_mismatch_and_missing_warn),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_cxx_demangled),
		cmocka_unit_test(test_matches_addr2line),
		cmocka_unit_test(test_demangle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
