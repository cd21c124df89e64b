/*
 * ws_buf.h -- bounded byte buffers and readers.
 *
 * Every byte that crosses a trust boundary (socket frames, files handed in
 * by clients, log lines) goes through these. A ws_buf grows up to the
 * maximum given at init and refuses to grow further (WS_ERR_LIMIT); a
 * ws_reader walks a read-only span and moves its offset only when a get
 * succeeds, so a failed parse leaves the reader where it was.
 *
 * Ownership: a ws_buf owns its memory; ws_buf_free() wipes and frees it.
 * ws_buf_steal() hands the memory to the caller (free() it). A ws_reader
 * owns nothing.
 */
#ifndef WS_BUF_H
#define WS_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "ws_err.h"

struct ws_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;	/* hard limit on len */
};

#define WS_BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

/* Prepares an empty buffer that may hold at most max bytes. */
void ws_buf_init(struct ws_buf *b, size_t max);

/* Wipes (explicit_bzero) and frees the contents; the buffer is empty after. */
void ws_buf_free(struct ws_buf *b);

/* Empties the buffer, keeping its memory. */
void ws_buf_reset(struct ws_buf *b);

/* Ensures room for n more bytes. WS_ERR_LIMIT beyond max, WS_ERR_NOMEM. */
ws_err ws_buf_reserve(struct ws_buf *b, size_t n);

/* Appends n bytes / a NUL-terminated string / a formatted string. */
ws_err ws_buf_put(struct ws_buf *b, const void *p, size_t n);
ws_err ws_buf_put_str(struct ws_buf *b, const char *s);
ws_err ws_buf_put_u8(struct ws_buf *b, uint8_t v);
ws_err ws_buf_put_be16(struct ws_buf *b, uint16_t v);
ws_err ws_buf_put_be32(struct ws_buf *b, uint32_t v);
ws_err ws_buf_printf(struct ws_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Returns the contents as a NUL-terminated string (the NUL is not counted
 * in len). Fails like ws_buf_reserve().
 */
ws_err ws_buf_cstr(struct ws_buf *b, const char **out);

/* Hands the memory to the caller (NUL-terminated); the buffer is empty after. */
ws_err ws_buf_steal(struct ws_buf *b, uint8_t **data, size_t *len);

/* A read-only cursor over [data, data + len). */
struct ws_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
};

void ws_reader_init(struct ws_reader *r, const void *data, size_t len);
size_t ws_reader_left(const struct ws_reader *r);

/* Each returns WS_ERR_TRUNCATED (offset unchanged) when too few bytes are left. */
ws_err ws_reader_get(struct ws_reader *r, void *out, size_t n);
ws_err ws_reader_skip(struct ws_reader *r, size_t n);
ws_err ws_reader_peek_ptr(struct ws_reader *r, size_t n, const uint8_t **p);
ws_err ws_reader_get_ptr(struct ws_reader *r, size_t n, const uint8_t **p);
ws_err ws_reader_get_u8(struct ws_reader *r, uint8_t *v);
ws_err ws_reader_get_be16(struct ws_reader *r, uint16_t *v);
ws_err ws_reader_get_be32(struct ws_reader *r, uint32_t *v);

/*
 * Reads a whole regular file of at most max bytes into b (replacing its
 * contents). WS_ERR_LIMIT if larger, WS_ERR_SYSTEM on I/O errors.
 */
ws_err ws_buf_read_file(struct ws_buf *b, const char *path, size_t max);

/* Reads a file descriptor to EOF, at most max bytes. */
ws_err ws_buf_read_fd(struct ws_buf *b, int fd, size_t max);

#endif /* WS_BUF_H */
