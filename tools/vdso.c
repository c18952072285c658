/*
 * vdso.c: this system's vdso, the one module a process maps that has no
 * file. The symbolizer and the offline unwinder open it from a memfd copy of
 * the image (a recording's vdso is this one when their build-ids match: the
 * same kernel); the perf.data reader compares build-ids.
 */
#include "vdso.h"

#include <elf.h>
#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

/* This process's vdso image and its size (program headers and sections),
 * or NULL. */
static const unsigned char *vdso_image(size_t *size)
{
	const unsigned char *img = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (!img || memcmp(img, ELFMAG, SELFMAG) != 0 || img[EI_CLASS] != ELFCLASS64)
		return NULL;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	size_t n = (size_t)eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset + ph[i].p_filesz > n)
			n = ph[i].p_offset + ph[i].p_filesz;
	if (n > (64u << 20))
		return NULL;
	*size = n;
	return img;
}

int vdso_fd(void)
{
	size_t size;
	const unsigned char *img = vdso_image(&size);
	if (!img)
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

const char *vdso_build_id(void)
{
	static char *id;
	if (id)
		return id;
	strbuf sb = STRBUF_INIT;
	size_t size;
	const unsigned char *img = vdso_image(&size);
	elf_version(EV_CURRENT);
	Elf *elf = img ? elf_memory((char *)img, size) : NULL;
	const void *bits;
	ssize_t n = elf ? dwelf_elf_gnu_build_id(elf, &bits) : -1;
	if (n > 0)
		sb_add_hex(&sb, bits, (size_t)n);
	elf_end(elf);
	id = sb_detach(&sb, NULL);
	return id;
}
