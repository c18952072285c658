/*
 * gopclntab: Go's pc-line table (contract in gopclntab.h). The layout
 * follows Go's debug/gosym/pclntab.go, whose names are kept here:
 *
 *   header   magic u32, 0, 0, pc quantum u8, pointer size u8, then words of
 *            the pointer size: nfunctab, nfiletab, [1.18+: textStart],
 *            offsets of funcnametab, cutab, filetab, pctab, functab
 *            (Go 1.2: nfunctab, then functab at once; names and pc tables
 *            are offsets into the whole table)
 *   functab  nfunctab + 1 pairs (pc, funcoff), fields of 4 bytes (1.18+:
 *            pc is an offset from textStart) or of the pointer size; the
 *            last pc ends the last function
 *   _func    at functab + funcoff: entry (u32 offset in 1.18+, else a
 *            pointer), then u32 fields: nameOff, args, deferreturn, pcsp,
 *            pcfile, pcln, npcdata, cuOffset
 *   pcvalue  a pc table: pairs of varints (zig-zag value delta, pc delta in
 *            quanta) from value -1 at the entry; a 0 value delta after the
 *            first pair ends it
 */
#include "gopclntab.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { VER12 = 1, VER116, VER118, VER120 };

struct gopcln {
	const unsigned char *d;
	size_t n;
	int version;
	uint32_t quantum, ptrsize, fieldsize;
	uint64_t nfunctab, text_start;
	size_t funcnametab, cutab, filetab, pctab, functab, funcdata;
	size_t nfiletab; /* Go 1.2: entries of its file table */
};

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* A field of size sz (4 or 8) at off, if it lies inside the table. */
static bool field(const gopcln *t, uint64_t off, uint32_t sz, uint64_t *v)
{
	if (off > t->n || t->n - off < sz)
		return false;
	*v = sz == 8 ? rd64(t->d + off) : rd32(t->d + off);
	return true;
}

/* A NUL-terminated string at off, if it ends inside the table. */
static const char *string_at(const gopcln *t, uint64_t off)
{
	if (off >= t->n || !memchr(t->d + off, '\0', t->n - off))
		return NULL;
	return (const char *)t->d + off;
}

static void header_offsets(gopcln *t, int first)
{
	uint64_t v[5] = { 0 };
	for (int i = 0; i < 5; i++)
		if (!field(t, 8 + (uint64_t)(first + i) * t->ptrsize, t->ptrsize, &v[i]))
			v[i] = UINT64_MAX;
	t->funcnametab = v[0] > t->n ? t->n : (size_t)v[0];
	t->cutab = v[1] > t->n ? t->n : (size_t)v[1];
	t->filetab = v[2] > t->n ? t->n : (size_t)v[2];
	t->pctab = v[3] > t->n ? t->n : (size_t)v[3];
	t->functab = t->funcdata = v[4] > t->n ? t->n : (size_t)v[4];
}

gopcln *gopcln_open(const unsigned char *data, size_t len, uint64_t text_addr)
{
	if (!data || len < 16 || data[4] || data[5] ||
	    (data[6] != 1 && data[6] != 2 && data[6] != 4) || (data[7] != 4 && data[7] != 8))
		return NULL;
	int version;
	switch (rd32(data)) {
	case 0xfffffffbu: version = VER12; break;
	case 0xfffffffau: version = VER116; break;
	case 0xfffffff0u: version = VER118; break;
	case 0xfffffff1u: version = VER120; break;
	default: return NULL;
	}
	gopcln *t = xcalloc(1, sizeof(*t));
	t->d = data;
	t->n = len;
	t->version = version;
	t->quantum = data[6];
	t->ptrsize = data[7];
	t->fieldsize = version >= VER118 ? 4 : t->ptrsize;
	uint64_t nfunc = 0;
	bool ok = field(t, 8, t->ptrsize, &nfunc);
	if (version >= VER118) {
		uint64_t ts = 0;
		ok = ok && field(t, 8 + 2 * (uint64_t)t->ptrsize, t->ptrsize, &ts);
		/* debug/gosym takes the .text address: the word may be unrelocated */
		t->text_start = text_addr ? text_addr : ts;
		header_offsets(t, 3);
	} else if (version == VER116) {
		header_offsets(t, 2);
	} else {
		t->funcnametab = t->pctab = t->funcdata = 0;
		t->functab = 8 + t->ptrsize;
		/* the file table's offset follows the function table */
		uint64_t fo = 0, nf = 0;
		uint64_t end = t->functab + (nfunc * 2 + 1) * t->fieldsize;
		if (ok && nfunc < len && field(t, end, 4, &fo) && field(t, fo, 4, &nf) && nf <= len / 4) {
			t->filetab = (size_t)fo;
			t->nfiletab = (size_t)nf;
		}
	}
	/* the function table must fit: nfunctab + 1 pairs */
	if (!ok || nfunc == 0 || nfunc > len / 8 || t->functab > len ||
	    (nfunc * 2 + 2) * t->fieldsize > len - t->functab) {
		free(t);
		return NULL;
	}
	t->nfunctab = nfunc;
	return t;
}

void gopcln_free(gopcln *t)
{
	free(t);
}

static uint64_t tab_pc(const gopcln *t, uint64_t i)
{
	uint64_t v = 0;
	field(t, t->functab + 2 * i * t->fieldsize, t->fieldsize, &v);
	return t->version >= VER118 ? v + t->text_start : v;
}

static bool read_varint(const gopcln *t, size_t *at, uint32_t *out)
{
	uint32_t v = 0;
	for (unsigned shift = 0; shift < 35; shift += 7) {
		if (*at >= t->n)
			return false;
		unsigned char b = t->d[(*at)++];
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* The value of the pc table at off (relative to pctab) at target; -1 when
 * the table ends before it or is damaged. */
static int32_t pcvalue(const gopcln *t, uint32_t off, uint64_t entry, uint64_t target)
{
	if ((uint64_t)t->pctab + off >= t->n)
		return -1;
	size_t at = t->pctab + off;
	int32_t val = -1;
	uint64_t pc = entry;
	for (bool first = true;; first = false) {
		uint32_t uv, pcd;
		if (!read_varint(t, &at, &uv) || (uv == 0 && !first))
			return -1;
		uv = (uv & 1) ? ~(uv >> 1) : uv >> 1;
		if (!read_varint(t, &at, &pcd))
			return -1;
		pc += (uint64_t)pcd * t->quantum;
		val = (int32_t)((uint32_t)val + uv);
		if (target < pc)
			return val;
	}
}

bool gopcln_lookup(const gopcln *t, uint64_t pc, gopcln_frame *out)
{
	if (!t || pc < tab_pc(t, 0) || pc >= tab_pc(t, t->nfunctab))
		return false;
	uint64_t lo = 0, hi = t->nfunctab; /* the last i with tab_pc(i) <= pc */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (tab_pc(t, mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	uint64_t funcoff;
	if (!field(t, t->functab + (2 * lo + 1) * t->fieldsize, t->fieldsize, &funcoff) ||
	    funcoff > t->n - t->funcdata)
		return false;
	size_t f = t->funcdata + (size_t)funcoff;
	uint32_t sz0 = t->version >= VER118 ? 4 : t->ptrsize;
	uint64_t entry, name_off, pcfile, pcln, cuoff = 0;
	if (!field(t, f, sz0, &entry) || !field(t, f + sz0, 4, &name_off) ||
	    !field(t, f + sz0 + 16, 4, &pcfile) || !field(t, f + sz0 + 20, 4, &pcln) ||
	    (t->version != VER12 && !field(t, f + sz0 + 28, 4, &cuoff)))
		return false;
	if (t->version >= VER118)
		entry += t->text_start;
	const char *name = string_at(t, t->funcnametab + name_off);
	if (!name || !*name || entry > pc)
		return false;
	*out = (gopcln_frame){ .name = name, .entry = entry };
	int32_t line = pcvalue(t, (uint32_t)pcln, entry, pc);
	int32_t fno = pcvalue(t, (uint32_t)pcfile, entry, pc);
	uint64_t fnoff;
	if (t->version == VER12) {
		if (fno > 0 && (size_t)fno < t->nfiletab &&
		    field(t, t->filetab + 4 * (uint64_t)fno, 4, &fnoff))
			out->file = string_at(t, fnoff);
	} else if (fno >= 0 && field(t, t->cutab + (cuoff + (uint64_t)fno) * 4, 4, &fnoff) &&
		   fnoff != UINT32_MAX) {
		out->file = string_at(t, t->filetab + fnoff);
	}
	if (line > 0)
		out->line = line;
	return true;
}
