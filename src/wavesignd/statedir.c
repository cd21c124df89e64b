/*
 * statedir.c -- the state directory: created 0700, checked, locked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

ws_err
statedir_open(const char *path, int *lock_fd)
{
	char lock_path[4096];
	struct stat st;
	int fd = -1;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return ws_err_errno("creating state directory %s", path);
	if (lstat(path, &st) < 0)
		return ws_err_errno("state directory %s", path);
	if (!S_ISDIR(st.st_mode))
		return ws_err_set(WS_ERR_INSECURE_FILE, "state directory %s is not a directory", path);
	if (st.st_uid != geteuid())
		return ws_err_set(WS_ERR_INSECURE_FILE,
		    "state directory %s is owned by uid %u; the daemon runs as uid %u (chown it)",
		    path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return ws_err_set(WS_ERR_INSECURE_FILE,
		    "state directory %s has mode %04o; it must be accessible only by its owner (chmod 0700 %s)",
		    path, (unsigned)(st.st_mode & 07777), path);
	snprintf(lock_path, sizeof(lock_path), "%s/lock", path);
	if ((fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return ws_err_errno("%s", lock_path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int saved = errno;

		close(fd);
		if (saved == EWOULDBLOCK)
			return ws_err_set(WS_ERR_LOCKED, "%s is held by another wavesignd", lock_path);
		errno = saved;
		return ws_err_errno("locking %s", lock_path);
	}
	*lock_fd = fd;
	return WS_OK;
}
