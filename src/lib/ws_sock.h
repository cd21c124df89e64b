/*
 * ws_sock.h -- the Unix socket: safe creation, peer identity, connecting.
 */
#ifndef WS_SOCK_H
#define WS_SOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "ws_err.h"

/* Who is on the other end, from SO_PEERCRED (the kernel's word, not the peer's). */
struct ws_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

/*
 * Creates a listening stream socket at path with the given mode and group
 * (gid == (gid_t)-1: leave the group). Refuses (WS_ERR_INSECURE_FILE) when
 * the socket's directory is writable by group or others without the sticky
 * bit, or is not owned by root or the daemon's user. A stale socket file
 * (nobody listening) is replaced; a live one is WS_ERR_EXISTS; any other
 * file type at path is WS_ERR_EXISTS. The socket is created under a umask
 * of 0177 and then chmod'ed, so it is never briefly open to all.
 * *fd is non-blocking and close-on-exec.
 */
ws_err ws_sock_listen(const char *path, mode_t mode, gid_t gid, int backlog, int *fd);

/* The peer's credentials of a connected socket. */
ws_err ws_sock_peer(int fd, struct ws_peer *peer);

/* Connects to the daemon's socket: WS_ERR_DAEMON_UNREACHABLE with the reason. */
ws_err ws_sock_connect(const char *path, int *fd);

#endif /* WS_SOCK_H */
