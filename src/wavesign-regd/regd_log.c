/*
 * regd_log.c -- diagnostics and the systemd readiness notification.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "regd_log.h"

static pthread_mutex_t regd_log_lock = PTHREAD_MUTEX_INITIALIZER;

static void regd_log_v(int prio, const char *level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void
regd_log_v(int prio, const char *level, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	if (getenv("WAVESIGN_REGD_JOURNAL") != NULL) {
		n = snprintf(line, sizeof(line), "<%d>", prio);
	} else {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(line, sizeof(line), "%s wavesign-regd[%d]: %s: ", ts, (int)getpid(), level);
	}
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	pthread_mutex_lock(&regd_log_lock);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&regd_log_lock);
}

void
regd_log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	regd_log_v(3, "error", fmt, ap);
	va_end(ap);
}

void
regd_log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	regd_log_v(4, "warning", fmt, ap);
	va_end(ap);
}

void
regd_log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	regd_log_v(6, "info", fmt, ap);
	va_end(ap);
}

const char *
regd_log_clean(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	if (size == 0)
		return buf;
	if (s == NULL)
		s = "-";
	for (; s[i] != '\0' && i + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ? '?' : (char)c;
	}
	buf[i] = '\0';
	if (s[i] != '\0' && size >= 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

void
regd_notify(const char *state)
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
