/*
 * ws_log_verify.c -- the rules of the signing log, one line at a time
 * (see ws_log_verify.h).
 *
 * Every check of a line happens before any state changes, so that a
 * refused line leaves the verifier as it was (ws_log relies on that to
 * vet a record before writing it).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_encode.h"
#include "ws_json.h"
#include "ws_log_verify.h"

struct external {
	char source[256];
	struct ws_checkpoint cp;
	bool matched;
	char bad_signature[512];	/* reported once its origin is known to be ours */
};

struct ws_log_verifier {
	bool has_key;
	struct ws_note_key key;
	bool origin_fixed;		/* origin was set by the caller */
	char origin[WS_CHECKPOINT_ORIGIN_MAX + 1];
	struct ws_merkle_tree tree;
	ws_merkle_hash last_hash;
	char last_time[WS_LOG_TIME_LEN + 1];
	uint64_t checkpoints;
	bool have_cp;
	struct ws_log_checkpoint_info cp;
	uint8_t note[WS_NOTE_MAX];
	size_t next_external;		/* externals[0..next_external) are in use */
	struct external externals[WS_LOG_VERIFY_EXTERNAL_MAX];
};

ws_err
ws_log_verifier_new(const struct ws_note_key *key, struct ws_log_verifier **out)
{
	struct ws_log_verifier *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "log verifier");
	if (key != NULL) {
		v->has_key = true;
		v->key = *key;
	}
	ws_merkle_tree_init(&v->tree);
	*out = v;
	return WS_OK;
}

void
ws_log_verifier_free(struct ws_log_verifier *v)
{
	free(v);
}

ws_err
ws_log_verifier_set_origin(struct ws_log_verifier *v, const char *origin)
{
	ws_err r;

	if ((r = ws_checkpoint_origin_check(origin, strlen(origin))) != WS_OK)
		return r;
	memcpy(v->origin, origin, strlen(origin) + 1);
	v->origin_fixed = true;
	return WS_OK;
}

static bool
log_started(const struct ws_log_verifier *v)
{
	return v->tree.size > 0;
}

/* A checkpoint of another log is reported as that, before its signature. */
static ws_err
external_origin_check(const struct external *x, const char *origin)
{
	if (strcmp(x->cp.origin, origin) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT, "%s: the checkpoint is for origin %s, not this log's origin %s",
		    x->source, x->cp.origin, origin);
	if (x->bad_signature[0] != '\0')
		return ws_err_set(WS_ERR_CHECKPOINT, "%s: %s", x->source, x->bad_signature);
	return WS_OK;
}

ws_err
ws_log_verifier_expect(struct ws_log_verifier *v, const char *source, const uint8_t *note, size_t len)
{
	struct external x;
	struct ws_note n;
	ws_err r;

	if (v->next_external == WS_LOG_VERIFY_EXTERNAL_MAX)
		return ws_err_set(WS_ERR_LIMIT, "at most %d checkpoints from outside the log",
		    WS_LOG_VERIFY_EXTERNAL_MAX);
	memset(&x, 0, sizeof(x));
	snprintf(x.source, sizeof(x.source), "%s", source);
	if ((r = ws_checkpoint_parse(note, len, &x.cp, &n)) != WS_OK)
		return ws_err_set(WS_ERR_CHECKPOINT, "%s: %s", x.source, ws_err_detail());
	if (v->has_key && ws_note_verify(&n, &v->key) != WS_OK)
		snprintf(x.bad_signature, sizeof(x.bad_signature), "%s", ws_err_detail());
	if (log_started(v) && (r = external_origin_check(&x, v->origin)) != WS_OK)
		return r;
	v->externals[v->next_external++] = x;
	return WS_OK;
}

/* Matches the externals of the current tree size against the current root. */
static ws_err
externals_match(struct ws_log_verifier *v, bool *matched)
{
	ws_merkle_hash root;
	bool have_root = false;
	size_t i;

	for (i = 0; i < v->next_external; i++) {
		struct external *x = &v->externals[i];

		if (x->matched || x->cp.size != v->tree.size)
			continue;
		if (!have_root) {
			ws_merkle_tree_root(&v->tree, root);
			have_root = true;
		}
		if (memcmp(root, x->cp.root, sizeof(root)) != 0)
			return ws_err_set(WS_ERR_LOG_CORRUPT,
			    "%s: the checkpoint for tree size %" PRIu64 " does not match the log (root hash differs)",
			    x->source, x->cp.size);
		matched[i] = true;
	}
	return WS_OK;
}

/* Line 0: the log.create record; *origin receives its origin. */
static ws_err
create_record_check(struct ws_log_verifier *v, const uint8_t *line, size_t len, const struct ws_logline *l,
    char origin[WS_CHECKPOINT_ORIGIN_MAX + 1])
{
	const char *o = NULL;
	json_t *rec = NULL;
	int64_t format = 0;
	size_t i;
	ws_err r;

	if (l->op_len != strlen(WS_LOG_OP_CREATE) || memcmp(l->op, WS_LOG_OP_CREATE, l->op_len) != 0) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq 0: the first record is not a log.create record");
		goto out;
	}
	if ((r = ws_logline_parse(line, len, &rec)) != WS_OK ||
	    (r = ws_json_get_str(rec, NULL, "origin", &o)) != WS_OK ||
	    (r = ws_json_get_int(rec, NULL, "format", &format)) != WS_OK) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq 0: log.create record: %s", ws_err_detail());
		goto out;
	}
	if (format != WS_LOG_FORMAT) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq 0: log format %" PRId64 " is not supported (this is format %d)",
		    format, WS_LOG_FORMAT);
		goto out;
	}
	if (ws_checkpoint_origin_check(o, strlen(o)) != WS_OK) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq 0: %s", ws_err_detail());
		goto out;
	}
	if (v->origin_fixed && strcmp(o, v->origin) != 0) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq 0: the log's origin is %s, expected %s", o, v->origin);
		goto out;
	}
	for (i = 0; i < v->next_external; i++)
		if ((r = external_origin_check(&v->externals[i], o)) != WS_OK)
			goto out;
	memcpy(origin, o, strlen(o) + 1);
	r = WS_OK;
out:
	json_decref(rec);
	return r;
}

/* A log.checkpoint record at seq N == the current tree size. */
static ws_err
checkpoint_record_check(struct ws_log_verifier *v, const uint8_t *line, size_t len,
    struct ws_log_checkpoint_info *info)
{
	uint64_t seq = v->tree.size;
	json_t *rec = NULL, *obj = NULL;
	const char *note = NULL, *root_hex = NULL;
	char want_hex[2 * WS_MERKLE_HASH_LEN + 1];
	struct ws_note n;
	ws_merkle_hash root;
	int64_t size = -1;
	size_t note_len;
	ws_err r;

	if ((r = ws_logline_parse(line, len, &rec)) != WS_OK ||
	    (r = ws_json_get_obj(rec, NULL, "checkpoint", &obj)) != WS_OK ||
	    (r = ws_json_get_int(obj, "checkpoint", "size", &size)) != WS_OK ||
	    (r = ws_json_get_str(obj, "checkpoint", "root", &root_hex)) != WS_OK ||
	    (r = ws_json_get_str(obj, "checkpoint", "note", &note)) != WS_OK) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": checkpoint record: %s", seq, ws_err_detail());
		goto out;
	}
	note_len = json_string_length(json_object_get(obj, "note"));
	if (ws_checkpoint_parse((const uint8_t *)note, note_len, &info->cp, &n) != WS_OK) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": checkpoint note: %s", seq, ws_err_detail());
		goto out;
	}
	if (strcmp(info->cp.origin, v->origin) != 0) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": the checkpoint is for origin %s, not this log's origin %s",
		    seq, info->cp.origin, v->origin);
		goto out;
	}
	if (info->cp.size != seq) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT,
		    "seq %" PRIu64 ": the checkpoint is for tree size %" PRIu64 ", but %" PRIu64 " records precede it",
		    seq, info->cp.size, seq);
		goto out;
	}
	ws_merkle_tree_root(&v->tree, root);
	if (memcmp(root, info->cp.root, sizeof(root)) != 0) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT,
		    "seq %" PRIu64 ": the checkpoint for tree size %" PRIu64 " does not match the log (root hash differs)",
		    seq, seq);
		goto out;
	}
	if (v->has_key && ws_note_verify(&n, &v->key) != WS_OK) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": checkpoint: %s", seq, ws_err_detail());
		goto out;
	}
	ws_hex_encode(root, sizeof(root), want_hex);
	if ((uint64_t)size != seq || strcmp(root_hex, want_hex) != 0) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT,
		    "seq %" PRIu64 ": the checkpoint record's size or root differs from its note", seq);
		goto out;
	}
	if (note_len > sizeof(v->note)) {	/* ws_checkpoint_parse bounds it; belt and braces */
		r = ws_err_set(WS_ERR_INTERNAL, "checkpoint note too long");
		goto out;
	}
	info->seq = seq;
	info->note_len = note_len;
	info->note = (const uint8_t *)note;	/* copied by the caller before rec goes */
	memcpy(v->note, note, note_len);	/* the only state change, after every check */
	info->note = v->note;
	r = WS_OK;
out:
	json_decref(rec);
	return r;
}

static bool
op_is(const struct ws_logline *l, const char *op)
{
	return l->op_len == strlen(op) && memcmp(l->op, op, l->op_len) == 0;
}

ws_err
ws_log_verifier_line(struct ws_log_verifier *v, const uint8_t *line, size_t len)
{
	ws_merkle_hash leaf, chain;

	ws_merkle_leaf_hash(line, len, leaf);
	ws_sha256(line, len, chain);
	return ws_log_verifier_line_hashed(v, line, len, leaf, chain);
}

ws_err
ws_log_verifier_line_hashed(struct ws_log_verifier *v, const uint8_t *line, size_t len,
    const ws_merkle_hash leaf, const ws_merkle_hash chain)
{
	bool matched[WS_LOG_VERIFY_EXTERNAL_MAX] = { false };
	char origin[WS_CHECKPOINT_ORIGIN_MAX + 1] = "";
	struct ws_log_checkpoint_info info;
	char prev_hex[2 * WS_MERKLE_HASH_LEN + 1];
	uint64_t seq = v->tree.size;
	struct ws_logline l;
	bool is_cp;
	size_t i;
	ws_err r;

	if (ws_logline_scan(line, len, &l) != WS_OK)
		return ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": %s", seq, ws_err_detail());
	if (l.seq != seq)
		return ws_err_set(WS_ERR_LOG_CORRUPT,
		    "seq %" PRIu64 ": found seq %" PRIu64 " (a record is missing, duplicated or out of order)",
		    seq, l.seq);
	if (seq > 0 && strcmp(l.time, v->last_time) < 0)
		return ws_err_set(WS_ERR_LOG_CORRUPT,
		    "seq %" PRIu64 ": time %s is earlier than %s, the time of record %" PRIu64,
		    seq, l.time, v->last_time, seq - 1);
	ws_hex_encode(v->last_hash, sizeof(v->last_hash), prev_hex);
	if (memcmp(l.prev_hex, prev_hex, 2 * WS_MERKLE_HASH_LEN) != 0) {
		if (seq == 0)
			return ws_err_set(WS_ERR_LOG_CORRUPT, "seq 0: prev is not 64 zeros");
		return ws_err_set(WS_ERR_LOG_CORRUPT,
		    "seq %" PRIu64 ": prev does not match the hash of record %" PRIu64, seq, seq - 1);
	}
	if (seq == 0) {
		if ((r = create_record_check(v, line, len, &l, origin)) != WS_OK)
			return r;
	} else if (op_is(&l, WS_LOG_OP_CREATE)) {
		return ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": a log.create record after the first record", seq);
	}
	/* A checkpoint record names a seq: report it before an outside checkpoint of the same size. */
	is_cp = seq > 0 && op_is(&l, WS_LOG_OP_CHECKPOINT);
	if (is_cp && (r = checkpoint_record_check(v, line, len, &info)) != WS_OK)
		return r;
	if ((r = externals_match(v, matched)) != WS_OK)
		return r;
	/* Every check passed: absorb the line. */
	if ((r = ws_merkle_tree_push(&v->tree, leaf)) != WS_OK)
		return r;
	memcpy(v->last_hash, chain, sizeof(v->last_hash));
	memcpy(v->last_time, l.time, sizeof(v->last_time));
	if (seq == 0 && !v->origin_fixed)
		memcpy(v->origin, origin, sizeof(origin));
	for (i = 0; i < v->next_external; i++)
		v->externals[i].matched |= matched[i];
	if (is_cp) {
		memcpy(info.time, l.time, sizeof(info.time));
		v->cp = info;
		v->have_cp = true;
		v->checkpoints++;
	}
	return WS_OK;
}

ws_err
ws_log_verifier_finish(struct ws_log_verifier *v)
{
	bool matched[WS_LOG_VERIFY_EXTERNAL_MAX] = { false };
	size_t i;
	ws_err r;

	if (!log_started(v))
		return ws_err_set(WS_ERR_LOG_CORRUPT, "the log is empty (it has no log.create record)");
	if ((r = externals_match(v, matched)) != WS_OK)
		return r;
	for (i = 0; i < v->next_external; i++) {
		const struct external *x = &v->externals[i];

		v->externals[i].matched |= matched[i];
		if (!x->matched)
			return ws_err_set(WS_ERR_LOG_CORRUPT,
			    "%s: the checkpoint covers %" PRIu64 " records but the log has only %" PRIu64
			    " (the log was truncated)", x->source, x->cp.size, v->tree.size);
	}
	return WS_OK;
}

uint64_t
ws_log_verifier_size(const struct ws_log_verifier *v)
{
	return v->tree.size;
}

void
ws_log_verifier_root(const struct ws_log_verifier *v, ws_merkle_hash out)
{
	ws_merkle_tree_root(&v->tree, out);
}

const struct ws_merkle_tree *
ws_log_verifier_tree(const struct ws_log_verifier *v)
{
	return &v->tree;
}

const char *
ws_log_verifier_origin(const struct ws_log_verifier *v)
{
	return log_started(v) ? v->origin : "";
}

void
ws_log_verifier_last_hash(const struct ws_log_verifier *v, ws_merkle_hash out)
{
	memcpy(out, v->last_hash, sizeof(v->last_hash));
}

const char *
ws_log_verifier_last_time(const struct ws_log_verifier *v)
{
	return v->last_time;
}

uint64_t
ws_log_verifier_checkpoints(const struct ws_log_verifier *v)
{
	return v->checkpoints;
}

bool
ws_log_verifier_has_key(const struct ws_log_verifier *v)
{
	return v->has_key;
}

bool
ws_log_verifier_last_checkpoint(const struct ws_log_verifier *v, struct ws_log_checkpoint_info *out)
{
	if (!v->have_cp)
		return false;
	*out = v->cp;
	return true;
}
