/*
 * test-tuf.c -- TUF keys, canonical bytes, signing, verification, the
 * role builders' content checks and the repository directory.
 *
 * Keys are in-memory OpenSSL keys (tuf_helpers.c) standing in for the
 * token. Keyid vectors were computed independently: the tuf dialect with
 * python3-securesystemslib's canonical encoder, the foundries dialect as
 * SHA-256 of the SPKI DER with python3-cryptography; the integration test
 * test-tuf-foundries.sh recomputes them live.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ws_cjson.h"
#include "ws_json.h"
#include "ws_tuf.h"
#include "ws_tuf_doc.h"
#include "ws_tuf_key.h"
#include "ws_tuf_repo.h"
#include "ws_tuf_roles.h"
#include "ws_tuf_root.h"
#include "test_common.h"
#include "tuf_helpers.h"

/* RFC 8032 test vector 1. */
static const uint8_t ED_SEED[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};
#define ED_PUB "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

static const char EC_PUB_PEM[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEzTTPrJXopRSFi1KvFo/jWIUa1iD7\n"
	"uEVS8EWGAy6nu8P6ogRFy1His+AveaCSB/3mBUEsaumST7do7RTiiVwv8Q==\n"
	"-----END PUBLIC KEY-----\n";

static const char RSA_PUB_PEM[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwUXc9aaut7TPt0DDgPdi\n"
	"RysyKE9jlkAGjNBT6tlppzmQCHsFAWU6F0b7JCWg2JiUlr/KBAbegbIMaO0dwKHX\n"
	"GDardzJwRFqWFw5G4oWYsR6A3/PIl9ltOvtKjI3gok6KOuODSzbpQPRxwLrOSDob\n"
	"tRtspXJZyHFAqPWnf/IJlPIyf8Rq0ZxwdtPhFtccDa4agNm+B3Pif4zsK0oVnn4P\n"
	"NKrYZslmKbgV+XZYM/LfzmmNGk3O2ZmYgaEfDxRMa4RS8Lm8xb7GGpERfUAOixjX\n"
	"aGBePNQlQ6YDnw4zliUzgsWZDhXnk1tIjJpNyYwWVUItkimEefvVIzAO/UomcIYE\n"
	"ewIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

/*
 * hashlib.sha256(securesystemslib.formats.encode_canonical({"keytype","scheme","keyval"})).
 * (Not securesystemslib 0.26's keys._get_keyid(): that hashes the legacy key
 * form with "keyid_hash_algorithms", which TUF 1.0 key objects do not carry.)
 */
#define TUF_KEYID_ED  "74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916"
#define TUF_KEYID_EC  "c1e3e41c9ccd7f0a7e6cdf1b47fa1661983f4b66aeaee0642e27a1a6553e0644"
#define TUF_KEYID_RSA "66313fb6a12821ae213ba9b6672fce7eeb86fb6443a9a1411a25a81a309d0f3e"
/* hashlib.sha256(SPKI DER) */
#define FIO_KEYID_ED  "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
#define FIO_KEYID_RSA "2d052b152e767146cdaae14d6ad2e0b34af6eccf6123b5c2111c088e46e5d5e4"

/* Asserts that this thread's error detail starts with prefix. */
#define ck_assert_detail_starts(prefix) \
	ck_assert_msg(strncmp(ws_err_detail(), (prefix), strlen(prefix)) == 0, "detail: %s", ws_err_detail())

/* Keys shared by the tests, made once before forking. */
static EVP_PKEY *ed[4], *ec[2], *rsa[2];

static void
keys_setup(void)
{
	for (size_t i = 0; i < 4; i++)
		ed[i] = th_keygen(WS_KEY_ED25519);
	for (size_t i = 0; i < 2; i++) {
		ec[i] = th_keygen(WS_KEY_EC_P256);
		rsa[i] = th_keygen(WS_KEY_RSA);
	}
}

static void
keys_teardown(void)
{
	for (size_t i = 0; i < 4; i++)
		EVP_PKEY_free(ed[i]);
	for (size_t i = 0; i < 2; i++) {
		EVP_PKEY_free(ec[i]);
		EVP_PKEY_free(rsa[i]);
	}
}

/* SPKI DER of a PEM public key or of a key pair. */
static size_t
spki_of(EVP_PKEY *k, uint8_t **der)
{
	int len = i2d_PUBKEY(k, der);

	ck_assert_int_gt(len, 0);
	return (size_t)len;
}

static EVP_PKEY *
pem_pub(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);

	ck_assert_ptr_nonnull(k);
	BIO_free(bio);
	return k;
}

static struct ws_tuf_key *
key_of(enum ws_tuf_dialect d, enum ws_key_type type, EVP_PKEY *k)
{
	struct ws_tuf_key *key = NULL;
	uint8_t *der = NULL;
	size_t len = spki_of(k, &der);

	ck_assert_ws_ok(ws_tuf_key_from_spki(d, type, der, len, &key));
	OPENSSL_free(der);
	return key;
}

static char *
canonical(const json_t *v)
{
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	const char *s = NULL;
	char *copy;

	ck_assert_ws_ok(ws_cjson_encode(v, WS_CJSON_CANONICAL, &b));
	ck_assert_ws_ok(ws_buf_cstr(&b, &s));
	copy = strdup(s);
	ws_buf_free(&b);
	return copy;
}

static char *
doc_text(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* ---- keys ------------------------------------------------------------ */

START_TEST(test_keyid_ed25519_vectors)
{
	EVP_PKEY *k = th_ed25519_from_seed(ED_SEED);
	struct ws_tuf_key *f = key_of(WS_TUF_FOUNDRIES, WS_KEY_ED25519, k);
	struct ws_tuf_key *t = key_of(WS_TUF_SPEC, WS_KEY_ED25519, k);
	char *fo = canonical(f->object), *to = canonical(t->object);

	ck_assert_str_eq(f->keyid, FIO_KEYID_ED);
	ck_assert_str_eq(t->keyid, TUF_KEYID_ED);
	ck_assert_str_eq(fo, "{\"keytype\":\"ED25519\",\"keyval\":{\"public\":\"" ED_PUB "\"}}");
	ck_assert_str_eq(to, "{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"" ED_PUB "\"},\"scheme\":\"ed25519\"}");
	ck_assert_int_eq(f->alg, WS_SIG_ED25519);
	ck_assert_str_eq(ws_tuf_key_scheme(f), "ed25519");
	free(fo);
	free(to);
	ws_tuf_key_free(f);
	ws_tuf_key_free(t);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_keyid_ecdsa_vector)
{
	EVP_PKEY *k = pem_pub(EC_PUB_PEM);
	struct ws_tuf_key *t = key_of(WS_TUF_SPEC, WS_KEY_EC_P256, k);
	char *to = canonical(t->object);

	ck_assert_str_eq(t->keyid, TUF_KEYID_EC);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(t->object, "keyval"), "public")),
	    EC_PUB_PEM);
	ck_assert_ptr_nonnull(strstr(to, "\"keytype\":\"ecdsa\""));
	ck_assert_ptr_nonnull(strstr(to, "\"scheme\":\"ecdsa-sha2-nistp256\""));
	ck_assert_int_eq(t->alg, WS_SIG_ECDSA_SHA256);
	free(to);
	ws_tuf_key_free(t);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_keyid_rsa_vectors)
{
	EVP_PKEY *k = pem_pub(RSA_PUB_PEM);
	struct ws_tuf_key *f = key_of(WS_TUF_FOUNDRIES, WS_KEY_RSA, k);
	struct ws_tuf_key *t = key_of(WS_TUF_SPEC, WS_KEY_RSA, k);

	ck_assert_str_eq(f->keyid, FIO_KEYID_RSA);
	ck_assert_str_eq(t->keyid, TUF_KEYID_RSA);
	ck_assert_str_eq(json_string_value(json_object_get(f->object, "keytype")), "RSA");
	ck_assert_str_eq(json_string_value(json_object_get(t->object, "scheme")), "rsassa-pss-sha256");
	ck_assert_uint_eq(f->bits, 2048);
	ck_assert_int_eq(f->alg, WS_SIG_RSA_PSS_SHA256);
	ws_tuf_key_free(f);
	ws_tuf_key_free(t);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_key_ecdsa_refused_in_foundries)
{
	EVP_PKEY *k = pem_pub(EC_PUB_PEM);
	struct ws_tuf_key *key = NULL;
	uint8_t *der = NULL;
	size_t len = spki_of(k, &der);

	ck_assert_ws(ws_tuf_key_from_spki(WS_TUF_FOUNDRIES, WS_KEY_EC_P256, der, len, &key),
	    WS_ERR_KEY_TYPE);
	ck_assert_str_eq(ws_err_detail(), "ECDSA keys cannot sign foundries-dialect TUF metadata: "
	    "aktualizr rejects them (use an Ed25519 or RSA key)");
	ck_assert_ptr_null(key);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_key_type_must_match_spki)
{
	struct ws_tuf_key *key = NULL;
	uint8_t *der = NULL;
	size_t len = spki_of(ed[0], &der);

	ck_assert_ws(ws_tuf_key_from_spki(WS_TUF_SPEC, WS_KEY_RSA, der, len, &key), WS_ERR_KEY_TYPE);
	ck_assert_str_eq(ws_err_detail(), "the public key is Ed25519, not RSA");
	ck_assert_ws(ws_tuf_key_from_spki(WS_TUF_SPEC, WS_KEY_ED25519, der, len - 1, &key),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(key);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_key_from_json_checks_keyid)
{
	struct ws_tuf_key *a = key_of(WS_TUF_SPEC, WS_KEY_EC_P256, ec[0]), *b = NULL;
	const char *wrong = "0000000000000000000000000000000000000000000000000000000000000000";
	char want[256];

	ck_assert_ws_ok(ws_tuf_key_from_json(WS_TUF_SPEC, a->keyid, a->object, &b));
	ck_assert_str_eq(b->keyid, a->keyid);
	ck_assert_ws_ok(ws_tuf_key_verify(b, (const uint8_t *)"x", 1, (const uint8_t *)"", 0) ==
	    WS_ERR_TUF_SIGNATURE ? WS_OK : WS_ERR_INTERNAL);
	ws_tuf_key_free(b);
	b = NULL;
	ck_assert_ws(ws_tuf_key_from_json(WS_TUF_SPEC, wrong, a->object, &b), WS_ERR_TUF);
	snprintf(want, sizeof(want), "key %s: the keyid of this key in the tuf dialect is %s", wrong, a->keyid);
	ck_assert_str_eq(ws_err_detail(), want);
	/* A tuf key object is no foundries key. */
	ck_assert_ws(ws_tuf_key_from_json(WS_TUF_FOUNDRIES, a->keyid, a->object, &b), WS_ERR_KEY_TYPE);
	ck_assert_ptr_null(b);
	ws_tuf_key_free(a);
}
END_TEST

START_TEST(test_hex_and_base64_strict)
{
	uint8_t out[8];
	size_t n = 0;

	ck_assert_ws_ok(ws_tuf_unhex("00ff", out, sizeof(out), &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_ws(ws_tuf_unhex("00FF", out, sizeof(out), &n), WS_ERR_TUF);
	ck_assert_ws(ws_tuf_unhex("0", out, sizeof(out), &n), WS_ERR_TUF);
	ck_assert_ws(ws_tuf_unhex("000000000000000000", out, sizeof(out), &n), WS_ERR_LIMIT);
	ck_assert_ws_ok(ws_tuf_unbase64("aGk=", out, sizeof(out), &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "hi", 2);
	ck_assert_ws_ok(ws_tuf_unbase64("aGk/", out, sizeof(out), &n));
	ck_assert_uint_eq(n, 3);
	ck_assert_ws(ws_tuf_unbase64("aGl=", out, sizeof(out), &n), WS_ERR_TUF);	/* padding bits */
	ck_assert_ws(ws_tuf_unbase64("aGk", out, sizeof(out), &n), WS_ERR_TUF);
	ck_assert_ws(ws_tuf_unbase64("a=k=", out, sizeof(out), &n), WS_ERR_TUF);
	ck_assert_ws(ws_tuf_unbase64("aG k", out, sizeof(out), &n), WS_ERR_TUF);
}
END_TEST

/* ---- expires --------------------------------------------------------- */

START_TEST(test_expires_format_and_parse)
{
	char s[WS_TUF_EXPIRES_LEN + 1];
	time_t t = 0;

	ck_assert_ws_ok(ws_tuf_expires_format(TH_NOW, s));
	ck_assert_str_eq(s, "2026-01-01T00:00:00Z");
	ck_assert_ws_ok(ws_tuf_expires_parse("2028-02-29T23:59:59Z", &t));
	ck_assert_ws_ok(ws_tuf_expires_format(t, s));
	ck_assert_str_eq(s, "2028-02-29T23:59:59Z");
}
END_TEST

START_TEST(test_expires_bad_formats)
{
	static const char *const bad[] = {
		"2030-01-01T00:00:00.5Z", "2030-01-01T00:00:00", "2030-01-01 00:00:00Z",
		"2030-01-01T00:00:00+00:00", "2030-02-30T00:00:00Z", "2030-1-01T00:00:00Z",
		"2030-01-01T24:00:00Z", "2030-01-01T00:00:60Z", "2030-01-01t00:00:00z", "",
	};
	time_t t = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_ws(ws_tuf_expires_parse(bad[i], &t), WS_ERR_TUF_EXPIRES);
	ck_assert_ws(ws_tuf_expires_parse("2030-01-01T00:00:00.5Z", &t), WS_ERR_TUF_EXPIRES);
	ck_assert_str_eq(ws_err_detail(),
	    "\"2030-01-01T00:00:00.5Z\" is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
}
END_TEST

/* ---- documents: canonical bytes, signatures -------------------------- */

/* A targets body with fixed content. */
static json_t *
fixed_targets_body(enum ws_tuf_dialect d, int64_t version, const char *expires)
{
	json_t *b = json_pack("{s:s, s:s, s:{s:{s:{s:s}, s:i, s:{s:s}}}, s:I}",
	    "_type", d == WS_TUF_SPEC ? "targets" : "Targets", "expires", expires,
	    "targets", "a/b.txt", "hashes", "sha256",
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "length", 5,
	    "custom", "q", "\"\\/", "version", (json_int_t)version);

	if (d == WS_TUF_SPEC)
		json_object_set_new(b, "spec_version", json_string("1.0.31"));
	return b;
}

START_TEST(test_canonical_bytes_tuf)
{
	struct ws_tuf_key *k = key_of(WS_TUF_SPEC, WS_KEY_ED25519, ed[0]);
	struct ws_tuf_signer s;
	struct ws_tuf_doc *doc = NULL;
	json_t *body = fixed_targets_body(WS_TUF_SPEC, 3, "2030-01-01T00:00:00Z");
	char *c, *f;

	k->user = ed[0];
	s = th_signer(&k, 1);
	ck_assert_ws_ok(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TARGETS, body, &s, &doc));
	c = doc_text(doc->canonical, doc->canonical_len);
	ck_assert_str_eq(c, "{\"_type\":\"targets\",\"expires\":\"2030-01-01T00:00:00Z\","
	    "\"spec_version\":\"1.0.31\",\"targets\":{\"a/b.txt\":{\"custom\":{\"q\":\"\\\"\\\\/\"},"
	    "\"hashes\":{\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"},"
	    "\"length\":5}},\"version\":3}");
	f = doc_text(doc->file, doc->file_len);
	ck_assert_int_eq(strncmp(f, "{\"signatures\":[{\"keyid\":\"", 25), 0);
	ck_assert_ptr_nonnull(strstr(f, c));	/* printable content: file form = canonical form */
	ck_assert_uint_eq(doc->nsigs, 1);
	ck_assert_int_eq(doc->version, 3);
	free(c);
	free(f);
	ws_tuf_doc_free(doc);
	json_decref(body);
	ws_tuf_key_free(k);
}
END_TEST

START_TEST(test_canonical_vs_file_with_pem)
{
	/* A root holding a PEM key: canonical keeps raw newlines, the file escapes them. */
	struct ws_tuf_key *k = key_of(WS_TUF_SPEC, WS_KEY_EC_P256, ec[0]);
	struct ws_tuf_key *keys[WS_TUF_ROLE_COUNT] = { k, k, k, k };
	struct ws_tuf_root_params p = th_root_params(keys, 1, TH_NOW + TH_DAY);
	struct ws_tuf_check c = th_check(0);
	struct ws_tuf_signer s;
	struct ws_tuf_root *root = NULL;
	struct ws_tuf_doc *again = NULL;

	k->user = ec[0];
	s = th_signer(&k, 1);
	ck_assert_ws_ok(ws_tuf_root_sign(WS_TUF_SPEC, &p, NULL, &c, &s, &root));
	ck_assert_ptr_nonnull(memmem(root->doc->canonical, root->doc->canonical_len,
	    "-----BEGIN PUBLIC KEY-----\n", 27));
	ck_assert_ptr_null(memmem(root->doc->file, root->doc->file_len, "\n", 1));
	ck_assert_ptr_nonnull(memmem(root->doc->file, root->doc->file_len,
	    "-----BEGIN PUBLIC KEY-----\\n", 28));
	/* The file parses back to the same canonical bytes, and verifies. */
	ck_assert_ws_ok(ws_tuf_doc_parse(WS_TUF_SPEC, WS_TUF_ROOT, root->doc->file,
	    root->doc->file_len, &again));
	ck_assert_uint_eq(again->canonical_len, root->doc->canonical_len);
	ck_assert_mem_eq(again->canonical, root->doc->canonical, again->canonical_len);
	ck_assert_ws_ok(ws_tuf_root_verify_doc(root, WS_TUF_ROOT, again));
	ws_tuf_doc_free(again);
	ws_tuf_root_free(root);
	ws_tuf_key_free(k);
}
END_TEST

START_TEST(test_foundries_file_is_canonical)
{
	struct th_repo r;
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	const struct ws_tuf_doc *docs[4];

	th_repo_build(&r, WS_TUF_FOUNDRIES);
	docs[0] = r.root->doc;
	docs[1] = r.targets;
	docs[2] = r.snapshot;
	docs[3] = r.timestamp;
	for (size_t i = 0; i < 4; i++) {
		json_t *sig = json_array_get(json_object_get(docs[i]->envelope, "signatures"), 0);

		ws_buf_reset(&b);
		ck_assert_ws_ok(ws_cjson_encode(docs[i]->envelope, WS_CJSON_CANONICAL, &b));
		ck_assert_uint_eq(b.len, docs[i]->file_len);
		ck_assert_mem_eq(b.data, docs[i]->file, b.len);
		ck_assert_str_eq(json_string_value(json_object_get(sig, "method")), "ed25519");
		ck_assert_uint_eq(json_string_length(json_object_get(sig, "sig")), 88);	/* base64 of 64 */
		ck_assert_uint_eq(json_object_size(sig), 3);
		ck_assert_ptr_null(json_object_get(docs[i]->body, "spec_version"));
	}
	ck_assert_str_eq(json_string_value(json_object_get(r.root->doc->body, "_type")), "Root");
	ck_assert(json_is_false(json_object_get(r.root->doc->body, "consistent_snapshot")));
	ck_assert_str_eq(json_string_value(json_object_get(r.targets->body, "_type")), "Targets");
	ck_assert_str_eq(json_string_value(json_object_get(r.snapshot->body, "_type")), "Snapshot");
	ck_assert_str_eq(json_string_value(json_object_get(r.timestamp->body, "_type")), "Timestamp");
	ws_buf_free(&b);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_tuf_signature_form)
{
	struct th_repo r;
	json_t *sig;

	th_repo_build(&r, WS_TUF_SPEC);
	sig = json_array_get(json_object_get(r.targets->envelope, "signatures"), 0);
	ck_assert_uint_eq(json_object_size(sig), 2);
	ck_assert_str_eq(json_string_value(json_object_get(sig, "keyid")), r.keys[WS_TUF_TARGETS]->keyid);
	ck_assert_uint_eq(json_string_length(json_object_get(sig, "sig")), 128);	/* hex of 64 */
	ck_assert(json_is_true(json_object_get(r.root->doc->body, "consistent_snapshot")));
	ck_assert_str_eq(json_string_value(json_object_get(r.root->doc->body, "spec_version")), "1.0.31");
	th_repo_free(&r);
}
END_TEST

/* Signs a fixed targets body with key k (type t) in dialect d and verifies it under a root listing k. */
static void
sign_verify_scheme(enum ws_tuf_dialect d, enum ws_key_type t, EVP_PKEY *priv, const char *method)
{
	struct ws_tuf_key *k = key_of(d, t, priv);
	struct ws_tuf_key *keys[WS_TUF_ROLE_COUNT] = { k, k, k, k };
	struct ws_tuf_root_params p = th_root_params(keys, 1, TH_NOW + TH_DAY);
	struct ws_tuf_check c = th_check(0);
	struct ws_tuf_signer s;
	struct ws_tuf_root *root = NULL;
	struct ws_tuf_doc *doc = NULL, *parsed = NULL;
	json_t *body = fixed_targets_body(d, 1, "2030-01-01T00:00:00Z");

	k->user = priv;
	s = th_signer(&k, 1);
	ck_assert_ws_ok(ws_tuf_root_sign(d, &p, NULL, &c, &s, &root));
	ck_assert_ws_ok(ws_tuf_root_verify_self(root));
	ck_assert_ws_ok(ws_tuf_doc_sign(d, WS_TUF_TARGETS, body, &s, &doc));
	ck_assert_ws_ok(ws_tuf_doc_parse(d, WS_TUF_TARGETS, doc->file, doc->file_len, &parsed));
	ck_assert_ws_ok(ws_tuf_root_verify_doc(root, WS_TUF_TARGETS, parsed));
	if (method != NULL)
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
		    json_object_get(doc->envelope, "signatures"), 0), "method")), method);
	ws_tuf_doc_free(parsed);
	ws_tuf_doc_free(doc);
	ws_tuf_root_free(root);
	json_decref(body);
	ws_tuf_key_free(k);
}

START_TEST(test_sign_verify_every_scheme)
{
	sign_verify_scheme(WS_TUF_SPEC, WS_KEY_ED25519, ed[0], NULL);
	sign_verify_scheme(WS_TUF_SPEC, WS_KEY_EC_P256, ec[0], NULL);
	sign_verify_scheme(WS_TUF_SPEC, WS_KEY_RSA, rsa[0], NULL);
	sign_verify_scheme(WS_TUF_FOUNDRIES, WS_KEY_ED25519, ed[0], "ed25519");
	sign_verify_scheme(WS_TUF_FOUNDRIES, WS_KEY_RSA, rsa[0], "rsassa-pss-sha256");
}
END_TEST

START_TEST(test_signer_returning_wrong_signature)
{
	struct ws_tuf_key *k = key_of(WS_TUF_SPEC, WS_KEY_ED25519, ed[0]);
	struct ws_tuf_signer s = { &k, 1, th_sign_with_ctx_key, ed[1] };
	struct ws_tuf_doc *doc = NULL;
	json_t *body = fixed_targets_body(WS_TUF_SPEC, 1, "2030-01-01T00:00:00Z");
	char want[256];

	ck_assert_ws(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TARGETS, body, &s, &doc),
	    WS_ERR_TUF_SIGNATURE);
	snprintf(want, sizeof(want), "targets: the signer returned a signature that does not verify "
	    "with key %s (ed25519)", k->keyid);
	ck_assert_str_eq(ws_err_detail(), want);
	ck_assert_ptr_null(doc);
	json_decref(body);
	ws_tuf_key_free(k);
}
END_TEST

/* ---- rejections, each its own test ----------------------------------- */

START_TEST(test_reject_wrong_key)
{
	struct th_repo r;
	struct ws_tuf_signer s;
	struct ws_tuf_doc *doc = NULL;
	struct ws_tuf_targets_params tp;
	struct ws_tuf_check c = th_check(1);
	json_t *targets = th_targets_map();
	char want[512];

	th_repo_build(&r, WS_TUF_SPEC);
	tp.version = 2;
	tp.expires = TH_NOW + TH_DAY;
	tp.targets = targets;
	tp.extra = NULL;
	/* The builder refuses a key that is not bound to the role... */
	s = th_signer(&r.keys[WS_TUF_TIMESTAMP], 1);
	ck_assert_ws(ws_tuf_targets_sign(r.root, &tp, &c, &s, &doc), WS_ERR_TUF);
	snprintf(want, sizeof(want), "key %s is not a targets key of root v1", r.keys[WS_TUF_TIMESTAMP]->keyid);
	ck_assert_str_eq(ws_err_detail(), want);
	ck_assert_ptr_null(doc);
	/* ...and the verifier does not count its signature. */
	ck_assert_ws_ok(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TARGETS, r.targets->body, &s, &doc));
	ck_assert_ws(ws_tuf_root_verify_doc(r.root, WS_TUF_TARGETS, doc), WS_ERR_TUF_THRESHOLD);
	snprintf(want, sizeof(want), "targets v1: 0 of 1 required signatures by targets keys of root v1 "
	    "(ignored, not targets keys: %.16s...)", r.keys[WS_TUF_TIMESTAMP]->keyid);
	ck_assert_str_eq(ws_err_detail(), want);
	ws_tuf_doc_free(doc);
	json_decref(targets);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_reject_stale_version)
{
	struct th_repo r;
	struct ws_tuf_signer s;
	struct ws_tuf_doc *doc = NULL;
	struct ws_tuf_targets_params tp;
	struct ws_tuf_check c = th_check(5);
	json_t *targets = th_targets_map();

	th_repo_build(&r, WS_TUF_FOUNDRIES);
	tp.version = 5;
	tp.expires = TH_NOW + TH_DAY;
	tp.targets = targets;
	tp.extra = NULL;
	s = th_signer(&r.keys[WS_TUF_TARGETS], 1);
	ck_assert_ws(ws_tuf_targets_sign(r.root, &tp, &c, &s, &doc), WS_ERR_TUF_VERSION);
	ck_assert_str_eq(ws_err_detail(), "targets version 5 does not exceed the current version 5");
	tp.version = 4;
	ck_assert_ws(ws_tuf_targets_sign(r.root, &tp, &c, &s, &doc), WS_ERR_TUF_VERSION);
	ck_assert_ptr_null(doc);
	tp.version = 6;
	ck_assert_ws_ok(ws_tuf_targets_sign(r.root, &tp, &c, &s, &doc));
	ck_assert_int_eq(doc->version, 6);
	ws_tuf_doc_free(doc);
	json_decref(targets);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_reject_expired)
{
	struct th_repo r;
	struct ws_tuf_signer s;
	struct ws_tuf_doc *doc = NULL;
	struct ws_tuf_timestamp_params tp;
	struct ws_tuf_check c = th_check(1);
	json_t *body;

	th_repo_build(&r, WS_TUF_SPEC);
	s = th_signer(&r.keys[WS_TUF_TIMESTAMP], 1);
	/* An expired file is a well-formed file: parse passes, the expiry check says why. */
	body = json_deep_copy(r.timestamp->body);
	json_object_set_new(body, "expires", json_string("2025-12-31T23:59:59Z"));
	ck_assert_ws_ok(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TIMESTAMP, body, &s, &doc));
	ck_assert_ws(ws_tuf_doc_check_expiry(doc, TH_NOW), WS_ERR_TUF_EXPIRES);
	ck_assert_str_eq(ws_err_detail(), "timestamp v1 expired at 2025-12-31T23:59:59Z (now 2026-01-01T00:00:00Z)");
	ws_tuf_doc_free(doc);
	doc = NULL;
	/* The builder refuses to sign it at all. */
	tp.version = 2;
	tp.expires = TH_NOW;
	tp.snapshot = r.snapshot;
	ck_assert_ws(ws_tuf_timestamp_sign(r.root, &tp, &c, &s, &doc), WS_ERR_TUF_EXPIRES);
	ck_assert_str_eq(ws_err_detail(), "timestamp v2: expires 2026-01-01T00:00:00Z is not after now (2026-01-01T00:00:00Z)");
	/* And keeps within the policy's window. */
	c.max_lifetime = 7 * TH_DAY;
	tp.expires = TH_NOW + 7 * TH_DAY + 1;
	ck_assert_ws(ws_tuf_timestamp_sign(r.root, &tp, &c, &s, &doc), WS_ERR_TUF_EXPIRES);
	ck_assert_str_eq(ws_err_detail(), "timestamp v2: expires 2026-01-08T00:00:01Z is more than 604800 "
	    "seconds after now (2026-01-01T00:00:00Z)");
	ck_assert_ptr_null(doc);
	tp.expires = TH_NOW + 7 * TH_DAY;
	ck_assert_ws_ok(ws_tuf_timestamp_sign(r.root, &tp, &c, &s, &doc));
	ws_tuf_doc_free(doc);
	json_decref(body);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_reject_duplicate_signature)
{
	struct th_repo r;
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	struct ws_tuf_doc *doc = NULL;
	struct ws_tuf_signer s;
	json_t *env, *sigs;
	char want[256];

	th_repo_build(&r, WS_TUF_SPEC);
	env = json_deep_copy(r.targets->envelope);
	sigs = json_object_get(env, "signatures");
	json_array_append_new(sigs, json_deep_copy(json_array_get(sigs, 0)));
	ck_assert_ws_ok(ws_tuf_doc_encode(WS_TUF_SPEC, env, &b));
	ck_assert_ws(ws_tuf_doc_parse(WS_TUF_SPEC, WS_TUF_TARGETS, b.data, b.len, &doc),
	    WS_ERR_TUF_SIGNATURE);
	snprintf(want, sizeof(want), "targets: signatures[1]: keyid %s already signed (signatures[0]); "
	    "a key may sign at most once", r.keys[WS_TUF_TARGETS]->keyid);
	ck_assert_str_eq(ws_err_detail(), want);
	ck_assert_ptr_null(doc);
	/* Adding a signature by a key that already signed is refused too. */
	s = th_signer(&r.keys[WS_TUF_TARGETS], 1);
	ck_assert_ws(ws_tuf_doc_add_signatures(r.targets, &s), WS_ERR_EXISTS);
	ck_assert_uint_eq(r.targets->nsigs, 1);
	json_decref(env);
	ws_buf_free(&b);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_reject_tampered_file)
{
	struct th_repo r;
	struct ws_tuf_doc *doc = NULL;
	char *text, *p, want[512];

	th_repo_build(&r, WS_TUF_FOUNDRIES);
	/* Change the signed length of a target (7 -> 8) in the file bytes. */
	text = doc_text(r.targets->file, r.targets->file_len);
	p = strstr(text, "\"length\":7");
	ck_assert_ptr_nonnull(p);
	p[9] = '8';
	ck_assert_ws_ok(ws_tuf_doc_parse(WS_TUF_FOUNDRIES, WS_TUF_TARGETS,
	    (const uint8_t *)text, strlen(text), &doc));
	ck_assert_ws(ws_tuf_root_verify_doc(r.root, WS_TUF_TARGETS, doc), WS_ERR_TUF_SIGNATURE);
	snprintf(want, sizeof(want), "targets v1: the signature of targets key %s does not verify (the "
	    "signed content was changed after signing, or the signature is corrupt)",
	    r.keys[WS_TUF_TARGETS]->keyid);
	ck_assert_str_eq(ws_err_detail(), want);
	/* The snapshot's meta catches it first. */
	ck_assert_ws(ws_tuf_meta_check(r.snapshot, "targets.json", doc), WS_ERR_TUF);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "targets.json has SHA-256 "));
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), ", but snapshot v1 records "));
	ws_tuf_doc_free(doc);
	free(text);
	th_repo_free(&r);
}
END_TEST

/* A root whose targets role needs two of two keys (production-style). */
static struct ws_tuf_root *
two_key_targets_root(enum ws_tuf_dialect d, struct ws_tuf_key **k /* [3]: root, targets a, targets b */)
{
	struct ws_tuf_key *role_keys[WS_TUF_ROLE_COUNT] = { k[0], k[1], k[0], k[0] };
	struct ws_tuf_root_params p = th_root_params(role_keys, 1, TH_NOW + 365 * TH_DAY);
	struct ws_tuf_key *targets[2] = { k[1], k[2] };
	struct ws_tuf_check c = th_check(0);
	struct ws_tuf_signer s = th_signer(&k[0], 1);
	struct ws_tuf_root *root = NULL;

	p.roles[WS_TUF_TARGETS].keys = targets;
	p.roles[WS_TUF_TARGETS].nkeys = 2;
	p.roles[WS_TUF_TARGETS].threshold = 2;
	ck_assert_ws_ok(ws_tuf_root_sign(d, &p, NULL, &c, &s, &root));
	return root;
}

START_TEST(test_reject_below_threshold)
{
	struct ws_tuf_key *k[3] = {
		th_tuf_key(WS_TUF_FOUNDRIES, ed[0]),
		th_tuf_key(WS_TUF_FOUNDRIES, ed[1]),
		th_tuf_key(WS_TUF_FOUNDRIES, rsa[0]),
	};
	struct ws_tuf_root *root = two_key_targets_root(WS_TUF_FOUNDRIES, k);
	struct ws_tuf_targets_params tp;
	struct ws_tuf_check c = th_check(0);
	struct ws_tuf_signer s = th_signer(&k[1], 1);
	struct ws_tuf_doc *doc = NULL;
	json_t *targets = th_targets_map();

	tp.version = 1;
	tp.expires = TH_NOW + TH_DAY;
	tp.targets = targets;
	tp.extra = NULL;
	ck_assert_ws(ws_tuf_targets_sign(root, &tp, &c, &s, &doc), WS_ERR_TUF_THRESHOLD);
	ck_assert_str_eq(ws_err_detail(), "targets v1: 1 of 2 required signatures by targets keys of root v1");
	ck_assert_ptr_null(doc);
	/* A wave waiting for the second officer: partial on request, then completed. */
	c.allow_partial = true;
	ck_assert_ws_ok(ws_tuf_targets_sign(root, &tp, &c, &s, &doc));
	ck_assert_ws(ws_tuf_root_verify_doc(root, WS_TUF_TARGETS, doc), WS_ERR_TUF_THRESHOLD);
	s = th_signer(&k[2], 1);
	ck_assert_ws_ok(ws_tuf_doc_add_signatures(doc, &s));
	ck_assert_uint_eq(doc->nsigs, 2);
	ck_assert_ws_ok(ws_tuf_root_verify_doc(root, WS_TUF_TARGETS, doc));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(doc->envelope, "signatures"), 1), "method")), "rsassa-pss-sha256");
	ws_tuf_doc_free(doc);
	json_decref(targets);
	ws_tuf_root_free(root);
	for (size_t i = 0; i < 3; i++)
		ws_tuf_key_free(k[i]);
}
END_TEST

START_TEST(test_reject_bad_expires_format)
{
	struct th_repo r;
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	struct ws_tuf_doc *doc = NULL;
	json_t *env;

	th_repo_build(&r, WS_TUF_SPEC);
	env = json_deep_copy(r.snapshot->envelope);
	json_object_set_new(json_object_get(env, "signed"), "expires", json_string("2026-02-01T00:00:00.000Z"));
	ck_assert_ws_ok(ws_tuf_doc_encode(WS_TUF_SPEC, env, &b));
	ck_assert_ws(ws_tuf_doc_parse(WS_TUF_SPEC, WS_TUF_SNAPSHOT, b.data, b.len, &doc),
	    WS_ERR_TUF_EXPIRES);
	ck_assert_str_eq(ws_err_detail(), "snapshot: signed.expires: \"2026-02-01T00:00:00.000Z\" is not "
	    "a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
	ck_assert_ptr_null(doc);
	json_decref(env);
	ws_buf_free(&b);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_reject_wrong_type_case)
{
	struct th_repo r;
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	struct ws_tuf_doc *doc = NULL;
	json_t *env;

	th_repo_build(&r, WS_TUF_FOUNDRIES);
	env = json_deep_copy(r.root->doc->envelope);
	json_object_set_new(json_object_get(env, "signed"), "_type", json_string("root"));
	ck_assert_ws_ok(ws_tuf_doc_encode(WS_TUF_FOUNDRIES, env, &b));
	ck_assert_ws(ws_tuf_doc_parse(WS_TUF_FOUNDRIES, WS_TUF_ROOT, b.data, b.len, &doc), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "root: signed._type is \"root\"; the foundries dialect expects \"Root\"");
	/* The other way round in the tuf dialect. */
	ck_assert_ws(ws_tuf_doc_parse(WS_TUF_SPEC, WS_TUF_TARGETS, r.targets->file,
	    r.targets->file_len, &doc), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "targets: signed._type is \"Targets\"; the tuf dialect expects \"targets\"");
	ck_assert_ptr_null(doc);
	json_decref(env);
	ws_buf_free(&b);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_reject_non_ascii_in_foundries)
{
	struct th_repo r;
	struct ws_tuf_targets_params tp;
	struct ws_tuf_check c = th_check(1);
	struct ws_tuf_signer s;
	struct ws_tuf_doc *doc = NULL;
	json_t *targets = th_targets_map();

	th_repo_build(&r, WS_TUF_FOUNDRIES);
	json_object_set_new(json_object_get(json_object_get(targets, "firmware.bin"), "custom"), "note",
	    json_string("caf\xc3\xa9"));
	tp.version = 2;
	tp.expires = TH_NOW + TH_DAY;
	tp.targets = targets;
	tp.extra = NULL;
	s = th_signer(&r.keys[WS_TUF_TARGETS], 1);
	ck_assert_ws(ws_tuf_targets_sign(r.root, &tp, &c, &s, &doc), WS_ERR_JSON_NOT_ASCII);
	ck_assert_str_eq(ws_err_detail(), "targets: signed: the foundries dialect needs printable ASCII "
	    "(aktualizr re-escapes anything else and the signature would not verify): targets: "
	    "firmware.bin: custom: note: byte 0xc3 at offset 3 of \"caf\xc3\xa9\"");
	ck_assert_ptr_null(doc);
	json_decref(targets);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_reject_spec_version)
{
	struct th_repo r;
	struct ws_tuf_doc *doc = NULL;
	struct ws_tuf_signer s;
	json_t *body;

	th_repo_build(&r, WS_TUF_SPEC);
	s = th_signer(&r.keys[WS_TUF_TARGETS], 1);
	body = json_deep_copy(r.targets->body);
	json_object_set_new(body, "spec_version", json_string("2.0.0"));
	ck_assert_ws(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TARGETS, body, &s, &doc), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "targets: signed.spec_version \"2.0.0\": expected major version 1 (\"1.0.31\")");
	json_object_del(body, "spec_version");
	ck_assert_ws(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TARGETS, body, &s, &doc), WS_ERR_JSON_MISSING);
	ck_assert_str_eq(ws_err_detail(), "targets: signed.spec_version is required");
	/* Version 0 is no version. */
	json_object_set_new(body, "spec_version", json_string("1.0"));
	json_object_set_new(body, "version", json_integer(0));
	ck_assert_ws(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TARGETS, body, &s, &doc), WS_ERR_TUF_VERSION);
	ck_assert_ptr_null(doc);
	json_decref(body);
	th_repo_free(&r);
}
END_TEST

#define GOOD_SIGNED "\"signed\":{\"_type\":\"timestamp\",\"expires\":\"2030-01-01T00:00:00Z\"," \
	"\"meta\":{},\"spec_version\":\"1.0.31\",\"version\":1}"

START_TEST(test_reject_malformed_envelopes)
{
	static const char *const bad[] = {
		"[]", "{\"signed\":{}}", "{\"signatures\":[],\"signed\":{},\"extra\":1}",
		"{\"signatures\":[{\"keyid\":\"ab\",\"sig\":\"00\"}]," GOOD_SIGNED "}",
		"{\"signatures\":[{\"keyid\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"sig\":\"zz\"}]," GOOD_SIGNED "}",
		"{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"version\":1.5}}",
		"{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"_type\":\"timestamp\"}}",
	};
	struct ws_tuf_doc *doc = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ws_err r = ws_tuf_doc_parse(WS_TUF_SPEC, WS_TUF_TIMESTAMP,
		    (const uint8_t *)bad[i], strlen(bad[i]), &doc);

		ck_assert_msg(r != WS_OK, "accepted %s", bad[i]);
		ck_assert_ptr_null(doc);
	}
	ck_assert_ws(ws_tuf_doc_parse(WS_TUF_SPEC, WS_TUF_TIMESTAMP,
	    (const uint8_t *)bad[2], strlen(bad[2]), &doc), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "timestamp: metadata: unknown member 'extra' (allowed: signatures, signed)");
	ck_assert_ws(ws_tuf_doc_parse(WS_TUF_SPEC, WS_TUF_TIMESTAMP,
	    (const uint8_t *)bad[3], strlen(bad[3]), &doc), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "timestamp: signatures[0].keyid \"ab\" is not 64 lower-case hex characters");
}
END_TEST

/* ---- root: build, CI vs production, rotation -------------------------- */

START_TEST(test_root_ci_and_production_differ_only_in_targets_threshold)
{
	struct ws_tuf_key *k[3] = {
		th_tuf_key(WS_TUF_FOUNDRIES, ed[0]),
		th_tuf_key(WS_TUF_FOUNDRIES, ed[1]),
		th_tuf_key(WS_TUF_FOUNDRIES, ed[2]),
	};
	struct ws_tuf_key *role_keys[WS_TUF_ROLE_COUNT] = { k[0], k[1], k[0], k[0] };
	struct ws_tuf_key *targets[2] = { k[1], k[2] };
	struct ws_tuf_root_params p = th_root_params(role_keys, 1, TH_NOW + 365 * TH_DAY);
	struct ws_tuf_check c = th_check(0);
	struct ws_tuf_signer s = th_signer(&k[0], 1);
	struct ws_tuf_root *ci = NULL, *prod = NULL;
	json_t *a, *b;

	p.roles[WS_TUF_TARGETS].keys = targets;
	p.roles[WS_TUF_TARGETS].nkeys = 2;
	ck_assert_ws_ok(ws_tuf_root_sign(WS_TUF_FOUNDRIES, &p, NULL, &c, &s, &ci));
	p.roles[WS_TUF_TARGETS].threshold = 2;
	ck_assert_ws_ok(ws_tuf_root_sign(WS_TUF_FOUNDRIES, &p, NULL, &c, &s, &prod));
	ck_assert_int_eq(ci->roles[WS_TUF_TARGETS].threshold, 1);
	ck_assert_int_eq(prod->roles[WS_TUF_TARGETS].threshold, 2);
	a = json_deep_copy(ci->doc->body);
	b = json_deep_copy(prod->doc->body);
	ck_assert(!json_equal(a, b));
	json_object_set_new(json_object_get(json_object_get(b, "roles"), "targets"), "threshold", json_integer(1));
	ck_assert(json_equal(a, b));
	/* Threshold above the key count can never be met. */
	p.roles[WS_TUF_TARGETS].threshold = 3;
	ws_tuf_root_free(prod);
	prod = NULL;
	ck_assert_ws(ws_tuf_root_sign(WS_TUF_FOUNDRIES, &p, NULL, &c, &s, &prod), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "role targets: threshold 3 is not within 1..2 (its number of keys)");
	json_decref(a);
	json_decref(b);
	ws_tuf_root_free(ci);
	for (size_t i = 0; i < 3; i++)
		ws_tuf_key_free(k[i]);
}
END_TEST

START_TEST(test_root_rotation)
{
	struct ws_tuf_key *old = th_tuf_key(WS_TUF_SPEC, ed[0]);
	struct ws_tuf_key *new = th_tuf_key(WS_TUF_SPEC, ed[1]);
	struct ws_tuf_key *other = th_tuf_key(WS_TUF_SPEC, ed[2]);
	struct ws_tuf_key *v1keys[WS_TUF_ROLE_COUNT] = { old, other, other, other };
	struct ws_tuf_key *v2keys[WS_TUF_ROLE_COUNT] = { new, other, other, other };
	struct ws_tuf_key *both[2] = { old, new };
	struct ws_tuf_root_params p1 = th_root_params(v1keys, 1, TH_NOW + 365 * TH_DAY);
	struct ws_tuf_root_params p2 = th_root_params(v2keys, 2, TH_NOW + 365 * TH_DAY);
	struct ws_tuf_check c = th_check(0);
	struct ws_tuf_signer s = th_signer(&old, 1);
	struct ws_tuf_root *v1 = NULL, *v2 = NULL, *partial = NULL;
	char want[512];

	ck_assert_ws_ok(ws_tuf_root_sign(WS_TUF_SPEC, &p1, NULL, &c, &s, &v1));
	/* Signed only by the new key: the previous root's threshold is not met. */
	s = th_signer(&new, 1);
	ck_assert_ws(ws_tuf_root_sign(WS_TUF_SPEC, &p2, v1, &c, &s, &v2), WS_ERR_TUF_THRESHOLD);
	snprintf(want, sizeof(want), "signed by the previous root v1: root v2: 0 of 1 required signatures "
	    "by root keys of root v1 (ignored, not root keys: %.16s...)", new->keyid);
	ck_assert_str_eq(ws_err_detail(), want);
	/* Signed only by the old key: its own threshold is not met. */
	s = th_signer(&old, 1);
	ck_assert_ws(ws_tuf_root_sign(WS_TUF_SPEC, &p2, v1, &c, &s, &v2), WS_ERR_TUF_THRESHOLD);
	ck_assert_detail_starts("signed by its own root keys: root v2: 0 of 1");
	/* A signer that is a root key of neither is refused before signing. */
	s = th_signer(&other, 1);
	ck_assert_ws(ws_tuf_root_sign(WS_TUF_SPEC, &p2, v1, &c, &s, &v2), WS_ERR_TUF);
	/* allow_partial returns it, and verify_next says what is missing. */
	s = th_signer(&new, 1);
	c.allow_partial = true;
	ck_assert_ws_ok(ws_tuf_root_sign(WS_TUF_SPEC, &p2, v1, &c, &s, &partial));
	ck_assert_ws(ws_tuf_root_verify_next(v1, partial), WS_ERR_TUF_THRESHOLD);
	c.allow_partial = false;
	/* Both: a proper rotation. */
	s = th_signer(both, 2);
	ck_assert_ws_ok(ws_tuf_root_sign(WS_TUF_SPEC, &p2, v1, &c, &s, &v2));
	ck_assert_ws_ok(ws_tuf_root_verify_next(v1, v2));
	ck_assert_uint_eq(v2->doc->nsigs, 2);
	/* Versions: exactly previous + 1. */
	ck_assert_ws(ws_tuf_root_verify_next(v2, v1), WS_ERR_TUF_VERSION);
	ck_assert_ws(ws_tuf_root_verify_next(v2, v2), WS_ERR_TUF_VERSION);
	ck_assert_str_eq(ws_err_detail(), "root version 2 must be exactly 3 (the current root is 2)");
	p2.version = 3;
	ws_tuf_root_free(partial);
	partial = NULL;
	ck_assert_ws(ws_tuf_root_sign(WS_TUF_SPEC, &p2, v1, &c, &s, &partial), WS_ERR_TUF_VERSION);
	p1.version = 2;
	ck_assert_ws(ws_tuf_root_sign(WS_TUF_SPEC, &p1, NULL, &c, &s, &partial), WS_ERR_TUF_VERSION);
	ck_assert_str_eq(ws_err_detail(), "the first root must be version 1, not 2");
	ck_assert_ptr_null(partial);
	ws_tuf_root_free(v1);
	ws_tuf_root_free(v2);
	ws_tuf_key_free(old);
	ws_tuf_key_free(new);
	ws_tuf_key_free(other);
}
END_TEST

START_TEST(test_root_parse_checks_roles)
{
	struct th_repo r;
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	struct ws_tuf_root *root = NULL;
	json_t *env, *roles;

	th_repo_build(&r, WS_TUF_SPEC);
	env = json_deep_copy(r.root->doc->envelope);
	roles = json_object_get(json_object_get(env, "signed"), "roles");
	json_object_del(roles, "snapshot");
	ck_assert_ws_ok(ws_tuf_doc_encode(WS_TUF_SPEC, env, &b));
	ck_assert_ws(ws_tuf_root_parse(WS_TUF_SPEC, b.data, b.len, &root), WS_ERR_JSON_MISSING);
	ck_assert_str_eq(ws_err_detail(), "root v1: signed.roles.snapshot is required");
	json_object_set_new(roles, "snapshot", json_pack("{s:[s], s:i}", "keyids",
	    "1111111111111111111111111111111111111111111111111111111111111111", "threshold", 1));
	ws_buf_reset(&b);
	ck_assert_ws_ok(ws_tuf_doc_encode(WS_TUF_SPEC, env, &b));
	ck_assert_ws(ws_tuf_root_parse(WS_TUF_SPEC, b.data, b.len, &root), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "root v1: signed.roles.snapshot.keyids[0]: key "
	    "1111111111111111111111111111111111111111111111111111111111111111 is not in signed.keys");
	ck_assert_ptr_null(root);
	json_decref(env);
	ws_buf_free(&b);
	th_repo_free(&r);
}
END_TEST

/* ---- snapshot and timestamp ------------------------------------------- */

START_TEST(test_snapshot_meta_matches_files)
{
	struct th_repo r;
	struct ws_tuf_meta_entry e;
	char hex[65];

	th_repo_build(&r, WS_TUF_SPEC);
	ck_assert_ws_ok(ws_tuf_meta_entry_get(r.snapshot, "targets.json", &e));
	ck_assert_int_eq(e.version, 1);
	ck_assert_int_eq(e.length, (int64_t)r.targets->file_len);
	ck_assert_mem_eq(e.sha256, r.targets->sha256, 32);
	ws_tuf_hex(r.targets->sha256, 32, hex);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(json_object_get(
	    r.snapshot->body, "meta"), "targets.json"), "hashes"), "sha256")), hex);
	ck_assert_ws_ok(ws_tuf_meta_check(r.snapshot, "targets.json", r.targets));
	ck_assert_ws_ok(ws_tuf_meta_check(r.timestamp, "snapshot.json", r.snapshot));
	ck_assert_uint_eq(json_object_size(json_object_get(r.timestamp->body, "meta")), 1);
	/* A snapshot does not match other files. */
	ck_assert_ws(ws_tuf_meta_check(r.snapshot, "targets.json", r.snapshot), WS_ERR_TUF);
	ck_assert_ws(ws_tuf_meta_check(r.timestamp, "targets.json", r.targets), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "timestamp v1: meta must hold snapshot.json and nothing else");
	th_repo_free(&r);
}
END_TEST

START_TEST(test_snapshot_refuses_bad_targets)
{
	struct th_repo r;
	struct ws_tuf_doc *expired = NULL, *snap = NULL;
	struct ws_tuf_signer s;
	struct ws_tuf_meta_file mf;
	struct ws_tuf_snapshot_params sp;
	struct ws_tuf_check c = th_check(1);
	json_t *body;

	th_repo_build(&r, WS_TUF_SPEC);
	s = th_signer(&r.keys[WS_TUF_TARGETS], 1);
	body = json_deep_copy(r.targets->body);
	json_object_set_new(body, "expires", json_string("2025-06-01T00:00:00Z"));
	ck_assert_ws_ok(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TARGETS, body, &s, &expired));
	mf.name = "targets.json";
	mf.doc = expired;
	sp.version = 2;
	sp.expires = TH_NOW + TH_DAY;
	sp.files = &mf;
	sp.nfiles = 1;
	s = th_signer(&r.keys[WS_TUF_SNAPSHOT], 1);
	ck_assert_ws(ws_tuf_snapshot_sign(r.root, &sp, &c, &s, &snap), WS_ERR_TUF_EXPIRES);
	ck_assert_str_eq(ws_err_detail(), "targets.json: targets v1 expired at 2025-06-01T00:00:00Z (now 2026-01-01T00:00:00Z)");
	/* Targets signed by the wrong key. */
	ws_tuf_doc_free(expired);
	expired = NULL;
	ck_assert_ws_ok(ws_tuf_doc_sign(WS_TUF_SPEC, WS_TUF_TARGETS, r.targets->body, &s, &expired));
	mf.doc = expired;
	ck_assert_ws(ws_tuf_snapshot_sign(r.root, &sp, &c, &s, &snap), WS_ERR_TUF_THRESHOLD);
	/* No targets.json at all. */
	mf.name = "other.json";
	ck_assert_ws(ws_tuf_snapshot_sign(r.root, &sp, &c, &s, &snap), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "a snapshot must list targets.json");
	mf.name = "../targets.json";
	ck_assert_ws(ws_tuf_snapshot_sign(r.root, &sp, &c, &s, &snap), WS_ERR_TUF);
	ck_assert_ptr_null(snap);
	ws_tuf_doc_free(expired);
	json_decref(body);
	th_repo_free(&r);
}
END_TEST

START_TEST(test_targets_entries_and_extra)
{
	struct th_repo r;
	struct ws_tuf_targets_params tp;
	struct ws_tuf_check c = th_check(1);
	struct ws_tuf_signer s;
	struct ws_tuf_doc *doc = NULL;
	json_t *targets = th_targets_map(), *extra;

	th_repo_build(&r, WS_TUF_FOUNDRIES);
	/* Unknown custom fields are kept verbatim and signed. */
	ck_assert(json_equal(json_object_get(r.targets->body, "targets"), targets));
	tp.version = 2;
	tp.expires = TH_NOW + TH_DAY;
	tp.targets = targets;
	extra = json_pack("{s:{s:s, s:s, s:[s]}}", "x-fio-offline-bundle", "type", "prod", "tag", "main",
	    "targets", "intel-corei7-64-lmp-42");
	tp.extra = extra;
	s = th_signer(&r.keys[WS_TUF_TARGETS], 1);
	ck_assert_ws_ok(ws_tuf_targets_sign(r.root, &tp, &c, &s, &doc));
	ck_assert(json_equal(json_object_get(doc->body, "x-fio-offline-bundle"),
	    json_object_get(extra, "x-fio-offline-bundle")));
	ws_tuf_doc_free(doc);
	doc = NULL;
	json_object_set_new(extra, "version", json_integer(9));
	ck_assert_ws(ws_tuf_targets_sign(r.root, &tp, &c, &s, &doc), WS_ERR_INVALID_ARGUMENT);
	tp.extra = NULL;
	/* Entry checks. */
	json_object_del(json_object_get(json_object_get(targets, "firmware.bin"), "hashes"), "sha256");
	ck_assert_ws(ws_tuf_targets_sign(r.root, &tp, &c, &s, &doc), WS_ERR_JSON_MISSING);
	ck_assert_str_eq(ws_err_detail(), "targets[\"firmware.bin\"].hashes.sha256 is required (the OSTree commit)");
	ck_assert_ws_ok(ws_tuf_targets_check_entries(WS_TUF_SPEC, targets));
	json_object_set_new(json_object_get(targets, "firmware.bin"), "length", json_integer(-1));
	ck_assert_ws(ws_tuf_targets_check_entries(WS_TUF_SPEC, targets), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "targets[\"firmware.bin\"].length is negative");
	ck_assert_ptr_null(doc);
	json_decref(extra);
	json_decref(targets);
	th_repo_free(&r);
}
END_TEST

/* ---- repository directory -------------------------------------------- */

static char *
temp_dir(void)
{
	char tmpl[] = "/tmp/test-tuf.XXXXXX";
	char *d = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(d);
	return strdup(d);
}

static void
remove_dir(char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
}

static void
write_repo(const char *dir, struct th_repo *r)
{
	const struct ws_tuf_doc *roots[1] = { r->root->doc };
	struct ws_tuf_repo repo = { roots, 1, r->targets, r->snapshot, r->timestamp };

	ck_assert_ws_ok(ws_tuf_repo_write(dir, &repo));
}

static bool
file_exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void
overwrite(const char *dir, const char *name, const char *text)
{
	ck_assert_ws_ok(ws_tuf_repo_write_file(dir, name, (const uint8_t *)text, strlen(text)));
}

START_TEST(test_repo_write_and_verify_tuf)
{
	struct th_repo r;
	struct ws_tuf_repo_report rep;
	char *dir = temp_dir();
	struct stat st;
	char path[512];

	th_repo_build(&r, WS_TUF_SPEC);
	write_repo(dir, &r);
	ck_assert(file_exists(dir, "1.root.json") && file_exists(dir, "root.json") &&
	    file_exists(dir, "1.targets.json") && file_exists(dir, "targets.json") &&
	    file_exists(dir, "1.snapshot.json") && file_exists(dir, "snapshot.json") &&
	    file_exists(dir, "timestamp.json") && !file_exists(dir, "1.timestamp.json"));
	snprintf(path, sizeof(path), "%s/timestamp.json", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_ws_ok(ws_tuf_repo_verify(dir, WS_TUF_SPEC, TH_NOW, NULL, &rep));
	ck_assert_int_eq(rep.version[WS_TUF_ROOT], 1);
	ck_assert_int_eq(rep.version[WS_TUF_TIMESTAMP], 1);
	ck_assert_uint_eq(rep.targets, 2);
	ck_assert_uint_eq(rep.roots, 1);
	ck_assert_str_eq(rep.file, "");
	/* The wrong dialect is refused. */
	ck_assert_ws(ws_tuf_repo_verify(dir, WS_TUF_FOUNDRIES, TH_NOW, NULL, &rep), WS_ERR_TUF);
	ck_assert_str_eq(rep.file, "1.root.json");
	/* A week later the timestamp has expired. */
	ck_assert_ws(ws_tuf_repo_verify(dir, WS_TUF_SPEC, TH_NOW + 7 * TH_DAY, NULL, &rep), WS_ERR_TUF_EXPIRES);
	ck_assert_str_eq(ws_err_detail(), "timestamp.json: timestamp v1 expired at 2026-01-08T00:00:00Z (now 2026-01-08T00:00:00Z)");
	th_repo_free(&r);
	remove_dir(dir);
}
END_TEST

START_TEST(test_repo_verify_reports_tampering)
{
	struct th_repo r;
	struct ws_tuf_repo_report rep;
	char *dir = temp_dir();

	th_repo_build(&r, WS_TUF_FOUNDRIES);
	write_repo(dir, &r);
	ck_assert(!file_exists(dir, "1.targets.json"));
	ck_assert_ws_ok(ws_tuf_repo_verify(dir, WS_TUF_FOUNDRIES, TH_NOW, NULL, &rep));
	/* A changed targets.json: the snapshot's length and hash say so before anything is parsed. */
	overwrite(dir, "targets.json", "{}");
	ck_assert_ws(ws_tuf_repo_verify(dir, WS_TUF_FOUNDRIES, TH_NOW, NULL, &rep), WS_ERR_TUF);
	ck_assert_str_eq(rep.file, "targets.json");
	ck_assert_detail_starts("targets.json: targets.json has 2 bytes, but snapshot v1 records ");
	/* root.json that is not the newest N.root.json. */
	write_repo(dir, &r);
	overwrite(dir, "root.json", "{}");
	ck_assert_ws(ws_tuf_repo_verify(dir, WS_TUF_FOUNDRIES, TH_NOW, NULL, &rep), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "root.json: root.json is not the same file as 1.root.json, the newest root");
	/* A missing file. */
	write_repo(dir, &r);
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/timestamp.json", dir);
		ck_assert_int_eq(unlink(path), 0);
	}
	ck_assert_ws(ws_tuf_repo_verify(dir, WS_TUF_FOUNDRIES, TH_NOW, NULL, &rep), WS_ERR_NOT_FOUND);
	ck_assert_str_eq(rep.file, "timestamp.json");
	th_repo_free(&r);
	remove_dir(dir);
}
END_TEST

START_TEST(test_repo_verify_root_chain)
{
	struct th_repo r;
	struct ws_tuf_repo_report rep;
	struct ws_tuf_key *newroot = th_tuf_key(WS_TUF_SPEC, ed[3]);
	struct ws_tuf_key *signers[2];
	struct ws_tuf_key *keys[WS_TUF_ROLE_COUNT];
	struct ws_tuf_root_params p;
	struct ws_tuf_check c = th_check(0);
	struct ws_tuf_signer s;
	struct ws_tuf_root *v2 = NULL, *bad3 = NULL;
	char *dir = temp_dir();

	th_repo_build(&r, WS_TUF_SPEC);
	write_repo(dir, &r);
	memcpy(keys, r.keys, sizeof(keys));
	keys[WS_TUF_ROOT] = newroot;
	p = th_root_params(keys, 2, TH_NOW + 365 * TH_DAY);
	signers[0] = r.keys[WS_TUF_ROOT];
	signers[1] = newroot;
	s = th_signer(signers, 2);
	ck_assert_ws_ok(ws_tuf_root_sign(WS_TUF_SPEC, &p, r.root, &c, &s, &v2));
	ck_assert_ws_ok(ws_tuf_repo_write_doc(dir, v2->doc));
	ck_assert_ws_ok(ws_tuf_repo_verify(dir, WS_TUF_SPEC, TH_NOW, NULL, &rep));
	ck_assert_uint_eq(rep.roots, 2);
	ck_assert_int_eq(rep.version[WS_TUF_ROOT], 2);
	/* Against what was verified before: same versions pass, a newer one seen earlier is a rollback. */
	ck_assert_ws_ok(ws_tuf_repo_verify(dir, WS_TUF_SPEC, TH_NOW, &rep, &rep));
	rep.version[WS_TUF_SNAPSHOT] = 2;
	ck_assert_ws(ws_tuf_repo_verify(dir, WS_TUF_SPEC, TH_NOW, &rep, &rep), WS_ERR_TUF_VERSION);
	ck_assert_str_eq(ws_err_detail(), "snapshot.json: snapshot v1 is older than v2, which was verified "
	    "before (a rollback)");
	/* 3.root.json signed only by the old root key (not v2's): refused. */
	p.version = 3;
	c.allow_partial = true;
	s = th_signer(&signers[0], 1);
	ck_assert_ws(ws_tuf_root_sign(WS_TUF_SPEC, &p, v2, &c, &s, &bad3), WS_ERR_TUF);
	s = th_signer(&signers[1], 1);
	keys[WS_TUF_ROOT] = r.keys[WS_TUF_ROOT];
	p = th_root_params(keys, 3, TH_NOW + 365 * TH_DAY);
	ck_assert_ws_ok(ws_tuf_root_sign(WS_TUF_SPEC, &p, v2, &c, &s, &bad3));
	ck_assert_ws_ok(ws_tuf_repo_write_doc(dir, bad3->doc));
	ck_assert_ws(ws_tuf_repo_verify(dir, WS_TUF_SPEC, TH_NOW, NULL, &rep), WS_ERR_TUF_THRESHOLD);
	ck_assert_str_eq(rep.file, "3.root.json");
	ck_assert_detail_starts("3.root.json: signed by its own root keys: root v3: 0 of 1");
	ws_tuf_root_free(v2);
	ws_tuf_root_free(bad3);
	ws_tuf_key_free(newroot);
	th_repo_free(&r);
	remove_dir(dir);
}
END_TEST

START_TEST(test_repo_verify_refuses_delegations)
{
	struct th_repo r;
	struct ws_tuf_repo_report rep;
	struct ws_tuf_targets_params tp;
	struct ws_tuf_check c = th_check(1);
	struct ws_tuf_signer s;
	struct ws_tuf_doc *targets = NULL;
	json_t *map = th_targets_map(), *extra = json_pack("{s:{s:{}, s:[]}}", "delegations", "keys", "roles");
	char *dir = temp_dir();

	th_repo_build(&r, WS_TUF_SPEC);
	tp.version = 2;
	tp.expires = TH_NOW + TH_DAY;
	tp.targets = map;
	tp.extra = extra;
	s = th_signer(&r.keys[WS_TUF_TARGETS], 1);
	ck_assert_ws_ok(ws_tuf_targets_sign(r.root, &tp, &c, &s, &targets));
	ws_tuf_doc_free(r.targets);
	r.targets = targets;
	ws_tuf_doc_free(r.snapshot);
	ws_tuf_doc_free(r.timestamp);
	{
		struct ws_tuf_meta_file mf = { "targets.json", r.targets };
		struct ws_tuf_snapshot_params sp = { 2, TH_NOW + TH_DAY, &mf, 1 };
		struct ws_tuf_timestamp_params tsp;

		s = th_signer(&r.keys[WS_TUF_SNAPSHOT], 1);
		ck_assert_ws_ok(ws_tuf_snapshot_sign(r.root, &sp, &c, &s, &r.snapshot));
		tsp.version = 2;
		tsp.expires = TH_NOW + TH_DAY;
		tsp.snapshot = r.snapshot;
		s = th_signer(&r.keys[WS_TUF_TIMESTAMP], 1);
		ck_assert_ws_ok(ws_tuf_timestamp_sign(r.root, &tsp, &c, &s, &r.timestamp));
	}
	write_repo(dir, &r);
	ck_assert_ws(ws_tuf_repo_verify(dir, WS_TUF_SPEC, TH_NOW, NULL, &rep), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "2.targets.json: targets v2 declares delegations: delegated "
	    "targets roles are not verified by wavesign, so the repository is refused");
	json_decref(extra);
	json_decref(map);
	th_repo_free(&r);
	remove_dir(dir);
}
END_TEST

START_TEST(test_repo_write_file_refuses_paths)
{
	ck_assert_ws(ws_tuf_repo_write_file("/tmp", "../x.json", (const uint8_t *)"x", 1), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_tuf_repo_write_file("/nonexistent-dir-ws", "x.json", (const uint8_t *)"x", 1), WS_ERR_SYSTEM);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tuf");
	TCase *keys = tcase_create("keys");
	TCase *docs = tcase_create("documents");
	TCase *reject = tcase_create("rejections");
	TCase *roles = tcase_create("roles");
	TCase *repo = tcase_create("repository");
	TCase *all[] = { keys, docs, reject, roles, repo };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_unchecked_fixture(all[i], keys_setup, keys_teardown);
		tcase_set_timeout(all[i], 60);
	}
	tcase_add_test(keys, test_keyid_ed25519_vectors);
	tcase_add_test(keys, test_keyid_ecdsa_vector);
	tcase_add_test(keys, test_keyid_rsa_vectors);
	tcase_add_test(keys, test_key_ecdsa_refused_in_foundries);
	tcase_add_test(keys, test_key_type_must_match_spki);
	tcase_add_test(keys, test_key_from_json_checks_keyid);
	tcase_add_test(keys, test_hex_and_base64_strict);
	tcase_add_test(keys, test_expires_format_and_parse);
	tcase_add_test(keys, test_expires_bad_formats);

	tcase_add_test(docs, test_canonical_bytes_tuf);
	tcase_add_test(docs, test_canonical_vs_file_with_pem);
	tcase_add_test(docs, test_foundries_file_is_canonical);
	tcase_add_test(docs, test_tuf_signature_form);
	tcase_add_test(docs, test_sign_verify_every_scheme);
	tcase_add_test(docs, test_signer_returning_wrong_signature);

	tcase_add_test(reject, test_reject_wrong_key);
	tcase_add_test(reject, test_reject_stale_version);
	tcase_add_test(reject, test_reject_expired);
	tcase_add_test(reject, test_reject_duplicate_signature);
	tcase_add_test(reject, test_reject_tampered_file);
	tcase_add_test(reject, test_reject_below_threshold);
	tcase_add_test(reject, test_reject_bad_expires_format);
	tcase_add_test(reject, test_reject_wrong_type_case);
	tcase_add_test(reject, test_reject_non_ascii_in_foundries);
	tcase_add_test(reject, test_reject_spec_version);
	tcase_add_test(reject, test_reject_malformed_envelopes);

	tcase_add_test(roles, test_root_ci_and_production_differ_only_in_targets_threshold);
	tcase_add_test(roles, test_root_rotation);
	tcase_add_test(roles, test_root_parse_checks_roles);
	tcase_add_test(roles, test_snapshot_meta_matches_files);
	tcase_add_test(roles, test_snapshot_refuses_bad_targets);
	tcase_add_test(roles, test_targets_entries_and_extra);

	tcase_add_test(repo, test_repo_write_and_verify_tuf);
	tcase_add_test(repo, test_repo_verify_reports_tampering);
	tcase_add_test(repo, test_repo_verify_root_chain);
	tcase_add_test(repo, test_repo_verify_refuses_delegations);
	tcase_add_test(repo, test_repo_write_file_refuses_paths);

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		suite_add_tcase(s, all[i]);
	return ws_test_run(s);
}
