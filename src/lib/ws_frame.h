/*
 * ws_frame.h -- the socket protocol's framing (wavesign-protocol(7)).
 *
 * Every message, in both directions, is a 12-byte header followed by one
 * JSON object of exactly `length` bytes:
 *
 *   offset 0  4 bytes  magic "WSGN"
 *   offset 4  u16 BE   protocol version (1)
 *   offset 6  u16 BE   reserved, must be 0
 *   offset 8  u32 BE   payload length (>= 2, <= the receiver's maximum)
 *
 * The receiver decides its maximum; the daemon's comes from its config
 * (limits.max-frame). A header that fails any check ends the connection
 * after an error reply, since the stream cannot be resynchronised.
 */
#ifndef WS_FRAME_H
#define WS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "ws_buf.h"
#include "ws_err.h"

#define WS_FRAME_MAGIC "WSGN"
#define WS_FRAME_VERSION 1
#define WS_FRAME_HEADER_LEN 12
#define WS_FRAME_MIN_PAYLOAD 2			/* "{}" */
#define WS_FRAME_CLIENT_MAX (256u << 20)	/* largest reply a client accepts */

/* Writes the header for a payload of len bytes. */
void ws_frame_header_encode(uint8_t hdr[WS_FRAME_HEADER_LEN], uint32_t len);

/*
 * Checks a received header. WS_ERR_FRAME_MAGIC, WS_ERR_FRAME_VERSION,
 * WS_ERR_FRAME_TOO_LARGE (len > max; the detail has both numbers),
 * WS_ERR_REQUEST (len < WS_FRAME_MIN_PAYLOAD). On success *len is the payload length.
 */
ws_err ws_frame_header_decode(const uint8_t hdr[WS_FRAME_HEADER_LEN], size_t max, uint32_t *len);

/*
 * Blocking helpers for clients (and tests): send one frame; receive one
 * frame of at most max payload bytes into out (replacing its contents).
 * timeout_ms bounds each wait for the peer (0 = no timeout): WS_ERR_TIMEOUT.
 * A peer closing mid-frame is WS_ERR_FRAME_TRUNCATED.
 */
ws_err ws_frame_send(int fd, const void *payload, size_t len, int timeout_ms);
ws_err ws_frame_recv(int fd, struct ws_buf *out, size_t max, int timeout_ms);

/* Writes / reads exactly n bytes with the same timeout semantics. */
ws_err ws_io_write_all(int fd, const void *p, size_t n, int timeout_ms);
ws_err ws_io_read_all(int fd, void *p, size_t n, int timeout_ms);

#endif /* WS_FRAME_H */
