/*
 * record: cprof-record's checks before and after the run (see record.h).
 */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory part of an absolute path ("/" for "/x"). */
static void dir_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

int rec_check_output(const char *path, cprof_err *err)
{
	char dir[PATH_MAX];
	struct stat st;

	if (strlen(path) >= PATH_MAX - 32)
		return cprof_fail(err, "the path is too long");
	if (path[strlen(path) - 1] == '/')
		return cprof_fail(err, "is a directory name, not a file name");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return cprof_fail(err, "exists and is not a regular file (%s)",
				  S_ISDIR(st.st_mode) ? "a directory" : "a device, pipe or socket");
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		return cprof_fail(err, "%s: the directory %s %s", strerror(errno), dir,
				  errno == ENOENT ? "does not exist" : "cannot be reached");
	if (!S_ISDIR(st.st_mode))
		return cprof_fail(err, "%s is not a directory", dir);
	/* What the sampler does first: an unnamed file in the directory. */
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return cprof_fail(err, "cannot create files in %s: %s", dir, strerror(errno));
	/* no O_TMPFILE on this filesystem: a named file, removed at once */
	char probe[PATH_MAX + 32];
	snprintf(probe, sizeof(probe), "%s/.cprof-record-XXXXXX", dir);
	fd = mkstemp(probe);
	if (fd < 0)
		return cprof_fail(err, "cannot create files in %s: %s", dir, strerror(errno));
	close(fd);
	unlink(probe);
	return 0;
}
