/*
 * ws_policy.h -- the policy: one YAML file that says everything the
 * appliance may do (wavesign-policy(5) documents every key).
 *
 * The policy is loaded with the strict loader of ws_yaml.h, checked key by
 * key and then across sections, and kept as the plain structs below, which
 * other modules read directly. A loaded policy is immutable: share one
 * between threads freely, and replace it as a whole on reload (load the new
 * file first; free the old one only when no request uses it).
 *
 * Errors while loading: WS_ERR_POLICY with a detail of the form
 *
 *     FILE:LINE:COLUMN: key.path: what is wrong
 *
 * (unknown keys, wrong types, bad values, cross-check failures), or
 * WS_ERR_YAML (malformed YAML, anchors/aliases/tags, several documents, too
 * deep, too large), WS_ERR_SYSTEM/WS_ERR_IO (file unreadable), WS_ERR_NOMEM.
 *
 * Cross-checks (each an error naming the offending key):
 *   - every key referenced (tuf roles, certificates.*-ca.key, audit.key) is in `keys`;
 *   - key ids (CKA_ID) are unique;
 *   - 1 <= threshold <= number of keys of the role; production-targets-threshold
 *     >= targets.threshold;
 *   - expires.default <= expires.max;
 *   - dialect foundries has no ECDSA TUF keys (aktualizr rejects them);
 *   - every `allow` pattern matches at least one known operation;
 *   - every client names unix-user or unix-group (or both: both must match);
 *   - `production: allow|require` only on a client allowed cert.issue;
 *   - waves.approve only for officer clients, and an approvals count above 1
 *     needs some client allowed waves.approve;
 *   - CA keys (certificates.root-ca/device-ca) are ec-p256 (COMPAT.md §2).
 */
#ifndef WS_POLICY_H
#define WS_POLICY_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ws_buf.h"
#include "ws_err.h"
#include "ws_p11.h"
#include "ws_production.h"

/*
 * The operations: one per request type on the socket. This is the one
 * table of op names; `allow` patterns are matched against it.
 *        enum               name                 what it does
 */
#define WS_OP_LIST(X) \
	X(WS_OP_STATUS,           "status",           "show keys, policy hash, waves, expiries") \
	X(WS_OP_KEYS_INIT,        "keys.init",        "generate the keys named in the policy") \
	X(WS_OP_KEYS_LIST,        "keys.list",        "list the token's keys and fingerprints") \
	X(WS_OP_CA_INIT,          "ca.init",          "create the factory root CA and device CA") \
	X(WS_OP_CA_SIGN,          "ca.sign",          "sign a gateway TLS or extra device CA certificate") \
	X(WS_OP_CA_CRL,           "ca.crl",           "sign CRLs (revoke, disable, enable)") \
	X(WS_OP_CERT_ISSUE,       "cert.issue",       "issue a device client certificate from a CSR") \
	X(WS_OP_TUF_KEYS,         "tuf.keys",         "create TUF keys") \
	X(WS_OP_TUF_ROOT,         "tuf.root",         "sign root.json (CI and production roots)") \
	X(WS_OP_TUF_SNAPSHOT,     "tuf.snapshot",     "sign snapshot metadata") \
	X(WS_OP_TUF_TIMESTAMP,    "tuf.timestamp",    "sign timestamp metadata") \
	X(WS_OP_WAVES_INIT,       "waves.init",       "create a wave and sign its targets") \
	X(WS_OP_WAVES_SIGN,       "waves.sign",       "add a targets signature to a wave") \
	X(WS_OP_WAVES_ROLLOUT,    "waves.rollout",    "roll a wave out to a device group") \
	X(WS_OP_WAVES_COMPLETE,   "waves.complete",   "make a wave the tag's production targets") \
	X(WS_OP_WAVES_CANCEL,     "waves.cancel",     "cancel a wave") \
	X(WS_OP_WAVES_APPROVE,    "waves.approve",    "approve a wave operation (M-of-N officers)") \
	X(WS_OP_WAVES_LIST,       "waves.list",       "list waves") \
	X(WS_OP_WAVES_SHOW,       "waves.show",       "show one wave") \
	X(WS_OP_BUNDLE_SIGN,      "bundle.sign",      "sign an offline-update bundle") \
	X(WS_OP_AUDIT_CHECKPOINT, "audit.checkpoint", "sign a checkpoint of the signing log")

#define WS_OP_ENUM_ITEM(e, name, text) e,
enum ws_op { WS_OP_LIST(WS_OP_ENUM_ITEM) WS_OP_COUNT };
#undef WS_OP_ENUM_ITEM

/* "waves.init" for WS_OP_WAVES_INIT; NULL out of range. */
const char *ws_op_name(enum ws_op op);
/* One line saying what the op does; NULL out of range. */
const char *ws_op_text(enum ws_op op);
/* The op called name: WS_OK, or WS_ERR_UNKNOWN_OP ("'x' is not an operation"). */
ws_err ws_op_from_name(const char *name, enum ws_op *out);

/*
 * Matches an allow pattern against an op name: "*" matches every op,
 * "family.*" every op whose name starts with "family.", anything else only
 * itself.
 */
bool ws_op_pattern_match(const char *pattern, const char *op);

/* A set of ops, bit (1 << op). */
typedef uint32_t ws_op_set;
#define WS_OP_BIT(op) ((ws_op_set)1 << (op))

/* ------------------------------------------------------------ keys */

/* The key types the policy names. */
enum ws_policy_key_type {
	WS_PKEY_EC_P256 = 0,
	WS_PKEY_ED25519,
	WS_PKEY_RSA_2048,
	WS_PKEY_RSA_3072,
	WS_PKEY_RSA_4096,
	WS_PKEY_COUNT
};

/* "ec-p256", "ed25519", "rsa-2048", "rsa-3072", "rsa-4096"; NULL out of range. */
const char *ws_policy_key_type_name(enum ws_policy_key_type t);

struct ws_policy_key {
	char *label;				/* CKA_LABEL in the token */
	enum ws_policy_key_type kind;
	enum ws_key_type type;			/* as ws_p11.h names it */
	unsigned rsa_bits;			/* 2048/3072/4096 for RSA, 0 otherwise */
	uint8_t id[WS_KEY_ID_MAX];		/* CKA_ID, when id_len > 0 */
	size_t id_len;
};

/* --------------------------------------------------------- clients */

/* enum ws_production and ws_production_name(): ws_production.h. */

struct ws_policy_client {
	char *name;			/* key under clients: */
	size_t index;			/* position in clients[] (file order) */
	/* unix-user: a name (resolved at match time) or a number. */
	bool has_user;
	char *user_name;		/* NULL when given as a number */
	uid_t uid;			/* when user_name == NULL */
	/* unix-group: the same. */
	bool has_group;
	char *group_name;
	gid_t gid;
	/* allow: the patterns as written, and the ops they cover. */
	char **allow;
	size_t n_allow;
	ws_op_set ops;
	enum ws_production production;
	unsigned rate_count;		/* 0: no rate limit */
	unsigned rate_period_s;		/* 1, 60 or 3600 */
	bool officer;			/* counts as a distinct officer for approvals */
};

/* ---------------------------------------------------- certificates */

enum ws_cn_mode {
	WS_CN_UUID = 0,		/* RFC 4122 textual UUID, lower or upper case hex */
	WS_CN_ANY,		/* any non-empty CN */
	WS_CN_REGEX,		/* cn_regex (POSIX ERE, whole-CN match is up to the pattern's anchors) */
};

struct ws_policy_device_profile {
	enum ws_cn_mode cn_mode;
	char *cn_pattern;		/* the regex as written (WS_CN_REGEX), else NULL */
	regex_t cn_regex;		/* compiled REG_EXTENDED (match offsets available), valid for WS_CN_REGEX */
	uint32_t key_types;		/* bit (1 << enum ws_policy_key_type) per allowed CSR key */
	uint64_t validity_s;
	bool reissue;			/* a second certificate for the same CN is allowed */
};

struct ws_policy_certificates {
	bool present;			/* the policy has a certificates section */
	const struct ws_policy_key *root_ca_key;	/* NULL unless present */
	uint64_t root_ca_validity_s;
	const struct ws_policy_key *device_ca_key;	/* NULL unless present */
	uint64_t device_ca_validity_s;
	uint64_t tls_validity_s;
	struct ws_policy_device_profile device;
};

/* ------------------------------------------------------------- TUF */

enum ws_tuf_dialect {
	WS_TUF_FOUNDRIES = 0,	/* ota-tuf / aktualizr */
	WS_TUF_SPEC,		/* TUF 1.0 ("tuf" in the policy) */
};

enum ws_tuf_role {
	WS_TUF_ROOT = 0,
	WS_TUF_TARGETS,
	WS_TUF_SNAPSHOT,
	WS_TUF_TIMESTAMP,
	WS_TUF_ROLE_COUNT
};

/* "root", "targets", "snapshot", "timestamp" */
const char *ws_tuf_role_name(enum ws_tuf_role role);
/* "foundries", "tuf" */
const char *ws_tuf_dialect_name(enum ws_tuf_dialect d);

#define WS_POLICY_ROLE_KEYS_MAX 16

struct ws_policy_tuf_role {
	bool present;			/* named in the policy */
	const struct ws_policy_key *keys[WS_POLICY_ROLE_KEYS_MAX];	/* into policy->keys */
	size_t n_keys;
	unsigned threshold;
	uint64_t expires_default_s;
	uint64_t expires_max_s;
};

struct ws_policy_tuf {
	bool present;			/* the policy has a tuf section */
	enum ws_tuf_dialect dialect;
	struct ws_policy_tuf_role roles[WS_TUF_ROLE_COUNT];
	unsigned production_targets_threshold;	/* foundries only; 0 for tuf */
};

/* ----------------------------------------------------------- waves */

enum ws_waves_active {
	WS_WAVES_ONE = 0,		/* one active wave at a time */
	WS_WAVES_ONE_PER_TAG,		/* one active wave per tag */
};

/* The wave operations that can need approvals. */
enum ws_wave_step {
	WS_WAVE_INIT = 0,
	WS_WAVE_ROLLOUT,
	WS_WAVE_COMPLETE,
	WS_WAVE_CANCEL,
	WS_WAVE_STEP_COUNT
};

/* "init", "rollout", "complete", "cancel" */
const char *ws_wave_step_name(enum ws_wave_step s);

#define WS_POLICY_APPROVALS_MAX 16

struct ws_policy_waves {
	bool present;
	enum ws_waves_active active;
	char **tags;			/* allowed tags, file order */
	size_t n_tags;
	char *name_pattern;		/* as written */
	regex_t name_regex;		/* REG_EXTENDED */
	unsigned approvals[WS_WAVE_STEP_COUNT];	/* distinct officers, >= 1 */
};

/* ----------------------------------------------------------- audit */

struct ws_policy_audit {
	const struct ws_policy_key *key;	/* signs checkpoints */
	unsigned checkpoint_every;		/* records between checkpoints */
};

/* ---------------------------------------------------------- policy */

#define WS_POLICY_NAME_MAX 64		/* factory, key labels, client names, tags */
#define WS_POLICY_KEYS_MAX 64		/* entries under keys: */
#define WS_POLICY_CLIENTS_MAX 256	/* entries under clients: */
#define WS_POLICY_TAGS_MAX 64		/* entries in waves.tags */

struct ws_policy {
	char *path;			/* as given to the loader (for messages) */
	char sha256[65];		/* hex SHA-256 of the exact file bytes */
	char *factory;
	struct ws_policy_key *keys;
	size_t n_keys;
	struct ws_policy_client *clients;	/* file order: first match wins */
	size_t n_clients;
	struct ws_policy_certificates certificates;
	struct ws_policy_tuf tuf;
	struct ws_policy_waves waves;
	struct ws_policy_audit audit;
};

/* Defaults used when a key is absent (see wavesign-policy(5)). */
#define WS_POLICY_DEVICE_VALIDITY_DEFAULT_S (20ull * 365 * 86400)
#define WS_POLICY_ROOT_CA_VALIDITY_DEFAULT_S (20ull * 365 * 86400)
#define WS_POLICY_DEVICE_CA_VALIDITY_DEFAULT_S (10ull * 365 * 86400)
#define WS_POLICY_TLS_VALIDITY_DEFAULT_S (10ull * 365 * 86400)
#define WS_POLICY_VALIDITY_MAX_S (100ull * 365 * 86400)
#define WS_POLICY_CHECKPOINT_EVERY_DEFAULT 1000u
#define WS_POLICY_WAVE_NAME_DEFAULT "^[a-z0-9][a-z0-9._-]{0,63}$"

/*
 * Loads the policy file at path (at most 1 MiB). On success *out is owned by
 * the caller (ws_policy_free()). Errors: see the top of this file.
 */
ws_err ws_policy_load(const char *path, struct ws_policy **out);

/* As ws_policy_load() from memory; name is used in messages. */
ws_err ws_policy_load_mem(const char *name, const uint8_t *data, size_t len, struct ws_policy **out);

void ws_policy_free(struct ws_policy *p);

/* Hex SHA-256 of the exact bytes the policy was loaded from. */
const char *ws_policy_sha256(const struct ws_policy *p);

/* The key labelled label, or NULL. */
const struct ws_policy_key *ws_policy_key_find(const struct ws_policy *p, const char *label);

/* The client named name, or NULL. */
const struct ws_policy_client *ws_policy_client_find(const struct ws_policy *p, const char *name);

/*
 * The first client (file order) that the peer (uid, gid from SO_PEERCRED)
 * is: unix-user matches the uid (a name is resolved with getpwnam_r now);
 * unix-group matches when gid is the group or the uid's user is a member
 * (getgrouplist). A client naming both needs both. Names that do not
 * resolve on this host match nobody.
 * WS_ERR_UNKNOWN_PEER when none matches (detail names uid, gid and the
 * user name when there is one).
 */
ws_err ws_policy_match_client(const struct ws_policy *p, uid_t uid, gid_t gid,
    const struct ws_policy_client **out);

/*
 * Asks whether client may run op (an op name from WS_OP_LIST).
 * WS_ERR_UNKNOWN_OP when op is not in the table; WS_ERR_POLICY_DENIED with
 * "client 'NAME' (clients.NAME.allow) does not allow 'OP'".
 */
ws_err ws_policy_check_op(const struct ws_policy *p, const struct ws_policy_client *client,
    const char *op);

/* True when client may run op. */
bool ws_policy_client_allows(const struct ws_policy_client *client, enum ws_op op);

/*
 * True when a device certificate CN satisfies the profile's cn rule
 * (uuid: 8-4-4-4-12 lower-case hex digits, as ws_csr_check_device(); any: non-empty; regex: regexec matches).
 */
bool ws_policy_cn_ok(const struct ws_policy_device_profile *profile, const char *cn);

/* True when tag is one of waves.tags. */
bool ws_policy_wave_tag_ok(const struct ws_policy *p, const char *tag);

/* True when name matches waves.name. */
bool ws_policy_wave_name_ok(const struct ws_policy *p, const char *name);

/*
 * Appends a readable multi-line summary of what the policy allows to out
 * (what `wavesign policy check FILE` prints): the file and its SHA-256, the
 * factory, keys, clients and the ops each may run, certificate profiles,
 * TUF roles, wave rules, audit; then the lines of ws_policy_warnings().
 * Errors: those of ws_buf (WS_ERR_LIMIT, WS_ERR_NOMEM).
 */
ws_err ws_policy_describe(const struct ws_policy *p, struct ws_buf *out);

/*
 * Appends one line "warning: ..." per thing that is valid but suspicious on
 * this host, today: unix-user / unix-group names that do not resolve here.
 * *count (may be NULL) receives the number of lines.
 */
ws_err ws_policy_warnings(const struct ws_policy *p, struct ws_buf *out, unsigned *count);

#endif /* WS_POLICY_H */
