/*
 * ws_tuf_root.h -- the root role: build and sign it, read it into keys and
 * roles, and verify any metadata file against one of its roles.
 *
 * The signed part written (keys in byte order, as canonical JSON sorts):
 *
 *   foundries  {"_type":"Root","consistent_snapshot":false,"expires":E,
 *               "keys":{keyid:key,...},"roles":{"root":{"keyids":[...],
 *               "threshold":N},"snapshot":...,"targets":...,"timestamp":...},
 *               "version":V}
 *   tuf        the same with "_type":"root", "consistent_snapshot":true and
 *              "spec_version":"1.0.31".
 *
 * The foundries CI root and production root are two roots made from the
 * same parameters except roles[WS_TUF_TARGETS].threshold (1 for CI;
 * 2 or more for production: the offline targets key(s) plus the OTA back
 * end's online key, which is listed in roles[TARGETS].keys).
 *
 * Verification counts DISTINCT keys of the role whose signature verifies.
 * A signature by a key the role does not list is ignored (it may belong to
 * the previous root, during a rotation); a signature by a listed key that
 * does not verify fails the whole file (WS_ERR_TUF_SIGNATURE): it was
 * tampered with or made by a broken signer.
 */
#ifndef WS_TUF_ROOT_H
#define WS_TUF_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ws_err.h"
#include "ws_tuf.h"
#include "ws_tuf_doc.h"
#include "ws_tuf_key.h"

/* The keys of one role in a root and how many must sign. */
struct ws_tuf_role_keys {
	struct ws_tuf_key **keys;	/* in the order of the role's keyids (borrowed from the root) */
	size_t nkeys;
	int64_t threshold;
};

/* A root file read into its parts. Owns everything it points to. */
struct ws_tuf_root {
	struct ws_tuf_doc *doc;
	bool consistent_snapshot;
	struct ws_tuf_key **keys;	/* every entry of signed.keys (owned) */
	size_t nkeys;
	struct ws_tuf_role_keys roles[WS_TUF_ROLE_COUNT];
};

/*
 * Reads a root document (ownership of doc passes to *out on success only):
 * every key (ws_tuf_key_from_json(): form, material, keyid), every one of
 * the four roles present with 1 <= threshold <= number of keyids, keyids
 * unique within a role and each one present in keys. Unknown extra roles
 * are refused (delegations belong in targets). Signatures are not checked
 * here: see ws_tuf_root_verify_self() / ws_tuf_root_verify_next().
 * Errors: WS_ERR_TUF, WS_ERR_KEY_TYPE, WS_ERR_JSON_*, WS_ERR_LIMIT, WS_ERR_NOMEM.
 */
ws_err ws_tuf_root_from_doc(struct ws_tuf_doc *doc, struct ws_tuf_root **out);

/* ws_tuf_doc_parse() of a root file followed by ws_tuf_root_from_doc(). */
ws_err ws_tuf_root_parse(enum ws_tuf_dialect dialect, const uint8_t *data, size_t len,
    struct ws_tuf_root **out);

/* Frees root and its document (NULL is fine). */
void ws_tuf_root_free(struct ws_tuf_root *root);

/* The key of root's role with that keyid, or NULL. */
const struct ws_tuf_key *ws_tuf_root_role_key(const struct ws_tuf_root *root,
    enum ws_tuf_role role, const char *keyid);

/*
 * Verifies doc's signatures against root's keys for role: WS_OK when at
 * least threshold distinct keys of the role signed validly. doc must be of
 * root's dialect (WS_ERR_TUF). WS_ERR_TUF_SIGNATURE when a signature by a
 * key of the role does not verify (or, in the foundries dialect, names a
 * method that is not the key's); WS_ERR_TUF_THRESHOLD when too few valid
 * signatures remain, detail "<role> v<N>: 1 of 2 required signatures by
 * <role> keys of root v<M> (ignored: keyid ... not a <role> key)".
 */
ws_err ws_tuf_root_verify_doc(const struct ws_tuf_root *root, enum ws_tuf_role role,
    const struct ws_tuf_doc *doc) __attribute__((warn_unused_result));

/* A trust anchor (1.root.json, or a root shipped with a device) verifies its own signatures. */
ws_err ws_tuf_root_verify_self(const struct ws_tuf_root *root) __attribute__((warn_unused_result));

/*
 * One step of the root chain: next->version == prev->version + 1
 * (WS_ERR_TUF_VERSION), same dialect, and next carries a threshold of
 * prev's root keys AND a threshold of its own root keys
 * (ws_tuf_root_verify_doc() errors, detail naming which root).
 */
ws_err ws_tuf_root_verify_next(const struct ws_tuf_root *prev, const struct ws_tuf_root *next)
	__attribute__((warn_unused_result));

/* The keys and threshold of one role in a new root. */
struct ws_tuf_root_role_params {
	struct ws_tuf_key *const *keys;	/* borrowed; distinct keyids; at most WS_TUF_KEYS_MAX */
	size_t nkeys;
	int64_t threshold;		/* 1 <= threshold <= nkeys */
};

struct ws_tuf_root_params {
	int64_t version;
	time_t expires;
	struct ws_tuf_root_role_params roles[WS_TUF_ROLE_COUNT];	/* indexed by enum ws_tuf_role */
};

/*
 * Builds root version p->version and signs it with signer's keys.
 *
 * Content checks: every key of the dialect (ECDSA refused in foundries:
 * WS_ERR_KEY_TYPE), thresholds within 1..nkeys and keys distinct per role
 * (WS_ERR_TUF); version is 1 when prev is NULL and check->prev_version is
 * 0, else exactly the previous version + 1 (prev's version when prev is
 * given; WS_ERR_TUF_VERSION); expiry within check's window
 * (WS_ERR_TUF_EXPIRES); every signer key is a root key of the new root or
 * of prev (WS_ERR_TUF: "key ... is not a root key of root vN or vN+1").
 * Rotation: unless check->allow_partial, the signatures must reach the new
 * root's root threshold AND, when prev is given, prev's root threshold
 * (WS_ERR_TUF_THRESHOLD) -- the same rule ws_tuf_root_verify_next() checks.
 *
 * On success *out is the caller's (ws_tuf_root_free()); (*out)->doc->file
 * holds the bytes of both root.json and <version>.root.json.
 */
ws_err ws_tuf_root_sign(enum ws_tuf_dialect dialect, const struct ws_tuf_root_params *p,
    const struct ws_tuf_root *prev, const struct ws_tuf_check *check,
    const struct ws_tuf_signer *signer, struct ws_tuf_root **out);

/*
 * Signs body (the `signed` object of a targets, snapshot or timestamp
 * role) under root: checks signed.version against check->prev_version
 * (WS_ERR_TUF_VERSION) and signed.expires against check's window
 * (WS_ERR_TUF_EXPIRES) before anything is signed; refuses a signer key that
 * is not a key of role in root (WS_ERR_TUF); signs (ws_tuf_doc_sign());
 * and unless check->allow_partial, requires the role's threshold
 * (WS_ERR_TUF_THRESHOLD). The builders of ws_tuf_roles.h end here; it is
 * public for roles assembled elsewhere. On success *out is the caller's.
 */
ws_err ws_tuf_root_sign_role(const struct ws_tuf_root *root, enum ws_tuf_role role,
    const json_t *body, const struct ws_tuf_check *check, const struct ws_tuf_signer *signer,
    struct ws_tuf_doc **out);

#endif /* WS_TUF_ROOT_H */
