/*
 * ws_logline.h -- one line of the signing log: canonical form and the
 * members the log module owns.
 *
 * A log line is the canonical JSON of one object as ws_cjson_encode()
 * writes it with WS_CJSON_VALID_JSON: keys sorted by their bytes, no
 * whitespace, integers only (int64), strings with '"' and '\' escaped,
 * control characters escaped (\b \f \n \r \t, else \u00xx in lower case)
 * and everything else raw UTF-8; at most WS_LOG_DEPTH_MAX nested
 * containers. Exactly one byte string encodes a given record, so a line's
 * hash identifies the record. (The control-character escapes keep every
 * record on one line whatever the strings hold.)
 *
 * Two ways to check a line, which accept exactly the same lines:
 *
 *  - ws_logline_scan(): one pass over the bytes, no allocation, and it
 *    extracts seq, time, prev and op. `wavesign-audit verify` and the
 *    daemon's start-up scan use it: jansson would be some 50 times slower
 *    than hashing the log.
 *  - ws_logline_parse(): the definition -- ws_json_parse() then
 *    ws_cjson_encode() and a byte comparison -- returning the JSON tree
 *    for readers that need the values (show, search, index rebuild).
 *
 * tests/fuzz/fuzz-logline.c checks that the two agree on every input.
 *
 * Errors: WS_ERR_LOG_CORRUPT with a detail that says what is wrong and at
 * which byte ("not canonical JSON: keys out of order at byte 42"); the
 * caller adds which record.
 */
#ifndef WS_LOGLINE_H
#define WS_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ws_err.h"
#include "ws_merkle.h"

/* Longest line, without its '\n'. */
#define WS_LOG_LINE_MAX ((size_t)1 << 20)
/* Nesting bound: the default of ws_json_parse(). */
#define WS_LOG_DEPTH_MAX 32
/* "YYYY-MM-DDTHH:MM:SSZ" */
#define WS_LOG_TIME_LEN 20

/* The members the log module writes, as found in a line (pointers borrow from it). */
struct ws_logline {
	uint64_t seq;
	char time[WS_LOG_TIME_LEN + 1];
	const uint8_t *prev_hex;	/* the 64 characters of prev */
	const uint8_t *op;		/* the op string's encoded bytes */
	size_t op_len;
};

/*
 * Checks that line[0..len) is canonical and that its top level is an
 * object with "seq" (a non-negative integer), "time" (a valid UTC time as
 * above), "prev" (a string of 64 characters, no escapes) and "op" (a
 * non-empty string). prev is not decoded here: the verifier compares it
 * with the lower-case hex of the hash it expects, which also proves it is
 * well-formed, at a fraction of the cost of decoding it for every record.
 */
ws_err ws_logline_scan(const uint8_t *line, size_t len, struct ws_logline *out);

/* Checks canonical form only, for any JSON value (what the fuzz target compares). */
ws_err ws_logline_canonical(const uint8_t *data, size_t len);

/*
 * The definition of canonical: parses with ws_json_parse(), re-encodes with
 * ws_cjson_encode(WS_CJSON_VALID_JSON) and compares bytes. On success *out
 * is a new reference (json_decref()). Does not require the log's members.
 */
ws_err ws_logline_parse(const uint8_t *line, size_t len, json_t **out);

/* Checks a "YYYY-MM-DDTHH:MM:SSZ" UTC time (a real date, 1970..9999). */
bool ws_log_time_valid(const char *s, size_t len);

#endif /* WS_LOGLINE_H */
