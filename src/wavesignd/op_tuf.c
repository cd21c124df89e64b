/*
 * op_tuf.c -- tuf.keys, tuf.root, tuf.snapshot, tuf.timestamp.
 *
 * The daemon builds what it signs: a root from the policy's role keys
 * (and the OTA back end's online public keys, which it never holds), a
 * snapshot only over targets it signed itself, a timestamp only over the
 * last snapshot it signed. Each op holds the TUF state's lock from its
 * first read to its record (after_record releases it), so versions go up
 * by one per record and a failed record changes nothing.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "daemon.h"
#include "tuf_state.h"
#include "ws_json.h"
#include "ws_tuf_roles.h"
#include "ws_wave.h"

/* ------------------------------------------------------------ tuf.keys */

ws_err
op_tuf_keys(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "labels", NULL };
	const struct ws_policy *policy = ctx->policy;
	const struct ws_request *orig = ctx->req;
	struct ws_request req = *orig;
	json_t *asked = NULL, *labels = NULL, *v;
	size_t i;
	ws_err r;

	if ((r = ws_json_only_members(orig->args, "args", members)) != WS_OK ||
	    (r = ws_json_get_array_opt(orig->args, "args", "labels", &asked)) != WS_OK)
		return r;
	if (!policy->tuf.present)
		return ws_err_set(WS_ERR_POLICY, "the policy (%s) has no tuf section", policy->path);
	if ((labels = json_array()) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "tuf.keys");
	for (int role = 0; role < WS_TUF_ROLE_COUNT; role++) {
		const struct ws_policy_tuf_role *pr = &policy->tuf.roles[role];

		for (size_t k = 0; k < pr->n_keys; k++) {
			bool seen = false;

			json_array_foreach(labels, i, v)
				seen |= strcmp(json_string_value(v), pr->keys[k]->label) == 0;
			if (!seen)
				json_array_append_new(labels, json_string(pr->keys[k]->label));
		}
	}
	json_array_foreach(asked, i, v) {
		bool tuf = false;
		size_t j;
		json_t *w;

		if (!json_is_string(v)) {
			r = ws_err_set(WS_ERR_REQUEST, "args.labels[%zu]: expected a string", i);
			goto out;
		}
		json_array_foreach(labels, j, w)
			tuf |= strcmp(json_string_value(w), json_string_value(v)) == 0;
		if (!tuf) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "'%.64s' is not a key of a TUF role in the policy (%s)",
			    json_string_value(v), policy->path);
			goto out;
		}
	}
	if ((req.args = json_pack("{s:O}", "labels", asked ? asked : labels)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "tuf.keys");
		goto out;
	}
	ctx->req = &req;
	r = op_keys_init(ctx, result);
	ctx->req = orig;
	json_decref(req.args);
out:
	json_decref(labels);
	return r;
}

/* ------------------------------------------------------ shared helpers */

/* What a TUF op keeps until its record is written. */
struct tuf_op {
	struct tuf_state *ts;
	enum tuf_root_kind kind;
	enum ws_tuf_role role;
	struct ws_tuf_root *root;	/* tuf.root: the new root (owned) */
	int64_t version;
	char sha256[65];
};

static void
tuf_after_record(struct op_ctx *ctx, bool recorded, uint64_t seq)
{
	struct tuf_op *op = ctx->op_state;

	(void)seq;
	if (recorded) {
		if (op->role == WS_TUF_ROOT) {
			tuf_state_commit_root(op->ts, op->kind, op->root);
			op->root = NULL;
		} else {
			tuf_state_commit_role(op->ts, op->kind, op->role, op->version, op->sha256);
		}
	}
	tuf_state_unlock(op->ts);
	ws_tuf_root_free(op->root);
	free(op);
	ctx->op_state = NULL;
}

/* Takes the TUF lock for this request; it is released after the record. */
static ws_err
tuf_op_begin(struct op_ctx *ctx, enum ws_tuf_role role, struct tuf_op **out)
{
	struct tuf_op *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return ws_err_set(WS_ERR_NOMEM, "TUF op");
	op->ts = ctx->d->tuf;
	op->role = role;
	tuf_state_lock(op->ts);
	ctx->op_state = op;
	ctx->after_record = tuf_after_record;
	*out = op;
	return WS_OK;
}

static ws_err
root_kind_arg(const json_t *args, enum tuf_root_kind *kind)
{
	const char *name = NULL;
	ws_err r;

	*kind = TUF_ROOT_PRODUCTION;
	if ((r = ws_json_get_str_opt(args, "args", "root", &name)) != WS_OK || name == NULL)
		return r;
	return tuf_root_kind_from_name(name, kind);
}

static ws_err
policy_tuf(const struct ws_policy *policy)
{
	if (!policy->tuf.present)
		return ws_err_set(WS_ERR_POLICY, "the policy (%s) has no tuf section", policy->path);
	return WS_OK;
}

static ws_err
root_dialect_ok(const struct ws_tuf_root *root, enum tuf_root_kind kind, const struct ws_policy *policy)
{
	if (root->doc->dialect != policy->tuf.dialect)
		return ws_err_set(WS_ERR_POLICY, "the %s root is in the %s dialect; the policy says %s",
		    tuf_root_kind_name(kind), ws_tuf_dialect_name(root->doc->dialect),
		    ws_tuf_dialect_name(policy->tuf.dialect));
	return WS_OK;
}

/* The signer of a role: the policy's keys of the role that the token holds (all of them must be there). */
static ws_err
role_signer(struct op_ctx *ctx, enum ws_tuf_role role, struct tuf_signer *s)
{
	const struct ws_policy_tuf_role *pr = &ctx->policy->tuf.roles[role];
	ws_err r;

	if (!pr->present)
		return ws_err_set(WS_ERR_POLICY, "the policy (%s) names no %s keys (tuf.%s)", ctx->policy->path,
		    ws_tuf_role_name(role), ws_tuf_role_name(role));
	for (size_t i = 0; i < pr->n_keys; i++)
		if ((r = tuf_signer_add_label(s, ctx->d, ctx->policy->tuf.dialect, pr->keys[i]->label)) != WS_OK)
			return r;
	return WS_OK;
}

static json_t *
doc_text(const struct ws_tuf_doc *doc)
{
	return json_stringn((const char *)doc->file, doc->file_len);
}

/* files["<role>.json"] (and "<N>.<role>.json" where the dialect uses consistent snapshots). */
static ws_err
add_doc_files(json_t *files, const struct ws_tuf_doc *doc)
{
	const char *role = ws_tuf_role_name(doc->role);
	char name[64];
	int e = 0;

	snprintf(name, sizeof(name), "%s.json", role);
	e |= json_object_set_new(files, name, doc_text(doc));
	if (doc->dialect == WS_TUF_SPEC && (doc->role == WS_TUF_TARGETS || doc->role == WS_TUF_SNAPSHOT)) {
		snprintf(name, sizeof(name), "%" PRId64 ".%s.json", doc->version, role);
		e |= json_object_set_new(files, name, doc_text(doc));
	}
	return e ? ws_err_set(WS_ERR_NOMEM, "result files") : WS_OK;
}

/* A PEM public key (SPKI) as a TUF key of the dialect; not a token key (user NULL). */
static ws_err
key_from_pem(enum ws_tuf_dialect dialect, const char *pem, struct ws_tuf_key **out)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pkey = NULL;
	unsigned char *der = NULL;
	enum ws_key_type type;
	int len;
	ws_err r;

	if (bio == NULL || (pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) == NULL) {
		r = ws_err_crypto(WS_ERR_INVALID_ARGUMENT, "not a PEM public key");
		goto out;
	}
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_ED25519:
		type = WS_KEY_ED25519;
		break;
	case EVP_PKEY_EC:
		type = WS_KEY_EC_P256;
		break;
	case EVP_PKEY_RSA:
		type = WS_KEY_RSA;
		break;
	default:
		r = ws_err_set(WS_ERR_KEY_TYPE, "a public key that is not Ed25519, EC or RSA");
		goto out;
	}
	if ((len = i2d_PUBKEY(pkey, &der)) <= 0) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "encoding a public key");
		goto out;
	}
	r = ws_tuf_key_from_spki(dialect, type, der, (size_t)len, out);
out:
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return r;
}

/* ------------------------------------------------------------ tuf.root */

/* Whether a keyid is one of the token's keys named by the policy. */
static bool
keyid_in_token(struct op_ctx *ctx, const char *keyid)
{
	for (size_t i = 0; i < ctx->policy->n_keys; i++) {
		struct ws_tuf_key *k = NULL;
		bool same;

		if (tuf_key_from_label(ctx->d, ctx->policy->tuf.dialect, ctx->policy->keys[i].label, &k) != WS_OK)
			continue;
		same = strcmp(k->keyid, keyid) == 0;
		ws_tuf_key_free(k);
		if (same)
			return true;
	}
	return false;
}

/*
 * The keys of one role of a new root: the policy's (in the token), then
 * the online keys given for the role, or else those of the previous root
 * that the token does not hold (the OTA back end's, kept across rotations).
 */
static ws_err
root_role_keys(struct op_ctx *ctx, enum ws_tuf_role role, const json_t *online, const struct ws_tuf_root *prev,
    struct tuf_signer *set)
{
	const struct ws_policy_tuf_role *pr = &ctx->policy->tuf.roles[role];
	enum ws_tuf_dialect dialect = ctx->policy->tuf.dialect;
	json_t *given = json_object_get(online, ws_tuf_role_name(role)), *v;
	struct ws_tuf_key *k = NULL;
	size_t i;
	ws_err r;

	for (i = 0; pr->present && i < pr->n_keys; i++)
		if ((r = tuf_signer_add_label(set, ctx->d, dialect, pr->keys[i]->label)) != WS_OK)
			return r;
	if (given != NULL) {
		if (!json_is_array(given))
			return ws_err_set(WS_ERR_REQUEST, "args.online_keys.%s: expected an array of PEM public keys",
			    ws_tuf_role_name(role));
		json_array_foreach(given, i, v) {
			if (!json_is_string(v))
				return ws_err_set(WS_ERR_REQUEST, "args.online_keys.%s[%zu]: expected a PEM string",
				    ws_tuf_role_name(role), i);
			if ((r = key_from_pem(dialect, json_string_value(v), &k)) != WS_OK) {
				ws_err_prefix("online %s key %zu", ws_tuf_role_name(role), i + 1);
				return r;
			}
			if ((r = tuf_signer_add(set, k)) != WS_OK)
				return r;
		}
		return WS_OK;
	}
	for (i = 0; prev != NULL && i < prev->roles[role].nkeys; i++) {
		const struct ws_tuf_key *pk = prev->roles[role].keys[i];

		if (keyid_in_token(ctx, pk->keyid))
			continue;
		if ((r = ws_tuf_key_from_json(dialect, pk->keyid, pk->object, &k)) != WS_OK ||
		    (r = tuf_signer_add(set, k)) != WS_OK)
			return r;
	}
	return WS_OK;
}

/* The threshold of a role in a root of that kind. */
static int64_t
root_role_threshold(const struct ws_policy *policy, enum tuf_root_kind kind, enum ws_tuf_role role)
{
	const struct ws_policy_tuf *t = &policy->tuf;

	if (role == WS_TUF_TARGETS) {
		if (kind == TUF_ROOT_CI)
			return 1;
		if (t->dialect == WS_TUF_FOUNDRIES && t->production_targets_threshold > 0)
			return t->production_targets_threshold;
	}
	return t->roles[role].present ? t->roles[role].threshold : 1;
}

static json_t *
root_roles_json(const struct ws_tuf_root *root)
{
	json_t *roles = json_object(), *ids;

	for (int i = 0; roles != NULL && i < WS_TUF_ROLE_COUNT; i++) {
		if ((ids = json_array()) == NULL) {
			json_decref(roles);
			return NULL;
		}
		for (size_t k = 0; k < root->roles[i].nkeys; k++)
			json_array_append_new(ids, json_string(root->roles[i].keys[k]->keyid));
		json_object_set_new(roles, ws_tuf_role_name((enum ws_tuf_role)i), json_pack("{s:o,s:I}", "keyids",
		    ids, "threshold", (json_int_t)root->roles[i].threshold));
	}
	return roles;
}

ws_err
op_tuf_root(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "root", "rotate", "expires_days", "expires_at", "online_keys", NULL };
	const struct ws_policy *policy = ctx->policy;
	const json_t *args = ctx->req->args;
	struct tuf_signer sets[WS_TUF_ROLE_COUNT], signer;
	struct ws_tuf_root_params p = { 0 };
	struct ws_tuf_check check = { 0 };
	const struct ws_tuf_root *prev;
	struct ws_tuf_root *root = NULL;
	struct tuf_op *op = NULL;
	json_t *online = NULL, *files = NULL, *res = NULL;
	enum tuf_root_kind kind;
	bool rotate = false;
	time_t now = time(NULL), expires;
	char name[64];
	ws_err r;

	tuf_signer_init(&signer, ctx->session);
	for (int i = 0; i < WS_TUF_ROLE_COUNT; i++)
		tuf_signer_init(&sets[i], ctx->session);
	if ((r = ws_json_only_members(args, "args", members)) != WS_OK ||
	    (r = root_kind_arg(args, &kind)) != WS_OK ||
	    (r = ws_json_get_bool_opt(args, "args", "rotate", &rotate)) != WS_OK ||
	    (r = ws_json_get_obj_opt(args, "args", "online_keys", &online)) != WS_OK ||
	    (r = policy_tuf(policy)) != WS_OK ||
	    (r = tuf_expires_arg(args, now, &policy->tuf.roles[WS_TUF_ROOT], &expires)) != WS_OK)
		goto out;
	ctx->officer_op = true;
	json_object_set_new(ctx->subject, "root", json_string(tuf_root_kind_name(kind)));
	json_object_set_new(ctx->subject, "rotate", json_boolean(rotate));
	json_object_set_new(ctx->subject, "expires", tuf_time_json(expires));
	if ((r = tuf_op_begin(ctx, WS_TUF_ROOT, &op)) != WS_OK)
		goto out;
	op->kind = kind;
	prev = tuf_state_root(op->ts, kind);
	if (prev != NULL && !rotate) {
		r = ws_err_set(WS_ERR_EXISTS, "the %s root v%" PRId64 " exists; --rotate signs v%" PRId64,
		    tuf_root_kind_name(kind), prev->doc->version, prev->doc->version + 1);
		goto out;
	}
	if (prev == NULL && rotate) {
		r = ws_err_set(WS_ERR_NOT_FOUND, "there is no %s root to rotate; sign v1 first (without --rotate)",
		    tuf_root_kind_name(kind));
		goto out;
	}
	if (prev != NULL && (r = root_dialect_ok(prev, kind, policy)) != WS_OK)
		goto out;
	for (int i = 0; i < WS_TUF_ROLE_COUNT; i++) {
		enum ws_tuf_role role = (enum ws_tuf_role)i;

		if ((r = root_role_keys(ctx, role, online, prev, &sets[i])) != WS_OK)
			goto out;
		p.roles[i].keys = sets[i].keys;
		p.roles[i].nkeys = sets[i].n;
		p.roles[i].threshold = root_role_threshold(policy, kind, role);
		if (sets[i].n == 0) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "the %s root needs %s keys: the policy names none "
			    "(tuf.%s) and no online %s key was given (--online-key %s=FILE)", tuf_root_kind_name(kind),
			    ws_tuf_role_name(role), ws_tuf_role_name(role), ws_tuf_role_name(role), ws_tuf_role_name(role));
			goto out;
		}
		if ((size_t)p.roles[i].threshold > sets[i].n) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "the %s root's %s threshold is %" PRId64 " but it would list %zu "
			    "key%s: give the OTA back end's online %s key(s) (wavesign tuf root sign --online-key %s=FILE)",
			    tuf_root_kind_name(kind), ws_tuf_role_name(role), p.roles[i].threshold, sets[i].n,
			    sets[i].n == 1 ? "" : "s", ws_tuf_role_name(role), ws_tuf_role_name(role));
			goto out;
		}
	}
	/* Signers: the new root's root keys and, on rotation, the old root's that the token holds. */
	if ((r = role_signer(ctx, WS_TUF_ROOT, &signer)) != WS_OK)
		goto out;
	for (size_t i = 0; prev != NULL && i < ctx->policy->n_keys; i++) {
		struct ws_tuf_key *k = NULL;

		if (tuf_key_from_label(ctx->d, policy->tuf.dialect, policy->keys[i].label, &k) != WS_OK)
			continue;
		if (ws_tuf_root_role_key(prev, WS_TUF_ROOT, k->keyid) == NULL) {
			ws_tuf_key_free(k);
			continue;
		}
		if ((r = tuf_signer_add(&signer, k)) != WS_OK)
			goto out;
	}
	p.version = prev ? prev->doc->version + 1 : 1;
	p.expires = expires;
	check.now = now;
	check.prev_version = prev ? prev->doc->version : 0;
	check.max_lifetime = (int64_t)policy->tuf.roles[WS_TUF_ROOT].expires_max_s;
	if ((r = ws_tuf_root_sign(policy->tuf.dialect, &p, prev, &check, tuf_signer_get(&signer), &root)) != WS_OK ||
	    (r = tuf_state_write_root(op->ts, kind, root->doc)) != WS_OK)
		goto out;
	tuf_signer_fingerprints(&signer, ctx->keys_used);
	op->version = root->doc->version;
	tuf_sha256_hex(root->doc->file, root->doc->file_len, op->sha256);
	json_object_set_new(ctx->outputs, "role", json_string("root"));
	json_object_set_new(ctx->outputs, "root", json_string(tuf_root_kind_name(kind)));
	json_object_set_new(ctx->outputs, "version", json_integer((json_int_t)op->version));
	json_object_set_new(ctx->outputs, "sha256", json_string(op->sha256));
	if ((files = json_object()) == NULL || (r = tuf_state_root_files(op->ts, kind, files)) != WS_OK)
		goto nomem;
	snprintf(name, sizeof(name), "%" PRId64 ".root.json", op->version);
	if (json_object_set_new(files, name, doc_text(root->doc)) != 0 ||
	    json_object_set_new(files, "root.json", doc_text(root->doc)) != 0)
		goto nomem;
	res = json_pack("{s:s,s:s,s:I,s:o,s:o,s:s,s:O}", "root", tuf_root_kind_name(kind), "dialect",
	    ws_tuf_dialect_name(policy->tuf.dialect), "version", (json_int_t)op->version, "expires",
	    tuf_time_json(expires), "roles", root_roles_json(root), "sha256", op->sha256, "files", files);
	if (res == NULL)
		goto nomem;
	op->root = root;
	root = NULL;
	*result = res;
	r = WS_OK;
	goto out;
nomem:
	r = ws_err_set(WS_ERR_NOMEM, "tuf.root");
out:
	ws_tuf_root_free(root);
	json_decref(files);
	tuf_signer_free(&signer);
	for (int i = 0; i < WS_TUF_ROLE_COUNT; i++)
		tuf_signer_free(&sets[i]);
	return r;
}

/* ------------------------------------------------ tuf.snapshot, .timestamp */

static ws_err
version_arg(const json_t *args, int64_t prev, int64_t *out)
{
	int64_t v = prev + 1;
	ws_err r;

	if ((r = ws_json_get_int_opt(args, "args", "version", &v)) != WS_OK)
		return r;
	*out = v;
	return WS_OK;
}

/* Parses a metadata file handed in as a string member of args. */
static ws_err
doc_arg(const json_t *args, const char *member, enum ws_tuf_dialect dialect, enum ws_tuf_role role,
    struct ws_tuf_doc **out)
{
	json_t *v = json_object_get(args, member);
	ws_err r;

	if (!json_is_string(v))
		return ws_err_set(v ? WS_ERR_JSON_TYPE : WS_ERR_JSON_MISSING, "args.%s: expected the %s.json "
		    "file as a string", member, ws_tuf_role_name(role));
	r = ws_tuf_doc_parse(dialect, role, (const uint8_t *)json_string_value(v), json_string_length(v), out);
	if (r != WS_OK)
		ws_err_prefix("args.%s", member);
	return r;
}

ws_err
op_tuf_snapshot(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "root", "targets", "version", "expires_days", "expires_at", NULL };
	const struct ws_policy *policy = ctx->policy;
	const json_t *args = ctx->req->args;
	const struct ws_tuf_root *root;
	struct ws_tuf_doc *targets = NULL, *snap = NULL;
	struct ws_tuf_meta_file file;
	struct ws_tuf_snapshot_params p = { 0 };
	struct ws_tuf_check check = { 0 };
	struct tuf_signer signer;
	struct tuf_op *op = NULL;
	enum tuf_root_kind kind;
	json_t *files = NULL;
	time_t now = time(NULL), expires;
	char tsha[65], fsha[65];
	ws_err r;

	tuf_signer_init(&signer, ctx->session);
	if ((r = ws_json_only_members(args, "args", members)) != WS_OK || (r = root_kind_arg(args, &kind)) != WS_OK ||
	    (r = policy_tuf(policy)) != WS_OK ||
	    (r = tuf_expires_arg(args, now, &policy->tuf.roles[WS_TUF_SNAPSHOT], &expires)) != WS_OK)
		goto out;
	ctx->officer_op = true;
	if ((r = tuf_op_begin(ctx, WS_TUF_SNAPSHOT, &op)) != WS_OK)
		goto out;
	op->kind = kind;
	if ((root = tuf_state_root(op->ts, kind)) == NULL) {
		r = ws_err_set(WS_ERR_NOT_FOUND, "there is no %s root yet (wavesign tuf root sign)",
		    tuf_root_kind_name(kind));
		goto out;
	}
	if ((r = root_dialect_ok(root, kind, policy)) != WS_OK ||
	    (r = doc_arg(args, "targets", policy->tuf.dialect, WS_TUF_TARGETS, &targets)) != WS_OK ||
	    (r = ws_wave_targets_sha256(targets->body, tsha)) != WS_OK)
		goto out;
	tuf_sha256_hex(targets->file, targets->file_len, fsha);
	json_object_set_new(ctx->subject, "root", json_string(tuf_root_kind_name(kind)));
	json_object_set_new(ctx->subject, "targets_version", json_integer((json_int_t)targets->version));
	json_object_set_new(ctx->subject, "targets_sha256", json_string(fsha));
	if (!tuf_state_targets_known(op->ts, tsha)) {
		r = ws_err_set(WS_ERR_TUF, "targets.json v%" PRId64 " (signed part SHA-256 %s) was not signed by this "
		    "appliance; a snapshot only lists targets it signed", targets->version, tsha);
		goto out;
	}
	if ((r = version_arg(args, tuf_state_version(op->ts, kind, WS_TUF_SNAPSHOT), &p.version)) != WS_OK ||
	    (r = role_signer(ctx, WS_TUF_SNAPSHOT, &signer)) != WS_OK)
		goto out;
	file.name = "targets.json";
	file.doc = targets;
	p.expires = expires;
	p.files = &file;
	p.nfiles = 1;
	check.now = now;
	check.prev_version = tuf_state_version(op->ts, kind, WS_TUF_SNAPSHOT);
	check.max_lifetime = (int64_t)policy->tuf.roles[WS_TUF_SNAPSHOT].expires_max_s;
	if ((r = ws_tuf_snapshot_sign(root, &p, &check, tuf_signer_get(&signer), &snap)) != WS_OK)
		goto out;
	tuf_signer_fingerprints(&signer, ctx->keys_used);
	op->version = snap->version;
	tuf_sha256_hex(snap->file, snap->file_len, op->sha256);
	json_object_set_new(ctx->outputs, "role", json_string("snapshot"));
	json_object_set_new(ctx->outputs, "root", json_string(tuf_root_kind_name(kind)));
	json_object_set_new(ctx->outputs, "version", json_integer((json_int_t)op->version));
	json_object_set_new(ctx->outputs, "sha256", json_string(op->sha256));
	if ((files = json_object()) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "tuf.snapshot");
		goto out;
	}
	if ((r = add_doc_files(files, snap)) != WS_OK || (r = add_doc_files(files, targets)) != WS_OK)
		goto out;
	*result = json_pack("{s:s,s:I,s:o,s:s,s:O}", "root", tuf_root_kind_name(kind), "version",
	    (json_int_t)op->version, "expires", tuf_time_json(expires), "sha256", op->sha256, "files", files);
	r = *result ? WS_OK : ws_err_set(WS_ERR_NOMEM, "tuf.snapshot");
out:
	ws_tuf_doc_free(targets);
	ws_tuf_doc_free(snap);
	json_decref(files);
	tuf_signer_free(&signer);
	return r;
}

ws_err
op_tuf_timestamp(struct op_ctx *ctx, json_t **result)
{
	static const char *const members[] = { "root", "snapshot", "version", "expires_days", "expires_at", NULL };
	const struct ws_policy *policy = ctx->policy;
	const json_t *args = ctx->req->args;
	const struct ws_tuf_root *root;
	struct ws_tuf_doc *snap = NULL, *ts = NULL;
	struct ws_tuf_timestamp_params p = { 0 };
	struct ws_tuf_check check = { 0 };
	struct tuf_signer signer;
	struct tuf_op *op = NULL;
	enum tuf_root_kind kind;
	const char *last;
	json_t *files = NULL;
	time_t now = time(NULL), expires;
	char ssha[65];
	ws_err r;

	tuf_signer_init(&signer, ctx->session);
	if ((r = ws_json_only_members(args, "args", members)) != WS_OK || (r = root_kind_arg(args, &kind)) != WS_OK ||
	    (r = policy_tuf(policy)) != WS_OK ||
	    (r = tuf_expires_arg(args, now, &policy->tuf.roles[WS_TUF_TIMESTAMP], &expires)) != WS_OK)
		goto out;
	ctx->officer_op = true;
	if ((r = tuf_op_begin(ctx, WS_TUF_TIMESTAMP, &op)) != WS_OK)
		goto out;
	op->kind = kind;
	if ((root = tuf_state_root(op->ts, kind)) == NULL) {
		r = ws_err_set(WS_ERR_NOT_FOUND, "there is no %s root yet (wavesign tuf root sign)",
		    tuf_root_kind_name(kind));
		goto out;
	}
	if ((r = root_dialect_ok(root, kind, policy)) != WS_OK ||
	    (r = doc_arg(args, "snapshot", policy->tuf.dialect, WS_TUF_SNAPSHOT, &snap)) != WS_OK)
		goto out;
	tuf_sha256_hex(snap->file, snap->file_len, ssha);
	json_object_set_new(ctx->subject, "root", json_string(tuf_root_kind_name(kind)));
	json_object_set_new(ctx->subject, "snapshot_version", json_integer((json_int_t)snap->version));
	json_object_set_new(ctx->subject, "snapshot_sha256", json_string(ssha));
	if ((last = tuf_state_last_snapshot(op->ts, kind)) == NULL || strcmp(last, ssha) != 0) {
		r = ws_err_set(WS_ERR_TUF, "snapshot.json v%" PRId64 " (SHA-256 %s) is not the last snapshot this "
		    "appliance signed under the %s root (v%" PRId64 ")", snap->version, ssha,
		    tuf_root_kind_name(kind), tuf_state_version(op->ts, kind, WS_TUF_SNAPSHOT));
		goto out;
	}
	if ((r = version_arg(args, tuf_state_version(op->ts, kind, WS_TUF_TIMESTAMP), &p.version)) != WS_OK ||
	    (r = role_signer(ctx, WS_TUF_TIMESTAMP, &signer)) != WS_OK)
		goto out;
	p.expires = expires;
	p.snapshot = snap;
	check.now = now;
	check.prev_version = tuf_state_version(op->ts, kind, WS_TUF_TIMESTAMP);
	check.max_lifetime = (int64_t)policy->tuf.roles[WS_TUF_TIMESTAMP].expires_max_s;
	if ((r = ws_tuf_timestamp_sign(root, &p, &check, tuf_signer_get(&signer), &ts)) != WS_OK)
		goto out;
	tuf_signer_fingerprints(&signer, ctx->keys_used);
	op->version = ts->version;
	tuf_sha256_hex(ts->file, ts->file_len, op->sha256);
	json_object_set_new(ctx->outputs, "role", json_string("timestamp"));
	json_object_set_new(ctx->outputs, "root", json_string(tuf_root_kind_name(kind)));
	json_object_set_new(ctx->outputs, "version", json_integer((json_int_t)op->version));
	json_object_set_new(ctx->outputs, "sha256", json_string(op->sha256));
	if ((files = json_object()) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "tuf.timestamp");
		goto out;
	}
	if ((r = add_doc_files(files, ts)) != WS_OK)
		goto out;
	*result = json_pack("{s:s,s:I,s:o,s:s,s:O}", "root", tuf_root_kind_name(kind), "version",
	    (json_int_t)op->version, "expires", tuf_time_json(expires), "sha256", op->sha256, "files", files);
	r = *result ? WS_OK : ws_err_set(WS_ERR_NOMEM, "tuf.timestamp");
out:
	ws_tuf_doc_free(snap);
	ws_tuf_doc_free(ts);
	json_decref(files);
	tuf_signer_free(&signer);
	return r;
}
