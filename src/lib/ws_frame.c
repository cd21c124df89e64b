/*
 * ws_frame.c -- protocol framing (see ws_frame.h).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "ws_frame.h"

void
ws_frame_header_encode(uint8_t hdr[WS_FRAME_HEADER_LEN], uint32_t len)
{
	memcpy(hdr, WS_FRAME_MAGIC, 4);
	hdr[4] = 0;
	hdr[5] = WS_FRAME_VERSION;
	hdr[6] = 0;
	hdr[7] = 0;
	hdr[8] = (uint8_t)(len >> 24);
	hdr[9] = (uint8_t)(len >> 16);
	hdr[10] = (uint8_t)(len >> 8);
	hdr[11] = (uint8_t)len;
}

ws_err
ws_frame_header_decode(const uint8_t hdr[WS_FRAME_HEADER_LEN], size_t max, uint32_t *len)
{
	struct ws_reader r;
	uint16_t version, reserved;
	uint32_t n;
	const uint8_t *magic;

	ws_reader_init(&r, hdr, WS_FRAME_HEADER_LEN);
	if (ws_reader_get_ptr(&r, 4, &magic) != WS_OK || memcmp(magic, WS_FRAME_MAGIC, 4) != 0)
		return ws_err_set(WS_ERR_FRAME_MAGIC, "got bytes %02x %02x %02x %02x, expected \"%s\"",
		    hdr[0], hdr[1], hdr[2], hdr[3], WS_FRAME_MAGIC);
	if (ws_reader_get_be16(&r, &version) != WS_OK || version != WS_FRAME_VERSION)
		return ws_err_set(WS_ERR_FRAME_VERSION, "version %u, this side speaks %d",
		    (unsigned)version, WS_FRAME_VERSION);
	if (ws_reader_get_be16(&r, &reserved) != WS_OK || reserved != 0)
		return ws_err_set(WS_ERR_FRAME_VERSION, "reserved field is %u, must be 0", (unsigned)reserved);
	if (ws_reader_get_be32(&r, &n) != WS_OK)
		return ws_err_set(WS_ERR_INTERNAL, "header shorter than %d bytes", WS_FRAME_HEADER_LEN);
	if (n > max)
		return ws_err_set(WS_ERR_FRAME_TOO_LARGE, "%u bytes announced, at most %zu accepted", n, max);
	if (n < WS_FRAME_MIN_PAYLOAD)
		return ws_err_set(WS_ERR_REQUEST, "%u bytes announced; a message is a JSON object of at least %d",
		    n, WS_FRAME_MIN_PAYLOAD);
	*len = n;
	return WS_OK;
}

static ws_err
io_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	if (timeout_ms <= 0)
		return WS_OK;
	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ws_err_errno("poll");
	if (n == 0)
		return ws_err_set(WS_ERR_TIMEOUT, "no progress within %d ms", timeout_ms);
	return WS_OK;
}

ws_err
ws_io_write_all(int fd, const void *p, size_t n, int timeout_ms)
{
	const uint8_t *b = p;
	ws_err r;

	while (n > 0) {
		ssize_t w;

		if ((r = io_wait(fd, POLLOUT, timeout_ms)) != WS_OK)
			return r;
		w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return ws_err_errno("write");
		}
		b += w;
		n -= (size_t)w;
	}
	return WS_OK;
}

ws_err
ws_io_read_all(int fd, void *p, size_t n, int timeout_ms)
{
	uint8_t *b = p;
	size_t got = 0;
	ws_err r;

	while (got < n) {
		ssize_t k;

		if ((r = io_wait(fd, POLLIN, timeout_ms)) != WS_OK)
			return r;
		k = read(fd, b + got, n - got);
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return ws_err_errno("read");
		}
		if (k == 0)
			return ws_err_set(WS_ERR_FRAME_TRUNCATED, "after %zu of %zu bytes", got, n);
		got += (size_t)k;
	}
	return WS_OK;
}

ws_err
ws_frame_send(int fd, const void *payload, size_t len, int timeout_ms)
{
	uint8_t hdr[WS_FRAME_HEADER_LEN];
	ws_err r;

	if (len > UINT32_MAX)
		return ws_err_set(WS_ERR_FRAME_TOO_LARGE, "%zu bytes", len);
	ws_frame_header_encode(hdr, (uint32_t)len);
	if ((r = ws_io_write_all(fd, hdr, sizeof(hdr), timeout_ms)) != WS_OK)
		return r;
	return ws_io_write_all(fd, payload, len, timeout_ms);
}

ws_err
ws_frame_recv(int fd, struct ws_buf *out, size_t max, int timeout_ms)
{
	uint8_t hdr[WS_FRAME_HEADER_LEN];
	uint32_t len;
	ws_err r;

	if ((r = ws_io_read_all(fd, hdr, sizeof(hdr), timeout_ms)) != WS_OK)
		return r;
	if ((r = ws_frame_header_decode(hdr, max, &len)) != WS_OK)
		return r;
	ws_buf_reset(out);
	if ((r = ws_buf_reserve(out, len)) != WS_OK)
		return r;
	if ((r = ws_io_read_all(fd, out->data, len, timeout_ms)) != WS_OK)
		return r;
	out->len = len;
	return WS_OK;
}
