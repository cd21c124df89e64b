/*
 * ws_pem.h -- strict PEM (RFC 7468) encoding and decoding.
 *
 * Decoding accepts exactly one block with the expected label, in the
 * strict form of RFC 7468 §3 with whitespace tolerated: optional whitespace,
 * "-----BEGIN <label>-----", base64 text (whitespace between characters is
 * ignored; no headers, canonical padding and zero padding bits), "-----END
 * <label>-----", optional whitespace. Anything else is refused.
 */
#ifndef WS_PEM_H
#define WS_PEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_buf.h"
#include "ws_err.h"

/* True when text (after leading whitespace) starts with "-----BEGIN ". */
bool ws_pem_looks_like(const uint8_t *text, size_t len);

/*
 * Decodes the one PEM block in text[0..len) whose label must be `label`,
 * replacing the contents of der (bounded by der's maximum). Errors:
 * `malformed` (the caller's code, e.g. WS_ERR_CSR_MALFORMED) for a wrong
 * label, bad base64, a second block or trailing data; WS_ERR_TRUNCATED when
 * the END line is missing; WS_ERR_LIMIT from der. The detail says which.
 */
ws_err ws_pem_decode(const uint8_t *text, size_t len, const char *label, ws_err malformed,
    struct ws_buf *der);

/* Appends der as a PEM block ("-----BEGIN label-----\n", 64-column lines, END line + "\n"). */
ws_err ws_pem_encode(struct ws_buf *out, const char *label, const uint8_t *der, size_t len);

#endif /* WS_PEM_H */
