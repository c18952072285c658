/*
 * symbolize: addresses -> functions, files, lines and inline chains, with
 * elfutils libdwfl (contract in symbolize.h).
 *
 * One Dwfl session per distinct (file, build-id), with the file reported at
 * bias 0: an address is first turned into a file offset with the mapping
 * (address - start + offset), then into the ELF's own virtual address with
 * the PT_LOAD segment holding that offset. That single rule covers PIE
 * executables, shared libraries at any load address, non-PIE executables
 * and a library dlopen'd at two addresses over time, and it never depends
 * on how the loader split the file into mappings.
 *
 * Inline chains come from dwarf_getscopes() at the address: the scopes that
 * are subprograms or inlined subroutines, innermost first. The innermost
 * frame's line is the line table's line for the address; each outer frame's
 * line is the DW_AT_call_line of the inlined scope just inside it. That is
 * what pprof calls Line entries, leaf first.
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
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- one file ---------------------------------------------------------- */

typedef struct symfile {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	GElf_Phdr *loads; /* PT_LOAD segments */
	size_t nloads;
	bool ok;
} symfile;

static char *debuginfo_path_str;
static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path_str,
};

static void hex(const unsigned char *b, size_t n, strbuf *sb)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		sb_addc(sb, hx[b[i] >> 4]);
		sb_addc(sb, hx[b[i] & 15]);
	}
}

/* The vdso has no file: copy this process's own vdso image into a memfd.
 * It is the recorded one when the build-ids match (same kernel). */
static int vdso_fd(void)
{
	const unsigned char *img = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (!img || memcmp(img, ELFMAG, SELFMAG) != 0 || img[EI_CLASS] != ELFCLASS64)
		return -1;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	size_t size = (size_t)eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset + ph[i].p_filesz > size)
			size = ph[i].p_offset + ph[i].p_filesz;
	if (size > (64u << 20))
		return -1;
	int fd = memfd_create("vdso", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < size) {
		ssize_t w = write(fd, img + done, size - done);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	return fd;
}

/* Opens the mapping's file, checks its build-id. On failure returns false
 * and says why in `why`. */
static bool symfile_open(symfile *sf, const prof_mapping *m, strbuf *why)
{
	memset(sf, 0, sizeof(*sf));
	const char *path = m->file;
	int fd;
	bool vdso = strcmp(path, "[vdso]") == 0;
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
		struct stat st;
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			sb_adds(why, "not a regular file");
			return false;
		}
	}
	sf->dwfl = dwfl_begin(&callbacks);
	if (!sf->dwfl) {
		close(fd);
		sb_addf(why, "libdwfl: %s", dwfl_errmsg(-1));
		return false;
	}
	dwfl_report_begin(sf->dwfl);
	const char *base = strrchr(path, '/');
	sf->mod = dwfl_report_elf(sf->dwfl, base ? base + 1 : path, vdso ? "[vdso]" : path, fd, 0,
				  false);
	dwfl_report_end(sf->dwfl, NULL, NULL);
	if (!sf->mod) {
		/* dwfl_report_elf consumes fd only on success */
		close(fd);
		sb_addf(why, "not a usable ELF file (%s)", dwfl_errmsg(-1));
		return false;
	}
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(sf->mod, &bias);
	if (!elf) {
		sb_addf(why, "not a usable ELF file (%s)", dwfl_errmsg(-1));
		return false;
	}
	if (m->build_id && *m->build_id) {
		const unsigned char *bits;
		GElf_Addr vaddr;
		int n = dwfl_module_build_id(sf->mod, &bits, &vaddr);
		strbuf have = STRBUF_INIT;
		if (n > 0)
			hex(bits, (size_t)n, &have);
		bool same = n > 0 && strcmp(have.buf, m->build_id) == 0;
		if (!same)
			sb_addf(why, "build-id mismatch (recorded %s, file has %s)", m->build_id,
				n > 0 ? have.buf : "none");
		sb_release(&have);
		if (!same)
			return false;
	} else if (vdso) {
		sb_adds(why, "no recorded build-id to check this system's vdso against");
		return false;
	}
	size_t phnum;
	if (elf_getphdrnum(elf, &phnum) != 0) {
		sb_adds(why, "no program headers");
		return false;
	}
	sf->loads = xcalloc(phnum ? phnum : 1, sizeof(*sf->loads));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			sf->loads[sf->nloads++] = ph;
	}
	sf->ok = true;
	return true;
}

static void symfile_close(symfile *sf)
{
	if (sf->dwfl)
		dwfl_end(sf->dwfl);
	free(sf->loads);
	memset(sf, 0, sizeof(*sf));
}

/* File offset -> the ELF's virtual address (plus the module's bias). */
static bool off_to_addr(const symfile *sf, uint64_t off, Dwarf_Addr *out)
{
	GElf_Addr bias = 0;
	dwfl_module_getelf(sf->mod, &bias);
	for (size_t i = 0; i < sf->nloads; i++) {
		const GElf_Phdr *ph = &sf->loads[i];
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

/* Interns the function of a DWARF subprogram / inlined subroutine, or of an
 * ELF symbol when die is NULL. */
static uint32_t intern_fn(profile *p, Dwarf_Die *die, const char *symname, const char *file,
			  int64_t line)
{
	const char *linkage = NULL, *name = symname;
	if (die) {
		linkage = die_string(die, DW_AT_linkage_name);
		if (!linkage)
			linkage = die_string(die, DW_AT_MIPS_linkage_name);
		name = die_string(die, DW_AT_name);
		const char *df = dwarf_decl_file(die);
		if (df)
			file = df;
		int dl;
		if (dwarf_decl_line(die, &dl) == 0)
			line = dl;
	}
	const char *sys = linkage ? linkage : name ? name : "";
	char *dem = sym_demangle(sys);
	uint32_t f = prof_intern_function(p, dem ? dem : (name ? name : sys), sys, file ? file : "",
					  line);
	free(dem);
	return f;
}

typedef struct found {
	bool fn, file, line, inl;
} found;

/* Resolves one address of the module; fills lines (leaf first). */
static uint32_t resolve(profile *p, symfile *sf, Dwarf_Addr addr, prof_line **lines,
			size_t *alloc, found *fd)
{
	uint32_t n = 0;
	int leaf_line = 0, leaf_col = 0;
	const char *leaf_file = NULL;
	Dwfl_Line *dl = dwfl_module_getsrc(sf->mod, addr);
	if (dl)
		leaf_file = dwfl_lineinfo(dl, NULL, &leaf_line, &leaf_col, NULL, NULL);

	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(sf->mod, addr, &bias);
	Dwarf_Die *scopes = NULL, *nest = NULL;
	int ns = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
	/* Past an inlined instance, dwarf_getscopes goes on with the scopes of
	 * its abstract definition; the concrete nesting (the function it was
	 * inlined into, and so on) is what dwarf_getscopes_die gives. */
	Dwarf_Die *chain = scopes;
	int nc = ns;
	for (int i = 0; i < ns; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_inlined_subroutine) {
			nc = dwarf_getscopes_die(&scopes[i], &nest);
			chain = nest;
			break;
		}
		if (tag == DW_TAG_subprogram || tag == DW_TAG_entry_point) {
			chain = scopes + i;
			nc = ns - i;
			break;
		}
	}
	int64_t next_line = leaf_line, next_col = leaf_col;
	for (int i = 0; i < nc; i++) {
		int tag = dwarf_tag(&chain[i]);
		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine &&
		    tag != DW_TAG_entry_point)
			continue;
		ALLOC_GROW(*lines, (size_t)n + 1, *alloc);
		(*lines)[n].function = intern_fn(p, &chain[i], NULL, NULL, 0);
		(*lines)[n].line = next_line;
		(*lines)[n].column = next_col;
		n++;
		if (tag != DW_TAG_inlined_subroutine)
			break; /* the real function: the chain ends here */
		next_line = die_udata(&chain[i], DW_AT_call_line);
		next_col = die_udata(&chain[i], DW_AT_call_column);
	}
	free(scopes);
	free(nest);
	if (!n) {
		/* No DWARF for the address: the ELF symbol table. */
		GElf_Off off;
		GElf_Sym sym;
		const char *name =
			dwfl_module_addrinfo(sf->mod, addr, &off, &sym, NULL, NULL, NULL);
		if (name) {
			ALLOC_GROW(*lines, 1, *alloc);
			(*lines)[0].function = intern_fn(p, NULL, name, leaf_file, 0);
			(*lines)[0].line = leaf_line;
			(*lines)[0].column = leaf_col;
			n = 1;
		}
	}
	if (n) {
		fd->fn = true;
		if (n > 1)
			fd->inl = true;
		for (uint32_t i = 0; i < n; i++) {
			if ((*lines)[i].line)
				fd->line = true;
			if (*p->functions[(*lines)[i].function].filename)
				fd->file = true;
		}
	}
	return n;
}

/* ---- the profile ------------------------------------------------------- */


/* Pseudo-files nothing can be read from: anonymous memory, JIT code. */
static bool pseudo_file(const char *f)
{
	return !*f || (f[0] == '[' && strcmp(f, "[vdso]") != 0) || strncmp(f, "//anon", 6) == 0 ||
	       strncmp(f, "/memfd:", 7) == 0;
}

int sym_symbolize(profile *p, const bool *is_call, const prof_read_opts *o, sym_stats *stats,
		  cprof_err *err)
{
	static const prof_read_opts defaults;
	if (!o)
		o = &defaults;
	sym_stats st = { 0 };
	(void)err;

	/* debuginfo path: the standard one plus the user's directory */
	strbuf dp = STRBUF_INIT;
	sb_adds(&dp, "-:.debug:/usr/lib/debug");
	if (o->debug_dir && *o->debug_dir)
		sb_addf(&dp, ":%s", o->debug_dir);
	debuginfo_path_str = dp.buf;
	elf_version(EV_CURRENT);

	/* locations to do, grouped by mapping (counting sort keeps order) */
	uint32_t nm = p->nmappings;
	size_t *start = xcalloc((size_t)nm + 2, sizeof(size_t));
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		if (!l->nlines && l->mapping < nm)
			start[l->mapping + 1]++;
	}
	for (uint32_t m = 0; m < nm; m++)
		start[m + 1] += start[m];
	size_t total = start[nm];
	uint32_t *todo = xmalloc(st_mult(total + 1, sizeof(uint32_t)));
	size_t *fill = xmalloc(st_mult((size_t)nm + 1, sizeof(size_t)));
	memcpy(fill, start, (size_t)nm * sizeof(size_t));
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		if (!l->nlines && l->mapping < nm)
			todo[fill[l->mapping]++] = i;
	}
	free(fill);

	/* One file session serves every mapping of the same (file, build-id):
	 * handle mappings grouped that way, in first-seen order. */
	bool *done = xcalloc((size_t)nm + 1, sizeof(bool));
	prof_line *lines = NULL;
	size_t lines_alloc = 0;
	for (uint32_t m0 = 0; m0 < nm; m0++) {
		if (done[m0] || start[m0] == start[m0 + 1])
			continue;
		const prof_mapping *pm = &p->mappings[m0];
		symfile sf = { 0 };
		strbuf why = STRBUF_INIT;
		bool ok = false;
		if (!pseudo_file(pm->file)) {
			ok = symfile_open(&sf, pm, &why);
			if (ok)
				st.files++;
		}
		size_t nleft = 0;
		for (uint32_t m = m0; m < nm; m++) {
			const prof_mapping *mm = &p->mappings[m];
			if (done[m] || mm->file != pm->file || mm->build_id != pm->build_id)
				continue;
			done[m] = true;
			found fd = { 0 };
			for (size_t k = start[m]; k < start[m + 1]; k++) {
				uint32_t li = todo[k];
				const prof_location *l = &p->locations[li];
				if (!ok) {
					nleft++;
					continue;
				}
				uint64_t a = l->address - (is_call && is_call[li] && l->address ? 1 : 0);
				Dwarf_Addr va;
				uint32_t n = 0;
				if (a >= mm->start && off_to_addr(&sf, a - mm->start + mm->offset, &va)) {
					st.lookups++;
					n = resolve(p, &sf, va, &lines, &lines_alloc, &fd);
				}
				if (n) {
					st.resolved++;
					/* p->locations may not move: prof_intern_function
					 * grows only functions */
					prof_set_location_lines(p, li, lines, n);
				} else {
					st.unresolved++;
				}
			}
			prof_mapping *w = &p->mappings[m];
			w->has_functions |= fd.fn;
			w->has_filenames |= fd.file;
			w->has_line_numbers |= fd.line;
			w->has_inline_frames |= fd.inl;
		}
		if (!ok) {
			st.unresolved += nleft;
			if (why.len)
				prof_warnf(o, "%s: %s; its %zu addresses stay %s+0xoffset", pm->file, why.buf,
				     nleft, strrchr(pm->file, '/') ? strrchr(pm->file, '/') + 1 : pm->file);
		}
		symfile_close(&sf);
		sb_release(&why);
	}
	free(lines);
	free(done);
	free(todo);
	free(start);
	debuginfo_path_str = NULL;
	sb_release(&dp);
	if (stats)
		*stats = st;
	return 0;
}
