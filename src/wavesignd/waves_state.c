/*
 * waves_state.c -- the wave state in the daemon: rebuild, files, apply.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "waves_state.h"
#include "ws_buf.h"
#include "ws_cjson.h"
#include "ws_file.h"
#include "ws_json.h"
#include "wslog.h"

struct waves_state {
	pthread_mutex_t lock;
	char out_dir[PATH_MAX - 512];	/* STATE/out/waves (room left for wave and file names) */
	char index_dir[PATH_MAX - 512];	/* STATE/index */
	struct ws_wave_state *st;
	uint64_t loaded_seq;		/* the snapshot's seq when the rebuild began */
};

ws_err
waves_state_open(const char *state_dir, struct waves_state **out)
{
	struct waves_state *ws = NULL;
	ws_err r;

	if ((ws = calloc(1, sizeof(*ws))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "wave state");
	pthread_mutex_init(&ws->lock, NULL);
	if ((size_t)snprintf(ws->out_dir, sizeof(ws->out_dir), "%s/out/waves", state_dir) >= sizeof(ws->out_dir) ||
	    (size_t)snprintf(ws->index_dir, sizeof(ws->index_dir), "%s/index", state_dir) >= sizeof(ws->index_dir)) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "state directory path too long");
		goto out;
	}
	if ((r = ws_file_mkdirs(ws->out_dir, 0700)) != WS_OK || (r = ws_file_mkdirs(ws->index_dir, 0700)) != WS_OK ||
	    (r = ws_wave_state_new(&ws->st)) != WS_OK)
		goto out;
	*out = ws;
	ws = NULL;
out:
	waves_state_free(ws);
	return r;
}

void
waves_state_free(struct waves_state *ws)
{
	if (ws == NULL)
		return;
	ws_wave_state_free(ws->st);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
}

void
waves_lock(struct waves_state *ws)
{
	pthread_mutex_lock(&ws->lock);
}

void
waves_unlock(struct waves_state *ws)
{
	pthread_mutex_unlock(&ws->lock);
}

struct ws_wave_state *
waves_state_get(struct waves_state *ws)
{
	return ws->st;
}

ws_err
waves_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > WS_WAVE_NAME_MAX || name[0] == '.')
		goto bad;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		    c == '_' || c == '-'))
			goto bad;
	}
	return WS_OK;
bad:
	return ws_err_set(WS_ERR_WAVE_NAME, "wave name \"%.64s\": 1 to %u of A-Z a-z 0-9 . _ -, not starting "
	    "with '.' (it names the wave's files)", name ? name : "", WS_WAVE_NAME_MAX);
}

static void
wave_path(const struct waves_state *ws, const char *name, const char *file, char *buf, size_t size)
{
	if (file == NULL)
		snprintf(buf, size, "%s/%s", ws->out_dir, name);
	else
		snprintf(buf, size, "%s/%s/%s", ws->out_dir, name, file);
}

/* ------------------------------------------------------------- events */

ws_err
waves_op_from_record_name(const char *op, enum ws_wave_op *out)
{
	if (op == NULL || strncmp(op, "waves.", 6) != 0)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "not a wave op");
	return ws_wave_op_from_name(op + 6, out);
}

static json_t *
selection_to_json(const struct ws_wave_selection *sel)
{
	json_t *list;

	switch (sel->kind) {
	case WS_WAVE_SELECT_ALL:
		return json_pack("{s:s}", "type", "all");
	case WS_WAVE_SELECT_LIMIT:
		return json_pack("{s:s,s:I}", "type", "limit", "limit", (json_int_t)sel->limit);
	case WS_WAVE_SELECT_PERCENTAGE:
		return json_pack("{s:s,s:I}", "type", "percentage", "percentage", (json_int_t)sel->percentage);
	case WS_WAVE_SELECT_UUIDS:
		if ((list = json_array()) == NULL)
			return NULL;
		for (size_t i = 0; i < sel->n_uuids; i++)
			if (json_array_append_new(list, json_string(sel->uuids[i])) != 0) {
				json_decref(list);
				return NULL;
			}
		return json_pack("{s:s,s:o}", "type", "uuids", "uuids", list);
	}
	return NULL;
}

ws_err
waves_event_subject(const struct ws_wave_event *ev, json_t *subject)
{
	int e = json_object_set_new(subject, "name", json_string(ev->wave));

	e |= json_object_set_new(subject, "time", json_integer((json_int_t)ev->time));
	switch (ev->op) {
	case WS_WAVE_OP_INIT:
		e |= json_object_set_new(subject, "tag", json_string(ev->tag));
		e |= json_object_set_new(subject, "version", json_integer((json_int_t)ev->version));
		break;
	case WS_WAVE_OP_SIGN:
		e |= json_object_set_new(subject, "keyid", json_string(ev->keyid));
		break;
	case WS_WAVE_OP_ROLLOUT:
		e |= json_object_set_new(subject, "group", json_string(ev->group));
		e |= json_object_set_new(subject, "selection", selection_to_json(&ev->selection));
		break;
	case WS_WAVE_OP_APPROVE:
		e |= json_object_set_new(subject, "op", json_string(ws_wave_op_name(ev->approved_op)));
		break;
	default:
		break;
	}
	return e ? ws_err_set(WS_ERR_NOMEM, "wave record") : WS_OK;
}

/* Reads a selection written by selection_to_json(); *uuids is the caller's to free(). */
static ws_err
selection_from_json(const json_t *j, struct ws_wave_selection *sel, const char ***uuids)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	json_t *list, *v;
	size_t i;

	memset(sel, 0, sizeof(*sel));
	if (type == NULL)
		return ws_err_set(WS_ERR_LOG_CORRUPT, "selection without a type");
	if (strcmp(type, "all") == 0) {
		sel->kind = WS_WAVE_SELECT_ALL;
	} else if (strcmp(type, "limit") == 0) {
		sel->kind = WS_WAVE_SELECT_LIMIT;
		sel->limit = (uint64_t)json_integer_value(json_object_get(j, "limit"));
	} else if (strcmp(type, "percentage") == 0) {
		sel->kind = WS_WAVE_SELECT_PERCENTAGE;
		sel->percentage = (unsigned)json_integer_value(json_object_get(j, "percentage"));
	} else if (strcmp(type, "uuids") == 0) {
		sel->kind = WS_WAVE_SELECT_UUIDS;
		list = json_object_get(j, "uuids");
		if (!json_is_array(list) || json_array_size(list) == 0)
			return ws_err_set(WS_ERR_LOG_CORRUPT, "selection by uuids without uuids");
		if ((*uuids = calloc(json_array_size(list), sizeof(**uuids))) == NULL)
			return ws_err_set(WS_ERR_NOMEM, "selection");
		json_array_foreach(list, i, v)
			(*uuids)[i] = json_string_value(v) ? json_string_value(v) : "";
		sel->uuids = *uuids;
		sel->n_uuids = json_array_size(list);
	} else {
		return ws_err_set(WS_ERR_LOG_CORRUPT, "selection type \"%.16s\"", type);
	}
	return WS_OK;
}

/* Reads out/waves/NAME/targets.json and returns its `signed` (new reference). */
static ws_err
read_signed_targets(struct waves_state *ws, const char *name, json_t **out)
{
	struct ws_buf buf = WS_BUF_INIT(WS_TUF_FILE_MAX);
	json_t *doc = NULL, *s;
	char path[PATH_MAX];
	ws_err r;

	wave_path(ws, name, "targets.json", path, sizeof(path));
	if ((r = ws_buf_read_file(&buf, path, WS_TUF_FILE_MAX)) != WS_OK ||
	    (r = ws_json_parse(buf.data, buf.len, WS_TUF_JSON_DEPTH, &doc)) != WS_OK)
		goto fail;
	if (!json_is_object(s = json_object_get(doc, "signed"))) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "no signed object");
		goto fail;
	}
	*out = json_incref(s);
	goto out;
fail:
	ws_err_prefix("%s", path);
out:
	json_decref(doc);
	ws_buf_free(&buf);
	return r;
}

ws_err
waves_index_begin(struct waves_state *ws, uint64_t log_size)
{
	struct ws_wave_state *st = NULL;
	ws_err r;

	r = ws_wave_state_load(ws->index_dir, &st);
	if (r == WS_OK && ws_wave_state_seq(st) >= log_size) {
		wslog_warn("waves: %s/%s reflects record %" PRIu64 " but the log has %" PRIu64 " records; rebuilding "
		    "from the log", ws->index_dir, WS_WAVE_STATE_FILE, ws_wave_state_seq(st), log_size);
		ws_wave_state_free(st);
		st = NULL;
	} else if (r != WS_OK && r != WS_ERR_NOT_FOUND) {
		wslog_warn("waves: %s/%s does not load (%s); rebuilding from the log", ws->index_dir,
		    WS_WAVE_STATE_FILE, ws_err_message(r));
	}
	if (st == NULL && (r = ws_wave_state_new(&st)) != WS_OK)
		return r;
	ws_wave_state_free(ws->st);
	ws->st = st;
	ws->loaded_seq = ws_wave_state_seq(st);
	return WS_OK;
}

ws_err
waves_index_note(struct waves_state *ws, uint64_t seq, const json_t *record)
{
	const char *op_name = json_string_value(json_object_get(record, "op"));
	json_t *subject = json_object_get(record, "subject"), *outputs = json_object_get(record, "outputs");
	json_t *signed_targets = NULL;
	struct ws_wave_event ev = { .seq = seq };
	const char **uuids = NULL;
	const char *approved;
	json_int_t uid;
	ws_err r;

	if (waves_op_from_record_name(op_name, &ev.op) != WS_OK || json_object_get(outputs, "replay_of") != NULL ||
	    seq <= ws_wave_state_seq(ws->st))
		return WS_OK;
	uid = json_integer_value(json_object_get(json_object_get(record, "peer"), "uid"));
	ev.uid = (uint32_t)uid;
	ev.wave = json_string_value(json_object_get(subject, "name"));
	ev.time = json_integer_value(json_object_get(subject, "time"));
	if (ev.wave == NULL || !json_is_integer(json_object_get(subject, "time")) || uid < 0 || uid > UINT32_MAX) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "no subject.name, subject.time or peer.uid");
		goto out;
	}
	switch (ev.op) {
	case WS_WAVE_OP_INIT:
		ev.tag = json_string_value(json_object_get(subject, "tag"));
		ev.version = json_integer_value(json_object_get(subject, "version"));
		ev.targets_sha256 = json_string_value(json_object_get(outputs, "targets_sha256"));
		if (ev.tag == NULL || ev.targets_sha256 == NULL) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "no subject.tag or outputs.targets_sha256");
			goto out;
		}
		if ((r = waves_name_ok(ev.wave)) != WS_OK || (r = read_signed_targets(ws, ev.wave, &signed_targets)) != WS_OK)
			goto out;
		ev.signed_targets = signed_targets;
		break;
	case WS_WAVE_OP_SIGN:
		ev.keyid = json_string_value(json_object_get(subject, "keyid"));
		break;
	case WS_WAVE_OP_ROLLOUT:
		ev.group = json_string_value(json_object_get(subject, "group"));
		if ((r = selection_from_json(json_object_get(subject, "selection"), &ev.selection, &uuids)) != WS_OK)
			goto out;
		break;
	case WS_WAVE_OP_APPROVE:
		approved = json_string_value(json_object_get(subject, "op"));
		if ((r = ws_wave_op_from_name(approved, &ev.approved_op)) != WS_OK) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "approve without subject.op");
			goto out;
		}
		break;
	default:
		break;
	}
	r = ws_wave_apply(ws->st, &ev);
out:
	if (r != WS_OK)
		ws_err_prefix("signing log record %" PRIu64 " (%s)", seq, op_name);
	json_decref(signed_targets);
	free(uuids);
	return r;
}

ws_err
waves_index_end(struct waves_state *ws)
{
	ws_err r;

	if (ws_wave_state_seq(ws->st) == ws->loaded_seq)
		return WS_OK;
	if ((r = ws_wave_state_save(ws->st, ws->index_dir)) != WS_OK)
		wslog_warn("waves: cannot save the snapshot: %s", ws_err_message(r));
	return WS_OK;
}

/* -------------------------------------------------------------- files */

ws_err
waves_write_targets(struct waves_state *ws, const char *name, const uint8_t *file, size_t len)
{
	char path[PATH_MAX];
	ws_err r;

	wave_path(ws, name, NULL, path, sizeof(path));
	if ((r = ws_file_mkdirs(path, 0700)) != WS_OK)
		return r;
	wave_path(ws, name, "targets.json", path, sizeof(path));
	return ws_file_write_atomic(path, file, len, 0644);
}

ws_err
waves_write_signature(struct waves_state *ws, const char *name, const char *keyid, const json_t *sig)
{
	struct ws_buf b = WS_BUF_INIT(64 * 1024);
	char path[PATH_MAX], file[128];
	ws_err r;

	snprintf(file, sizeof(file), "sig-%.64s.json", keyid);
	wave_path(ws, name, file, path, sizeof(path));
	if ((r = ws_cjson_encode(sig, WS_CJSON_VALID_JSON, &b)) == WS_OK)
		r = ws_file_write_atomic(path, b.data, b.len, 0644);
	ws_buf_free(&b);
	return r;
}

static ws_err
read_signature(struct waves_state *ws, const char *name, const char *keyid, json_t **out)
{
	struct ws_buf buf = WS_BUF_INIT(64 * 1024);
	char path[PATH_MAX], file[128];
	ws_err r;

	snprintf(file, sizeof(file), "sig-%.64s.json", keyid);
	wave_path(ws, name, file, path, sizeof(path));
	if ((r = ws_buf_read_file(&buf, path, buf.max)) != WS_OK ||
	    (r = ws_json_parse(buf.data, buf.len, 4, out)) != WS_OK)
		ws_err_prefix("%s", path);
	ws_buf_free(&buf);
	return r;
}

ws_err
waves_load_targets(struct waves_state *ws, const char *name, enum ws_tuf_dialect dialect, struct ws_tuf_doc **out)
{
	struct ws_buf buf = WS_BUF_INIT(WS_TUF_FILE_MAX), enc = WS_BUF_INIT(WS_TUF_FILE_MAX);
	struct ws_tuf_doc *doc = NULL, *full = NULL;
	json_t *show = NULL, *env = NULL, *sigs, *s, *sig = NULL;
	char path[PATH_MAX];
	size_t i;
	ws_err r;

	if ((r = ws_wave_show(ws->st, name, &show)) != WS_OK)
		goto out;
	wave_path(ws, name, "targets.json", path, sizeof(path));
	if ((r = ws_buf_read_file(&buf, path, WS_TUF_FILE_MAX)) != WS_OK ||
	    (r = ws_tuf_doc_parse(dialect, WS_TUF_TARGETS, buf.data, buf.len, &doc)) != WS_OK) {
		ws_err_prefix("%s", path);
		goto out;
	}
	sigs = json_object_get(show, "signatures");
	if (json_array_size(sigs) == 0) {
		*out = doc;
		doc = NULL;
		goto out;
	}
	if ((env = json_deep_copy(doc->envelope)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "wave targets");
		goto out;
	}
	json_array_foreach(sigs, i, s) {
		if ((r = read_signature(ws, name, json_string_value(json_object_get(s, "keyid")), &sig)) != WS_OK)
			goto out;
		if (json_array_append_new(json_object_get(env, "signatures"), sig) != 0) {
			r = ws_err_set(WS_ERR_NOMEM, "wave targets");
			goto out;
		}
	}
	if ((r = ws_tuf_doc_encode(dialect, env, &enc)) != WS_OK ||
	    (r = ws_tuf_doc_parse(dialect, WS_TUF_TARGETS, enc.data, enc.len, &full)) != WS_OK) {
		ws_err_prefix("wave %s's targets with their signatures", name);
		goto out;
	}
	*out = full;
out:
	ws_tuf_doc_free(doc);
	json_decref(show);
	json_decref(env);
	ws_buf_free(&buf);
	ws_buf_free(&enc);
	return r;
}

ws_err
waves_apply(struct waves_state *ws, const struct ws_wave_event *ev)
{
	ws_err r;

	if ((r = ws_wave_apply(ws->st, ev)) != WS_OK) {
		wslog_error("waves: record %" PRIu64 " (%s of wave %s) is durable but does not apply: %s; the next "
		    "start rebuilds the state from the log", ev->seq, ws_wave_op_name(ev->op), ev->wave,
		    ws_err_message(r));
		return r;
	}
	if ((r = ws_wave_state_save(ws->st, ws->index_dir)) != WS_OK)
		wslog_warn("waves: cannot save the snapshot (the log has the state): %s", ws_err_message(r));
	return WS_OK;
}
