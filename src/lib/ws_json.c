/*
 * ws_json.c -- strict JSON parsing and typed member access (see ws_json.h).
 *
 * jansson does the tokenising (UTF-8 validation, duplicate keys, integer
 * overflow); this file maps its errors to wavesign's codes and adds the
 * checks jansson lacks: integers only and a tight depth bound.
 */
#include "config.h"

#include <string.h>

#include "ws_json.h"

static ws_err
json_error_to_ws(const json_error_t *je)
{
	ws_err code;

	switch (json_error_code(je)) {
	case json_error_duplicate_key:
		code = WS_ERR_JSON_DUPLICATE_KEY;
		break;
	case json_error_invalid_utf8:
	case json_error_null_character:
	case json_error_null_byte_in_key:
		code = WS_ERR_JSON_UTF8;
		break;
	case json_error_numeric_overflow:
		code = WS_ERR_JSON_FLOAT;
		break;
	case json_error_out_of_memory:
		code = WS_ERR_NOMEM;
		break;
	case json_error_stack_overflow:
		code = WS_ERR_JSON_DEPTH;
		break;
	default:
		code = WS_ERR_JSON_SYNTAX;
		break;
	}
	return ws_err_set(code, "line %d, column %d (byte %d): %s", je->line, je->column,
	    je->position, je->text);
}

/* Refuses reals and nesting deeper than max_depth; depth of a scalar is 0. */
static ws_err
json_check_tree(const json_t *v, unsigned depth, unsigned max_depth)
{
	const char *key;
	json_t *child;
	size_t i;
	ws_err r;

	switch (json_typeof(v)) {
	case JSON_REAL:
		return ws_err_set(WS_ERR_JSON_FLOAT, "%.17g is not an integer", json_real_value(v));
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (depth >= max_depth)
			return ws_err_set(WS_ERR_JSON_DEPTH, "more than %u levels of nesting", max_depth);
		if (json_is_object(v)) {
			json_object_foreach((json_t *)v, key, child)
				if ((r = json_check_tree(child, depth + 1, max_depth)) != WS_OK)
					return r;
		} else {
			json_array_foreach(v, i, child)
				if ((r = json_check_tree(child, depth + 1, max_depth)) != WS_OK)
					return r;
		}
		return WS_OK;
	default:
		return WS_OK;
	}
}

ws_err
ws_json_parse(const uint8_t *data, size_t len, unsigned max_depth, json_t **out)
{
	json_error_t je;
	json_t *v;
	ws_err r;

	*out = NULL;
	/* jansson 2.14 drops a raw NUL that follows a number; no valid JSON text holds one. */
	const uint8_t *nul = memchr(data, 0, len);
	if (nul != NULL)
		return ws_err_set(WS_ERR_JSON_UTF8, "NUL byte at offset %zu", (size_t)(nul - data));
	v = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (v == NULL)
		return json_error_to_ws(&je);
	if ((r = json_check_tree(v, 0, max_depth)) != WS_OK) {
		json_decref(v);
		return r;
	}
	*out = v;
	return WS_OK;
}

const char *
ws_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

static ws_err
member(const json_t *obj, const char *where, const char *key, json_type type,
    const char *type_name, bool optional, json_t **out)
{
	json_t *v;

	if (!json_is_object(obj))
		return ws_err_set(WS_ERR_JSON_TYPE, "%s: expected an object, got %s",
		    where ? where : "value", ws_json_type_name(obj));
	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v)) {
		if (optional) {
			*out = NULL;
			return WS_OK;
		}
		return ws_err_set(WS_ERR_JSON_MISSING, "%s%s%s is required",
		    where ? where : "", where ? "." : "", key);
	}
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)))
		return ws_err_set(WS_ERR_JSON_TYPE, "%s%s%s: expected %s, got %s",
		    where ? where : "", where ? "." : "", key, type_name, ws_json_type_name(v));
	*out = v;
	return WS_OK;
}

ws_err
ws_json_get_str(const json_t *obj, const char *where, const char *key, const char **out)
{
	json_t *v;
	ws_err r = member(obj, where, key, JSON_STRING, "a string", false, &v);

	if (r == WS_OK)
		*out = json_string_value(v);
	return r;
}

ws_err
ws_json_get_str_opt(const json_t *obj, const char *where, const char *key, const char **out)
{
	json_t *v;
	ws_err r = member(obj, where, key, JSON_STRING, "a string", true, &v);

	if (r == WS_OK && v != NULL)
		*out = json_string_value(v);
	return r;
}

ws_err
ws_json_get_int(const json_t *obj, const char *where, const char *key, int64_t *out)
{
	json_t *v;
	ws_err r = member(obj, where, key, JSON_INTEGER, "an integer", false, &v);

	if (r == WS_OK)
		*out = json_integer_value(v);
	return r;
}

ws_err
ws_json_get_int_opt(const json_t *obj, const char *where, const char *key, int64_t *out)
{
	json_t *v;
	ws_err r = member(obj, where, key, JSON_INTEGER, "an integer", true, &v);

	if (r == WS_OK && v != NULL)
		*out = json_integer_value(v);
	return r;
}

ws_err
ws_json_get_bool_opt(const json_t *obj, const char *where, const char *key, bool *out)
{
	json_t *v;
	ws_err r = member(obj, where, key, JSON_TRUE, "a boolean", true, &v);

	if (r == WS_OK && v != NULL)
		*out = json_is_true(v);
	return r;
}

ws_err
ws_json_get_obj(const json_t *obj, const char *where, const char *key, json_t **out)
{
	return member(obj, where, key, JSON_OBJECT, "an object", false, out);
}

ws_err
ws_json_get_obj_opt(const json_t *obj, const char *where, const char *key, json_t **out)
{
	json_t *v;
	ws_err r = member(obj, where, key, JSON_OBJECT, "an object", true, &v);

	if (r == WS_OK && v != NULL)
		*out = v;
	return r;
}

ws_err
ws_json_get_array(const json_t *obj, const char *where, const char *key, json_t **out)
{
	return member(obj, where, key, JSON_ARRAY, "an array", false, out);
}

ws_err
ws_json_get_array_opt(const json_t *obj, const char *where, const char *key, json_t **out)
{
	json_t *v;
	ws_err r = member(obj, where, key, JSON_ARRAY, "an array", true, &v);

	if (r == WS_OK && v != NULL)
		*out = v;
	return r;
}

ws_err
ws_json_only_members(const json_t *obj, const char *where, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		size_t i;
		char list[256] = "";

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		for (i = 0; allowed[i] != NULL; i++) {
			if (i > 0)
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
		}
		return ws_err_set(WS_ERR_REQUEST, "%s: unknown member '%.64s' (allowed: %s)",
		    where ? where : "object", key, list[0] ? list : "none");
	}
	return WS_OK;
}
