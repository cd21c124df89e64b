/*
 * wslog.c -- daemon diagnostics and the systemd readiness notification.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "wslog.h"

static pthread_mutex_t wslog_lock = PTHREAD_MUTEX_INITIALIZER;

static void
wslog_v(int prio, const char *level, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	if (getenv("WAVESIGND_JOURNAL") != NULL) {
		n = snprintf(line, sizeof(line), "<%d>", prio);
	} else {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(line, sizeof(line), "%s wavesignd[%d]: %s: ", ts, (int)getpid(), level);
	}
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	pthread_mutex_lock(&wslog_lock);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&wslog_lock);
}

void
wslog_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wslog_v(3, "error", fmt, ap);
	va_end(ap);
}

void
wslog_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wslog_v(4, "warning", fmt, ap);
	va_end(ap);
}

void
wslog_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wslog_v(6, "info", fmt, ap);
	va_end(ap);
}

void
sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';		/* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	(void)sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, (socklen_t)len);
	close(fd);
}
