/*
 * tuf_state.c -- the CI and production roots, role versions, signed targets.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "tuf_state.h"
#include "ws_buf.h"
#include "ws_encode.h"
#include "ws_file.h"
#include "ws_json.h"
#include "ws_sha256.h"
#include "ws_tuf_repo.h"
#include "wslog.h"

struct kind_state {
	struct ws_tuf_root **roots;	/* roots[i] is version i + 1 (owned) */
	size_t n_roots, cap_roots;
	char (*recorded)[65];		/* SHA-256 of version i + 1 as the log records it */
	size_t n_recorded, cap_recorded;
	int64_t version[WS_TUF_ROLE_COUNT];
	char last_snapshot[65];		/* "" when none */
};

struct tuf_state {
	pthread_mutex_t lock;
	char dir[PATH_MAX - 512];	/* STATE/tuf (room left for file names) */
	struct kind_state k[TUF_ROOT_KINDS];
	char (*targets)[65];		/* canonical SHA-256 of every wave targets signed */
	size_t n_targets, cap_targets;
};

static const char *const kind_names[TUF_ROOT_KINDS] = { "ci", "production" };

const char *
tuf_root_kind_name(enum tuf_root_kind kind)
{
	return (unsigned)kind < TUF_ROOT_KINDS ? kind_names[kind] : "?";
}

ws_err
tuf_root_kind_from_name(const char *name, enum tuf_root_kind *out)
{
	for (int i = 0; i < TUF_ROOT_KINDS; i++)
		if (name != NULL && strcmp(name, kind_names[i]) == 0) {
			*out = (enum tuf_root_kind)i;
			return WS_OK;
		}
	return ws_err_set(WS_ERR_INVALID_ARGUMENT, "root '%.32s': expected ci or production", name ? name : "");
}

void
tuf_sha256_hex(const void *data, size_t len, char hex[65])
{
	uint8_t md[WS_SHA256_LEN];

	ws_sha256(data, len, md);
	ws_hex_encode(md, sizeof(md), hex);
}

json_t *
tuf_time_json(time_t t)
{
	char s[WS_TUF_EXPIRES_LEN + 1];

	if (ws_tuf_expires_format(t, s) != WS_OK)
		return NULL;
	return json_string(s);
}

/* Grows an array of n elements of size sz to hold one more. */
static ws_err
grow(void **p, size_t *cap, size_t n, size_t sz)
{
	void *q;
	size_t c;

	if (n < *cap)
		return WS_OK;
	c = *cap ? *cap * 2 : 8;
	if ((q = realloc(*p, c * sz)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "TUF state");
	*p = q;
	*cap = c;
	return WS_OK;
}

static void
kind_clear(struct kind_state *k)
{
	for (size_t i = 0; i < k->n_roots; i++)
		ws_tuf_root_free(k->roots[i]);
	free(k->roots);
	free(k->recorded);
	memset(k, 0, sizeof(*k));
}

ws_err
tuf_state_open(const char *state_dir, struct tuf_state **out)
{
	struct tuf_state *ts = NULL;
	char path[PATH_MAX];
	ws_err r;

	if ((ts = calloc(1, sizeof(*ts))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "TUF state");
	pthread_mutex_init(&ts->lock, NULL);
	if ((size_t)snprintf(ts->dir, sizeof(ts->dir), "%s/tuf", state_dir) >= sizeof(ts->dir)) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "state directory path too long");
		goto out;
	}
	for (int i = 0; i < TUF_ROOT_KINDS; i++) {
		snprintf(path, sizeof(path), "%s/%s", ts->dir, kind_names[i]);
		if ((r = ws_file_mkdirs(path, 0700)) != WS_OK)
			goto out;
	}
	*out = ts;
	ts = NULL;
	r = WS_OK;
out:
	tuf_state_free(ts);
	return r;
}

void
tuf_state_free(struct tuf_state *ts)
{
	if (ts == NULL)
		return;
	for (int i = 0; i < TUF_ROOT_KINDS; i++)
		kind_clear(&ts->k[i]);
	free(ts->targets);
	pthread_mutex_destroy(&ts->lock);
	free(ts);
}

void
tuf_state_lock(struct tuf_state *ts)
{
	pthread_mutex_lock(&ts->lock);
}

void
tuf_state_unlock(struct tuf_state *ts)
{
	pthread_mutex_unlock(&ts->lock);
}

/* ------------------------------------------------------------ rebuild */

void
tuf_index_begin(struct tuf_state *ts)
{
	pthread_mutex_lock(&ts->lock);
	for (int i = 0; i < TUF_ROOT_KINDS; i++)
		kind_clear(&ts->k[i]);
	ts->n_targets = 0;
	pthread_mutex_unlock(&ts->lock);
}

static bool
is_hex64(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static ws_err
targets_add_locked(struct tuf_state *ts, const char *sha256_hex)
{
	ws_err r;

	for (size_t i = 0; i < ts->n_targets; i++)
		if (strcmp(ts->targets[i], sha256_hex) == 0)
			return WS_OK;
	if ((r = grow((void **)&ts->targets, &ts->cap_targets, ts->n_targets, sizeof(*ts->targets))) != WS_OK)
		return r;
	snprintf(ts->targets[ts->n_targets++], 65, "%s", sha256_hex);
	return WS_OK;
}

static ws_err
note_role(struct tuf_state *ts, uint64_t seq, const json_t *outputs)
{
	const char *role_name = json_string_value(json_object_get(outputs, "role"));
	const char *kind_name = json_string_value(json_object_get(outputs, "root"));
	const char *sha = json_string_value(json_object_get(outputs, "sha256"));
	json_t *v = json_object_get(outputs, "version");
	enum ws_tuf_role role;
	enum tuf_root_kind kind;
	struct kind_state *k;
	int64_t version;
	ws_err r;

	if (ws_tuf_role_from_name(role_name, &role) != WS_OK || role == WS_TUF_TARGETS ||
	    tuf_root_kind_from_name(kind_name, &kind) != WS_OK || !is_hex64(sha) || !json_is_integer(v))
		return ws_err_set(WS_ERR_LOG_CORRUPT, "record %" PRIu64 ": a TUF record without role, root, "
		    "version and sha256 outputs", seq);
	version = json_integer_value(v);
	k = &ts->k[kind];
	if (version <= k->version[role])
		return ws_err_set(WS_ERR_LOG_CORRUPT, "record %" PRIu64 ": %s %s v%" PRId64 " after v%" PRId64,
		    seq, kind_name, role_name, version, k->version[role]);
	if (role == WS_TUF_ROOT) {
		if (version != (int64_t)k->n_recorded + 1)
			return ws_err_set(WS_ERR_LOG_CORRUPT, "record %" PRIu64 ": %s root v%" PRId64
			    " follows v%zu", seq, kind_name, version, k->n_recorded);
		if ((r = grow((void **)&k->recorded, &k->cap_recorded, k->n_recorded, sizeof(*k->recorded))) != WS_OK)
			return r;
		snprintf(k->recorded[k->n_recorded++], 65, "%s", sha);
	}
	if (role == WS_TUF_SNAPSHOT)
		snprintf(k->last_snapshot, sizeof(k->last_snapshot), "%s", sha);
	k->version[role] = version;
	return WS_OK;
}

ws_err
tuf_index_note(struct tuf_state *ts, uint64_t seq, const json_t *record)
{
	const char *op = json_string_value(json_object_get(record, "op"));
	json_t *outputs = json_object_get(record, "outputs");
	const char *sha;
	ws_err r = WS_OK;

	if (op == NULL || json_object_get(outputs, "replay_of") != NULL)
		return WS_OK;	/* a replayed answer signed nothing new */
	pthread_mutex_lock(&ts->lock);
	if (strcmp(op, "tuf.root") == 0 || strcmp(op, "tuf.snapshot") == 0 || strcmp(op, "tuf.timestamp") == 0) {
		r = note_role(ts, seq, outputs);
	} else if (strcmp(op, "waves.init") == 0) {
		sha = json_string_value(json_object_get(outputs, "targets_sha256"));
		if (!is_hex64(sha))
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "record %" PRIu64 ": waves.init without "
			    "outputs.targets_sha256", seq);
		else
			r = targets_add_locked(ts, sha);
	}
	pthread_mutex_unlock(&ts->lock);
	return r;
}

static void
root_path(const struct tuf_state *ts, enum tuf_root_kind kind, int64_t version, char *buf, size_t size)
{
	if (version > 0)
		snprintf(buf, size, "%s/%s/%" PRId64 ".root.json", ts->dir, kind_names[kind], version);
	else
		snprintf(buf, size, "%s/%s/root.json", ts->dir, kind_names[kind]);
}

/* Parses a root file in whichever dialect it is written. */
static ws_err
root_parse_any(const uint8_t *data, size_t len, struct ws_tuf_root **out)
{
	ws_err r;

	if ((r = ws_tuf_root_parse(WS_TUF_FOUNDRIES, data, len, out)) == WS_OK)
		return WS_OK;
	if (ws_tuf_root_parse(WS_TUF_SPEC, data, len, out) == WS_OK)
		return WS_OK;
	return r;
}

static ws_err
load_kind(struct tuf_state *ts, enum tuf_root_kind kind)
{
	struct kind_state *k = &ts->k[kind];
	struct ws_buf buf = WS_BUF_INIT(WS_TUF_FILE_MAX), cur = WS_BUF_INIT(WS_TUF_FILE_MAX);
	struct ws_tuf_root *root = NULL;
	char path[PATH_MAX], sha[65];
	ws_err r = WS_OK;

	for (size_t v = 1; v <= k->n_recorded; v++) {
		ws_buf_reset(&buf);
		root_path(ts, kind, (int64_t)v, path, sizeof(path));
		if ((r = ws_buf_read_file(&buf, path, WS_TUF_FILE_MAX)) != WS_OK)
			goto fail;
		tuf_sha256_hex(buf.data, buf.len, sha);
		if (strcmp(sha, k->recorded[v - 1]) != 0) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "SHA-256 %s, but the signing log records %s", sha,
			    k->recorded[v - 1]);
			goto fail;
		}
		if ((r = root_parse_any(buf.data, buf.len, &root)) != WS_OK)
			goto fail;
		if (root->doc->version != (int64_t)v) {
			r = ws_err_set(WS_ERR_TUF, "holds root version %" PRId64, root->doc->version);
			goto fail;
		}
		r = v == 1 ? ws_tuf_root_verify_self(root) : ws_tuf_root_verify_next(k->roots[v - 2], root);
		if (r != WS_OK)
			goto fail;
		if ((r = grow((void **)&k->roots, &k->cap_roots, k->n_roots, sizeof(*k->roots))) != WS_OK)
			goto fail;
		k->roots[k->n_roots++] = root;
		root = NULL;
	}
	if (k->n_roots > 0) {
		/* root.json follows the newest recorded root; repair it if a crash left it behind. */
		root_path(ts, kind, 0, path, sizeof(path));
		if (ws_buf_read_file(&cur, path, WS_TUF_FILE_MAX) != WS_OK || cur.len != buf.len ||
		    memcmp(cur.data, buf.data, buf.len) != 0) {
			if ((r = ws_file_write_atomic(path, buf.data, buf.len, 0644)) != WS_OK)
				goto out;
			wslog_info("TUF: %s brought up to %s root v%zu", path, kind_names[kind], k->n_roots);
		}
	}
	goto out;
fail:
	ws_err_prefix("%s", path);
out:
	ws_tuf_root_free(root);
	ws_buf_free(&buf);
	ws_buf_free(&cur);
	return r;
}

ws_err
tuf_index_end(struct tuf_state *ts)
{
	ws_err r = WS_OK;

	pthread_mutex_lock(&ts->lock);
	for (int i = 0; i < TUF_ROOT_KINDS && r == WS_OK; i++)
		r = load_kind(ts, (enum tuf_root_kind)i);
	pthread_mutex_unlock(&ts->lock);
	return r;
}

/* ------------------------------------------------------------- reading */

const struct ws_tuf_root *
tuf_state_root(struct tuf_state *ts, enum tuf_root_kind kind)
{
	struct kind_state *k = &ts->k[kind];

	return k->n_roots ? k->roots[k->n_roots - 1] : NULL;
}

int64_t
tuf_state_version(struct tuf_state *ts, enum tuf_root_kind kind, enum ws_tuf_role role)
{
	return ts->k[kind].version[role];
}

const char *
tuf_state_last_snapshot(struct tuf_state *ts, enum tuf_root_kind kind)
{
	return ts->k[kind].last_snapshot[0] ? ts->k[kind].last_snapshot : NULL;
}

bool
tuf_state_targets_known(struct tuf_state *ts, const char *sha256_hex)
{
	for (size_t i = 0; i < ts->n_targets; i++)
		if (strcmp(ts->targets[i], sha256_hex) == 0)
			return true;
	return false;
}

static json_t *
doc_text(const struct ws_tuf_doc *doc)
{
	return json_stringn((const char *)doc->file, doc->file_len);
}

ws_err
tuf_state_root_files(struct tuf_state *ts, enum tuf_root_kind kind, json_t *files)
{
	struct kind_state *k = &ts->k[kind];
	char name[64];

	for (size_t i = 0; i < k->n_roots; i++) {
		snprintf(name, sizeof(name), "%zu.root.json", i + 1);
		if (json_object_set_new(files, name, doc_text(k->roots[i]->doc)) != 0)
			return ws_err_set(WS_ERR_NOMEM, "root files");
	}
	if (k->n_roots > 0 && json_object_set_new(files, "root.json", doc_text(k->roots[k->n_roots - 1]->doc)) != 0)
		return ws_err_set(WS_ERR_NOMEM, "root files");
	return WS_OK;
}

/* ------------------------------------------------------------ changing */

ws_err
tuf_state_write_root(struct tuf_state *ts, enum tuf_root_kind kind, const struct ws_tuf_doc *doc)
{
	char path[PATH_MAX];

	root_path(ts, kind, doc->version, path, sizeof(path));
	return ws_file_write_atomic(path, doc->file, doc->file_len, 0644);
}

void
tuf_state_commit_root(struct tuf_state *ts, enum tuf_root_kind kind, struct ws_tuf_root *root)
{
	struct kind_state *k = &ts->k[kind];
	char path[PATH_MAX], sha[65];
	ws_err r;

	tuf_sha256_hex(root->doc->file, root->doc->file_len, sha);
	if (grow((void **)&k->roots, &k->cap_roots, k->n_roots, sizeof(*k->roots)) != WS_OK ||
	    grow((void **)&k->recorded, &k->cap_recorded, k->n_recorded, sizeof(*k->recorded)) != WS_OK) {
		/* Recorded but not in memory: refuse further roots until a restart rebuilds it. */
		wslog_error("TUF: out of memory keeping %s root v%" PRId64 "; restart the daemon",
		    kind_names[kind], root->doc->version);
		ws_tuf_root_free(root);
		return;
	}
	k->roots[k->n_roots++] = root;
	snprintf(k->recorded[k->n_recorded++], 65, "%s", sha);
	k->version[WS_TUF_ROOT] = root->doc->version;
	root_path(ts, kind, 0, path, sizeof(path));
	if ((r = ws_file_write_atomic(path, root->doc->file, root->doc->file_len, 0644)) != WS_OK)
		wslog_error("TUF: %s: %s (repaired at the next start)", path, ws_err_message(r));
}

void
tuf_state_commit_role(struct tuf_state *ts, enum tuf_root_kind kind, enum ws_tuf_role role, int64_t version,
    const char *sha256_hex)
{
	struct kind_state *k = &ts->k[kind];

	k->version[role] = version;
	if (role == WS_TUF_SNAPSHOT)
		snprintf(k->last_snapshot, sizeof(k->last_snapshot), "%s", sha256_hex);
}

ws_err
tuf_state_add_targets(struct tuf_state *ts, const char *sha256_hex)
{
	ws_err r;

	pthread_mutex_lock(&ts->lock);
	r = targets_add_locked(ts, sha256_hex);
	pthread_mutex_unlock(&ts->lock);
	return r;
}

/* ------------------------------------------------ token keys, signing */

ws_err
tuf_key_from_label(struct ws_daemon *d, enum ws_tuf_dialect dialect, const char *label, struct ws_tuf_key **out)
{
	const struct ws_key *key = keyring_get(&d->keyring, label);
	ws_err r;

	if (key == NULL)
		return ws_err_set(WS_ERR_KEY_NOT_FOUND, "key '%s' is not in the token: create it with "
		    "wavesign tuf keys init", label);
	if ((r = ws_tuf_key_from_spki(dialect, key->type, key->spki, key->spki_len, out)) != WS_OK) {
		ws_err_prefix("key '%s'", label);
		return r;
	}
	(*out)->user = (void *)key;
	return WS_OK;
}

static ws_err
signer_cb(void *ctx, const struct ws_tuf_key *key, const uint8_t *msg, size_t len, uint8_t *sig, size_t *sig_len)
{
	struct ws_session *session = ctx;
	uint8_t buf[WS_SIG_MAX];
	size_t n = 0;
	ws_err r;

	if ((r = ws_key_sign(session, key->user, key->alg, msg, len, buf, &n)) != WS_OK)
		return r;
	if (n > *sig_len)
		return ws_err_set(WS_ERR_LIMIT, "a %zu-byte signature", n);
	memcpy(sig, buf, n);
	*sig_len = n;
	return WS_OK;
}

void
tuf_signer_init(struct tuf_signer *s, struct ws_session *session)
{
	memset(s, 0, sizeof(*s));
	s->session = session;
}

ws_err
tuf_signer_add(struct tuf_signer *s, struct ws_tuf_key *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->keys[i]->keyid, key->keyid) == 0) {
			ws_tuf_key_free(key);
			return WS_OK;
		}
	if (s->n >= WS_TUF_KEYS_MAX) {
		ws_tuf_key_free(key);
		return ws_err_set(WS_ERR_LIMIT, "more than %d signing keys", WS_TUF_KEYS_MAX);
	}
	s->keys[s->n++] = key;
	return WS_OK;
}

ws_err
tuf_signer_add_label(struct tuf_signer *s, struct ws_daemon *d, enum ws_tuf_dialect dialect, const char *label)
{
	struct ws_tuf_key *key = NULL;
	ws_err r;

	if ((r = tuf_key_from_label(d, dialect, label, &key)) != WS_OK)
		return r;
	return tuf_signer_add(s, key);
}

const struct ws_tuf_signer *
tuf_signer_get(struct tuf_signer *s)
{
	s->signer.keys = s->keys;
	s->signer.nkeys = s->n;
	s->signer.sign = signer_cb;
	s->signer.ctx = s->session;
	return &s->signer;
}

void
tuf_signer_fingerprints(const struct tuf_signer *s, json_t *keys_used)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct ws_key *k = s->keys[i]->user;

		json_array_append_new(keys_used, json_string(k->fingerprint));
	}
}

void
tuf_signer_free(struct tuf_signer *s)
{
	for (size_t i = 0; i < s->n; i++)
		ws_tuf_key_free(s->keys[i]);
	s->n = 0;
}

ws_err
tuf_sign_object(struct ws_session *session, const struct ws_tuf_key *key, const uint8_t *msg, size_t len,
    json_t **out)
{
	struct ws_buf b64 = WS_BUF_INIT(4 * WS_SIG_MAX);
	uint8_t sig[WS_SIG_MAX];
	char hex[2 * WS_SIG_MAX + 1];
	const char *text;
	size_t n = sizeof(sig);
	json_t *o = NULL;
	ws_err r;

	if ((r = signer_cb(session, key, msg, len, sig, &n)) != WS_OK)
		goto out;
	if ((r = ws_tuf_key_verify(key, msg, len, sig, n)) != WS_OK) {
		ws_err_prefix("the token's signature with key %s", key->keyid);
		goto out;
	}
	if (key->dialect == WS_TUF_FOUNDRIES) {
		if ((r = ws_base64_encode(sig, n, &b64)) != WS_OK || (r = ws_buf_cstr(&b64, &text)) != WS_OK)
			goto out;
		o = json_pack("{s:s,s:s,s:s}", "keyid", key->keyid, "method", ws_tuf_key_scheme(key), "sig", text);
	} else {
		ws_hex_encode(sig, n, hex);
		o = json_pack("{s:s,s:s}", "keyid", key->keyid, "sig", hex);
	}
	if (o == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "signature");
		goto out;
	}
	*out = o;
	r = WS_OK;
out:
	ws_buf_free(&b64);
	return r;
}

ws_err
tuf_expires_arg(const json_t *args, time_t now, const struct ws_policy_tuf_role *role, time_t *out)
{
	int64_t days = 0;
	const char *at = NULL;
	json_t *d = json_object_get(args, "expires_days");
	ws_err r;

	if ((r = ws_json_get_int_opt(args, "args", "expires_days", &days)) != WS_OK ||
	    (r = ws_json_get_str_opt(args, "args", "expires_at", &at)) != WS_OK)
		return r;
	if (d != NULL && !json_is_null(d) && at != NULL)
		return ws_err_set(WS_ERR_REQUEST, "args: give expires_days or expires_at, not both");
	if (at != NULL)
		return ws_tuf_expires_parse(at, out);
	if (d != NULL && !json_is_null(d)) {
		if (days < 1 || days > 36500)
			return ws_err_set(WS_ERR_REQUEST, "args.expires_days: %" PRId64 " is not 1..36500", days);
		*out = now + (time_t)days * 86400;
		return WS_OK;
	}
	*out = now + (time_t)role->expires_default_s;
	return WS_OK;
}
