/*
 * ws_sock.c -- Unix socket creation, peer credentials, connecting.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ws_sock.h"

static ws_err
sock_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "socket path longer than %zu bytes: %s",
		    sizeof(sun->sun_path) - 1, path);
	memcpy(sun->sun_path, path, strlen(path));
	return WS_OK;
}

static ws_err
sock_check_dir(const char *path)
{
	char copy[PATH_MAX];
	struct stat st;
	const char *dir;

	if (strlen(path) >= sizeof(copy))
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "path too long: %s", path);
	strcpy(copy, path);
	dir = dirname(copy);
	if (stat(dir, &st) < 0)
		return ws_err_errno("socket directory %s", dir);
	if (!S_ISDIR(st.st_mode))
		return ws_err_set(WS_ERR_INSECURE_FILE, "%s is not a directory", dir);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return ws_err_set(WS_ERR_INSECURE_FILE,
		    "socket directory %s is writable by %s (mode %04o): another user could replace the socket; "
		    "use a directory only the daemon's user can write (e.g. chmod 0755 %s)",
		    dir, (st.st_mode & S_IWOTH) ? "others" : "its group", (unsigned)(st.st_mode & 07777), dir);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return ws_err_set(WS_ERR_INSECURE_FILE, "socket directory %s is owned by uid %u, not by root or uid %u",
		    dir, (unsigned)st.st_uid, (unsigned)geteuid());
	return WS_OK;
}

/* Removes a socket file nobody listens on; refuses anything else. */
static ws_err
sock_remove_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? WS_OK : ws_err_errno("%s", path);
	if (!S_ISSOCK(st.st_mode))
		return ws_err_set(WS_ERR_EXISTS, "%s exists and is not a socket", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return ws_err_errno("socket");
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		close(fd);
		return ws_err_set(WS_ERR_EXISTS, "a daemon is already listening on %s", path);
	}
	close(fd);
	if (unlink(path) < 0)
		return ws_err_errno("removing stale socket %s", path);
	return WS_OK;
}

ws_err
ws_sock_listen(const char *path, mode_t mode, gid_t gid, int backlog, int *out)
{
	struct sockaddr_un sun;
	mode_t old_umask;
	int fd = -1, rc;
	ws_err r;

	if ((r = sock_addr(path, &sun)) != WS_OK || (r = sock_check_dir(path)) != WS_OK ||
	    (r = sock_remove_stale(path, &sun)) != WS_OK)
		return r;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return ws_err_errno("socket");
	old_umask = umask(0177);
	rc = bind(fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (rc < 0) {
		r = ws_err_errno("bind %s", path);
		goto fail;
	}
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0) {
		r = ws_err_errno("chown %s to gid %u", path, (unsigned)gid);
		goto fail_unlink;
	}
	if (chmod(path, mode) < 0) {
		r = ws_err_errno("chmod %s", path);
		goto fail_unlink;
	}
	if (listen(fd, backlog) < 0) {
		r = ws_err_errno("listen %s", path);
		goto fail_unlink;
	}
	*out = fd;
	return WS_OK;
fail_unlink:
	unlink(path);
fail:
	close(fd);
	return r;
}

ws_err
ws_sock_peer(int fd, struct ws_peer *peer)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return ws_err_errno("SO_PEERCRED");
	peer->uid = cred.uid;
	peer->gid = cred.gid;
	peer->pid = cred.pid;
	return WS_OK;
}

ws_err
ws_sock_connect(const char *path, int *out)
{
	struct sockaddr_un sun;
	int fd;
	ws_err r;

	if ((r = sock_addr(path, &sun)) != WS_OK)
		return r;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return ws_err_errno("socket");
	if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int saved = errno;

		close(fd);
		return ws_err_set(WS_ERR_DAEMON_UNREACHABLE, "%s: %s%s", path, strerror(saved),
		    saved == ENOENT || saved == ECONNREFUSED ? " (is wavesignd running? see -s or WAVESIGN_SOCKET)" : "");
	}
	*out = fd;
	return WS_OK;
}
