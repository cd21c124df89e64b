/*
 * ws_policy_load.c -- the policy file: schema, defaults and cross-checks.
 *
 * Sections are loaded in dependency order (keys before the sections that
 * reference them, clients before waves), so each cross-check runs where the
 * offending node is at hand and its error carries that node's position.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ws_policy.h"
#include "ws_yaml.h"

#define MSG_LIST_MAX 400

static const char *const key_type_names[] = {
	"ec-p256", "ed25519", "rsa-2048", "rsa-3072", "rsa-4096", NULL,
};

const char *
ws_policy_key_type_name(enum ws_policy_key_type t)
{
	return (unsigned)t < WS_PKEY_COUNT ? key_type_names[t] : NULL;
}

static const char *const production_names[] = { "deny", "allow", "require", NULL };

static const char *const role_names[] = { "root", "targets", "snapshot", "timestamp", NULL };

const char *
ws_tuf_role_name(enum ws_tuf_role role)
{
	return (unsigned)role < WS_TUF_ROLE_COUNT ? role_names[role] : "?";
}

static const char *const dialect_names[] = { "foundries", "tuf", NULL };

const char *
ws_tuf_dialect_name(enum ws_tuf_dialect d)
{
	return (unsigned)d <= WS_TUF_SPEC ? dialect_names[d] : "?";
}

static const char *const step_names[] = { "init", "rollout", "complete", "cancel", NULL };

const char *
ws_wave_step_name(enum ws_wave_step s)
{
	return (unsigned)s < WS_WAVE_STEP_COUNT ? step_names[s] : "?";
}

/* Built-in expiry windows per TUF role: default, max (COMPAT.md §3). */
static const uint64_t role_expires_default[WS_TUF_ROLE_COUNT] = {
	365 * 86400ull, 365 * 86400ull, 365 * 86400ull, 7 * 86400ull,
};
static const uint64_t role_expires_max[WS_TUF_ROLE_COUNT] = {
	730 * 86400ull, 730 * 86400ull, 730 * 86400ull, 30 * 86400ull,
};

void
ws_policy_free(struct ws_policy *p)
{
	if (p == NULL)
		return;
	free(p->path);
	free(p->factory);
	for (size_t i = 0; i < p->n_keys; i++)
		free(p->keys[i].label);
	free(p->keys);
	for (size_t i = 0; i < p->n_clients; i++) {
		struct ws_policy_client *c = &p->clients[i];

		free(c->name);
		free(c->user_name);
		free(c->group_name);
		for (size_t j = 0; j < c->n_allow; j++)
			free(c->allow[j]);
		free(c->allow);
	}
	free(p->clients);
	if (p->certificates.device.cn_pattern != NULL) {
		regfree(&p->certificates.device.cn_regex);
		free(p->certificates.device.cn_pattern);
	}
	for (size_t i = 0; i < p->waves.n_tags; i++)
		free(p->waves.tags[i]);
	free(p->waves.tags);
	if (p->waves.name_pattern != NULL) {
		regfree(&p->waves.name_regex);
		free(p->waves.name_pattern);
	}
	free(p);
}

const char *
ws_policy_sha256(const struct ws_policy *p)
{
	return p->sha256;
}

const struct ws_policy_key *
ws_policy_key_find(const struct ws_policy *p, const char *label)
{
	for (size_t i = 0; i < p->n_keys; i++)
		if (strcmp(p->keys[i].label, label) == 0)
			return &p->keys[i];
	return NULL;
}

const struct ws_policy_client *
ws_policy_client_find(const struct ws_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_clients; i++)
		if (strcmp(p->clients[i].name, name) == 0)
			return &p->clients[i];
	return NULL;
}

/* ---------------------------------------------------------- helpers */

static ws_err
dup_str(const char *s, char **out)
{
	if ((*out = strdup(s)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "policy");
	return WS_OK;
}

/* "a, b, c" of the policy's key labels, for messages. */
static void
key_labels(const struct ws_policy *p, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n_keys && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", p->keys[i].label);
	if (p->n_keys == 0)
		snprintf(buf, size, "none");
}

/* Resolves a key label node against keys. */
static ws_err
ref_key(const struct ws_policy *p, const struct ws_yaml_node *n, const struct ws_policy_key **out)
{
	char known[MSG_LIST_MAX];
	const char *label = NULL;
	const struct ws_policy_key *k;
	ws_err r;

	if ((r = ws_yaml_name(n, WS_KEY_LABEL_MAX, "a key label", &label)) != WS_OK)
		return r;
	if ((k = ws_policy_key_find(p, label)) == NULL) {
		key_labels(p, known, sizeof(known));
		return ws_yaml_fail(n, "key '%s' is not in keys (keys: %s)", label, known);
	}
	*out = k;
	return WS_OK;
}

/* Resolves the default label of an absent key against keys; the error names map.key. */
static ws_err
ref_default_key(const struct ws_policy *p, const struct ws_yaml_node *map, const char *key_path,
    const char *label, const struct ws_policy_key **out)
{
	char known[MSG_LIST_MAX];
	const struct ws_policy_key *k = ws_policy_key_find(p, label);

	if (k == NULL) {
		key_labels(p, known, sizeof(known));
		return ws_yaml_fail_key(map, key_path, "key '%s' (the default) is not in keys (keys: %s)",
		    label, known);
	}
	*out = k;
	return WS_OK;
}

/* Compiles a POSIX ERE that must be anchored at both ends. */
static ws_err
compile_anchored(const struct ws_yaml_node *n, const char *what, regex_t *re)
{
	char err[200], got[96];
	const char *s = NULL;
	size_t len;
	int rc;
	ws_err r;

	if ((r = ws_yaml_str(n, &s)) != WS_OK)
		return r;
	len = strlen(s);
	ws_yaml_describe(n, got, sizeof(got));
	if (len < 2 || s[0] != '^' || s[len - 1] != '$' || (len >= 3 && s[len - 2] == '\\'))
		return ws_yaml_fail(n, "%s must be anchored as ^...$ so that it matches the whole %s, got %s",
		    "a pattern", what, got);
	/* Without REG_NOSUB: ws_csr_check_device() asks where the CN match ends. */
	if ((rc = regcomp(re, s, REG_EXTENDED)) != 0) {
		regerror(rc, re, err, sizeof(err));
		regfree(re);
		return ws_yaml_fail(n, "bad regular expression %s: %s", got, err);
	}
	return WS_OK;
}

/* ------------------------------------------------------------- keys */

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static ws_err
parse_hex_id(const struct ws_yaml_node *n, uint8_t *id, size_t *id_len)
{
	uint8_t tmp[WS_KEY_ID_MAX];
	char got[96];
	const char *s = NULL;
	size_t len;
	ws_err r;

	if ((r = ws_yaml_str(n, &s)) != WS_OK)
		return r;
	len = strlen(s);
	if (len == 0 || len % 2 != 0 || len / 2 > WS_KEY_ID_MAX)
		goto bad;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_nibble(s[i]), lo = hex_nibble(s[i + 1]);

		if (hi < 0 || lo < 0)
			goto bad;
		tmp[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(id, tmp, len / 2);
	*id_len = len / 2;
	return WS_OK;
bad:
	ws_yaml_describe(n, got, sizeof(got));
	return ws_yaml_fail(n, "expected a CKA_ID of 2 to %d hex digits (an even number), got %s",
	    2 * WS_KEY_ID_MAX, got);
}

static ws_err
load_key(struct ws_policy *p, const struct ws_yaml_node *label_node, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "type", "id", NULL };
	struct ws_policy_key *k = &p->keys[p->n_keys];
	const struct ws_yaml_node *n = NULL;
	const char *label = NULL;
	int type = 0;
	ws_err r;

	if ((r = ws_yaml_name(label_node, WS_KEY_LABEL_MAX, "a key label", &label)) != WS_OK)
		return r;
	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(map, "type", &n)) != WS_OK ||
	    (r = ws_yaml_enum(n, key_type_names, &type)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "id")) != NULL) {
		if ((r = parse_hex_id(n, k->id, &k->id_len)) != WS_OK)
			return r;
		for (size_t i = 0; i < p->n_keys; i++)
			if (p->keys[i].id_len == k->id_len && memcmp(p->keys[i].id, k->id, k->id_len) == 0)
				return ws_yaml_fail(n, "id %s is also the id of key '%s'", n->str,
				    p->keys[i].label);
	}
	if ((r = dup_str(label, &k->label)) != WS_OK)
		return r;
	p->n_keys++;
	k->kind = (enum ws_policy_key_type)type;
	switch (k->kind) {
	case WS_PKEY_EC_P256:
		k->type = WS_KEY_EC_P256;
		break;
	case WS_PKEY_ED25519:
		k->type = WS_KEY_ED25519;
		break;
	case WS_PKEY_RSA_2048:
	case WS_PKEY_RSA_3072:
	case WS_PKEY_RSA_4096:
		k->type = WS_KEY_RSA;
		k->rsa_bits = k->kind == WS_PKEY_RSA_2048 ? 2048 : k->kind == WS_PKEY_RSA_3072 ? 3072 : 4096;
		break;
	case WS_PKEY_COUNT:
		return ws_err_set(WS_ERR_INTERNAL, "key type");
	}
	return WS_OK;
}

static ws_err
load_keys(struct ws_policy *p, const struct ws_yaml_node *map)
{
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK)
		return r;
	if (map->count == 0 || map->count > WS_POLICY_KEYS_MAX)
		return ws_yaml_fail(map, "expected 1 to %d keys, got %zu", WS_POLICY_KEYS_MAX, map->count);
	if ((p->keys = calloc(map->count, sizeof(*p->keys))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "policy keys");
	for (size_t i = 0; i < map->count; i++)
		if ((r = load_key(p, map->keys[i], map->values[i])) != WS_OK)
			return r;
	return WS_OK;
}

/* ---------------------------------------------------------- clients */

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* unix-user / unix-group: a name, or a number (digits, quoted or not). */
static ws_err
load_principal(const struct ws_yaml_node *n, const char *what, char **name, unsigned *id)
{
	char msg[64];
	const char *s = NULL;
	uint64_t v = 0;
	ws_err r;

	if (n->kind == WS_YAML_SCALAR && all_digits(n->str)) {
		if (n->len > 10 || (v = strtoull(n->str, NULL, 10)) >= UINT32_MAX) {
			return ws_yaml_fail(n, "expected a %s id below 4294967295, got %s", what, n->str);
		}
		*id = (unsigned)v;
		return WS_OK;
	}
	snprintf(msg, sizeof(msg), "a %s name or number", what);
	if ((r = ws_yaml_name(n, 32, msg, &s)) != WS_OK)
		return r;
	return dup_str(s, name);
}

/* "status, keys.init, ..." */
static void
op_names(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int op = 0; op < WS_OP_COUNT && len + 1 < size; op++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", op ? ", " : "", ws_op_name(op));
}

static ws_err
load_allow(struct ws_policy_client *c, const struct ws_yaml_node *seq)
{
	char ops[MSG_LIST_MAX];
	ws_err r;

	if ((r = ws_yaml_expect_seq(seq)) != WS_OK)
		return r;
	if (seq->count > 0 && (c->allow = calloc(seq->count, sizeof(*c->allow))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "policy allow");
	for (size_t i = 0; i < seq->count; i++) {
		const struct ws_yaml_node *n = seq->values[i];
		const char *pat = NULL;
		ws_op_set matched = 0;

		if ((r = ws_yaml_str(n, &pat)) != WS_OK)
			return r;
		for (int op = 0; op < WS_OP_COUNT; op++)
			if (ws_op_pattern_match(pat, ws_op_name(op)))
				matched |= WS_OP_BIT(op);
		if (matched == 0) {
			op_names(ops, sizeof(ops));
			return ws_yaml_fail(n, "'%s' matches no operation (operations: %s)", pat, ops);
		}
		if ((r = dup_str(pat, &c->allow[c->n_allow])) != WS_OK)
			return r;
		c->n_allow++;
		if ((matched & WS_OP_BIT(WS_OP_WAVES_APPROVE)) && !c->officer)
			return ws_yaml_fail(n,
			    "'%s' allows waves.approve, which only officers may run "
			    "(set officer: true, or list the ops meant)", pat);
		c->ops |= matched;
	}
	return WS_OK;
}

static ws_err
load_client(struct ws_policy *p, const struct ws_yaml_node *name_node, const struct ws_yaml_node *map)
{
	static const char *const keys[] = {
		"unix-user", "unix-group", "allow", "production", "rate", "officer", NULL,
	};
	struct ws_policy_client *c = &p->clients[p->n_clients];
	const struct ws_yaml_node *n = NULL, *prod = NULL;
	const char *name = NULL;
	unsigned id = 0;
	int v = 0;
	ws_err r;

	if ((r = ws_yaml_name(name_node, WS_POLICY_NAME_MAX, "a client name", &name)) != WS_OK)
		return r;
	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((r = dup_str(name, &c->name)) != WS_OK)
		return r;
	c->index = p->n_clients;
	p->n_clients++;
	if ((n = ws_yaml_find(map, "unix-user")) != NULL) {
		if ((r = load_principal(n, "user", &c->user_name, &id)) != WS_OK)
			return r;
		c->has_user = true;
		c->uid = (uid_t)id;
	}
	if ((n = ws_yaml_find(map, "unix-group")) != NULL) {
		if ((r = load_principal(n, "group", &c->group_name, &id)) != WS_OK)
			return r;
		c->has_group = true;
		c->gid = (gid_t)id;
	}
	if (!c->has_user && !c->has_group)
		return ws_yaml_fail(map, "a client needs unix-user or unix-group (or both)");
	if ((n = ws_yaml_find(map, "officer")) != NULL && (r = ws_yaml_bool(n, &c->officer)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(map, "allow", &n)) != WS_OK || (r = load_allow(c, n)) != WS_OK)
		return r;
	if ((prod = ws_yaml_find(map, "production")) != NULL) {
		if ((r = ws_yaml_enum(prod, production_names, &v)) != WS_OK)
			return r;
		c->production = (enum ws_production)v;
		if (c->production != WS_PRODUCTION_DENY && !(c->ops & WS_OP_BIT(WS_OP_CERT_ISSUE)))
			return ws_yaml_fail(prod, "'%s' has no effect: the client is not allowed cert.issue",
			    production_names[v]);
	}
	if ((n = ws_yaml_find(map, "rate")) != NULL &&
	    (r = ws_yaml_rate(n, &c->rate_count, &c->rate_period_s)) != WS_OK)
		return r;
	return WS_OK;
}

static ws_err
load_clients(struct ws_policy *p, const struct ws_yaml_node *map)
{
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK)
		return r;
	if (map->count == 0 || map->count > WS_POLICY_CLIENTS_MAX)
		return ws_yaml_fail(map, "expected 1 to %d clients, got %zu", WS_POLICY_CLIENTS_MAX,
		    map->count);
	if ((p->clients = calloc(map->count, sizeof(*p->clients))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "policy clients");
	for (size_t i = 0; i < map->count; i++)
		if ((r = load_client(p, map->keys[i], map->values[i])) != WS_OK)
			return r;
	return WS_OK;
}

/* ----------------------------------------------------- certificates */

static ws_err
load_validity(const struct ws_yaml_node *map, uint64_t *out)
{
	const struct ws_yaml_node *n = ws_yaml_find(map, "validity");

	return n ? ws_yaml_duration(n, 86400, WS_POLICY_VALIDITY_MAX_S, out) : WS_OK;
}

/*
 * The CA and gateway lifetimes are those of fioctl's factory PKI
 * (COMPAT.md §2), which the certificate builders make in calendar years:
 * a policy may state them, but not change them.
 */
static ws_err
load_fixed_validity(const struct ws_yaml_node *map, uint64_t fixed, unsigned years, const char *what,
    uint64_t *out)
{
	const struct ws_yaml_node *n = ws_yaml_find(map, "validity");
	uint64_t v = fixed;
	ws_err r;

	if (n == NULL)
		return WS_OK;
	if ((r = ws_yaml_duration(n, 86400, WS_POLICY_VALIDITY_MAX_S, &v)) != WS_OK)
		return r;
	if (v != fixed)
		return ws_yaml_fail(n, "the %s is valid %uy, as fioctl's factory PKI makes it; other lifetimes "
		    "are not supported", what, years);
	*out = v;
	return WS_OK;
}

/*
 * certificates.root-ca / certificates.device-ca: the CA's key (default: the
 * key labelled like the profile) and validity. CA keys are ec-p256.
 */
static ws_err
load_ca_profile(struct ws_policy *p, const struct ws_yaml_node *certs, const char *which,
    const struct ws_policy_key **key, uint64_t *validity, uint64_t fixed, unsigned years)
{
	static const char *const keys[] = { "key", "validity", NULL };
	const struct ws_yaml_node *map = ws_yaml_find(certs, which), *n = NULL;
	const struct ws_yaml_node *err_map = certs;	/* where a defaulted key is reported */
	char err_key[80];
	ws_err r;

	snprintf(err_key, sizeof(err_key), "%s.key", which);
	if (map != NULL) {
		if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK ||
		    (r = load_fixed_validity(map, fixed, years, which, validity)) != WS_OK)
			return r;
		n = ws_yaml_find(map, "key");
		err_map = map;
		snprintf(err_key, sizeof(err_key), "key");
	}
	if (n != NULL)
		r = ref_key(p, n, key);
	else
		r = ref_default_key(p, err_map, err_key, which, key);
	if (r != WS_OK)
		return r;
	if ((*key)->kind == WS_PKEY_EC_P256)
		return WS_OK;
	if (n != NULL)
		return ws_yaml_fail(n, "key '%s' is %s; CA keys must be ec-p256", (*key)->label,
		    ws_policy_key_type_name((*key)->kind));
	return ws_yaml_fail_key(err_map, err_key, "key '%s' is %s; CA keys must be ec-p256",
	    (*key)->label, ws_policy_key_type_name((*key)->kind));
}

static ws_err
load_device_profile(struct ws_policy_device_profile *d, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "cn", "keys", "validity", "reissue", NULL };
	static const char *const reissue_names[] = { "deny", "allow", NULL };
	const struct ws_yaml_node *n;
	regex_t re;
	int v = 0;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "cn")) != NULL) {
		const char *s = NULL;

		if ((r = ws_yaml_str(n, &s)) != WS_OK)
			return r;
		if (strcmp(s, "uuid") == 0) {
			d->cn_mode = WS_CN_UUID;
		} else if (strcmp(s, "any") == 0) {
			d->cn_mode = WS_CN_ANY;
		} else {
			if ((r = compile_anchored(n, "CN", &re)) != WS_OK)
				return r;
			if ((d->cn_pattern = strdup(s)) == NULL) {
				regfree(&re);
				return ws_err_set(WS_ERR_NOMEM, "policy");
			}
			d->cn_regex = re;
			d->cn_mode = WS_CN_REGEX;
		}
	}
	if ((n = ws_yaml_find(map, "keys")) != NULL) {
		if ((r = ws_yaml_expect_seq(n)) != WS_OK)
			return r;
		if (n->count == 0)
			return ws_yaml_fail(n, "at least one key type is required");
		d->key_types = 0;
		for (size_t i = 0; i < n->count; i++) {
			if ((r = ws_yaml_enum(n->values[i], key_type_names, &v)) != WS_OK)
				return r;
			if (d->key_types & (1u << v))
				return ws_yaml_fail(n->values[i], "'%s' is listed twice", key_type_names[v]);
			d->key_types |= 1u << v;
		}
	}
	if ((r = load_validity(map, &d->validity_s)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "reissue")) != NULL) {
		if ((r = ws_yaml_enum(n, reissue_names, &v)) != WS_OK)
			return r;
		d->reissue = v == 1;
	}
	return WS_OK;
}

static ws_err
load_certificates(struct ws_policy *p, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "root-ca", "device-ca", "tls", "device", NULL };
	static const char *const tls_keys[] = { "validity", NULL };
	struct ws_policy_certificates *c = &p->certificates;
	const struct ws_yaml_node *n;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	c->present = true;
	if ((r = load_ca_profile(p, map, "root-ca", &c->root_ca_key, &c->root_ca_validity_s,
	    WS_POLICY_ROOT_CA_VALIDITY_DEFAULT_S, 20)) != WS_OK ||
	    (r = load_ca_profile(p, map, "device-ca", &c->device_ca_key, &c->device_ca_validity_s,
	    WS_POLICY_DEVICE_CA_VALIDITY_DEFAULT_S, 10)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "tls")) != NULL) {
		if ((r = ws_yaml_expect_map(n)) != WS_OK || (r = ws_yaml_check_keys(n, tls_keys)) != WS_OK ||
		    (r = load_fixed_validity(n, WS_POLICY_TLS_VALIDITY_DEFAULT_S, 10, "gateway TLS certificate",
		    &c->tls_validity_s)) != WS_OK)
			return r;
	}
	if ((n = ws_yaml_find(map, "device")) != NULL && (r = load_device_profile(&c->device, n)) != WS_OK)
		return r;
	return WS_OK;
}

/* -------------------------------------------------------------- TUF */

static ws_err
load_expires(struct ws_policy_tuf_role *role, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "default", "max", NULL };
	const struct ws_yaml_node *def, *max;
	char a[32], b[32];
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((def = ws_yaml_find(map, "default")) != NULL &&
	    (r = ws_yaml_duration(def, 1, WS_POLICY_VALIDITY_MAX_S, &role->expires_default_s)) != WS_OK)
		return r;
	if ((max = ws_yaml_find(map, "max")) != NULL &&
	    (r = ws_yaml_duration(max, 1, WS_POLICY_VALIDITY_MAX_S, &role->expires_max_s)) != WS_OK)
		return r;
	if (role->expires_default_s > role->expires_max_s) {
		ws_format_duration(role->expires_default_s, a, sizeof(a));
		ws_format_duration(role->expires_max_s, b, sizeof(b));
		if (def == NULL)
			return ws_yaml_fail(max, "max %s is less than the built-in default %s; set default too", b, a);
		return ws_yaml_fail(def, "default %s is more than max %s%s", a, b,
		    max ? "" : " (the built-in max; set max too)");
	}
	return WS_OK;
}

static ws_err
load_role(struct ws_policy *p, enum ws_tuf_role which, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "keys", "threshold", "expires", NULL };
	struct ws_policy_tuf_role *role = &p->tuf.roles[which];
	const struct ws_yaml_node *n = NULL, *thr;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	role->present = true;
	if ((r = ws_yaml_require(map, "keys", &n)) != WS_OK || (r = ws_yaml_expect_seq(n)) != WS_OK)
		return r;
	if (n->count == 0 || n->count > WS_POLICY_ROLE_KEYS_MAX)
		return ws_yaml_fail(n, "expected 1 to %d keys, got %zu", WS_POLICY_ROLE_KEYS_MAX, n->count);
	for (size_t i = 0; i < n->count; i++) {
		const struct ws_policy_key *k = NULL;

		if ((r = ref_key(p, n->values[i], &k)) != WS_OK)
			return r;
		for (size_t j = 0; j < role->n_keys; j++)
			if (role->keys[j] == k)
				return ws_yaml_fail(n->values[i], "key '%s' is listed twice", k->label);
		if (p->tuf.dialect == WS_TUF_FOUNDRIES && k->kind == WS_PKEY_EC_P256)
			return ws_yaml_fail(n->values[i],
			    "key '%s' is ec-p256; the foundries dialect takes ed25519 or rsa keys "
			    "(aktualizr rejects ECDSA)", k->label);
		role->keys[role->n_keys++] = k;
	}
	if ((thr = ws_yaml_find(map, "threshold")) != NULL) {
		if ((r = ws_yaml_unsigned(thr, 1, WS_POLICY_ROLE_KEYS_MAX, &role->threshold)) != WS_OK)
			return r;
		if (role->threshold > role->n_keys)
			return ws_yaml_fail(thr, "threshold %u is more than the %zu key%s of the role",
			    role->threshold, role->n_keys, role->n_keys == 1 ? "" : "s");
	}
	if ((n = ws_yaml_find(map, "expires")) != NULL && (r = load_expires(role, n)) != WS_OK)
		return r;
	return WS_OK;
}

static ws_err
load_tuf(struct ws_policy *p, const struct ws_yaml_node *map)
{
	static const char *const keys[] = {
		"dialect", "root", "targets", "snapshot", "timestamp", "production-targets-threshold", NULL,
	};
	struct ws_policy_tuf *t = &p->tuf;
	const struct ws_yaml_node *n;
	int v = 0;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	t->present = true;
	if ((n = ws_yaml_find(map, "dialect")) != NULL) {
		if ((r = ws_yaml_enum(n, dialect_names, &v)) != WS_OK)
			return r;
		t->dialect = (enum ws_tuf_dialect)v;
	}
	for (int role = 0; role < WS_TUF_ROLE_COUNT; role++)
		if ((n = ws_yaml_find(map, role_names[role])) != NULL &&
		    (r = load_role(p, (enum ws_tuf_role)role, n)) != WS_OK)
			return r;
	n = ws_yaml_find(map, "production-targets-threshold");
	if (t->dialect != WS_TUF_FOUNDRIES) {
		if (n != NULL)
			return ws_yaml_fail(n, "only the foundries dialect has a production root");
		t->production_targets_threshold = 0;
		return WS_OK;
	}
	t->production_targets_threshold = t->roles[WS_TUF_TARGETS].threshold + 1;
	if (n != NULL) {
		if ((r = ws_yaml_unsigned(n, 2, WS_POLICY_ROLE_KEYS_MAX + 1,
		    &t->production_targets_threshold)) != WS_OK)
			return r;
		if (t->production_targets_threshold < t->roles[WS_TUF_TARGETS].threshold)
			return ws_yaml_fail(n, "%u is less than targets.threshold %u",
			    t->production_targets_threshold, t->roles[WS_TUF_TARGETS].threshold);
	}
	return WS_OK;
}

/* ------------------------------------------------------------ waves */

static ws_err
set_wave_name(struct ws_policy_waves *w, const struct ws_yaml_node *n)
{
	regex_t re;
	ws_err r;

	if (n != NULL) {
		if ((r = compile_anchored(n, "wave name", &re)) != WS_OK)
			return r;
	} else if (regcomp(&re, WS_POLICY_WAVE_NAME_DEFAULT, REG_EXTENDED | REG_NOSUB) != 0) {
		return ws_err_set(WS_ERR_INTERNAL, "default wave name pattern");
	}
	if ((w->name_pattern = strdup(n ? n->str : WS_POLICY_WAVE_NAME_DEFAULT)) == NULL) {
		regfree(&re);
		return ws_err_set(WS_ERR_NOMEM, "policy");
	}
	w->name_regex = re;
	return WS_OK;
}

static ws_err
load_tags(struct ws_policy_waves *w, const struct ws_yaml_node *seq)
{
	ws_err r;

	if (seq == NULL) {
		if ((w->tags = calloc(1, sizeof(*w->tags))) == NULL)
			return ws_err_set(WS_ERR_NOMEM, "policy");
		if ((r = dup_str("master", &w->tags[0])) != WS_OK)
			return r;
		w->n_tags = 1;
		return WS_OK;
	}
	if ((r = ws_yaml_expect_seq(seq)) != WS_OK)
		return r;
	if (seq->count == 0 || seq->count > WS_POLICY_TAGS_MAX)
		return ws_yaml_fail(seq, "expected 1 to %d tags, got %zu", WS_POLICY_TAGS_MAX, seq->count);
	if ((w->tags = calloc(seq->count, sizeof(*w->tags))) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "policy");
	for (size_t i = 0; i < seq->count; i++) {
		const char *tag = NULL;

		if ((r = ws_yaml_name(seq->values[i], WS_POLICY_NAME_MAX, "a tag", &tag)) != WS_OK)
			return r;
		for (size_t j = 0; j < w->n_tags; j++)
			if (strcmp(w->tags[j], tag) == 0)
				return ws_yaml_fail(seq->values[i], "tag '%s' is listed twice", tag);
		if ((r = dup_str(tag, &w->tags[w->n_tags])) != WS_OK)
			return r;
		w->n_tags++;
	}
	return WS_OK;
}

static bool
some_client_allows(const struct ws_policy *p, enum ws_op op)
{
	for (size_t i = 0; i < p->n_clients; i++)
		if (p->clients[i].ops & WS_OP_BIT(op))
			return true;
	return false;
}

static ws_err
load_approvals(struct ws_policy *p, const struct ws_yaml_node *map)
{
	struct ws_policy_waves *w = &p->waves;
	const struct ws_yaml_node *n;
	ws_err r;

	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, step_names)) != WS_OK)
		return r;
	for (int s = 0; s < WS_WAVE_STEP_COUNT; s++) {
		if ((n = ws_yaml_find(map, step_names[s])) == NULL)
			continue;
		if ((r = ws_yaml_unsigned(n, 1, WS_POLICY_APPROVALS_MAX, &w->approvals[s])) != WS_OK)
			return r;
		if (w->approvals[s] > 1 && !some_client_allows(p, WS_OP_WAVES_APPROVE))
			return ws_yaml_fail(n, "%u approvals need officers allowed waves.approve, "
			    "and no client is", w->approvals[s]);
	}
	return WS_OK;
}

static ws_err
load_waves(struct ws_policy *p, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "active", "tags", "name", "approvals", NULL };
	static const char *const active_names[] = { "one", "one-per-tag", NULL };
	struct ws_policy_waves *w = &p->waves;
	const struct ws_yaml_node *n;
	int v = 0;
	ws_err r;

	if (map != NULL) {
		if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
			return r;
		w->present = true;
	}
	if ((n = ws_yaml_find(map, "active")) != NULL) {
		if ((r = ws_yaml_enum(n, active_names, &v)) != WS_OK)
			return r;
		w->active = (enum ws_waves_active)v;
	}
	if ((r = load_tags(w, ws_yaml_find(map, "tags"))) != WS_OK)
		return r;
	if ((r = set_wave_name(w, ws_yaml_find(map, "name"))) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "approvals")) != NULL && (r = load_approvals(p, n)) != WS_OK)
		return r;
	return WS_OK;
}

/* ------------------------------------------------------------ audit */

static ws_err
load_audit(struct ws_policy *p, const struct ws_yaml_node *root, const struct ws_yaml_node *map)
{
	static const char *const keys[] = { "key", "checkpoint-every", NULL };
	const struct ws_yaml_node *n;
	ws_err r;

	if (map == NULL)
		return ref_default_key(p, root, "audit.key", "audit", &p->audit.key);
	if ((r = ws_yaml_expect_map(map)) != WS_OK || (r = ws_yaml_check_keys(map, keys)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "key")) != NULL)
		r = ref_key(p, n, &p->audit.key);
	else
		r = ref_default_key(p, map, "key", "audit", &p->audit.key);
	if (r != WS_OK)
		return r;
	if ((n = ws_yaml_find(map, "checkpoint-every")) != NULL &&
	    (r = ws_yaml_unsigned(n, 1, 1000000, &p->audit.checkpoint_every)) != WS_OK)
		return r;
	return WS_OK;
}

/* -------------------------------------------------------- the file */

static void
set_defaults(struct ws_policy *p)
{
	p->certificates.root_ca_validity_s = WS_POLICY_ROOT_CA_VALIDITY_DEFAULT_S;
	p->certificates.device_ca_validity_s = WS_POLICY_DEVICE_CA_VALIDITY_DEFAULT_S;
	p->certificates.tls_validity_s = WS_POLICY_TLS_VALIDITY_DEFAULT_S;
	p->certificates.device.cn_mode = WS_CN_UUID;
	p->certificates.device.key_types = 1u << WS_PKEY_EC_P256;
	p->certificates.device.validity_s = WS_POLICY_DEVICE_VALIDITY_DEFAULT_S;
	p->certificates.device.reissue = false;
	p->tuf.dialect = WS_TUF_FOUNDRIES;
	for (int r = 0; r < WS_TUF_ROLE_COUNT; r++) {
		p->tuf.roles[r].threshold = 1;
		p->tuf.roles[r].expires_default_s = role_expires_default[r];
		p->tuf.roles[r].expires_max_s = role_expires_max[r];
	}
	p->waves.active = WS_WAVES_ONE;
	for (int s = 0; s < WS_WAVE_STEP_COUNT; s++)
		p->waves.approvals[s] = 1;
	p->audit.checkpoint_every = WS_POLICY_CHECKPOINT_EVERY_DEFAULT;
}

static ws_err
load_doc(struct ws_policy *p, const struct ws_yaml_doc *doc)
{
	static const char *const keys[] = {
		"factory", "keys", "clients", "certificates", "tuf", "waves", "audit", NULL,
	};
	const struct ws_yaml_node *root = NULL, *n = NULL;
	const char *factory = NULL;
	ws_err r;

	if ((r = ws_yaml_root_map(doc, &root)) != WS_OK || (r = ws_yaml_check_keys(root, keys)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(root, "factory", &n)) != WS_OK ||
	    (r = ws_yaml_name(n, WS_POLICY_NAME_MAX, "a factory name", &factory)) != WS_OK ||
	    (r = dup_str(factory, &p->factory)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(root, "keys", &n)) != WS_OK || (r = load_keys(p, n)) != WS_OK)
		return r;
	if ((r = ws_yaml_require(root, "clients", &n)) != WS_OK || (r = load_clients(p, n)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(root, "certificates")) != NULL && (r = load_certificates(p, n)) != WS_OK)
		return r;
	if ((n = ws_yaml_find(root, "tuf")) != NULL && (r = load_tuf(p, n)) != WS_OK)
		return r;
	if ((r = load_waves(p, ws_yaml_find(root, "waves"))) != WS_OK)
		return r;
	return load_audit(p, root, ws_yaml_find(root, "audit"));
}

static ws_err
hash_bytes(const uint8_t *data, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned int md_len = 0;

	if (!EVP_Digest(len ? data : (const uint8_t *)"", len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len != sizeof(md))
		return ws_err_crypto(WS_ERR_CRYPTO, "SHA-256 of the policy");
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return WS_OK;
}

ws_err
ws_policy_load_mem(const char *name, const uint8_t *data, size_t len, struct ws_policy **out)
{
	struct ws_yaml_doc *doc = NULL;
	struct ws_policy *p = NULL;
	ws_err r;

	if (name == NULL)
		name = "(policy)";
	if ((r = ws_yaml_load_mem(name, data, len, WS_ERR_POLICY, &doc)) != WS_OK)
		goto out;
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->path = strdup(name)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "policy");
		goto out;
	}
	set_defaults(p);
	if ((r = hash_bytes(data, len, p->sha256)) != WS_OK)
		goto out;
	if ((r = load_doc(p, doc)) != WS_OK)
		goto out;
	*out = p;
	p = NULL;
out:
	ws_policy_free(p);
	ws_yaml_free(doc);
	return r;
}

ws_err
ws_policy_load(const char *path, struct ws_policy **out)
{
	struct ws_buf b = WS_BUF_INIT(WS_YAML_INPUT_MAX);
	ws_err r;

	if ((r = ws_yaml_read_file(path, &b)) == WS_OK)
		r = ws_policy_load_mem(path, b.data, b.len, out);
	ws_buf_free(&b);
	return r;
}
