/*
 * symbolize: addresses -> functions, files, lines and inline chains, with
 * elfutils libdw/libdwfl (contract in symbolize.h).
 *
 * One Dwfl session per distinct (file, build-id) and per sym_session, so a
 * module is opened once however many inputs refer to it, with the file
 * reported at bias 0: an address is first turned into a file offset with
 * the mapping (address - start + offset), then into the ELF's own virtual
 * address with the PT_LOAD segment holding that offset. That single rule
 * covers PIE executables, shared libraries at any load address, non-PIE
 * executables and a library dlopen'd at two addresses over time, and it
 * never depends on how the loader split the file into mappings.
 *
 * Each distinct ELF address is resolved once per session (symcache.h keeps
 * the answers, and the cache file keeps them across runs). Resolving uses
 * an index per compilation unit, built the first time an address falls in
 * that CU (as addr2line and llvm-symbolizer do): one walk over the CU's
 * DIEs that can hold code (the DIEs libdw's dwarf_getscopes descends:
 * subprograms, inlined subroutines, lexical and try/catch blocks, entry
 * points, and the namespaces and classes that may own them), keeping every
 * address range of those DIEs with its DIE and its enclosing scope, sorted
 * by start. An address is then a binary search for the last range that
 * starts at or before it, and a walk up the enclosing ranges to the first
 * that holds it: the innermost scope, the one dwarf_getscopes would find
 * first. The inline chain is that scope's nesting: the enclosing
 * subprograms and inlined subroutines, innermost first, up to the first
 * subprogram. The innermost frame's line is the line table's line for the
 * address; each outer frame's line is the DW_AT_call_line of the inlined
 * scope just inside it. That is what pprof calls Line entries, leaf first.
 *
 * Demangling: __cxa_demangle from libstdc++, looked up at run time with
 * dlopen/dlsym. libstdc++ is on every machine that has a C++ program to
 * profile, this keeps a C++ runtime out of every tool's link line, and
 * libiberty (the other option) is only shipped as a static archive that
 * is not built position-independent in every distribution. Without
 * libstdc++ names stay mangled, which is still correct, only less pleasant.
 */
#include "symbolize.h"

#include <dlfcn.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gopclntab.h"
#include "symcache.h"
#include "vdso.h"

#include <dwarf.h>

/* ---- demangling -------------------------------------------------------- */

typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

char *sym_demangle(const char *name)
{
	static int tried;
	static cxa_demangle_fn fn;
	if (!name || name[0] != '_' || name[1] != 'Z')
		return NULL;
	if (!tried) {
		tried = 1;
		void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (h)
			*(void **)&fn = dlsym(h, "__cxa_demangle");
	}
	if (!fn)
		return NULL;
	int status = 0;
	char *out = fn(name, NULL, NULL, &status);
	if (status != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- the per-CU index --------------------------------------------------- */

typedef struct scope {
	Dwarf_Die die;
	int32_t parent; /* enclosing scope in this CU, or -1 */
	uint32_t fn;    /* index + 1 into the module's symc fns; 0: not yet */
	int tag;
} scope;

typedef struct srange {
	Dwarf_Addr lo, hi;
	uint32_t scope;
	int32_t up; /* the range enclosing this one, or -1 */
} srange;

typedef struct cuidx {
	Dwarf_Off off; /* of the CU DIE */
	scope *scopes;
	size_t nscopes, scopes_alloc;
	srange *ranges;
	size_t nranges, ranges_alloc;
} cuidx;

/* The tags libdw's dwarf_getscopes descends into. */
static bool may_have_scopes(int tag)
{
	switch (tag) {
	case DW_TAG_compile_unit:
	case DW_TAG_module:
	case DW_TAG_lexical_block:
	case DW_TAG_with_stmt:
	case DW_TAG_catch_block:
	case DW_TAG_try_block:
	case DW_TAG_entry_point:
	case DW_TAG_inlined_subroutine:
	case DW_TAG_subprogram:
	case DW_TAG_namespace:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
		return true;
	}
	return false;
}

#define MAX_DIE_DEPTH 200 /* hostile DWARF may nest without end */

static void index_children(cuidx *cx, Dwarf_Die *die, int32_t parent, int depth)
{
	Dwarf_Die child;
	if (depth > MAX_DIE_DEPTH || dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		if (tag == DW_TAG_imported_unit) {
			/* a partial unit (dwz) whose DIEs belong here */
			Dwarf_Attribute at;
			Dwarf_Die unit;
			if (dwarf_attr(&child, DW_AT_import, &at) && dwarf_formref_die(&at, &unit))
				index_children(cx, &unit, parent, depth + 1);
			continue;
		}
		if (!may_have_scopes(tag))
			continue;
		int32_t me = parent;
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;
		uint32_t idx = (uint32_t)cx->nscopes;
		bool any = false;
		while ((off = dwarf_ranges(&child, off, &base, &lo, &hi)) > 0) {
			any = true;
			if (hi <= lo)
				continue;
			ALLOC_GROW(cx->ranges, cx->nranges + 1, cx->ranges_alloc);
			cx->ranges[cx->nranges++] = (srange){ lo, hi, idx, -1 };
		}
		if (any) {
			ALLOC_GROW(cx->scopes, cx->nscopes + 1, cx->scopes_alloc);
			cx->scopes[cx->nscopes++] = (scope){ child, parent, 0, tag };
			me = (int32_t)idx;
		}
		index_children(cx, &child, me, depth + 1);
	} while (dwarf_siblingof(&child, &child) == 0);
}

static int cmp_range(const void *a, const void *b)
{
	const srange *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1; /* the larger (enclosing) range first */
	return x->scope < y->scope ? -1 : x->scope > y->scope; /* outer DIEs come first */
}

static void cuidx_build(cuidx *cx, Dwarf_Die *cu)
{
	index_children(cx, cu, -1, 0);
	if (cx->nranges)
		qsort(cx->ranges, cx->nranges, sizeof(*cx->ranges), cmp_range);
	/* each range's enclosing range: a stack of the open ones */
	int32_t *stack = xmalloc(st_mult(cx->nranges + 1, sizeof(*stack)));
	size_t top = 0;
	for (size_t i = 0; i < cx->nranges; i++) {
		while (top && cx->ranges[stack[top - 1]].hi <= cx->ranges[i].lo)
			top--;
		cx->ranges[i].up = top ? stack[top - 1] : -1;
		stack[top++] = (int32_t)i;
	}
	free(stack);
}

/* The innermost scope holding addr (CU-relative, without bias), or -1.
 * The ranges holding addr are the last range starting at or before it and
 * those enclosing it; among them, dwarf_getscopes' choice: from the top,
 * at each level the first DIE (in DIE order) that holds addr, and then its
 * children, down to the innermost. Overlapping siblings occur: gas gives
 * the aliases of an assembler function (memcpy, memmove) one DIE each. */
static int32_t cuidx_find(const cuidx *cx, Dwarf_Addr addr)
{
	size_t lo = 0, hi = cx->nranges; /* first range starting after addr */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cx->ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t cand[64];
	size_t nc = 0;
	for (int32_t r = (int32_t)lo - 1; r >= 0 && nc < ARRAY_SIZE(cand); r = cx->ranges[r].up)
		if (addr < cx->ranges[r].hi)
			cand[nc++] = cx->ranges[r].scope;
	int32_t cur = -1;
	for (;;) {
		int32_t best = -1;
		for (size_t i = 0; i < nc; i++)
			if (cx->scopes[cand[i]].parent == cur && (best < 0 || cand[i] < (uint32_t)best))
				best = (int32_t)cand[i];
		if (best < 0)
			return cur;
		cur = best;
	}
}

static void cuidx_free(cuidx *cx)
{
	free(cx->scopes);
	free(cx->ranges);
}

/* ---- the symbol table -------------------------------------------------- */

/* dwfl_module_addrinfo scans the whole symbol table at every call (70 % of
 * a cold cprof-top on a build's recording: cc1's 29k symbols, thousands of
 * addresses). Where nothing could compete with a symbol its answer is
 * known without asking: libdwfl's candidates for an address are the
 * symbols (named, defined, not section/file/TLS) that start at or below it
 * and are sizeless or cover it, and a sized one always wins over sizeless
 * ones. So an address inside a symbol that is alone (the only one starting
 * at its address, covered by no symbol before it, no symbol starting
 * before its end), in the same section, is that symbol; an address that no
 * symbol covers, below every sizeless symbol, has no candidate: no name.
 * Every other address asks libdwfl: the names are exactly libdwfl's. */
typedef struct esym {
	GElf_Addr start, end;
	GElf_Addr cover; /* the largest end of the symbols sorted before this one */
	const char *name;
} esym;

typedef struct elfsyms {
	bool built;
	esym *s;
	size_t n;
	GElf_Addr first_sizeless; /* the lowest start of a symbol without size */
	GElf_Addr *sec; /* allocated sections' [start, end) pairs, sorted */
	size_t nsec;
} elfsyms;

static int cmp_esym(const void *a, const void *b)
{
	const esym *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_addr(const void *a, const void *b)
{
	GElf_Addr x = *(const GElf_Addr *)a, y = *(const GElf_Addr *)b;
	return x < y ? -1 : x > y;
}

static void elfsyms_build(elfsyms *es, Dwfl_Module *mod)
{
	es->built = true;
	int n = dwfl_module_getsymtab(mod);
	size_t alloc = 0;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr value;
		GElf_Word shndx;
		Elf *elf;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, &shndx, &elf, NULL);
		int type = GELF_ST_TYPE(sym.st_info);
		/* the symbols dwfl_module_addrinfo considers */
		if (!name || !*name || sym.st_shndx == SHN_UNDEF || type == STT_SECTION ||
		    type == STT_FILE || type == STT_TLS)
			continue;
		ALLOC_GROW(es->s, es->n + 1, alloc);
		es->s[es->n++] = (esym){ value, value + sym.st_size, 0, name };
	}
	if (es->n)
		qsort(es->s, es->n, sizeof(*es->s), cmp_esym);
	es->first_sizeless = UINT64_MAX;
	for (size_t i = 0; i < es->n; i++)
		if (es->s[i].end == es->s[i].start && es->s[i].start < es->first_sizeless)
			es->first_sizeless = es->s[i].start;
	GElf_Addr cover = 0;
	for (size_t i = 0; i < es->n; i++) {
		es->s[i].cover = cover;
		if (es->s[i].end > cover)
			cover = es->s[i].end;
	}
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	size_t salloc = 0;
	for (Elf_Scn *scn = NULL; elf && (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size)
			continue;
		ALLOC_GROW(es->sec, 2 * es->nsec + 2, salloc);
		es->sec[2 * es->nsec] = sh.sh_addr + bias;
		es->sec[2 * es->nsec + 1] = sh.sh_addr + bias + sh.sh_size;
		es->nsec++;
	}
	if (es->nsec)
		qsort(es->sec, es->nsec, 2 * sizeof(*es->sec), cmp_addr);
}

/* The index of the last symbol starting at or before a, or -1. */
static ptrdiff_t elfsyms_find(const elfsyms *es, GElf_Addr a)
{
	size_t lo = 0, hi = es->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (es->s[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

/* The allocated section holding a (index), or -1. */
static ptrdiff_t elfsyms_section(const elfsyms *es, GElf_Addr a)
{
	for (size_t lo = 0, hi = es->nsec; lo < hi;) {
		size_t mid = (lo + hi) / 2;
		if (a < es->sec[2 * mid])
			hi = mid;
		else if (a >= es->sec[2 * mid + 1])
			lo = mid + 1;
		else
			return (ptrdiff_t)mid;
	}
	return -1;
}

/* Symbol k alone decides every address of its range (see above). */
static bool elfsyms_alone(const elfsyms *es, size_t k)
{
	const esym *e = &es->s[k];
	return e->end > e->start && e->cover <= e->start &&
	       (k == 0 || es->s[k - 1].start != e->start) &&
	       (k + 1 == es->n || es->s[k + 1].start >= e->end);
}

/* dwfl_module_addrinfo's name for addr, or NULL. */
static const char *symbol_name(Dwfl_Module *mod, elfsyms *es, GElf_Addr addr)
{
	if (!es->built)
		elfsyms_build(es, mod);
	ptrdiff_t k = elfsyms_find(es, addr);
	if (k >= 0 && addr < es->s[k].end && elfsyms_alone(es, (size_t)k)) {
		ptrdiff_t sec = elfsyms_section(es, addr);
		if (sec >= 0 && sec == elfsyms_section(es, es->s[k].start))
			return es->s[k].name;
	}
	/* in a gap: every symbol starting at or below addr ends at or below
	 * it, and none is sizeless: libdwfl has no candidate at all */
	if (addr < es->first_sizeless &&
	    (k < 0 || (es->s[k].cover <= addr && es->s[k].end <= addr)))
		return NULL;
	GElf_Off off;
	GElf_Sym sym;
	return dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
}

static void elfsyms_free(elfsyms *es)
{
	free(es->s);
	free(es->sec);
}

/* ---- one file ---------------------------------------------------------- */

typedef struct symmod {
	char *key_path, *key_bid; /* (file, recorded build-id) */
	bool ok;
	char *why; /* when !ok: why the file gives no symbols; when ok, a warning or "" */
	bool warned; /* the warning was given */
	Dwfl *dwfl;
	Dwfl_Module *mod;
	GElf_Phdr *loads; /* PT_LOAD segments */
	size_t nloads;
	char *file_bid;    /* the file's own build-id (hex), the cache key; or NULL */
	char *fingerprint; /* what the symbols come from */
	symc_data data;    /* every address resolved so far */
	size_t nloaded;    /* entries that came from the cache file */
	cuidx *cus;        /* sorted by off */
	size_t ncus, cus_alloc;
	elfsyms syms;      /* the symbol table, for addresses without DWARF */
	gopcln *go;        /* a Go binary's .gopclntab, for addresses without either */
	bool go_tried;
	GElf_Addr go_bias;
} symmod;

struct sym_session {
	symmod *mods;
	size_t nmods, mods_alloc;
	char *debug_path; /* libdwfl's debuginfo_path */
	char *cache_dir;  /* NULL: no persistent cache */
	sym_stats st;
};

static char *debuginfo_path_str;
static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path_str,
};

static void add_stat(strbuf *sb, const char *what, const struct stat *st)
{
	sb_addf(sb, ";%s=%lld:%lld.%09ld", what, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
		st->st_mtim.tv_nsec);
}

static bool has_debug_info(Elf *elf)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		const char *name;
		if (gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
		    (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")))
			return true;
	}
	return false;
}

static void add_if_exists(strbuf *sb, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		sb_addf(sb, ";%s", path);
		add_stat(sb, "", &st);
	}
}

/* What the module's symbols come from, for the cache file: the extra debug
 * directory, the ELF file's size and time, and when the ELF file has no
 * DWARF itself, the size and time of every file where libdwfl looks for
 * its debug file (by build-id and .gnu_debuglink, in the directories of
 * the session's debuginfo path) that exists: a debug file installed,
 * moved or rebuilt since gives another fingerprint. */
static void fingerprint(symmod *sm, Elf *elf, const char *path, const struct stat *elf_st,
			const char *debug_path)
{
	strbuf sb = STRBUF_INIT, c = STRBUF_INIT;
	sb_addf(&sb, "debug-path=%s", debug_path);
	if (elf_st)
		add_stat(&sb, "elf", elf_st);
	else
		sb_adds(&sb, ";elf=vdso");
	if (has_debug_info(elf)) {
		sb_adds(&sb, ";dwarf=elf");
	} else {
		GElf_Word crc = 0;
		const char *link = dwelf_elf_gnu_debuglink(elf, &crc);
		const char *slash = strrchr(path, '/');
		int dlen = slash ? (int)(slash - path) : 0;
		if (link && !strchr(link, '/')) {
			sb_reset(&c);
			sb_addf(&c, "%.*s/%s", dlen, path, link);
			add_if_exists(&sb, c.buf);
			sb_reset(&c);
			sb_addf(&c, "%.*s/.debug/%s", dlen, path, link);
			add_if_exists(&sb, c.buf);
		}
		/* the absolute directories of the path ("-:.debug:/usr/lib/debug:DIR") */
		for (const char *d = debug_path; *d;) {
			size_t n = strcspn(d, ":");
			if (*d == '/' && sm->file_bid && strlen(sm->file_bid) > 2) {
				sb_reset(&c);
				sb_addf(&c, "%.*s/.build-id/%.2s/%s.debug", (int)n, d, sm->file_bid,
					sm->file_bid + 2);
				add_if_exists(&sb, c.buf);
			}
			if (*d == '/' && link && !strchr(link, '/')) {
				sb_reset(&c);
				sb_addf(&c, "%.*s%.*s/%s", (int)n, d, dlen, path, link);
				add_if_exists(&sb, c.buf);
				sb_reset(&c);
				sb_addf(&c, "%.*s/%s", (int)n, d, link);
				add_if_exists(&sb, c.buf);
			}
			d += n;
			if (*d == ':')
				d++;
		}
	}
	sb_release(&c);
	sm->fingerprint = sb_detach(&sb, NULL);
}

/* Opens the mapping's file, checks its build-id. On failure returns false
 * and says why in `why`. */
static bool symmod_open(symmod *sm, const prof_mapping *m, const sym_session *s, strbuf *why)
{
	const char *path = m->file;
	int fd;
	bool vdso = strcmp(path, "[vdso]") == 0;
	struct stat st;
	if (vdso) {
		fd = vdso_fd();
		if (fd < 0) {
			sb_adds(why, "this system's vdso cannot be read");
			return false;
		}
	} else {
		/* O_NONBLOCK: a path in a hostile file may name a FIFO */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			sb_addf(why, "cannot open it (%s)", strerror(errno));
			return false;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			sb_adds(why, "not a regular file");
			return false;
		}
	}
	sm->dwfl = dwfl_begin(&callbacks);
	if (!sm->dwfl) {
		close(fd);
		sb_addf(why, "libdwfl: %s", dwfl_errmsg(-1));
		return false;
	}
	dwfl_report_begin(sm->dwfl);
	const char *base = strrchr(path, '/');
	sm->mod = dwfl_report_elf(sm->dwfl, base ? base + 1 : path, vdso ? "[vdso]" : path, fd, 0,
				  false);
	dwfl_report_end(sm->dwfl, NULL, NULL);
	if (!sm->mod) {
		/* dwfl_report_elf consumes fd only on success */
		close(fd);
		sb_addf(why, "not a usable ELF file (%s)", dwfl_errmsg(-1));
		return false;
	}
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(sm->mod, &bias);
	if (!elf) {
		sb_addf(why, "not a usable ELF file (%s)", dwfl_errmsg(-1));
		return false;
	}
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(sm->mod, &bits, &vaddr);
	strbuf have = STRBUF_INIT;
	if (n > 0)
		sb_add_hex(&have, bits, (size_t)n);
	if (m->build_id && *m->build_id) {
		bool same = n > 0 && strcmp(have.buf, m->build_id) == 0;
		if (!same) {
			sb_addf(why, "build-id mismatch (recorded %s, file has %s)", m->build_id,
				n > 0 ? have.buf : "none");
			sb_release(&have);
			return false;
		}
	} else if (vdso) {
		/* as perf report does: right for a recording made on this kernel
		 * (said once; sm->ok with a why is a warning) */
		sb_adds(why, "no recorded build-id to check it against: this system's vdso is used, as "
			     "perf report uses it (right for a recording made on this kernel)");
	}
	sm->file_bid = n > 0 ? sb_detach(&have, NULL) : NULL;
	sb_release(&have);
	size_t phnum;
	if (elf_getphdrnum(elf, &phnum) != 0) {
		sb_adds(why, "no program headers");
		return false;
	}
	sm->loads = xcalloc(phnum ? phnum : 1, sizeof(*sm->loads));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			sm->loads[sm->nloads++] = ph;
	}
	if (sm->file_bid && s->cache_dir) {
		fingerprint(sm, elf, path, vdso ? NULL : &st, s->debug_path);
		if (symc_load(s->cache_dir, sm->file_bid, sm->fingerprint, &sm->data))
			sm->nloaded = sm->data.nentries;
	}
	return true;
}

static void symmod_close(symmod *sm, const char *cache_dir)
{
	if (sm->ok && sm->file_bid && sm->fingerprint && cache_dir &&
	    sm->data.nentries > sm->nloaded) {
		/* a read-only or full cache directory only costs speed next time */
		cprof_err err;
		(void)symc_store(cache_dir, sm->file_bid, sm->fingerprint, &sm->data, &err);
	}
	if (sm->dwfl)
		dwfl_end(sm->dwfl);
	for (size_t i = 0; i < sm->ncus; i++)
		cuidx_free(&sm->cus[i]);
	free(sm->cus);
	elfsyms_free(&sm->syms);
	gopcln_free(sm->go);
	symc_free(&sm->data);
	free(sm->loads);
	free(sm->key_path);
	free(sm->key_bid);
	free(sm->why);
	free(sm->file_bid);
	free(sm->fingerprint);
}

/* File offset -> the ELF's virtual address (plus the module's bias). */
static bool off_to_addr(const symmod *sm, uint64_t off, Dwarf_Addr *out)
{
	GElf_Addr bias = 0;
	dwfl_module_getelf(sm->mod, &bias);
	for (size_t i = 0; i < sm->nloads; i++) {
		const GElf_Phdr *ph = &sm->loads[i];
		if (off >= ph->p_offset && off < ph->p_offset + ph->p_memsz) {
			*out = off - ph->p_offset + ph->p_vaddr + bias;
			return true;
		}
	}
	return false;
}

static const char *die_string(Dwarf_Die *die, int at)
{
	Dwarf_Attribute attr;
	if (!dwarf_attr_integrate(die, at, &attr))
		return NULL;
	return dwarf_formstring(&attr);
}

static int64_t die_udata(Dwarf_Die *die, int at)
{
	Dwarf_Attribute attr;
	Dwarf_Word w;
	if (!dwarf_attr_integrate(die, at, &attr) || dwarf_formudata(&attr, &w) != 0)
		return 0;
	return (int64_t)w;
}

/* The DIE that declares die's function: through DW_AT_abstract_origin
 * (an inlined or out-of-line copy) and DW_AT_specification (a member
 * defined outside its class), where its enclosing scopes are. */
static Dwarf_Die *decl_die(Dwarf_Die *die, Dwarf_Die *mem)
{
	Dwarf_Attribute a;
	for (int hops = 0; hops < 8; hops++) {
		if (!dwarf_attr(die, DW_AT_abstract_origin, &a) && !dwarf_attr(die, DW_AT_specification, &a))
			break;
		if (!dwarf_formref_die(&a, mem))
			break;
		die = mem;
	}
	return die;
}

/* The name of a function DIE that has no linkage name (a template, a lambda
 * or a member with internal linkage, a C function): its DW_AT_name
 * qualified by the namespaces, classes and enclosing functions around its
 * declaration ("std::__unguarded_partition<...>",
 * "main::<lambda(int)>::operator()"), as the demangled linkage name of an
 * out-of-line copy would read, so that inline and out-of-line frames of
 * one function are named alike. Appends to sb; false when die has no name. */
static bool qualified_die_name(Dwarf_Die *die, strbuf *sb)
{
	const char *name = die_string(die, DW_AT_name);
	if (!name)
		return false;
	Dwarf_Die mem, *decl = decl_die(die, &mem), *scopes = NULL;
	int n = dwarf_getscopes_die(decl, &scopes);
	for (int i = n - 1; i >= 1; i--) { /* scopes[0] is decl, the CU is last */
		int tag = dwarf_tag(&scopes[i]);
		const char *s = dwarf_diename(&scopes[i]);
		if (tag == DW_TAG_namespace)
			s = s ? s : "(anonymous namespace)";
		else if (tag != DW_TAG_class_type && tag != DW_TAG_structure_type &&
			 tag != DW_TAG_union_type && tag != DW_TAG_subprogram)
			continue;
		if (s)
			sb_addf(sb, "%s::", s);
	}
	free(scopes);
	sb_adds(sb, name);
	return true;
}

/* Adds the function of a DWARF subprogram / inlined subroutine, or of an
 * ELF symbol when die is NULL, to the module's table. */
static uint32_t add_fn(symc_data *d, Dwarf_Die *die, const char *symname, const char *file)
{
	const char *linkage = NULL, *name = symname;
	int64_t line = 0;
	strbuf qn = STRBUF_INIT;
	if (die) {
		linkage = die_string(die, DW_AT_linkage_name);
		if (!linkage)
			linkage = die_string(die, DW_AT_MIPS_linkage_name);
		name = !linkage && qualified_die_name(die, &qn) ? qn.buf : die_string(die, DW_AT_name);
		const char *df = dwarf_decl_file(die);
		if (df)
			file = df;
		int dl;
		if (dwarf_decl_line(die, &dl) == 0)
			line = dl;
	}
	const char *sys = linkage ? linkage : name ? name : "";
	char *dem = sym_demangle(sys);
	uint32_t f = symc_add_fn(d, dem ? dem : (name ? name : sys), sys, file, line);
	free(dem);
	sb_release(&qn);
	return f;
}

/* The index of the CU whose DIE is cu, built on first use. */
static cuidx *cu_index(symmod *sm, Dwarf_Die *cu)
{
	Dwarf_Off off = dwarf_dieoffset(cu);
	size_t lo = 0, hi = sm->ncus;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sm->cus[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sm->ncus && sm->cus[lo].off == off)
		return &sm->cus[lo];
	ALLOC_GROW(sm->cus, sm->ncus + 1, sm->cus_alloc);
	memmove(sm->cus + lo + 1, sm->cus + lo, (sm->ncus - lo) * sizeof(*sm->cus));
	sm->ncus++;
	cuidx *cx = &sm->cus[lo];
	memset(cx, 0, sizeof(*cx));
	cx->off = off;
	cuidx_build(cx, cu);
	return cx;
}

static bool fn_like(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_entry_point;
}

/* The module's .gopclntab, read on first use (NULL: none, or not one
 * gopclntab.h reads). */
static gopcln *go_table(symmod *sm)
{
	if (sm->go_tried)
		return sm->go;
	sm->go_tried = true;
	Elf *elf = dwfl_module_getelf(sm->mod, &sm->go_bias);
	size_t shstrndx;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	GElf_Addr text = 0;
	Elf_Data *tab = NULL;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(name, ".text"))
			text = sh.sh_addr;
		else if (!strcmp(name, ".gopclntab") && sh.sh_type != SHT_NOBITS)
			tab = elf_getdata(scn, NULL);
	}
	if (tab && tab->d_buf)
		sm->go = gopcln_open(tab->d_buf, tab->d_size, text);
	return sm->go;
}

/* Resolves one address of the module into its entry (leaf first). */
static const symc_entry *resolve(symmod *sm, Dwarf_Addr addr, symc_frame **fr, size_t *alloc)
{
	uint32_t n = 0;
	int leaf_line = 0, leaf_col = 0;
	const char *leaf_file = NULL;
	Dwfl_Line *dl = dwfl_module_getsrc(sm->mod, addr);
	if (dl)
		leaf_file = dwfl_lineinfo(dl, NULL, &leaf_line, &leaf_col, NULL, NULL);

	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(sm->mod, addr, &bias);
	cuidx *cx = cu ? cu_index(sm, cu) : NULL;
	int32_t s = cx ? cuidx_find(cx, addr - bias) : -1;
	while (s >= 0 && !fn_like(cx->scopes[s].tag))
		s = cx->scopes[s].parent;
	int64_t next_line = leaf_line, next_col = leaf_col;
	for (; s >= 0; s = cx->scopes[s].parent) {
		scope *sc = &cx->scopes[s];
		if (!fn_like(sc->tag))
			continue;
		if (!sc->fn)
			sc->fn = add_fn(&sm->data, &sc->die, NULL, NULL) + 1;
		ALLOC_GROW(*fr, (size_t)n + 1, *alloc);
		(*fr)[n++] = (symc_frame){ sc->fn - 1, next_line, next_col };
		if (sc->tag != DW_TAG_inlined_subroutine)
			break; /* the real function: the chain ends here */
		next_line = die_udata(&sc->die, DW_AT_call_line);
		next_col = die_udata(&sc->die, DW_AT_call_column);
	}
	if (!n) {
		/* No DWARF for the address: the ELF symbol table; for a stripped
		 * Go binary, its pc-line table (as go tool pprof reads it) */
		const char *name = symbol_name(sm->mod, &sm->syms, addr);
		gopcln_frame gf;
		if (name) {
			ALLOC_GROW(*fr, 1, *alloc);
			(*fr)[0] = (symc_frame){ add_fn(&sm->data, NULL, name, leaf_file), leaf_line,
						 leaf_col };
			n = 1;
		} else if (go_table(sm) && gopcln_lookup(sm->go, addr - sm->go_bias, &gf)) {
			ALLOC_GROW(*fr, 1, *alloc);
			(*fr)[0] = (symc_frame){ add_fn(&sm->data, NULL, gf.name, gf.file), gf.line, 0 };
			n = 1;
		}
	}
	symc_add(&sm->data, addr, *fr, n);
	return &sm->data.entries[sm->data.nentries - 1];
}

/* ---- sessions ---------------------------------------------------------- */

sym_session *sym_session_new(const char *debug_dir, bool cache)
{
	sym_session *s = xcalloc(1, sizeof(*s));
	strbuf dp = STRBUF_INIT;
	sb_adds(&dp, "-:.debug:/usr/lib/debug");
	if (debug_dir && *debug_dir)
		sb_addf(&dp, ":%s", debug_dir);
	s->debug_path = sb_detach(&dp, NULL);
	s->cache_dir = cache ? symc_dir() : NULL;
	return s;
}

void sym_session_free(sym_session *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nmods; i++)
		symmod_close(&s->mods[i], s->cache_dir);
	free(s->mods);
	free(s->debug_path);
	free(s->cache_dir);
	free(s);
	debuginfo_path_str = NULL;
}

/* Pseudo-files nothing can be read from: anonymous memory, JIT code. */
static bool pseudo_file(const char *f)
{
	return !*f || (f[0] == '[' && strcmp(f, "[vdso]") != 0) || strncmp(f, "//anon", 6) == 0 ||
	       strncmp(f, "/memfd:", 7) == 0;
}

/* The session's module for the mapping's (file, build-id), opened on first
 * use; NULL for pseudo-files. */
static symmod *session_module(sym_session *s, const prof_mapping *pm)
{
	if (pseudo_file(pm->file))
		return NULL;
	const char *bid = pm->build_id ? pm->build_id : "";
	for (size_t i = 0; i < s->nmods; i++) {
		symmod *sm = &s->mods[i];
		if (!strcmp(sm->key_path, pm->file) && !strcmp(sm->key_bid, bid))
			return sm;
	}
	ALLOC_GROW(s->mods, s->nmods + 1, s->mods_alloc);
	symmod *sm = &s->mods[s->nmods++];
	memset(sm, 0, sizeof(*sm));
	sm->key_path = xstrdup(pm->file);
	sm->key_bid = xstrdup(bid);
	strbuf why = STRBUF_INIT;
	sm->ok = symmod_open(sm, pm, s, &why);
	if (sm->ok)
		s->st.files++;
	sm->why = sb_detach(&why, NULL);
	return sm;
}

/* ---- the profile ------------------------------------------------------- */

/* The locations to do (no lines, a mapping), grouped by mapping: those of
 * mapping m are todo[start[m] .. start[m + 1]) (a counting sort: each
 * group in location order). Caller frees both. */
static uint32_t *todo_by_mapping(const profile *p, size_t **startp)
{
	uint32_t nm = p->nmappings;
	size_t *start = xcalloc((size_t)nm + 2, sizeof(size_t));
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		if (!l->nlines && l->mapping < nm)
			start[l->mapping + 1]++;
	}
	for (uint32_t m = 0; m < nm; m++)
		start[m + 1] += start[m];
	uint32_t *todo = xmalloc(st_mult(start[nm] + 1, sizeof(uint32_t)));
	size_t *fill = xmalloc(st_mult((size_t)nm + 1, sizeof(size_t)));
	memcpy(fill, start, (size_t)nm * sizeof(size_t));
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		if (!l->nlines && l->mapping < nm)
			todo[fill[l->mapping]++] = i;
	}
	free(fill);
	*startp = start;
	return todo;
}

/* One sym_symbolize call's state and scratch. */
typedef struct sym_run {
	sym_session *s;
	profile *p;
	const bool *is_call;
	prof_line *lines;
	size_t lines_alloc;
	symc_frame *fr;
	size_t fr_alloc;
} sym_run;

/* What the locations of a mapping were found to have (prof_mapping's has_*). */
enum { HAS_FN = 1, HAS_FILE = 2, HAS_LINE = 4, HAS_INLINE = 8 };

/* Gives location li of mapping mm (module sm, usable) the lines at its
 * address (address-1 for a return address). Returns HAS_* of what it got;
 * 0 when the address resolved to nothing. */
static unsigned symbolize_location(sym_run *r, symmod *sm, const prof_mapping *mm, uint32_t li)
{
	sym_session *s = r->s;
	const prof_location *l = &r->p->locations[li];
	uint64_t a = l->address - (r->is_call && r->is_call[li] && l->address ? 1 : 0);
	Dwarf_Addr va;
	const symc_entry *e = NULL;
	if (a >= mm->start && off_to_addr(sm, a - mm->start + mm->offset, &va)) {
		e = symc_get(&sm->data, va);
		if (e) {
			s->st.cached++;
		} else {
			s->st.lookups++;
			e = resolve(sm, va, &r->fr, &r->fr_alloc);
		}
	}
	if (!e || !e->n) {
		s->st.unresolved++;
		return 0;
	}
	s->st.resolved++;
	unsigned has = HAS_FN | (e->n > 1 ? HAS_INLINE : 0);
	ALLOC_GROW(r->lines, e->n, r->lines_alloc);
	for (uint32_t i = 0; i < e->n; i++) {
		const symc_frame *f = &sm->data.frames[e->first + i];
		const symc_fn *sf = &sm->data.fns[f->fn];
		r->lines[i] = (prof_line){ prof_intern_function(r->p, sf->name, sf->sys, sf->file,
								sf->line),
					   f->line, f->col };
		if (f->line != 0)
			has |= HAS_LINE;
		if (*sf->file != 0)
			has |= HAS_FILE;
	}
	/* p->locations may not move: prof_intern_function grows only functions */
	prof_set_location_lines(r->p, li, r->lines, e->n);
	return has;
}

/* The mappings of one module: m0 and every later one of the same (file,
 * build-id), marked done. Returns how many of their locations were left
 * (all of them when the module is not usable). */
static size_t symbolize_module(sym_run *r, uint32_t m0, const uint32_t *todo, const size_t *start,
			       bool *done, symmod **smp)
{
	profile *p = r->p;
	const prof_mapping *pm = &p->mappings[m0];
	symmod *sm = session_module(r->s, pm);
	bool ok = sm && sm->ok;
	size_t nleft = 0;
	*smp = sm;
	for (uint32_t m = m0; m < p->nmappings; m++) {
		const prof_mapping *mm = &p->mappings[m];
		if (done[m] || mm->file != pm->file || mm->build_id != pm->build_id)
			continue;
		done[m] = true;
		if (!ok) {
			nleft += start[m + 1] - start[m];
			continue;
		}
		unsigned has = 0;
		for (size_t k = start[m]; k < start[m + 1]; k++)
			has |= symbolize_location(r, sm, mm, todo[k]);
		prof_mapping *w = &p->mappings[m];
		w->has_functions |= (has & HAS_FN) != 0;
		w->has_filenames |= (has & HAS_FILE) != 0;
		w->has_line_numbers |= (has & HAS_LINE) != 0;
		w->has_inline_frames |= (has & HAS_INLINE) != 0;
	}
	return nleft;
}

void sym_symbolize(profile *p, const bool *is_call, const prof_read_opts *o, sym_stats *stats)
{
	static const prof_read_opts defaults;
	if (!o)
		o = &defaults;
	sym_session *s = o->sym ? o->sym : sym_session_new(o->debug_dir, !o->no_cache);
	sym_stats before = s->st;
	debuginfo_path_str = s->debug_path;
	elf_version(EV_CURRENT);

	size_t *start;
	uint32_t *todo = todo_by_mapping(p, &start);
	/* One module serves every mapping of the same (file, build-id):
	 * handle mappings grouped that way, in first-seen order, so that a
	 * file's warning comes once. */
	uint32_t nm = p->nmappings;
	bool *done = xcalloc((size_t)nm + 1, sizeof(bool));
	sym_run r = { .s = s, .p = p, .is_call = is_call };
	for (uint32_t m0 = 0; m0 < nm; m0++) {
		if (done[m0] || start[m0] == start[m0 + 1])
			continue;
		symmod *sm;
		size_t nleft = symbolize_module(&r, m0, todo, start, done, &sm);
		const prof_mapping *pm = &p->mappings[m0];
		if (!(sm && sm->ok)) {
			s->st.unresolved += nleft;
			if (sm && *sm->why)
				prof_warnf(o, "%s: %s; its %zu addresses stay %s+0xoffset", pm->file, sm->why,
					   nleft,
					   strrchr(pm->file, '/') ? strrchr(pm->file, '/') + 1 : pm->file);
		} else if (*sm->why && !sm->warned) {
			prof_warnf(o, "%s: %s", pm->file, sm->why);
			sm->warned = true;
		}
	}
	free(r.lines);
	free(r.fr);
	free(done);
	free(todo);
	free(start);
	if (stats) {
		stats->lookups = s->st.lookups - before.lookups;
		stats->cached = s->st.cached - before.cached;
		stats->resolved = s->st.resolved - before.resolved;
		stats->files = s->st.files - before.files;
		stats->unresolved = s->st.unresolved - before.unresolved;
	}
	if (!o->sym)
		sym_session_free(s);
}
