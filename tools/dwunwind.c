/*
 * dwunwind: libdwfl over a stack snapshot (contract in dwunwind.h), as
 * perf's util/unwind-libdw.c: one Dwfl per module set, the thread state
 * given by callbacks that read the saved registers and the copied stack.
 */
#include "dwunwind.h"

#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "vdso.h"

struct dwu {
	Dwfl *dwfl;
	uint64_t key;
	bool attached;
	/* the sample being unwound */
	int32_t tid;
	Dwarf_Word dregs[17];
	uint64_t sp;
	const unsigned char *stack;
	size_t len;
	uint64_t *pcs;
	size_t n, max;
};

static char *debuginfo_path;
static const Dwfl_Callbacks offline = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

static pid_t next_thread(Dwfl *dwfl, void *arg, void **targ)
{
	if (*targ)
		return 0;
	*targ = arg;
	return ((dwu *)arg)->tid ? ((dwu *)arg)->tid : dwfl_pid(dwfl);
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **targ)
{
	(void)dwfl;
	(void)tid;
	*targ = arg;
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *out, void *arg)
{
	(void)dwfl;
	dwu *u = arg;
	if (addr < u->sp || addr - u->sp > u->len || u->len - (addr - u->sp) < 8)
		return false;
	memcpy(out, u->stack + (addr - u->sp), 8);
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	dwu *u = arg;
	return dwfl_thread_state_registers(thread, 0, 17, u->dregs);
}

static const Dwfl_Thread_Callbacks thread_cb = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static int frame_cb(Dwfl_Frame *f, void *arg)
{
	dwu *u = arg;
	Dwarf_Addr pc;
	bool act;
	if (!dwfl_frame_pc(f, &pc, &act) || !pc || u->n >= u->max)
		return DWARF_CB_ABORT;
	u->pcs[u->n++] = pc;
	return DWARF_CB_OK;
}

dwu *dwu_new(void)
{
	return xcalloc(1, sizeof(dwu));
}

void dwu_free(dwu *u)
{
	if (u && u->dwfl)
		dwfl_end(u->dwfl);
	free(u);
}

/* perf's x86 register numbers (PERF_REG_X86_*) of DWARF registers 0..16:
 * rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
static const int perf_of_dwarf[17] = { 0, 3, 2, 1, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 8 };

size_t dwu_unwind(dwu *u, uint64_t key, const dwu_module *mods, size_t nmods, int32_t pid,
		  int32_t tid, uint64_t mask, const uint64_t *regs, size_t nregs,
		  const unsigned char *stack, size_t len, uint64_t *pcs, size_t max)
{
	/* registers: the k-th set bit of mask is regs[k] */
	uint64_t byperf[64] = { 0 };
	size_t k = 0;
	for (int b = 0; b < 64 && k < nregs; b++)
		if (mask >> b & 1)
			byperf[b] = regs[k++];
	for (int i = 0; i < 17; i++) {
		if (!(mask >> perf_of_dwarf[i] & 1))
			return 0; /* a register the unwinder needs was not saved */
		u->dregs[i] = byperf[perf_of_dwarf[i]];
	}
	if (!u->dwfl || u->key != key) {
		if (u->dwfl)
			dwfl_end(u->dwfl);
		u->dwfl = dwfl_begin(&offline);
		u->key = key;
		u->attached = false;
		if (!u->dwfl)
			return 0;
		dwfl_report_begin(u->dwfl);
		for (size_t i = 0; i < nmods; i++) {
			const char *base = strrchr(mods[i].path, '/');
			/* the vdso has no file: this system's image (the caller
			 * checked its build-id) */
			int fd = strcmp(mods[i].path, "[vdso]") ? -1 : vdso_fd();
			/* a module that overlaps one reported already fails: fine */
			if (!dwfl_report_elf(u->dwfl, base ? base + 1 : mods[i].path, mods[i].path, fd,
					     mods[i].start - mods[i].pgoff, false) && fd >= 0)
				close(fd); /* consumed only on success */
		}
		dwfl_report_end(u->dwfl, NULL, NULL);
		u->attached = dwfl_attach_state(u->dwfl, NULL, pid, &thread_cb, u);
	}
	if (!u->attached)
		return 0;
	u->tid = tid > 0 ? tid : pid;
	u->sp = u->dregs[7];
	u->stack = stack;
	u->len = len;
	u->pcs = pcs;
	u->n = 0;
	u->max = max;
	dwfl_getthread_frames(u->dwfl, u->tid, frame_cb, u);
	return u->n;
}
