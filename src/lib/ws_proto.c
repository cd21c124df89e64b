/*
 * ws_proto.c -- request and response messages (see ws_proto.h).
 */
#include "config.h"

#include <string.h>

#include "ws_cjson.h"
#include "ws_json.h"
#include "ws_proto.h"

static bool
op_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > WS_OP_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

static bool
request_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > WS_REQUEST_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

ws_err
ws_request_parse(const uint8_t *data, size_t len, struct ws_request *out)
{
	static const char *const members[] = { "op", "id", "args", NULL };
	json_t *root = NULL, *args = NULL;
	const char *op = NULL, *id = NULL;
	ws_err r;

	memset(out, 0, sizeof(*out));
	if ((r = ws_json_parse(data, len, WS_JSON_DEPTH_DEFAULT, &root)) != WS_OK)
		return r;
	if (!json_is_object(root)) {
		r = ws_err_set(WS_ERR_REQUEST, "the request must be a JSON object, got %s",
		    ws_json_type_name(root));
		goto out;
	}
	if ((r = ws_json_only_members(root, "request", members)) != WS_OK)
		goto out;
	if ((r = ws_json_get_str(root, "request", "op", &op)) != WS_OK ||
	    (r = ws_json_get_str_opt(root, "request", "id", &id)) != WS_OK ||
	    (r = ws_json_get_obj_opt(root, "request", "args", &args)) != WS_OK) {
		r = ws_err_set(WS_ERR_REQUEST, "%s", ws_err_detail());
		goto out;
	}
	if (!op_name_ok(op)) {
		r = ws_err_set(WS_ERR_REQUEST, "request.op: \"%.80s\" is not an operation name", op);
		goto out;
	}
	if (id != NULL && !request_id_ok(id)) {
		r = ws_err_set(WS_ERR_REQUEST, "request.id: 1 to %d printable ASCII characters without spaces",
		    WS_REQUEST_ID_MAX);
		goto out;
	}
	if (args == NULL) {
		args = json_object();
		if (args == NULL || json_object_set_new(root, "args", args) != 0) {
			r = ws_err_set(WS_ERR_NOMEM, "request args");
			goto out;
		}
	}
	out->root = root;
	out->op = op;
	out->id = id;
	out->args = args;
	root = NULL;
out:
	json_decref(root);
	return r;
}

void
ws_request_free(struct ws_request *req)
{
	json_decref(req->root);
	memset(req, 0, sizeof(*req));
}

static ws_err
encode_owned(json_t *msg, struct ws_buf *out)
{
	ws_err r;

	if (msg == NULL)
		return ws_err_set(WS_ERR_NOMEM, "building a message");
	r = ws_cjson_encode(msg, WS_CJSON_VALID_JSON, out);
	json_decref(msg);
	return r;
}

/* Sets key to a new reference of v, or to a new empty object when v is NULL. */
static int
set_object_or_empty(json_t *msg, const char *key, const json_t *v)
{
	return v ? json_object_set(msg, key, (json_t *)v) : json_object_set_new(msg, key, json_object());
}

static int
set_id(json_t *msg, const char *id)
{
	return id ? json_object_set_new(msg, "id", json_string(id)) : 0;
}

ws_err
ws_request_encode(const char *op, const char *id, const json_t *args, struct ws_buf *out)
{
	json_t *msg = json_object();

	if (msg != NULL && (json_object_set_new(msg, "op", json_string(op)) != 0 ||
	    set_object_or_empty(msg, "args", args) != 0 || set_id(msg, id) != 0)) {
		json_decref(msg);
		msg = NULL;
	}
	return encode_owned(msg, out);
}

ws_err
ws_response_encode_ok(const char *id, const json_t *result, struct ws_buf *out)
{
	json_t *msg = json_object();

	if (msg != NULL && (json_object_set_new(msg, "ok", json_true()) != 0 ||
	    set_object_or_empty(msg, "result", result) != 0 || set_id(msg, id) != 0)) {
		json_decref(msg);
		msg = NULL;
	}
	return encode_owned(msg, out);
}

ws_err
ws_response_encode_error(const char *id, ws_err code, const char *message, int64_t record,
    struct ws_buf *out)
{
	json_t *err = json_pack("{s:s, s:s}", "code", ws_err_code(code), "message",
	    message ? message : ws_strerror(code));
	json_t *msg = NULL;

	if (err != NULL && record >= 0 && json_object_set_new(err, "record", json_integer(record)) != 0) {
		json_decref(err);
		err = NULL;
	}
	if (err != NULL)
		msg = json_pack("{s:b, s:o}", "ok", 0, "error", err);
	if (msg != NULL && set_id(msg, id) != 0) {
		json_decref(msg);
		msg = NULL;
	}
	return encode_owned(msg, out);
}

ws_err
ws_response_parse(const uint8_t *data, size_t len, struct ws_response *out)
{
	json_t *root = NULL, *ok = NULL, *err = NULL, *result = NULL;
	const char *code = NULL, *message = NULL;
	int64_t record = -1;
	ws_err r;

	memset(out, 0, sizeof(*out));
	out->record = -1;
	if ((r = ws_json_parse(data, len, 64, &root)) != WS_OK)
		return r;
	ok = json_is_object(root) ? json_object_get(root, "ok") : NULL;
	if (!json_is_boolean(ok)) {
		r = ws_err_set(WS_ERR_REQUEST, "response has no boolean \"ok\"");
		goto out;
	}
	if (json_is_true(ok)) {
		if ((r = ws_json_get_obj(root, "response", "result", &result)) != WS_OK)
			goto out;
		out->ok = true;
		out->result = result;
	} else {
		if ((r = ws_json_get_obj(root, "response", "error", &err)) != WS_OK ||
		    (r = ws_json_get_str(err, "response.error", "code", &code)) != WS_OK ||
		    (r = ws_json_get_str(err, "response.error", "message", &message)) != WS_OK ||
		    (r = ws_json_get_int_opt(err, "response.error", "record", &record)) != WS_OK)
			goto out;
		out->ok = false;
		out->code = ws_err_from_code(code);
		out->code_name = code;
		out->message = message;
		out->record = record;
	}
	out->root = root;
	root = NULL;
out:
	json_decref(root);
	return r;
}

void
ws_response_free(struct ws_response *resp)
{
	json_decref(resp->root);
	memset(resp, 0, sizeof(*resp));
	resp->record = -1;
}
