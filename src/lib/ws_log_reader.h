/*
 * ws_log_reader.h -- reads the signing log one line at a time.
 *
 * Shared by the daemon (start-up scan, index rebuild) and wavesign-audit.
 * Memory is fixed (a 2 MiB window) whatever the size of the log. A line
 * is returned without its '\n' and borrows from the reader: it is valid
 * until the next call.
 *
 * ws_log_reader_next() returns
 *   WS_OK              a line, or *line == NULL at the clean end of the file;
 *   WS_ERR_LIMIT       a line longer than WS_LOG_LINE_MAX (1 MiB);
 *   WS_ERR_TRUNCATED   the file ends in a partial line (bytes after the last
 *                      '\n'): a crash during a write. ws_log_reader_offset()
 *                      is where it starts, ws_log_reader_partial() its length;
 *   WS_ERR_SYSTEM      a read error.
 * After an error the reader stays in that state.
 */
#ifndef WS_LOG_READER_H
#define WS_LOG_READER_H

#include <stddef.h>
#include <stdint.h>

#include "ws_err.h"

struct ws_log_reader;

/* Opens path read-only. Free with ws_log_reader_free(). */
ws_err ws_log_reader_open(const char *path, struct ws_log_reader **out);

/* Reads from fd, from its start (pread); the caller keeps owning fd. */
ws_err ws_log_reader_from_fd(int fd, struct ws_log_reader **out);

ws_err ws_log_reader_next(struct ws_log_reader *r, const uint8_t **line, size_t *len);

/* Bytes consumed: the file offset just after the last line returned. */
uint64_t ws_log_reader_offset(const struct ws_log_reader *r);

/* Number of lines returned so far. */
uint64_t ws_log_reader_lines(const struct ws_log_reader *r);

/* Length of the partial last line after WS_ERR_TRUNCATED, else 0. */
uint64_t ws_log_reader_partial(const struct ws_log_reader *r);

/* NULL is fine. Closes the file if the reader opened it. */
void ws_log_reader_free(struct ws_log_reader *r);

#endif /* WS_LOG_READER_H */
