/*
 * ws_encode.h -- strict hex and base64 (RFC 4648 standard alphabet).
 *
 * Decoders accept only the one canonical spelling of a value: hex in lower
 * case with an even number of digits; base64 with '=' padding, no
 * whitespace, no line breaks, and zero bits in the unused low bits of the
 * last character. Anything else is WS_ERR_INVALID_ARGUMENT with a detail
 * naming the offending offset, so that a signed byte string has exactly one
 * text form (a checkpoint that differs in any character is a different
 * checkpoint).
 *
 * Encoders write into caller memory of the documented size, or append to a
 * ws_buf (bounded by its maximum: WS_ERR_LIMIT).
 */
#ifndef WS_ENCODE_H
#define WS_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "ws_buf.h"
#include "ws_err.h"

/* Characters needed to base64-encode n bytes (without a NUL). */
#define WS_BASE64_LEN(n) ((((n) + 2) / 3) * 4)

/* Writes 2*n lower-case hex digits and a NUL to out (2*n + 1 bytes). */
void ws_hex_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decodes exactly 2*n lower-case hex digits from in[0..len) into out[n].
 * WS_ERR_INVALID_ARGUMENT when len != 2*n or a character is not [0-9a-f].
 * out is written only on success.
 */
ws_err ws_hex_decode(const char *in, size_t len, uint8_t *out, size_t n);

/* Appends the base64 of in[0..n) to out. */
ws_err ws_base64_encode(const uint8_t *in, size_t n, struct ws_buf *out);

/*
 * Decodes canonical base64 in[0..len) into out (room for max bytes);
 * *out_len is the decoded length. WS_ERR_INVALID_ARGUMENT for any
 * non-canonical input, WS_ERR_LIMIT when it decodes to more than max bytes.
 * out and *out_len are written only on success.
 */
ws_err ws_base64_decode(const char *in, size_t len, uint8_t *out, size_t max, size_t *out_len);

#endif /* WS_ENCODE_H */
