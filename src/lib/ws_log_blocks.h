/*
 * ws_log_blocks.h -- reads the log on a second thread, hashing leaves
 * ahead of the verifier.
 *
 * Verifying a record costs two SHA-256 passes over it (its chain hash and
 * its Merkle leaf hash) plus the canonical-form scan. This reader splits
 * the work over two cores: a thread reads the file into blocks of lines
 * (at most WS_LOG_BLOCK_BYTES and WS_LOG_BLOCK_LINES each) and computes
 * every line's leaf hash, while the caller verifies the previous block.
 * Two blocks are in flight, so memory is fixed (about 10 MiB).
 *
 * ws_log_blocks_next() has the contract of ws_log_reader_next() (lines
 * without '\n', borrowed until the next call; *line == NULL at the clean
 * end; WS_ERR_TRUNCATED for a partial last line, WS_ERR_LIMIT for a line
 * over 1 MiB, WS_ERR_SYSTEM for read errors; errors are sticky), and also
 * returns the line's two hashes: leaf = ws_merkle_leaf_hash(line) and
 * chain = ws_sha256(line). (Both are computed on the thread: that splits
 * the work about evenly with the caller's scan and tree.)
 */
#ifndef WS_LOG_BLOCKS_H
#define WS_LOG_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "ws_err.h"
#include "ws_merkle.h"

#define WS_LOG_BLOCK_BYTES ((size_t)4 << 20)
#define WS_LOG_BLOCK_LINES 16384

struct ws_log_blocks;

/* Opens path and starts the reading thread. Free with ws_log_blocks_free(). */
ws_err ws_log_blocks_open(const char *path, struct ws_log_blocks **out);

ws_err ws_log_blocks_next(struct ws_log_blocks *b, const uint8_t **line, size_t *len,
    const uint8_t **leaf, const uint8_t **chain);

/* Length of the partial last line after WS_ERR_TRUNCATED, else 0. */
uint64_t ws_log_blocks_partial(const struct ws_log_blocks *b);

/* Stops the thread (it may be blocked on a full queue) and frees. NULL is fine. */
void ws_log_blocks_free(struct ws_log_blocks *b);

#endif /* WS_LOG_BLOCKS_H */
