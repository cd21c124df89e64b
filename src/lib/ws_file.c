/*
 * ws_file.c -- atomic, durable file replacement (see ws_file.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_file.h"
#include "ws_frame.h"

ws_err
ws_file_sync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd;

	if (strlen(path) >= sizeof(copy))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "path too long: %.100s", path);
	strcpy(copy, path);
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return ws_err_errno("opening the directory of %s", path);
	if (fsync(fd) < 0) {
		ws_err r = ws_err_errno("fsync of the directory of %s", path);

		close(fd);
		return r;
	}
	close(fd);
	return WS_OK;
}

ws_err
ws_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	static atomic_uint counter;
	char tmp[PATH_MAX];
	int fd, n;
	ws_err r;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp-%d-%u", path, (int)getpid(), atomic_fetch_add(&counter, 1));
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "path too long: %.100s", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)) < 0)
		return ws_err_errno("creating %s", tmp);
	if ((r = ws_io_write_all(fd, data, len, 0)) != WS_OK) {
		ws_err_prefix("writing %s", tmp);
		goto fail;
	}
	if (fchmod(fd, mode) < 0) {
		r = ws_err_errno("chmod %s", tmp);
		goto fail;
	}
	if (fsync(fd) < 0) {
		r = ws_err_errno("fsync %s", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = ws_err_errno("closing %s", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = ws_err_errno("renaming %s to %s", tmp, path);
		goto fail;
	}
	return ws_file_sync_dir(path);
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}

ws_err
ws_file_mkdirs(const char *path, mode_t mode)
{
	char copy[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(copy))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "bad directory path");
	strcpy(copy, path);
	for (char *p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(copy, mode) < 0 && errno != EEXIST)
				return ws_err_errno("mkdir %s", copy);
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return WS_OK;
}
