/*
 * ws_sha256.h -- SHA-256 of small messages, fast.
 *
 * The signing log hashes every record twice (chain and Merkle leaf) plus
 * one Merkle node per record; `wavesign-audit verify` does this for
 * millions of short lines, so the per-call cost matters as much as the
 * per-byte cost. These functions cannot fail.
 */
#ifndef WS_SHA256_H
#define WS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define WS_SHA256_LEN 32

/* out = SHA-256(data), and SHA-256(prefix || data). */
void ws_sha256(const void *data, size_t len, uint8_t out[WS_SHA256_LEN]);
void ws_sha256_prefixed(uint8_t prefix, const void *data, size_t len, uint8_t out[WS_SHA256_LEN]);

/* out = SHA-256(prefix || a[0..32) || b[0..32)) (a Merkle interior node). */
void ws_sha256_pair(uint8_t prefix, const uint8_t a[WS_SHA256_LEN], const uint8_t b[WS_SHA256_LEN],
    uint8_t out[WS_SHA256_LEN]);

#endif /* WS_SHA256_H */
