/* test-policy.c -- the policy: loading, every rejection class, matching, describe. */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "test_common.h"
#include "ws_policy.h"
#include "ws_yaml.h"

static struct ws_policy *pol;

static void
teardown(void)
{
	ws_policy_free(pol);
	pol = NULL;
}

static ws_err
load(const char *text)
{
	ws_policy_free(pol);
	pol = NULL;
	return ws_policy_load_mem("t.yaml", (const uint8_t *)text, strlen(text), &pol);
}

#define ck_assert_detail(expected) ck_assert_str_eq(ws_err_detail(), (expected))
#define ck_assert_detail_prefix(prefix) \
	ck_assert_msg(strncmp(ws_err_detail(), (prefix), strlen(prefix)) == 0, "detail: %s", ws_err_detail())

/* Lines 1-7 of most test policies; tests append from line 8 on. */
#define BASE \
	"factory: acme\n" \
	"keys:\n" \
	"  audit: { type: ed25519 }\n" \
	"  t1: { type: ed25519 }\n" \
	"  ca: { type: ec-p256, id: \"01\" }\n" \
	"clients:\n" \
	"  ops: { unix-user: 0, allow: [status] }\n"

/* A BASE without the clients, for client tests: clients: is line 6. */
#define KEYS_ONLY \
	"factory: acme\n" \
	"keys:\n" \
	"  audit: { type: ed25519 }\n" \
	"  t1: { type: ed25519 }\n" \
	"  ca: { type: ec-p256, id: \"01\" }\n" \
	"clients:\n"

/* --------------------------------------------------------- positive */

START_TEST(test_minimal_policy_and_defaults)
{
	unsigned char md[32];
	char hex[65];

	ck_assert_ws_ok(load(BASE));
	ck_assert_str_eq(pol->path, "t.yaml");
	ck_assert_str_eq(pol->factory, "acme");
	ck_assert_uint_eq(pol->n_keys, 3);
	ck_assert_str_eq(pol->keys[2].label, "ca");
	ck_assert_int_eq(pol->keys[2].kind, WS_PKEY_EC_P256);
	ck_assert_int_eq(pol->keys[2].type, WS_KEY_EC_P256);
	ck_assert_uint_eq(pol->keys[2].id_len, 1);
	ck_assert_uint_eq(pol->keys[2].id[0], 1);
	ck_assert_uint_eq(pol->keys[0].id_len, 0);
	ck_assert_uint_eq(pol->n_clients, 1);
	ck_assert(pol->clients[0].has_user);
	ck_assert_ptr_null(pol->clients[0].user_name);
	ck_assert_uint_eq(pol->clients[0].uid, 0);
	ck_assert_int_eq(pol->clients[0].production, WS_PRODUCTION_DENY);
	ck_assert_uint_eq(pol->clients[0].rate_count, 0);
	ck_assert(!pol->clients[0].officer);
	/* Absent sections: defaults. */
	ck_assert(!pol->certificates.present);
	ck_assert_ptr_null(pol->certificates.root_ca_key);
	ck_assert_int_eq(pol->certificates.device.cn_mode, WS_CN_UUID);
	ck_assert(!pol->tuf.present);
	ck_assert(!pol->waves.present);
	ck_assert_uint_eq(pol->waves.n_tags, 1);
	ck_assert_str_eq(pol->waves.tags[0], "master");
	ck_assert_str_eq(pol->waves.name_pattern, WS_POLICY_WAVE_NAME_DEFAULT);
	ck_assert_uint_eq(pol->waves.approvals[WS_WAVE_COMPLETE], 1);
	ck_assert_str_eq(pol->audit.key->label, "audit");
	ck_assert_uint_eq(pol->audit.checkpoint_every, 1000);
	/* The hash is over the exact bytes. */
	EVP_Digest(BASE, strlen(BASE), md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	ck_assert_str_eq(ws_policy_sha256(pol), hex);
}
END_TEST

START_TEST(test_full_policy_fields)
{
	ck_assert_ws_ok(load(
	    "factory: acme\n"
	    "keys:\n"
	    "  root-ca: { type: ec-p256, id: \"01\" }\n"
	    "  device-ca: { type: ec-p256, id: \"0A0b\" }\n"
	    "  tuf-root-1: { type: rsa-4096 }\n"
	    "  tuf-targets-1: { type: ed25519 }\n"
	    "  tuf-targets-2: { type: ed25519 }\n"
	    "  audit: { type: ed25519 }\n"
	    "clients:\n"
	    "  officers: { unix-group: wavesign-officers, officer: true, allow: [\"*\"] }\n"
	    "  registrar: { unix-user: registrar, allow: [cert.issue, status], production: require, rate: 600/min }\n"
	    "certificates:\n"
	    "  device: { cn: '^dev-[0-9]+$', keys: [ec-p256, rsa-2048], validity: 5y, reissue: allow }\n"
	    "tuf:\n"
	    "  dialect: foundries\n"
	    "  root: { keys: [tuf-root-1] }\n"
	    "  targets: { keys: [tuf-targets-1, tuf-targets-2], threshold: 2, expires: { default: 90d } }\n"
	    "waves:\n"
	    "  active: one-per-tag\n"
	    "  tags: [beta, public]\n"
	    "  approvals: { complete: 2 }\n"
	    "audit: { checkpoint-every: 10 }\n"));
	ck_assert_uint_eq(pol->keys[1].id_len, 2);
	ck_assert_uint_eq(pol->keys[1].id[0], 0x0a);
	ck_assert_uint_eq(pol->keys[1].id[1], 0x0b);
	ck_assert_int_eq(pol->keys[2].type, WS_KEY_RSA);
	ck_assert_uint_eq(pol->keys[2].rsa_bits, 4096);
	ck_assert_str_eq(pol->clients[0].group_name, "wavesign-officers");
	ck_assert(pol->clients[0].officer);
	ck_assert_uint_eq(pol->clients[0].ops, (WS_OP_BIT(WS_OP_COUNT) - 1));
	ck_assert_str_eq(pol->clients[1].user_name, "registrar");
	ck_assert_int_eq(pol->clients[1].production, WS_PRODUCTION_REQUIRE);
	ck_assert_uint_eq(pol->clients[1].rate_count, 600);
	ck_assert_uint_eq(pol->clients[1].rate_period_s, 60);
	ck_assert(pol->certificates.present);
	ck_assert_str_eq(pol->certificates.root_ca_key->label, "root-ca");
	ck_assert_str_eq(pol->certificates.device_ca_key->label, "device-ca");
	ck_assert_uint_eq(pol->certificates.root_ca_validity_s, 20ull * 365 * 86400);
	ck_assert_int_eq(pol->certificates.device.cn_mode, WS_CN_REGEX);
	ck_assert_uint_eq(pol->certificates.device.key_types, (1u << WS_PKEY_EC_P256) | (1u << WS_PKEY_RSA_2048));
	ck_assert_uint_eq(pol->certificates.device.validity_s, 5ull * 365 * 86400);
	ck_assert(pol->certificates.device.reissue);
	ck_assert(ws_policy_cn_ok(&pol->certificates.device, "dev-42"));
	ck_assert(!ws_policy_cn_ok(&pol->certificates.device, "dev-42x"));
	ck_assert(pol->tuf.present);
	ck_assert_int_eq(pol->tuf.dialect, WS_TUF_FOUNDRIES);
	ck_assert(pol->tuf.roles[WS_TUF_ROOT].present);
	ck_assert(!pol->tuf.roles[WS_TUF_SNAPSHOT].present);
	ck_assert_uint_eq(pol->tuf.roles[WS_TUF_TARGETS].n_keys, 2);
	ck_assert_str_eq(pol->tuf.roles[WS_TUF_TARGETS].keys[1]->label, "tuf-targets-2");
	ck_assert_uint_eq(pol->tuf.roles[WS_TUF_TARGETS].threshold, 2);
	ck_assert_uint_eq(pol->tuf.roles[WS_TUF_TARGETS].expires_default_s, 90 * 86400);
	ck_assert_uint_eq(pol->tuf.roles[WS_TUF_TARGETS].expires_max_s, 730 * 86400);
	ck_assert_uint_eq(pol->tuf.roles[WS_TUF_TIMESTAMP].expires_default_s, 7 * 86400);
	/* Default production threshold: the offline targets keys + the online one. */
	ck_assert_uint_eq(pol->tuf.production_targets_threshold, 3);
	ck_assert_int_eq(pol->waves.active, WS_WAVES_ONE_PER_TAG);
	ck_assert(ws_policy_wave_tag_ok(pol, "beta"));
	ck_assert(!ws_policy_wave_tag_ok(pol, "master"));
	ck_assert(ws_policy_wave_name_ok(pol, "beta-42"));
	ck_assert(!ws_policy_wave_name_ok(pol, "Beta-42"));
	ck_assert_uint_eq(pol->waves.approvals[WS_WAVE_COMPLETE], 2);
	ck_assert_uint_eq(pol->waves.approvals[WS_WAVE_INIT], 1);
	ck_assert_uint_eq(pol->audit.checkpoint_every, 10);
}
END_TEST

/* Loads every .yaml file under dir (recursively); returns how many. */
static int
load_all(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_int_eq(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			n += load_all(path);
			continue;
		}
		if (len < 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		ws_policy_free(pol);
		pol = NULL;
		ck_assert_msg(ws_policy_load(path, &pol) == WS_OK, "%s: %s", path,
		    ws_err_message(ws_policy_load(path, &pol)));
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_shipped_policies_load)
{
	ck_assert_int_ge(load_all(TEST_SRCDIR "/policies"), 4);
}
END_TEST

START_TEST(test_default_policy_contents)
{
	const struct ws_policy_client *c = NULL;

	ck_assert_ws_ok(ws_policy_load(TEST_SRCDIR "/policies/default.yaml", &pol));
	ck_assert_str_eq(pol->factory, "acme");
	ck_assert_ptr_nonnull(ws_policy_key_find(pol, "root-ca"));
	ck_assert_uint_eq(ws_policy_key_find(pol, "root-ca")->id[0], 1);
	/* The README's walk-through runs as root: root is an officer that may do it all. */
	ck_assert_ws_ok(ws_policy_match_client(pol, 0, 0, &c));
	ck_assert_str_eq(c->name, "root");
	ck_assert(c->officer);
	ck_assert_ws_ok(ws_policy_check_op(pol, c, "ca.init"));
	ck_assert_ws_ok(ws_policy_check_op(pol, c, "keys.init"));
	ck_assert_ws_ok(ws_policy_check_op(pol, c, "waves.complete"));
	ck_assert_ws_ok(ws_policy_check_op(pol, c, "cert.issue"));
	c = ws_policy_client_find(pol, "registrar");
	ck_assert_ptr_nonnull(c);
	ck_assert_ws(ws_policy_check_op(pol, c, "ca.init"), WS_ERR_POLICY_DENIED);
	ck_assert_detail("client 'registrar' (clients.registrar.allow) does not allow 'ca.init'");
	ck_assert_str_eq(ws_err_message(WS_ERR_POLICY_DENIED), "the policy does not allow this request: "
	    "client 'registrar' (clients.registrar.allow) does not allow 'ca.init'");
	ck_assert_int_eq(c->production, WS_PRODUCTION_ALLOW);
	ck_assert_int_eq(pol->tuf.production_targets_threshold, 2);
}
END_TEST

START_TEST(test_match_client_by_uid_first_match_wins)
{
	const struct ws_policy_client *c = NULL;

	ck_assert_ws_ok(load(KEYS_ONLY
	    "  a: { unix-user: 1000, allow: [status] }\n"
	    "  b: { unix-user: \"1000\", officer: true, allow: [\"*\"] }\n"
	    "  c: { unix-user: 1001, unix-group: 50, officer: true, allow: [\"*\"] }\n"));
	ck_assert_ws_ok(ws_policy_match_client(pol, 1000, 1000, &c));
	ck_assert_str_eq(c->name, "a");
	ck_assert_uint_eq(c->index, 0);
	/* Both unix-user and unix-group given: both must match. */
	ck_assert_ws(ws_policy_match_client(pol, 1001, 1001, &c), WS_ERR_UNKNOWN_PEER);
	ck_assert_ws_ok(ws_policy_match_client(pol, 1001, 50, &c));
	ck_assert_str_eq(c->name, "c");
}
END_TEST

START_TEST(test_match_client_by_group)
{
	const struct ws_policy_client *c = NULL;

	ck_assert_ws_ok(load(KEYS_ONLY
	    "  by-gid: { unix-group: 4321, allow: [status] }\n"
	    "  by-name: { unix-group: root, allow: [keys.list] }\n"));
	/* The peer's own gid. */
	ck_assert_ws_ok(ws_policy_match_client(pol, 777777, 4321, &c));
	ck_assert_str_eq(c->name, "by-gid");
	/* A group name, resolved now; membership through the uid's user (root is in group root). */
	ck_assert_ws_ok(ws_policy_match_client(pol, 0, 999999, &c));
	ck_assert_str_eq(c->name, "by-name");
}
END_TEST

START_TEST(test_match_client_by_user_name)
{
	const struct ws_policy_client *c = NULL;

	ck_assert_ws_ok(load(KEYS_ONLY
	    "  nobody-here: { unix-user: no-such-user-wavesign, officer: true, allow: [\"*\"] }\n"
	    "  root: { unix-user: root, allow: [status] }\n"));
	ck_assert_ws_ok(ws_policy_match_client(pol, 0, 0, &c));
	ck_assert_str_eq(c->name, "root");
}
END_TEST

START_TEST(test_unknown_peer)
{
	const struct ws_policy_client *c = NULL;

	ck_assert_ws_ok(load(BASE));
	ck_assert_ws(ws_policy_match_client(pol, 4242, 4243, &c), WS_ERR_UNKNOWN_PEER);
	ck_assert_detail("uid 4242, gid 4243 matches no client of t.yaml");
	ck_assert_ptr_null(c);
	ck_assert_ws_ok(load(KEYS_ONLY "  x: { unix-user: 5, allow: [status] }\n"));
	ck_assert_ws(ws_policy_match_client(pol, 0, 0, &c), WS_ERR_UNKNOWN_PEER);
	ck_assert_detail("uid 0 (root), gid 0 matches no client of t.yaml");
}
END_TEST

START_TEST(test_op_patterns)
{
	const struct ws_policy_client *c;

	ck_assert_ws_ok(load(KEYS_ONLY
	    "  w: { unix-user: 1, officer: true, allow: [waves.*, status] }\n"));
	c = &pol->clients[0];
	for (int op = 0; op < WS_OP_COUNT; op++) {
		bool want = strncmp(ws_op_name(op), "waves.", 6) == 0 || op == WS_OP_STATUS;

		ck_assert_msg(ws_policy_client_allows(c, op) == want, "%s", ws_op_name(op));
		ck_assert_ws(ws_policy_check_op(pol, c, ws_op_name(op)), want ? WS_OK : WS_ERR_POLICY_DENIED);
	}
	ck_assert_ws(ws_policy_check_op(pol, c, "tuf.root"), WS_ERR_POLICY_DENIED);
	ck_assert_detail("client 'w' (clients.w.allow) does not allow 'tuf.root'");
	ck_assert_ws(ws_policy_check_op(pol, c, "waves.destroy"), WS_ERR_UNKNOWN_OP);
	ck_assert_detail("'waves.destroy' is not an operation");
	ck_assert(ws_op_pattern_match("*", "status"));
	ck_assert(ws_op_pattern_match("ca.*", "ca.init"));
	ck_assert(!ws_op_pattern_match("ca.*", "cert.issue"));
	ck_assert(!ws_op_pattern_match("ca.*", "ca."));
	ck_assert(!ws_op_pattern_match("ca*", "ca.init"));
	ck_assert(!ws_op_pattern_match("waves.init", "waves.initx"));
}
END_TEST

START_TEST(test_op_table)
{
	enum ws_op op;

	ck_assert_int_eq(WS_OP_COUNT, 21);
	ck_assert_str_eq(ws_op_name(WS_OP_AUDIT_CHECKPOINT), "audit.checkpoint");
	ck_assert_ptr_null(ws_op_name(WS_OP_COUNT));
	ck_assert_ws_ok(ws_op_from_name("cert.issue", &op));
	ck_assert_int_eq(op, WS_OP_CERT_ISSUE);
	ck_assert_ptr_nonnull(ws_op_text(WS_OP_CERT_ISSUE));
	ck_assert_ws(ws_op_from_name("cert", &op), WS_ERR_UNKNOWN_OP);
}
END_TEST

START_TEST(test_cn_uuid)
{
	ck_assert_ws_ok(load(BASE));
	ck_assert(ws_policy_cn_ok(&pol->certificates.device, "0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b"));
	ck_assert(!ws_policy_cn_ok(&pol->certificates.device, "0B6F4A5E-2C1D-4E8F-9A7B-3C2D1E0F9A8B"));
	ck_assert(!ws_policy_cn_ok(&pol->certificates.device, "0b6f4a5e2c1d4e8f9a7b3c2d1e0f9a8b"));
	ck_assert(!ws_policy_cn_ok(&pol->certificates.device, "0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8g"));
	ck_assert(!ws_policy_cn_ok(&pol->certificates.device, ""));
}
END_TEST

START_TEST(test_describe)
{
	struct ws_buf out = WS_BUF_INIT(1 << 20);
	const char *text = NULL;

	ck_assert_ws_ok(ws_policy_load(TEST_SRCDIR "/policies/default.yaml", &pol));
	ck_assert_ws_ok(ws_policy_describe(pol, &out));
	ck_assert_ws_ok(ws_buf_cstr(&out, &text));
	ck_assert_msg(strstr(text, "factory: acme\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\nsha256: ") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  root-ca          ec-p256   id 01\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  tuf-targets-1    ed25519\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  registrar: unix-user registrar\n"
	    "    allow: cert.issue, status\n"
	    "    ops: status cert.issue\n"
	    "    production certificates: allowed (test or production)\n"
	    "    rate: at most 600 requests per minute\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  root: unix-user root; officer\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  device:      CN a UUID; keys ec-p256; valid 20y; reissue denied\n") != NULL,
	    "%s", text);
	ck_assert_msg(strstr(text, "  targets   keys tuf-targets-1; threshold 1 of 1; expires in 365d by default, "
	    "at most 730d\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  production root: targets threshold 2") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  approvals by distinct officers: init 1, rollout 1, complete 1, cancel 1\n")
	    != NULL, "%s", text);
	ck_assert_msg(strstr(text, "audit: checkpoints signed by key audit every 1000 records\n") != NULL, "%s", text);
	ws_buf_free(&out);
}
END_TEST

START_TEST(test_warnings_for_names_that_do_not_resolve)
{
	struct ws_buf out = WS_BUF_INIT(1 << 16);
	const char *text = NULL;
	unsigned n = 9;

	ck_assert_ws_ok(load(KEYS_ONLY
	    "  a: { unix-user: no-such-user-wavesign, allow: [status] }\n"
	    "  b: { unix-group: no-such-group-wavesign, allow: [status] }\n"
	    "  c: { unix-user: root, unix-group: root, allow: [status] }\n"));
	ck_assert_ws_ok(ws_policy_warnings(pol, &out, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_ws_ok(ws_buf_cstr(&out, &text));
	ck_assert_str_eq(text,
	    "warning: clients.a.unix-user: no user 'no-such-user-wavesign' on this host; "
	    "the client matches nobody here\n"
	    "warning: clients.b.unix-group: no group 'no-such-group-wavesign' on this host; "
	    "the client matches nobody here\n");
	ws_buf_reset(&out);
	ck_assert_ws_ok(ws_policy_describe(pol, &out));
	ck_assert_ws_ok(ws_buf_cstr(&out, &text));
	ck_assert(strstr(text, "\nwarning: clients.b.unix-group: no group") != NULL);
	ws_buf_free(&out);
}
END_TEST

/* ------------------------------------------------ rejection classes */

START_TEST(test_reject_unknown_key)
{
	ck_assert_ws(load(KEYS_ONLY "  registrar: { unix-user: registrar, alow: [cert.issue] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:38: clients.registrar.alow: unknown key "
	    "(allowed: unix-user, unix-group, allow, production, rate, officer)");
	ck_assert_ptr_null(pol);
	ck_assert_ws(load(BASE "token: { uri: \"pkcs11:token=x\" }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:8:1: token: unknown key "
	    "(allowed: factory, keys, clients, certificates, tuf, waves, audit)");
}
END_TEST

START_TEST(test_reject_wrong_type)
{
	ck_assert_ws(load("factory: acme\nkeys: [audit]\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:2:7: keys: expected a mapping, got a sequence");
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0, allow: status }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:31: clients.ops.allow: expected a sequence, got \"status\"");
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0, allow: [status], officer: yes }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:50: clients.ops.officer: expected true or false, got \"yes\"");
}
END_TEST

START_TEST(test_reject_duplicate_key)
{
	ck_assert_ws(load(BASE "factory: other\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:8:1: factory: duplicate key (first at line 1, column 1)");
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0, allow: [status], unix-user: 1 }\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:7:41: clients.ops.unix-user: duplicate key (first at line 7, column 10)");
}
END_TEST

START_TEST(test_reject_anchor_alias_tag)
{
	ck_assert_ws(load(KEYS_ONLY
	    "  a: { unix-user: 0, allow: &ops [status] }\n"
	    "  b: { unix-user: 1, allow: *ops }\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:7:29: clients.a.allow: anchors (&ops) are refused: write the value out");
	ck_assert_ws(load(BASE "audit: { checkpoint-every: !!int 5 }\n"), WS_ERR_YAML);
	ck_assert_detail("t.yaml:8:28: audit.checkpoint-every: explicit tags (tag:yaml.org,2002:int) are refused");
}
END_TEST

START_TEST(test_reject_multi_document)
{
	ck_assert_ws(load(BASE "---\n" BASE), WS_ERR_YAML);
	ck_assert_detail("t.yaml:8:1: (document): more than one document in the file is refused");
}
END_TEST

START_TEST(test_reject_missing_required_key)
{
	ck_assert_ws(load("keys:\n  audit: { type: ed25519 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:1:1: factory: required key is missing");
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:8: clients.ops.allow: required key is missing");
	ck_assert_ws(load("factory: acme\nkeys:\n  audit: { id: \"01\" }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:3:10: keys.audit.type: required key is missing");
}
END_TEST

START_TEST(test_reject_bad_duration)
{
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: ca }\n  device-ca: { key: ca }\n"
	    "  device: { validity: 20 years }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:11:23: certificates.device.validity: expected a duration (a number and one of "
	    "the units s, m, h, d, w, y: 30s, 10m, 7d, 20y), got \"20 years\"");
}
END_TEST

START_TEST(test_reject_bad_regex)
{
	ck_assert_ws(load(BASE "waves:\n  name: '^[a-$'\n"), WS_ERR_POLICY);
	ck_assert_detail_prefix("t.yaml:9:9: waves.name: bad regular expression \"^[a-$\": ");
	ck_assert_ws(load(BASE "waves:\n  name: '[a-z]+'\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:9: waves.name: a pattern must be anchored as ^...$ so that it matches "
	    "the whole wave name, got \"[a-z]+\"");
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: ca }\n  device-ca: { key: ca }\n"
	    "  device: { cn: '^(dev$' }\n"), WS_ERR_POLICY);
	ck_assert_detail_prefix("t.yaml:11:17: certificates.device.cn: bad regular expression \"^(dev$\": ");
}
END_TEST

START_TEST(test_reject_bad_rate)
{
	ck_assert_ws(load(KEYS_ONLY "  registrar:\n    unix-user: registrar\n    allow: [cert.issue]\n"
	    "    rate: fast\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:10:11: clients.registrar.rate: expected COUNT/min|s|h, got \"fast\"");
}
END_TEST

START_TEST(test_reject_bad_key_type_and_id)
{
	ck_assert_ws(load("factory: acme\nkeys:\n  audit: { type: ec-p384 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:3:18: keys.audit.type: expected one of ec-p256 | ed25519 | rsa-2048 | rsa-3072 "
	    "| rsa-4096, got \"ec-p384\"");
	ck_assert_ws(load("factory: acme\nkeys:\n  audit: { type: ed25519, id: \"0g\" }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:3:31: keys.audit.id: expected a CKA_ID of 2 to 64 hex digits (an even number), "
	    "got \"0g\"");
	ck_assert_ws(load("factory: acme\nkeys:\n  \"bad label\": { type: ed25519 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:3:3: keys.bad label: expected a key label (1 to 64 of A-Z a-z 0-9 . _ -), "
	    "got \"bad label\"");
}
END_TEST

START_TEST(test_reject_duplicate_key_id)
{
	ck_assert_ws(load("factory: acme\nkeys:\n  root-ca: { type: ec-p256, id: \"01\" }\n"
	    "  device-ca: { type: ec-p256, id: \"01\" }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:4:35: keys.device-ca.id: id 01 is also the id of key 'root-ca'");
}
END_TEST

START_TEST(test_reject_bad_factory)
{
	ck_assert_ws(load("factory: \"acme corp\"\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:1:10: factory: expected a factory name (1 to 64 of A-Z a-z 0-9 . _ -), "
	    "got \"acme corp\"");
}
END_TEST

START_TEST(test_reject_key_not_in_keys)
{
	ck_assert_ws(load(BASE "tuf:\n  targets: { keys: [t2] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:21: tuf.targets.keys[0]: key 't2' is not in keys (keys: audit, t1, ca)");
	ck_assert_ws(load(BASE "audit: { key: a2 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:8:15: audit.key: key 'a2' is not in keys (keys: audit, t1, ca)");
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: ca }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:3: certificates.device-ca.key: key 'device-ca' (the default) is not in keys "
	    "(keys: audit, t1, ca)");
}
END_TEST

START_TEST(test_reject_audit_key_missing)
{
	ck_assert_ws(load("factory: acme\nkeys:\n  a1: { type: ed25519 }\nclients:\n"
	    "  ops: { unix-user: 0, allow: [status] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:1:1: audit.key: key 'audit' (the default) is not in keys (keys: a1)");
}
END_TEST

START_TEST(test_reject_ca_key_not_p256)
{
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: t1 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:19: certificates.root-ca.key: key 't1' is ed25519; CA keys must be ec-p256");
}
END_TEST

START_TEST(test_reject_threshold)
{
	ck_assert_ws(load(BASE "tuf:\n  targets: { keys: [t1], threshold: 2 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:37: tuf.targets.threshold: threshold 2 is more than the 1 key of the role");
	ck_assert_ws(load(BASE "tuf:\n  targets: { keys: [t1], threshold: 0 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:37: tuf.targets.threshold: expected an integer from 1 to 16, got 0");
	ck_assert_ws(load(BASE "tuf:\n  targets: { keys: [] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:20: tuf.targets.keys: expected 1 to 16 keys, got 0");
	ck_assert_ws(load(BASE "tuf:\n  targets: { keys: [t1, t1] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:25: tuf.targets.keys[1]: key 't1' is listed twice");
}
END_TEST

START_TEST(test_reject_production_threshold)
{
	ck_assert_ws(load(BASE "tuf:\n  dialect: tuf\n  production-targets-threshold: 2\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:10:33: tuf.production-targets-threshold: only the foundries dialect has a "
	    "production root");
	ck_assert_ws(load(BASE "tuf:\n  production-targets-threshold: 1\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:33: tuf.production-targets-threshold: expected an integer from 2 to 17, got 1");
}
END_TEST

START_TEST(test_reject_expires_default_over_max)
{
	ck_assert_ws(load(BASE "tuf:\n  timestamp: { keys: [t1], expires: { default: 60d, max: 30d } }\n"),
	    WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:48: tuf.timestamp.expires.default: default 60d is more than max 30d");
	ck_assert_ws(load(BASE "tuf:\n  timestamp: { keys: [t1], expires: { default: 60d } }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:48: tuf.timestamp.expires.default: default 60d is more than max 30d "
	    "(the built-in max; set max too)");
	ck_assert_ws(load(BASE "tuf:\n  timestamp: { keys: [t1], expires: { max: 1d } }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:44: tuf.timestamp.expires.max: max 1d is less than the built-in default 7d; "
	    "set default too");
}
END_TEST

START_TEST(test_reject_ecdsa_tuf_key_for_foundries)
{
	ck_assert_ws(load(BASE "tuf:\n  dialect: foundries\n  root: { keys: [ca] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:10:18: tuf.root.keys[0]: key 'ca' is ec-p256; the foundries dialect takes "
	    "ed25519 or rsa keys (aktualizr rejects ECDSA)");
	/* The TUF 1.0 dialect takes ECDSA. */
	ck_assert_ws_ok(load(BASE "tuf:\n  dialect: tuf\n  root: { keys: [ca] }\n"));
	ck_assert_int_eq(pol->tuf.dialect, WS_TUF_SPEC);
	ck_assert_uint_eq(pol->tuf.production_targets_threshold, 0);
}
END_TEST

START_TEST(test_reject_pattern_matching_no_op)
{
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0, allow: [status, tuf.sign] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:40: clients.ops.allow[1]: 'tuf.sign' matches no operation (operations: status, "
	    "keys.init, keys.list, ca.init, ca.sign, ca.crl, cert.issue, tuf.keys, tuf.root, tuf.snapshot, "
	    "tuf.timestamp, waves.init, waves.sign, waves.rollout, waves.complete, waves.cancel, waves.approve, "
	    "waves.list, waves.show, bundle.sign, audit.checkpoint)");
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0, allow: [\"wave.*\"] }\n"), WS_ERR_POLICY);
	ck_assert_detail_prefix("t.yaml:7:32: clients.ops.allow[0]: 'wave.*' matches no operation (operations: ");
}
END_TEST

START_TEST(test_reject_client_without_principal)
{
	ck_assert_ws(load(KEYS_ONLY "  ops: { allow: [status] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:8: clients.ops: a client needs unix-user or unix-group (or both)");
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: \"bad user\", allow: [status] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:21: clients.ops.unix-user: expected a user name or number "
	    "(1 to 32 of A-Z a-z 0-9 . _ -), got \"bad user\"");
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-group: 4294967295, allow: [status] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:22: clients.ops.unix-group: expected a group id below 4294967295, got 4294967295");
}
END_TEST

START_TEST(test_reject_production_without_cert_issue)
{
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0, allow: [status], production: allow }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:53: clients.ops.production: 'allow' has no effect: the client is not allowed "
	    "cert.issue");
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0, allow: [cert.issue], production: always }\n"),
	    WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:57: clients.ops.production: expected one of deny | allow | require, "
	    "got \"always\"");
}
END_TEST

START_TEST(test_reject_approve_for_non_officer)
{
	ck_assert_ws(load(KEYS_ONLY "  ops: { unix-user: 0, allow: [waves.*] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:7:32: clients.ops.allow[0]: 'waves.*' allows waves.approve, which only officers "
	    "may run (set officer: true, or list the ops meant)");
}
END_TEST

START_TEST(test_reject_approvals_without_approvers)
{
	ck_assert_ws(load(BASE "waves:\n  approvals: { complete: 2 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:26: waves.approvals.complete: 2 approvals need officers allowed waves.approve, "
	    "and no client is");
	ck_assert_ws(load(BASE "waves:\n  approvals: { finish: 2 }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:16: waves.approvals.finish: unknown key (allowed: init, rollout, complete, cancel)");
}
END_TEST

START_TEST(test_reject_ca_lifetimes)
{
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: ca, validity: 30y }\n  device-ca: { key: ca }\n"),
	    WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:33: certificates.root-ca.validity: the root-ca is valid 20y, as fioctl's "
	    "factory PKI makes it; other lifetimes are not supported");
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: ca }\n  device-ca: { key: ca }\n"
	    "  tls: { validity: 5y }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:11:20: certificates.tls.validity: the gateway TLS certificate is valid 10y, as "
	    "fioctl's factory PKI makes it; other lifetimes are not supported");
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: ca, validity: 20y }\n  device-ca: { key: ca, validity: 10y }\n"),
	    WS_OK);
}
END_TEST

START_TEST(test_reject_tags)
{
	ck_assert_ws(load(BASE "waves:\n  tags: [beta, beta]\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:16: waves.tags[1]: tag 'beta' is listed twice");
	ck_assert_ws(load(BASE "waves:\n  tags: []\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:9: waves.tags: expected 1 to 64 tags, got 0");
	ck_assert_ws(load(BASE "waves:\n  active: two\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:9:11: waves.active: expected one of one | one-per-tag, got \"two\"");
}
END_TEST

START_TEST(test_reject_too_many_or_none)
{
	char text[8192] = "factory: acme\nkeys:\n";

	for (int i = 0; i < 65; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "  k%d: { type: ed25519 }\n", i);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "clients: { root: { unix-user: 0, allow: [status] } }\n");
	ck_assert_ws(load(text), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:3:3: keys: expected 1 to 64 keys, got 65");
	ck_assert_ws(load("factory: acme\nkeys: { audit: { type: ed25519 } }\nclients: {}\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:3:10: clients: expected 1 to 256 clients, got 0");
}
END_TEST

START_TEST(test_reject_device_profile)
{
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: ca }\n  device-ca: { key: ca }\n"
	    "  device: { keys: [ec-p256, ec-p256] }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:11:29: certificates.device.keys[1]: 'ec-p256' is listed twice");
	ck_assert_ws(load(BASE "certificates:\n  root-ca: { key: ca }\n  device-ca: { key: ca }\n"
	    "  device: { reissue: true }\n"), WS_ERR_POLICY);
	ck_assert_detail("t.yaml:11:22: certificates.device.reissue: expected one of deny | allow, got \"true\"");
}
END_TEST

START_TEST(test_reject_large_and_unreadable_files)
{
	ck_assert_ws(ws_policy_load("/nonexistent/wavesign/policy.yaml", &pol), WS_ERR_SYSTEM);
	ck_assert_detail("/nonexistent/wavesign/policy.yaml: No such file or directory");
	ck_assert_ws(ws_policy_load("/", &pol), WS_ERR_IO);
	ck_assert_ptr_null(pol);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *ok = tcase_create("load");
	TCase *bad = tcase_create("reject");

	tcase_add_checked_fixture(ok, NULL, teardown);
	tcase_add_test(ok, test_minimal_policy_and_defaults);
	tcase_add_test(ok, test_full_policy_fields);
	tcase_add_test(ok, test_shipped_policies_load);
	tcase_add_test(ok, test_default_policy_contents);
	tcase_add_test(ok, test_match_client_by_uid_first_match_wins);
	tcase_add_test(ok, test_match_client_by_group);
	tcase_add_test(ok, test_match_client_by_user_name);
	tcase_add_test(ok, test_unknown_peer);
	tcase_add_test(ok, test_op_patterns);
	tcase_add_test(ok, test_op_table);
	tcase_add_test(ok, test_cn_uuid);
	tcase_add_test(ok, test_describe);
	tcase_add_test(ok, test_warnings_for_names_that_do_not_resolve);
	suite_add_tcase(s, ok);

	tcase_add_checked_fixture(bad, NULL, teardown);
	tcase_add_test(bad, test_reject_unknown_key);
	tcase_add_test(bad, test_reject_wrong_type);
	tcase_add_test(bad, test_reject_duplicate_key);
	tcase_add_test(bad, test_reject_anchor_alias_tag);
	tcase_add_test(bad, test_reject_multi_document);
	tcase_add_test(bad, test_reject_missing_required_key);
	tcase_add_test(bad, test_reject_bad_duration);
	tcase_add_test(bad, test_reject_bad_regex);
	tcase_add_test(bad, test_reject_bad_rate);
	tcase_add_test(bad, test_reject_bad_key_type_and_id);
	tcase_add_test(bad, test_reject_duplicate_key_id);
	tcase_add_test(bad, test_reject_bad_factory);
	tcase_add_test(bad, test_reject_key_not_in_keys);
	tcase_add_test(bad, test_reject_audit_key_missing);
	tcase_add_test(bad, test_reject_ca_key_not_p256);
	tcase_add_test(bad, test_reject_threshold);
	tcase_add_test(bad, test_reject_production_threshold);
	tcase_add_test(bad, test_reject_expires_default_over_max);
	tcase_add_test(bad, test_reject_ecdsa_tuf_key_for_foundries);
	tcase_add_test(bad, test_reject_pattern_matching_no_op);
	tcase_add_test(bad, test_reject_client_without_principal);
	tcase_add_test(bad, test_reject_production_without_cert_issue);
	tcase_add_test(bad, test_reject_approve_for_non_officer);
	tcase_add_test(bad, test_reject_approvals_without_approvers);
	tcase_add_test(bad, test_reject_tags);
	tcase_add_test(bad, test_reject_ca_lifetimes);
	tcase_add_test(bad, test_reject_too_many_or_none);
	tcase_add_test(bad, test_reject_device_profile);
	tcase_add_test(bad, test_reject_large_and_unreadable_files);
	suite_add_tcase(s, bad);
	return s;
}

int
main(void)
{
	return ws_test_run(policy_suite());
}
