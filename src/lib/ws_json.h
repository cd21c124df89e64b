/*
 * ws_json.h -- strict JSON parsing and typed member access (over jansson).
 *
 * ws_json_parse() accepts exactly one JSON value and refuses, each with its
 * own code: malformed text or trailing bytes (WS_ERR_JSON_SYNTAX), duplicate
 * object keys (WS_ERR_JSON_DUPLICATE_KEY), non-integer numbers or integers
 * outside int64 (WS_ERR_JSON_FLOAT), invalid UTF-8 or NUL in strings
 * (WS_ERR_JSON_UTF8), nesting deeper than max_depth (WS_ERR_JSON_DEPTH), and
 * input longer than the caller's bound (WS_ERR_LIMIT). The detail says
 * where (line, column, byte offset) and what.
 *
 * The getters look up one member of an object and check its type; failures
 * are WS_ERR_JSON_MISSING or WS_ERR_JSON_TYPE with a detail naming the
 * member ("args.csr: expected a string, got an integer"). Returned pointers
 * borrow from the object: valid while it lives; nothing to free.
 */
#ifndef WS_JSON_H
#define WS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ws_err.h"

#define WS_JSON_DEPTH_DEFAULT 32

/* Parses data[0..len). On success *out is a new reference (json_decref()). */
ws_err ws_json_parse(const uint8_t *data, size_t len, unsigned max_depth, json_t **out);

/* "object", "array", "string", "integer", "real", "boolean", "null". */
const char *ws_json_type_name(const json_t *v);

/*
 * Member getters. `where` names the object for messages (e.g. "args");
 * may be NULL. The _opt variants return WS_OK and leave *out untouched
 * when the member is absent (or null), but still check the type.
 */
ws_err ws_json_get_str(const json_t *obj, const char *where, const char *key, const char **out);
ws_err ws_json_get_str_opt(const json_t *obj, const char *where, const char *key, const char **out);
ws_err ws_json_get_int(const json_t *obj, const char *where, const char *key, int64_t *out);
ws_err ws_json_get_int_opt(const json_t *obj, const char *where, const char *key, int64_t *out);
ws_err ws_json_get_bool_opt(const json_t *obj, const char *where, const char *key, bool *out);
ws_err ws_json_get_obj(const json_t *obj, const char *where, const char *key, json_t **out);
ws_err ws_json_get_obj_opt(const json_t *obj, const char *where, const char *key, json_t **out);
ws_err ws_json_get_array(const json_t *obj, const char *where, const char *key, json_t **out);
ws_err ws_json_get_array_opt(const json_t *obj, const char *where, const char *key, json_t **out);

/*
 * Refuses members of obj not named in allowed (a NULL-terminated list):
 * WS_ERR_REQUEST with "where: unknown member 'x' (allowed: a, b)".
 */
ws_err ws_json_only_members(const json_t *obj, const char *where, const char *const *allowed);

#endif /* WS_JSON_H */
