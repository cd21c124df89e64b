/*
 * ws_log_reader.c -- line reader over the signing log (see ws_log_reader.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ws_log_reader.h"
#include "ws_logline.h"

/* Room for the longest line, its '\n', and a large read behind it. */
#define READER_WINDOW (2 * WS_LOG_LINE_MAX)

struct ws_log_reader {
	int fd;
	int own_fd;
	uint8_t *buf;
	size_t start;		/* first unconsumed byte in buf */
	size_t fill;		/* bytes in buf */
	uint64_t buf_offset;	/* file offset of buf[0] */
	uint64_t lines;
	uint64_t partial;
	int eof;
	ws_err state;		/* sticky error */
};

static ws_err
reader_new(int fd, int own_fd, struct ws_log_reader **out)
{
	struct ws_log_reader *r = NULL;

	if ((r = calloc(1, sizeof(*r))) == NULL || (r->buf = malloc(READER_WINDOW)) == NULL) {
		free(r);
		return ws_err_set(WS_ERR_NOMEM, "log reader");
	}
	r->fd = fd;
	r->own_fd = own_fd;
	r->state = WS_OK;
	*out = r;
	return WS_OK;
}

ws_err
ws_log_reader_open(const char *path, struct ws_log_reader **out)
{
	int fd;
	ws_err e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return ws_err_errno("%s", path);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((e = reader_new(fd, 1, out)) != WS_OK)
		close(fd);
	return e;
}

ws_err
ws_log_reader_from_fd(int fd, struct ws_log_reader **out)
{
	return reader_new(fd, 0, out);
}

/* Moves the unconsumed bytes to the front and reads more. */
static ws_err
reader_fill(struct ws_log_reader *r)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->fill - r->start);
		r->buf_offset += r->start;
		r->fill -= r->start;
		r->start = 0;
	}
	while (r->fill < READER_WINDOW) {
		n = pread(r->fd, r->buf + r->fill, READER_WINDOW - r->fill, (off_t)(r->buf_offset + r->fill));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ws_err_errno("reading the log");
		}
		if (n == 0) {
			r->eof = 1;
			break;
		}
		r->fill += (size_t)n;
	}
	return WS_OK;
}

ws_err
ws_log_reader_next(struct ws_log_reader *r, const uint8_t **line, size_t *len)
{
	uint8_t *nl;
	size_t avail;
	ws_err e;

	if (r->state != WS_OK)
		return ws_err_set(r->state, "the log reader already failed");
	for (;;) {
		avail = r->fill - r->start;
		nl = memchr(r->buf + r->start, '\n', avail > WS_LOG_LINE_MAX + 1 ? WS_LOG_LINE_MAX + 1 : avail);
		if (nl != NULL) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - (r->buf + r->start));
			r->start += *len + 1;
			r->lines++;
			return WS_OK;
		}
		if (avail > WS_LOG_LINE_MAX) {
			r->state = WS_ERR_LIMIT;
			return ws_err_set(WS_ERR_LIMIT, "line %llu is longer than %zu bytes",
			    (unsigned long long)r->lines + 1, WS_LOG_LINE_MAX);
		}
		if (r->eof) {
			if (avail == 0) {
				*line = NULL;
				*len = 0;
				return WS_OK;
			}
			r->partial = avail;
			r->state = WS_ERR_TRUNCATED;
			return ws_err_set(WS_ERR_TRUNCATED,
			    "incomplete last line (%zu bytes without a newline at offset %llu)", avail,
			    (unsigned long long)(r->buf_offset + r->start));
		}
		if ((e = reader_fill(r)) != WS_OK) {
			r->state = e;
			return e;
		}
	}
}

uint64_t
ws_log_reader_offset(const struct ws_log_reader *r)
{
	return r->buf_offset + r->start;
}

uint64_t
ws_log_reader_lines(const struct ws_log_reader *r)
{
	return r->lines;
}

uint64_t
ws_log_reader_partial(const struct ws_log_reader *r)
{
	return r->partial;
}

void
ws_log_reader_free(struct ws_log_reader *r)
{
	if (r == NULL)
		return;
	if (r->own_fd)
		close(r->fd);
	free(r->buf);
	free(r);
}
