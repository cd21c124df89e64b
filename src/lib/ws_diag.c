/*
 * ws_diag.c -- program diagnostics and the systemd notification (see ws_diag.h).
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ws_diag.h"

static pthread_mutex_t diag_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *diag_program = "wavesign";
static const char *diag_journal_env = "WAVESIGN_JOURNAL";

void
ws_diag_setup(const char *program, const char *journal_env)
{
	diag_program = program;
	diag_journal_env = journal_env;
}

static const char *
level_name(int prio)
{
	return prio <= 3 ? "error" : prio == 4 ? "warning" : "info";
}

void
ws_diag(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	if (getenv(diag_journal_env) != NULL) {
		n = snprintf(line, sizeof(line), "<%d>", prio);
	} else {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(line, sizeof(line), "%s %s[%d]: %s: ", ts, diag_program, (int)getpid(),
		    level_name(prio));
	}
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&diag_lock);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&diag_lock);
}

const char *
ws_diag_clean(const char *s, char *buf, size_t size)
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
ws_sd_notify(const char *state)
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
