/*
 * ws_buf.c -- bounded byte buffers and readers (contract in ws_buf.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_buf.h"

void
ws_buf_init(struct ws_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
ws_buf_free(struct ws_buf *b)
{
	if (b->data != NULL) {
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
ws_buf_reset(struct ws_buf *b)
{
	b->len = 0;
}

ws_err
ws_buf_reserve(struct ws_buf *b, size_t n)
{
	size_t need, ncap;
	uint8_t *p;

	/* One extra byte is always kept for the NUL of ws_buf_cstr(). */
	if (n > b->max || b->len > b->max - n)
		return ws_err_set(WS_ERR_LIMIT, "more than %zu bytes", b->max);
	need = b->len + n + 1;
	if (need <= b->cap)
		return WS_OK;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	/* Grow by copying so that the old memory can be wiped. */
	if ((p = malloc(ncap)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "allocating %zu bytes", ncap);
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = ncap;
	return WS_OK;
}

ws_err
ws_buf_put(struct ws_buf *b, const void *p, size_t n)
{
	ws_err r;

	if ((r = ws_buf_reserve(b, n)) != WS_OK)
		return r;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return WS_OK;
}

ws_err
ws_buf_put_str(struct ws_buf *b, const char *s)
{
	return ws_buf_put(b, s, strlen(s));
}

ws_err
ws_buf_put_u8(struct ws_buf *b, uint8_t v)
{
	return ws_buf_put(b, &v, 1);
}

ws_err
ws_buf_put_be16(struct ws_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return ws_buf_put(b, x, sizeof(x));
}

ws_err
ws_buf_put_be32(struct ws_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return ws_buf_put(b, x, sizeof(x));
}

ws_err
ws_buf_printf(struct ws_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	ws_err r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ws_err_set(WS_ERR_INTERNAL, "bad format");
	if ((r = ws_buf_reserve(b, (size_t)n)) != WS_OK)
		return r;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return WS_OK;
}

ws_err
ws_buf_cstr(struct ws_buf *b, const char **out)
{
	ws_err r;

	if ((r = ws_buf_reserve(b, 0)) != WS_OK)
		return r;
	b->data[b->len] = '\0';
	*out = (const char *)b->data;
	return WS_OK;
}

ws_err
ws_buf_steal(struct ws_buf *b, uint8_t **data, size_t *len)
{
	const char *s;
	ws_err r;

	if ((r = ws_buf_cstr(b, &s)) != WS_OK)
		return r;
	*data = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return WS_OK;
}

void
ws_reader_init(struct ws_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->off = 0;
}

size_t
ws_reader_left(const struct ws_reader *r)
{
	return r->len - r->off;
}

ws_err
ws_reader_peek_ptr(struct ws_reader *r, size_t n, const uint8_t **p)
{
	if (n > ws_reader_left(r))
		return ws_err_set(WS_ERR_TRUNCATED, "need %zu bytes, %zu left", n, ws_reader_left(r));
	*p = r->data + r->off;
	return WS_OK;
}

ws_err
ws_reader_get_ptr(struct ws_reader *r, size_t n, const uint8_t **p)
{
	ws_err e;

	if ((e = ws_reader_peek_ptr(r, n, p)) != WS_OK)
		return e;
	r->off += n;
	return WS_OK;
}

ws_err
ws_reader_get(struct ws_reader *r, void *out, size_t n)
{
	const uint8_t *p = NULL;
	ws_err e;

	if ((e = ws_reader_get_ptr(r, n, &p)) != WS_OK)
		return e;
	memcpy(out, p, n);
	return WS_OK;
}

ws_err
ws_reader_skip(struct ws_reader *r, size_t n)
{
	const uint8_t *p = NULL;

	return ws_reader_get_ptr(r, n, &p);
}

ws_err
ws_reader_get_u8(struct ws_reader *r, uint8_t *v)
{
	return ws_reader_get(r, v, 1);
}

ws_err
ws_reader_get_be16(struct ws_reader *r, uint16_t *v)
{
	const uint8_t *p = NULL;
	ws_err e;

	if ((e = ws_reader_get_ptr(r, 2, &p)) != WS_OK)
		return e;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return WS_OK;
}

ws_err
ws_reader_get_be32(struct ws_reader *r, uint32_t *v)
{
	const uint8_t *p = NULL;
	ws_err e;

	if ((e = ws_reader_get_ptr(r, 4, &p)) != WS_OK)
		return e;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	return WS_OK;
}

ws_err
ws_buf_read_fd(struct ws_buf *b, int fd, size_t max)
{
	uint8_t chunk[65536];
	ssize_t n;
	ws_err r;

	ws_buf_reset(b);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ws_err_errno("read");
		}
		if (n == 0)
			break;
		if ((size_t)n > max || b->len > max - (size_t)n)
			return ws_err_set(WS_ERR_LIMIT, "input larger than %zu bytes", max);
		if ((r = ws_buf_put(b, chunk, (size_t)n)) != WS_OK)
			return r;
	}
	explicit_bzero(chunk, sizeof(chunk));
	return WS_OK;
}

ws_err
ws_buf_read_file(struct ws_buf *b, const char *path, size_t max)
{
	struct stat st;
	int fd;
	ws_err r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return ws_err_errno("%s", path);
	if (fstat(fd, &st) < 0) {
		r = ws_err_errno("%s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = ws_err_set(WS_ERR_IO, "%s: not a regular file", path);
		goto out;
	}
	if ((size_t)st.st_size > max) {
		r = ws_err_set(WS_ERR_LIMIT, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	r = ws_buf_read_fd(b, fd, max);
	if (r != WS_OK)
		ws_err_prefix("%s", path);
out:
	close(fd);
	return r;
}
