/*
 * test-p11.c -- the PKCS#11 token layer against a real SoftHSM2 token.
 *
 * Every test makes its own token in a fresh directory with its own
 * softhsm2.conf (SOFTHSM2_CONF), inside the test: Check forks per test, and
 * a module initialised before fork() is undefined in the child. The module
 * is $SOFTHSM2_MODULE (the test harness exports it) or the one configure
 * found (WS_SOFTHSM2_MODULE).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <p11-kit/p11-kit.h>

#include "test_common.h"
#include "ws_p11.h"
#include "ws_token_setup.h"

#include <p11-kit/pkcs11.h>	/* last: it #defines common words */

#define TEST_LABEL "wavesign-test"
#define TEST_URI "pkcs11:token=" TEST_LABEL
#define TEST_PIN "4711-user-pin"
#define TEST_SO_PIN "0815-so-pin"

#ifdef __SANITIZE_ADDRESS__
/*
 * SoftHSM 2.6.1 leaks a small ASN.1 string in every CKM_EDDSA C_SignInit
 * (valgrind: ASN1_item_d2i_ex called from inside libsofthsm2.so; the
 * valgrind run is covered by tests/valgrind.supp). For LeakSanitizer,
 * suppress leaks whose allocation stack passes through libsofthsm2.so, and
 * unwind slowly at malloc so that the stack reaches it: the fast unwinder
 * stops in libcrypto, which has no frame pointers.
 */
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libsofthsm2.so\n";
}

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}
#endif

static char tmpdir[256];
static char conf_path[300];
static char pin_path[300];
static char so_pin_path[300];

static const char *
module_path(void)
{
	const char *m = getenv("SOFTHSM2_MODULE");

	return m != NULL && m[0] != '\0' ? m : WS_SOFTHSM2_MODULE;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* A fresh token directory, configuration and PIN files; the token is initialised. */
static void
token_setup(void)
{
	char tokens[300], conf[600];
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test-p11.XXXXXX", base != NULL ? base : "/tmp");
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(tokens, sizeof(tokens), "%s/tokens", tmpdir);
	ck_assert_int_eq(mkdir(tokens, 0700), 0);
	snprintf(conf_path, sizeof(conf_path), "%s/softhsm2.conf", tmpdir);
	snprintf(conf, sizeof(conf), "directories.tokendir = %s\nobjectstore.backend = file\n"
	    "log.level = ERROR\nslots.removable = false\n", tokens);
	write_file(conf_path, conf, 0600);
	ck_assert_int_eq(setenv("SOFTHSM2_CONF", conf_path, 1), 0);

	snprintf(pin_path, sizeof(pin_path), "%s/pin", tmpdir);
	snprintf(so_pin_path, sizeof(so_pin_path), "%s/so-pin", tmpdir);
	write_file(pin_path, TEST_PIN "\n", 0600);
	write_file(so_pin_path, TEST_SO_PIN "\n", 0600);

	ck_assert_ws_ok(ws_token_setup(module_path(), TEST_LABEL, so_pin_path, pin_path));
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
token_teardown(void)
{
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

static struct ws_token *
token_open(void)
{
	struct ws_token_params p = {
		.uri = TEST_URI, .module = module_path(), .pin_file = pin_path,
	};
	struct ws_token *tok = NULL;

	ck_assert_ws_ok(ws_token_open(&p, &tok));
	ck_assert_ptr_nonnull(tok);
	return tok;
}

static ws_err
token_open_with(const char *uri, const char *pin_file, struct ws_token **tok)
{
	struct ws_token_params p = { .uri = uri, .module = module_path(), .pin_file = pin_file };

	*tok = NULL;
	return ws_token_open(&p, tok);
}

/* Verifies sig over msg with the SubjectPublicKeyInfo DER of key. */
static int
verify(const struct ws_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
    size_t sig_len)
{
	const unsigned char *p = key->spki;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)key->spki_len);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	ck_assert_ptr_nonnull(pkey);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_eq(p, key->spki + key->spki_len);
	switch (key->type) {
	case WS_KEY_EC_P256:
		ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey), 1);
		break;
	case WS_KEY_ED25519:
		ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey), 1);
		break;
	case WS_KEY_RSA:
		ck_assert_int_eq(EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, pkey), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()), 1);
		break;
	}
	ok = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

/* The fingerprint is the hex SHA-256 of the SPKI DER. */
static void
assert_fingerprint(const struct ws_key *key)
{
	unsigned char md[32];
	char hex[65];

	ck_assert_int_eq(EVP_Digest(key->spki, key->spki_len, md, NULL, EVP_sha256(), NULL), 1);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	ck_assert_str_eq(key->fingerprint, hex);
}

static void
assert_spki_type(const struct ws_key *key, int evp_type, int bits)
{
	const unsigned char *p = key->spki;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)key->spki_len);

	ck_assert_ptr_nonnull(pkey);
	ck_assert_int_eq(EVP_PKEY_get_base_id(pkey), evp_type);
	ck_assert_int_eq(EVP_PKEY_get_bits(pkey), bits);
	EVP_PKEY_free(pkey);
}

/* ---- opening the token ---- */

START_TEST(test_open_login_ok)
{
	struct ws_token *tok = token_open();

	ck_assert_str_eq(ws_token_label(tok), TEST_LABEL);
	ck_assert_ptr_nonnull(strstr(ws_token_model(tok), "SoftHSM"));
	ck_assert_ptr_nonnull(ws_token_main_session(tok));
	/* Closing the main session is refused silently: it keeps the login. */
	ws_session_close(ws_token_main_session(tok));
	ws_token_close(tok);
}
END_TEST

START_TEST(test_open_pin_given_directly)
{
	struct ws_token_params p = { .uri = TEST_URI, .module = module_path(), .pin = TEST_PIN };
	struct ws_token *tok = NULL;

	ck_assert_ws_ok(ws_token_open(&p, &tok));
	ws_token_close(tok);
}
END_TEST

START_TEST(test_open_wrong_pin)
{
	char wrong[320];
	struct ws_token *tok = NULL;

	snprintf(wrong, sizeof(wrong), "%s/wrong-pin", tmpdir);
	write_file(wrong, "not-the-pin\n", 0600);
	ck_assert_ws(token_open_with(TEST_URI, wrong, &tok), WS_ERR_TOKEN_LOGIN);
	ck_assert_ptr_null(tok);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "CKR_PIN_INCORRECT"));
	ck_assert_str_eq(ws_err_detail(), "token '" TEST_LABEL "': C_Login: CKR_PIN_INCORRECT");
}
END_TEST

START_TEST(test_open_no_pin)
{
	struct ws_token_params p = { .uri = TEST_URI, .module = module_path() };
	struct ws_token *tok = NULL;

	ck_assert_ws(ws_token_open(&p, &tok), WS_ERR_PIN);
	ck_assert_ptr_null(tok);
}
END_TEST

START_TEST(test_open_pin_file_mode_0644)
{
	struct ws_token *tok = NULL;

	ck_assert_int_eq(chmod(pin_path, 0644), 0);
	ck_assert_ws(token_open_with(TEST_URI, pin_path, &tok), WS_ERR_INSECURE_FILE);
	ck_assert_ptr_null(tok);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "has mode 0644"));
}
END_TEST

START_TEST(test_open_pin_file_missing)
{
	char missing[320];
	struct ws_token *tok = NULL;

	/* A missing PIN file is WS_ERR_PIN (not WS_ERR_SYSTEM): the PIN cannot be read. */
	snprintf(missing, sizeof(missing), "%s/no-such-pin", tmpdir);
	ck_assert_ws(token_open_with(TEST_URI, missing, &tok), WS_ERR_PIN);
	ck_assert_ptr_null(tok);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "No such file or directory"));
}
END_TEST

START_TEST(test_uri_matches_no_token)
{
	struct ws_token *tok = NULL;

	ck_assert_ws(token_open_with("pkcs11:token=no-such-token", pin_path, &tok),
	    WS_ERR_TOKEN_NOT_FOUND);
	ck_assert_ptr_null(tok);
	ck_assert_str_eq(ws_err_detail(), "no initialised token matches 'pkcs11:token=no-such-token'; "
	    "token labels seen: '" TEST_LABEL "'");
}
END_TEST

START_TEST(test_uri_narrowed_by_manufacturer)
{
	struct ws_token *tok = NULL;

	ck_assert_ws_ok(token_open_with(TEST_URI ";manufacturer=SoftHSM%20project", pin_path, &tok));
	ws_token_close(tok);
	ck_assert_ws(token_open_with(TEST_URI ";manufacturer=Someone%20Else", pin_path, &tok),
	    WS_ERR_TOKEN_NOT_FOUND);
}
END_TEST

START_TEST(test_uri_without_token_refused)
{
	struct ws_token *tok = NULL;

	ck_assert_ws(token_open_with("pkcs11:manufacturer=SoftHSM%20project", pin_path, &tok),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(tok);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "has no token label"));
	ck_assert_ws(token_open_with("pkcs11:", pin_path, &tok), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(token_open_with("pkcs11:token=", pin_path, &tok), WS_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_uri_slot_id_refused)
{
	struct ws_token *tok = NULL;

	ck_assert_ws(token_open_with("pkcs11:slot-id=0", pin_path, &tok), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "selects a slot"));
	ck_assert_ws(token_open_with(TEST_URI ";slot-id=0", pin_path, &tok),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(token_open_with("pkcs11:slot-description=SoftHSM%20slot%200", pin_path, &tok),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "selects a slot"));
}
END_TEST

START_TEST(test_uri_other_parts_refused)
{
	struct ws_token *tok = NULL;

	ck_assert_ws(token_open_with(TEST_URI "?pin-value=" TEST_PIN, pin_path, &tok),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "carries a PIN"));
	ck_assert_ws(token_open_with(TEST_URI ";object=root-ca", pin_path, &tok),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "names an object"));
	ck_assert_ws(token_open_with(TEST_URI ";colour=blue", pin_path, &tok),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(token_open_with("file:token=" TEST_LABEL, pin_path, &tok),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(token_open_with(TEST_URI "?module-path=/elsewhere/libother.so", pin_path, &tok),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "names module /elsewhere/libother.so"));
}
END_TEST

START_TEST(test_module_missing)
{
	struct ws_token_params p = {
		.uri = TEST_URI, .module = "/nonexistent/libnothing.so", .pin_file = pin_path,
	};
	struct ws_token *tok = NULL;

	ck_assert_ws(ws_token_open(&p, &tok), WS_ERR_TOKEN);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "cannot load PKCS#11 module /nonexistent/"));
}
END_TEST

START_TEST(test_module_from_uri_path)
{
	char uri[512];
	struct ws_token_params p = { .uri = uri, .pin_file = pin_path };
	struct ws_token *tok = NULL;

	snprintf(uri, sizeof(uri), TEST_URI "?module-path=%s", module_path());
	ck_assert_ws_ok(ws_token_open(&p, &tok));
	ck_assert_str_eq(ws_token_label(tok), TEST_LABEL);
	ws_token_close(tok);
}
END_TEST

/*
 * Without a module path, p11-kit's configured modules are searched. Debian's
 * softhsm2 package registers its module with p11-kit; where it does not,
 * this machine has no configured module to test with.
 */
START_TEST(test_module_from_p11kit_config)
{
	struct ws_token_params p = { .uri = TEST_URI, .pin_file = pin_path };
	struct ws_token *tok = NULL;

	if (access("/usr/share/p11-kit/modules/softhsm2.module", R_OK) != 0)
		return;
	ck_assert_ws_ok(ws_token_open(&p, &tok));
	ck_assert_str_eq(ws_token_label(tok), TEST_LABEL);
	ws_token_close(tok);
	p.uri = TEST_URI "?module-name=softhsm2";
	ck_assert_ws_ok(ws_token_open(&p, &tok));
	ws_token_close(tok);
	p.uri = TEST_URI "?module-name=no-such-module";
	ck_assert_ws(ws_token_open(&p, &tok), WS_ERR_TOKEN_NOT_FOUND);
	ck_assert_str_eq(ws_err_detail(), "no initialised token matches '" TEST_URI
	    "?module-name=no-such-module'; token labels seen: none");
}
END_TEST

/* ---- PIN files ---- */

START_TEST(test_pin_read_ok)
{
	char pin[WS_PIN_MAX + 1], crlf[320];

	ck_assert_ws_ok(ws_pin_read_file(pin_path, pin, sizeof(pin)));
	ck_assert_str_eq(pin, TEST_PIN);
	snprintf(crlf, sizeof(crlf), "%s/crlf", tmpdir);
	write_file(crlf, "with space\r\n", 0400);
	ck_assert_ws_ok(ws_pin_read_file(crlf, pin, sizeof(pin)));
	ck_assert_str_eq(pin, "with space");
}
END_TEST

START_TEST(test_pin_read_mode_0644)
{
	char pin[WS_PIN_MAX + 1];

	ck_assert_int_eq(chmod(pin_path, 0644), 0);
	ck_assert_ws(ws_pin_read_file(pin_path, pin, sizeof(pin)), WS_ERR_INSECURE_FILE);
	ck_assert_int_eq(chmod(pin_path, 0640), 0);
	ck_assert_ws(ws_pin_read_file(pin_path, pin, sizeof(pin)), WS_ERR_INSECURE_FILE);
	ck_assert_int_eq(chmod(pin_path, 0601), 0);
	ck_assert_ws(ws_pin_read_file(pin_path, pin, sizeof(pin)), WS_ERR_INSECURE_FILE);
}
END_TEST

START_TEST(test_pin_read_missing)
{
	char pin[WS_PIN_MAX + 1], missing[320];

	snprintf(missing, sizeof(missing), "%s/none", tmpdir);
	ck_assert_ws(ws_pin_read_file(missing, pin, sizeof(pin)), WS_ERR_PIN);
}
END_TEST

START_TEST(test_pin_read_symlink)
{
	char pin[WS_PIN_MAX + 1], link_path[320];

	snprintf(link_path, sizeof(link_path), "%s/pin-link", tmpdir);
	ck_assert_int_eq(symlink(pin_path, link_path), 0);
	ck_assert_ws(ws_pin_read_file(link_path, pin, sizeof(pin)), WS_ERR_INSECURE_FILE);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "is a symbolic link"));
}
END_TEST

START_TEST(test_pin_read_not_regular)
{
	char pin[WS_PIN_MAX + 1], fifo[320];

	ck_assert_ws(ws_pin_read_file(tmpdir, pin, sizeof(pin)), WS_ERR_INSECURE_FILE);
	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_ws(ws_pin_read_file(fifo, pin, sizeof(pin)), WS_ERR_INSECURE_FILE);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "not a regular file"));
}
END_TEST

START_TEST(test_pin_read_wrong_owner)
{
	char pin[WS_PIN_MAX + 1];

	/* Only root can give the file away; as anyone else there is nothing to test here. */
	if (geteuid() != 0)
		return;
	ck_assert_int_eq(chown(pin_path, 65534, 65534), 0);
	ck_assert_ws(ws_pin_read_file(pin_path, pin, sizeof(pin)), WS_ERR_INSECURE_FILE);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "is owned by uid 65534"));
}
END_TEST

START_TEST(test_pin_read_empty_and_too_long)
{
	char pin[8], path[320];

	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	write_file(path, "\n", 0600);
	ck_assert_ws(ws_pin_read_file(path, pin, sizeof(pin)), WS_ERR_PIN);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "is empty"));
	write_file(path, "12345678\n", 0600);
	ck_assert_ws(ws_pin_read_file(path, pin, sizeof(pin)), WS_ERR_PIN);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "more than 7 bytes"));
	write_file(path, "1234567\n", 0600);
	ck_assert_ws_ok(ws_pin_read_file(path, pin, sizeof(pin)));
	ck_assert_str_eq(pin, "1234567");
}
END_TEST

/* ---- token initialisation ---- */

START_TEST(test_init_existing_label)
{
	ck_assert_ws(ws_token_init_new(module_path(), TEST_LABEL, TEST_SO_PIN, TEST_PIN),
	    WS_ERR_EXISTS);
	ck_assert_ws(ws_token_setup(module_path(), TEST_LABEL, so_pin_path, pin_path),
	    WS_ERR_EXISTS);
}
END_TEST

START_TEST(test_init_second_token)
{
	struct ws_token *tok = NULL;

	ck_assert_ws_ok(ws_token_init_new(module_path(), "second", "so-pin-2", "user-pin-2"));
	ck_assert_ws_ok(token_open_with(TEST_URI, pin_path, &tok));
	ws_token_close(tok);
	ck_assert_ws(token_open_with("pkcs11:token=second", pin_path, &tok), WS_ERR_TOKEN_LOGIN);
	ck_assert_ws(token_open_with("pkcs11:token=third", pin_path, &tok), WS_ERR_TOKEN_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "'" TEST_LABEL "'"));
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "'second'"));
}
END_TEST

START_TEST(test_init_bad_arguments)
{
	ck_assert_ws(ws_token_init_new(module_path(), "", "so", "user"), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_token_init_new(module_path(), "a-label-that-is-longer-than-32-bytes",
	    "so", "user"), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_token_init_new(module_path(), "ok", "", "user"), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_token_init_new(NULL, "ok", "so", "user"), WS_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(chmod(so_pin_path, 0644), 0);
	ck_assert_ws(ws_token_setup(module_path(), "other", so_pin_path, pin_path),
	    WS_ERR_INSECURE_FILE);
}
END_TEST

/* ---- keys ---- */

static void
generate_and_find(enum ws_key_type type, unsigned rsa_bits, int evp_type, int bits)
{
	struct ws_token *tok = token_open();
	struct ws_session *s = ws_token_main_session(tok);
	struct ws_key *gen = NULL, *found = NULL;

	ck_assert_ws_ok(ws_key_generate(s, "k1", NULL, 0, type, rsa_bits, &gen));
	ck_assert_str_eq(gen->label, "k1");
	ck_assert_int_eq(gen->type, type);
	ck_assert_uint_eq(gen->bits, (unsigned)bits);
	ck_assert_uint_eq(gen->id_len, 8);
	assert_spki_type(gen, evp_type, bits);
	assert_fingerprint(gen);

	ck_assert_ws_ok(ws_key_find(s, "k1", &found));
	ck_assert_int_eq(found->type, type);
	ck_assert_uint_eq(found->bits, (unsigned)bits);
	ck_assert_uint_eq(found->id_len, gen->id_len);
	ck_assert_mem_eq(found->id, gen->id, gen->id_len);
	ck_assert_uint_eq(found->spki_len, gen->spki_len);
	ck_assert_mem_eq(found->spki, gen->spki, gen->spki_len);
	ck_assert_str_eq(found->fingerprint, gen->fingerprint);
	ck_assert_int_eq(found->sensitive, 1);
	ck_assert_int_eq(found->extractable, 0);
	ck_assert_int_eq(found->never_extractable, 1);
	ck_assert_int_eq(found->always_sensitive, 1);
	ck_assert_ws_ok(ws_key_check_safe(found));
	ck_assert_ws_ok(ws_key_check_safe(gen));
	ws_key_free(gen);
	ws_key_free(found);
	ws_token_close(tok);
}

START_TEST(test_generate_find_ec_p256)
{
	generate_and_find(WS_KEY_EC_P256, 0, EVP_PKEY_EC, 256);
}
END_TEST

START_TEST(test_generate_find_ed25519)
{
	generate_and_find(WS_KEY_ED25519, 0, EVP_PKEY_ED25519, 256);
}
END_TEST

START_TEST(test_generate_find_rsa2048)
{
	generate_and_find(WS_KEY_RSA, 2048, EVP_PKEY_RSA, 2048);
}
END_TEST

START_TEST(test_generate_with_id_survives_reopen)
{
	static const uint8_t id[] = { 0x01 };
	struct ws_token *tok = token_open();
	struct ws_key *gen = NULL, *found = NULL;

	ck_assert_ws_ok(ws_key_generate(ws_token_main_session(tok), "root-ca", id, sizeof(id),
	    WS_KEY_EC_P256, 0, &gen));
	ws_token_close(tok);

	tok = token_open();
	ck_assert_ws_ok(ws_key_find(ws_token_main_session(tok), "root-ca", &found));
	ck_assert_uint_eq(found->id_len, 1);
	ck_assert_uint_eq(found->id[0], 0x01);
	ck_assert_str_eq(found->fingerprint, gen->fingerprint);
	ws_key_free(gen);
	ws_key_free(found);
	ws_token_close(tok);
}
END_TEST

START_TEST(test_generate_duplicate_label)
{
	struct ws_token *tok = token_open();
	struct ws_session *s = ws_token_main_session(tok);
	struct ws_key *k = NULL, *dup = NULL;

	ck_assert_ws_ok(ws_key_generate(s, "tuf-targets-1", NULL, 0, WS_KEY_ED25519, 0, &k));
	ck_assert_ws(ws_key_generate(s, "tuf-targets-1", NULL, 0, WS_KEY_EC_P256, 0, &dup),
	    WS_ERR_KEY_EXISTS);
	ck_assert_ptr_null(dup);
	ck_assert_str_eq(ws_err_detail(),
	    "token '" TEST_LABEL "' already holds a key labelled 'tuf-targets-1'");
	ws_key_free(k);
	ws_token_close(tok);
}
END_TEST

START_TEST(test_generate_bad_arguments)
{
	struct ws_token *tok = token_open();
	struct ws_session *s = ws_token_main_session(tok);
	uint8_t id[WS_KEY_ID_MAX + 1] = { 0 };
	struct ws_key *k = NULL;

	ck_assert_ws(ws_key_generate(s, "", NULL, 0, WS_KEY_EC_P256, 0, &k), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_key_generate(s, "bad\nlabel", NULL, 0, WS_KEY_EC_P256, 0, &k),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_key_generate(s, "rsa", NULL, 0, WS_KEY_RSA, 1024, &k),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_key_generate(s, "rsa", NULL, 0, WS_KEY_RSA, 8192, &k),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_key_generate(s, "id", id, sizeof(id), WS_KEY_EC_P256, 0, &k),
	    WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_key_generate(s, "type", NULL, 0, (enum ws_key_type)42, 0, &k),
	    WS_ERR_KEY_TYPE);
	ck_assert_ptr_null(k);
	ws_token_close(tok);
}
END_TEST

START_TEST(test_find_missing)
{
	struct ws_token *tok = token_open();
	struct ws_key *k = NULL;

	ck_assert_ws(ws_key_find(ws_token_main_session(tok), "device-ca", &k), WS_ERR_KEY_NOT_FOUND);
	ck_assert_ptr_null(k);
	ck_assert_str_eq(ws_err_detail(),
	    "token '" TEST_LABEL "' has no private key labelled 'device-ca'");
	ws_token_close(tok);
}
END_TEST

/* ---- signing ---- */

static void
sign_and_verify(enum ws_key_type type, unsigned rsa_bits, enum ws_sig_alg alg, size_t max_len)
{
	static const uint8_t msg[] = "{\"signed\":{\"_type\":\"Targets\",\"version\":42}}";
	struct ws_token *tok = token_open();
	struct ws_session *s = NULL;
	struct ws_key *k = NULL;
	uint8_t sig[WS_SIG_MAX], tampered[sizeof(msg)];
	size_t sig_len = 0;

	ck_assert_ws_ok(ws_session_open(tok, &s));
	ck_assert_ws_ok(ws_key_generate(s, "signer", NULL, 0, type, rsa_bits, &k));
	ck_assert_int_eq(ws_key_default_alg(type), alg);
	ck_assert_ws_ok(ws_key_sign(s, k, alg, msg, sizeof(msg) - 1, sig, &sig_len));
	ck_assert_uint_gt(sig_len, 0);
	ck_assert_uint_le(sig_len, max_len);
	ck_assert_int_eq(verify(k, msg, sizeof(msg) - 1, sig, sig_len), 1);

	memcpy(tampered, msg, sizeof(msg));
	tampered[10] ^= 0x01;
	ck_assert_int_eq(verify(k, tampered, sizeof(msg) - 1, sig, sig_len), 0);
	sig[sig_len / 2] ^= 0x01;
	ck_assert_int_eq(verify(k, msg, sizeof(msg) - 1, sig, sig_len), 0);

	/* The empty message is a message too. */
	ck_assert_ws_ok(ws_key_sign(s, k, alg, NULL, 0, sig, &sig_len));
	ck_assert_int_eq(verify(k, (const uint8_t *)"", 0, sig, sig_len), 1);

	ws_key_free(k);
	ws_session_close(s);
	ws_token_close(tok);
}

START_TEST(test_sign_verify_ecdsa)
{
	sign_and_verify(WS_KEY_EC_P256, 0, WS_SIG_ECDSA_SHA256, 72);
}
END_TEST

START_TEST(test_sign_verify_ed25519)
{
	sign_and_verify(WS_KEY_ED25519, 0, WS_SIG_ED25519, 64);
}
END_TEST

START_TEST(test_sign_verify_rsa_pss)
{
	sign_and_verify(WS_KEY_RSA, 2048, WS_SIG_RSA_PSS_SHA256, 256);
}
END_TEST

START_TEST(test_sign_wrong_alg)
{
	struct ws_token *tok = token_open();
	struct ws_session *s = ws_token_main_session(tok);
	struct ws_key *k = NULL;
	uint8_t sig[WS_SIG_MAX];
	size_t sig_len = 0;

	ck_assert_ws_ok(ws_key_generate(s, "ed", NULL, 0, WS_KEY_ED25519, 0, &k));
	ck_assert_ws(ws_key_sign(s, k, WS_SIG_ECDSA_SHA256, (const uint8_t *)"x", 1, sig, &sig_len),
	    WS_ERR_KEY_TYPE);
	ck_assert_uint_eq(sig_len, 0);
	ws_key_free(k);
	ws_token_close(tok);
}
END_TEST

/* ---- key safety: keys made by the test through raw PKCS#11 ---- */

/*
 * Generates an EC P-256 pair labelled label with the given CKA_EXTRACTABLE
 * and CKA_SENSITIVE, through its own managed module instance.
 */
static void
raw_generate(const char *label, CK_BBOOL extractable, CK_BBOOL sensitive)
{
	static const uint8_t p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pub_tmpl[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_EC_PARAMS, (void *)p256, sizeof(p256) },
	};
	CK_ATTRIBUTE priv_tmpl[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &sensitive, sizeof(sensitive) },
		{ CKA_EXTRACTABLE, &extractable, sizeof(extractable) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_MECHANISM mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_FUNCTION_LIST *fn;
	CK_SLOT_ID slots[8], slot = 0;
	CK_ULONG n = 8;
	CK_TOKEN_INFO info;
	CK_SESSION_HANDLE sh;
	CK_OBJECT_HANDLE pub, priv;
	int found = 0;

	fn = p11_kit_module_load(module_path(), 0);
	ck_assert_ptr_nonnull(fn);
	ck_assert_uint_eq(p11_kit_module_initialize(fn), CKR_OK);
	ck_assert_uint_eq(fn->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	for (CK_ULONG i = 0; i < n; i++) {
		ck_assert_uint_eq(fn->C_GetTokenInfo(slots[i], &info), CKR_OK);
		if (memcmp(info.label, TEST_LABEL " ", sizeof(TEST_LABEL)) == 0) {
			slot = slots[i];
			found++;
		}
	}
	ck_assert_int_eq(found, 1);
	ck_assert_uint_eq(fn->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
	    &sh), CKR_OK);
	ck_assert_uint_eq(fn->C_Login(sh, CKU_USER, (CK_UTF8CHAR *)TEST_PIN, strlen(TEST_PIN)),
	    CKR_OK);
	ck_assert_uint_eq(fn->C_GenerateKeyPair(sh, &mech, pub_tmpl, 4, priv_tmpl, 6, &pub, &priv),
	    CKR_OK);
	ck_assert_uint_eq(fn->C_Logout(sh), CKR_OK);
	ck_assert_uint_eq(fn->C_CloseSession(sh), CKR_OK);
	ck_assert_uint_eq(p11_kit_module_finalize(fn), CKR_OK);
	p11_kit_module_release(fn);
}

START_TEST(test_check_safe_extractable)
{
	struct ws_token *tok;
	struct ws_key *k = NULL;

	raw_generate("raw-extractable", CK_TRUE, CK_TRUE);
	tok = token_open();
	/* Found without a CKA_ID: the public key is matched by label. */
	ck_assert_ws_ok(ws_key_find(ws_token_main_session(tok), "raw-extractable", &k));
	ck_assert_uint_eq(k->id_len, 0);
	ck_assert_int_eq(k->extractable, 1);
	ck_assert_ws(ws_key_check_safe(k), WS_ERR_KEY_UNSAFE);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "'raw-extractable'"));
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "CKA_EXTRACTABLE"));
	ck_assert_str_eq(ws_err_detail(), "key 'raw-extractable': CKA_EXTRACTABLE is TRUE, "
	    "CKA_NEVER_EXTRACTABLE is FALSE");
	ws_key_free(k);
	ws_token_close(tok);
}
END_TEST

START_TEST(test_check_safe_not_sensitive)
{
	struct ws_token *tok;
	struct ws_key *k = NULL;

	raw_generate("raw-plain", CK_FALSE, CK_FALSE);
	tok = token_open();
	ck_assert_ws_ok(ws_key_find(ws_token_main_session(tok), "raw-plain", &k));
	ck_assert_ws(ws_key_check_safe(k), WS_ERR_KEY_UNSAFE);
	ck_assert_str_eq(ws_err_detail(), "key 'raw-plain': CKA_SENSITIVE is FALSE, "
	    "CKA_ALWAYS_SENSITIVE is FALSE");
	ws_key_free(k);
	ws_token_close(tok);
}
END_TEST

/* ---- threads ---- */

#define THREAD_SIGNATURES 50

struct signer {
	struct ws_token *tok;
	const struct ws_key *key;
	int thread_no;
	ws_err err;
	int verified;
	char detail[256];
};

static void *
signer_run(void *arg)
{
	struct signer *sg = arg;
	struct ws_session *s = NULL;
	uint8_t msg[64], sig[WS_SIG_MAX];
	size_t sig_len;

	sg->err = ws_session_open(sg->tok, &s);
	for (int i = 0; sg->err == WS_OK && i < THREAD_SIGNATURES; i++) {
		int n = snprintf((char *)msg, sizeof(msg), "thread %d message %d", sg->thread_no, i);

		sg->err = ws_key_sign(s, sg->key, ws_key_default_alg(sg->key->type), msg, (size_t)n,
		    sig, &sig_len);
		if (sg->err == WS_OK)
			sg->verified += verify(sg->key, msg, (size_t)n, sig, sig_len);
	}
	if (sg->err != WS_OK)
		snprintf(sg->detail, sizeof(sg->detail), "%s", ws_err_message(sg->err));
	ws_session_close(s);
	return NULL;
}

START_TEST(test_two_threads_sign)
{
	struct ws_token *tok = token_open();
	struct ws_key *ec = NULL, *ed = NULL;
	struct signer sg[2];
	pthread_t th[2];

	ck_assert_ws_ok(ws_key_generate(ws_token_main_session(tok), "ec", NULL, 0, WS_KEY_EC_P256,
	    0, &ec));
	ck_assert_ws_ok(ws_key_generate(ws_token_main_session(tok), "ed", NULL, 0, WS_KEY_ED25519,
	    0, &ed));
	memset(sg, 0, sizeof(sg));
	for (int i = 0; i < 2; i++) {
		sg[i].tok = tok;
		sg[i].key = i == 0 ? ec : ed;
		sg[i].thread_no = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, signer_run, &sg[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_msg(sg[i].err == WS_OK, "thread %d: %s", i, sg[i].detail);
		ck_assert_int_eq(sg[i].verified, THREAD_SIGNATURES);
	}
	ws_key_free(ec);
	ws_key_free(ed);
	ws_token_close(tok);
}
END_TEST

/* ---- names ---- */

START_TEST(test_type_names)
{
	ck_assert_str_eq(ws_key_type_name(WS_KEY_EC_P256), "ec-p256");
	ck_assert_str_eq(ws_key_type_name(WS_KEY_ED25519), "ed25519");
	ck_assert_str_eq(ws_key_type_name(WS_KEY_RSA), "rsa");
	ck_assert_int_eq(ws_key_default_alg(WS_KEY_RSA), WS_SIG_RSA_PSS_SHA256);
}
END_TEST

/* ---- outages: the token loses its login, or is marked lost, and comes back ---- */

/*
 * Logs the process out of the token behind the layer's back, as another
 * part of the application (or a token reset) would: straight through
 * SoftHSM2's own function list, which is the module instance the layer
 * loaded (one per process). SoftHSM2 then drops the login and the handles
 * of private objects.
 */
static void
logout_behind_the_back(void)
{
	void *h = dlopen(module_path(), RTLD_NOW | RTLD_NOLOAD);
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST *fn = NULL;
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8;
	CK_SESSION_HANDLE sh;

	ck_assert_ptr_nonnull(h);
	get = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList");
	ck_assert_ptr_nonnull(get);
	ck_assert_int_eq(get(&fn), CKR_OK);
	ck_assert_int_eq(fn->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	ck_assert_uint_ge(n, 1);
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;

		ck_assert_int_eq(fn->C_GetTokenInfo(slots[i], &ti), CKR_OK);
		if ((ti.flags & CKF_TOKEN_INITIALIZED) == 0)
			continue;
		ck_assert_int_eq(fn->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &sh), CKR_OK);
		ck_assert_int_eq(fn->C_Logout(sh), CKR_OK);
		ck_assert_int_eq(fn->C_CloseSession(sh), CKR_OK);
	}
	dlclose(h);
}

START_TEST(test_outage_ckr_classes)
{
	static const unsigned long lost[] = {
		CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_TOKEN_NOT_RECOGNIZED, CKR_DEVICE_ERROR,
		CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_USER_NOT_LOGGED_IN,
		CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID, CKR_SLOT_ID_INVALID,
	};
	static const unsigned long refused[] = {
		CKR_OK, CKR_GENERAL_ERROR, CKR_ARGUMENTS_BAD, CKR_MECHANISM_INVALID, CKR_PIN_INCORRECT,
		CKR_KEY_TYPE_INCONSISTENT, CKR_DEVICE_MEMORY, CKR_ATTRIBUTE_TYPE_INVALID,
		CKR_CRYPTOKI_NOT_INITIALIZED,
	};

	for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++)
		ck_assert_msg(ws_ckr_token_lost(lost[i]), "%s should mean the token is gone",
		    ws_ckr_name(lost[i]));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		ck_assert_msg(!ws_ckr_token_lost(refused[i]), "%s should not mean the token is gone",
		    ws_ckr_name(refused[i]));
}
END_TEST

START_TEST(test_outage_logout_reconnect)
{
	static const uint8_t msg[] = "wave 42";
	struct ws_token *tok = token_open();
	struct ws_session *s = NULL;
	struct ws_key *k = NULL;
	uint8_t sig[WS_SIG_MAX];
	size_t sig_len = 0;
	char reason[512];

	ck_assert_ws_ok(ws_session_open(tok, &s));
	ck_assert_ws_ok(ws_key_generate(s, "signer", NULL, 0, WS_KEY_EC_P256, 0, &k));
	ck_assert_ws_ok(ws_session_check(s));
	ck_assert_int_eq(ws_token_state(tok, reason, sizeof(reason)), 0);
	ck_assert_str_eq(reason, "");

	logout_behind_the_back();
	ck_assert_ws(ws_session_check(s), WS_ERR_TOKEN_UNAVAILABLE);
	ck_assert_str_eq(ws_err_detail(),
	    "token '" TEST_LABEL "' is no longer logged in (session in CKS_RW_PUBLIC_SESSION)");
	ck_assert_int_eq(ws_token_lost(tok), 1);
	ck_assert_int_eq(ws_token_state(tok, reason, sizeof(reason)), 1);
	ck_assert_str_eq(reason,
	    "token '" TEST_LABEL "' is no longer logged in (session in CKS_RW_PUBLIC_SESSION)");
	/* Nothing touches the token while it is marked lost. */
	ck_assert_ws(ws_key_sign(s, k, WS_SIG_ECDSA_SHA256, msg, sizeof(msg) - 1, sig, &sig_len),
	    WS_ERR_TOKEN_UNAVAILABLE);
	ck_assert_str_eq(ws_err_detail(), "token '" TEST_LABEL "' is marked unavailable until it "
	    "answers again (token '" TEST_LABEL "' is no longer logged in (session in "
	    "CKS_RW_PUBLIC_SESSION))");

	ck_assert_ws_ok(ws_token_reconnect(tok));
	ck_assert_int_eq(ws_token_lost(tok), 0);
	ck_assert_int_eq(ws_session_stale(s), 1);
	ck_assert_ws_ok(ws_session_renew(s));
	ck_assert_int_eq(ws_session_stale(s), 0);
	ck_assert_ws_ok(ws_session_check(s));
	/* SoftHSM2 dropped the private key's handle with the login. */
	ck_assert_ws(ws_key_sign(s, k, WS_SIG_ECDSA_SHA256, msg, sizeof(msg) - 1, sig, &sig_len),
	    WS_ERR_TOKEN_UNAVAILABLE);
	ck_assert_str_eq(ws_err_detail(), "key 'signer': C_SignInit: CKR_OBJECT_HANDLE_INVALID");
	ck_assert_int_eq(ws_token_lost(tok), 1);

	/* Reconnect, find the key again: it signs, and the signature verifies. */
	ck_assert_ws_ok(ws_token_reconnect(tok));
	ck_assert_ws_ok(ws_session_renew(s));
	ck_assert_ws_ok(ws_key_refresh(s, k));
	ck_assert_ws_ok(ws_key_sign(s, k, WS_SIG_ECDSA_SHA256, msg, sizeof(msg) - 1, sig, &sig_len));
	ck_assert_int_eq(verify(k, msg, sizeof(msg) - 1, sig, sig_len), 1);

	ws_key_free(k);
	ws_session_close(s);
	ws_token_close(tok);
}
END_TEST

START_TEST(test_outage_reconnect_pin_file_insecure)
{
	struct ws_token *tok = token_open();
	char reason[512], want[700];

	ws_token_mark_lost(tok, "pulled out by the test");
	ck_assert_int_eq(chmod(pin_path, 0644), 0);
	ck_assert_ws(ws_token_reconnect(tok), WS_ERR_INSECURE_FILE);
	snprintf(want, sizeof(want), "PIN file %s has mode 0644; group and others must have no "
	    "access (chmod 600 %s)", pin_path, pin_path);
	ck_assert_str_eq(ws_err_detail(), want);
	ck_assert_int_eq(ws_token_state(tok, reason, sizeof(reason)), 1);
	ck_assert_str_eq(reason, want);

	ck_assert_int_eq(chmod(pin_path, 0600), 0);
	ck_assert_ws_ok(ws_token_reconnect(tok));
	ck_assert_int_eq(ws_token_state(tok, reason, sizeof(reason)), 0);
	ck_assert_ws_ok(ws_session_check(ws_token_main_session(tok)));
	ws_token_close(tok);
}
END_TEST

START_TEST(test_outage_reconnect_wrong_pin_not_retried)
{
	struct ws_token *tok = token_open();
	char want[700];

	ws_token_mark_lost(tok, "pulled out by the test");
	write_file(pin_path, "not-the-pin\n", 0600);
	ck_assert_ws(ws_token_reconnect(tok), WS_ERR_TOKEN_LOGIN);
	snprintf(want, sizeof(want), "token '" TEST_LABEL "': C_Login with the PIN in %s: "
	    "CKR_PIN_INCORRECT", pin_path);
	ck_assert_str_eq(ws_err_detail(), want);
	/* The same file again: the token is not asked (its retry counter is spared). */
	ck_assert_ws(ws_token_reconnect(tok), WS_ERR_TOKEN_LOGIN);
	snprintf(want, sizeof(want), "token '" TEST_LABEL "' refused the PIN in %s "
	    "(CKR_PIN_INCORRECT); it is not tried again until the file changes", pin_path);
	ck_assert_str_eq(ws_err_detail(), want);
	ck_assert_int_eq(ws_token_lost(tok), 1);
	/* The file is written anew: tried, and it logs in. */
	write_file(pin_path, TEST_PIN "\n", 0600);
	ck_assert_ws_ok(ws_token_reconnect(tok));
	ck_assert_int_eq(ws_token_lost(tok), 0);
	ck_assert_ws_ok(ws_session_check(ws_token_main_session(tok)));
	ws_token_close(tok);
}
END_TEST

START_TEST(test_outage_reconnect_without_pin_file)
{
	struct ws_token_params p = { .uri = TEST_URI, .module = module_path(), .pin = TEST_PIN };
	struct ws_token *tok = NULL;

	ck_assert_ws_ok(ws_token_open(&p, &tok));
	ws_token_mark_lost(tok, "pulled out by the test");
	ck_assert_ws(ws_token_reconnect(tok), WS_ERR_PIN);
	ck_assert_str_eq(ws_err_detail(), "token '" TEST_LABEL "': cannot log in again: the PIN "
	    "was not given in a PIN file, and it is not kept in memory");
	ck_assert_int_eq(ws_token_lost(tok), 1);
	ws_token_close(tok);
}
END_TEST

START_TEST(test_outage_refresh_other_key)
{
	struct ws_token *tok = token_open();
	struct ws_session *s = ws_token_main_session(tok);
	struct ws_key *k = NULL;
	char want[512], real_fp[WS_FINGERPRINT_HEX];
	unsigned long handle;

	ck_assert_ws_ok(ws_key_generate(s, "root-ca", NULL, 0, WS_KEY_EC_P256, 0, &k));
	handle = k->priv;
	/* As if the process had started with another key under this label. */
	memcpy(real_fp, k->fingerprint, sizeof(real_fp));
	memset(k->fingerprint, 'a', WS_FINGERPRINT_HEX - 1);
	ck_assert_ws(ws_key_refresh(s, k), WS_ERR_TOKEN_NOT_FOUND);
	snprintf(want, sizeof(want), "token '" TEST_LABEL "': key 'root-ca' now has public key "
	    "sha256:%s, not sha256:%s: this is not the token the process started with", real_fp,
	    k->fingerprint);
	ck_assert_str_eq(ws_err_detail(), want);
	ck_assert_uint_eq(k->priv, handle);

	memcpy(k->fingerprint, real_fp, sizeof(real_fp));
	snprintf(k->label, sizeof(k->label), "gone");
	ck_assert_ws(ws_key_refresh(s, k), WS_ERR_KEY_NOT_FOUND);
	ws_key_free(k);
	ws_token_close(tok);
}
END_TEST

static Suite *
p11_suite(void)
{
	Suite *s = suite_create("p11");
	TCase *tc;

#define TOKEN_CASE(name) do { \
	tc = tcase_create(name); \
	tcase_add_checked_fixture(tc, token_setup, token_teardown); \
	tcase_set_timeout(tc, 120); \
	suite_add_tcase(s, tc); \
} while (0)

	TOKEN_CASE("open");
	tcase_add_test(tc, test_open_login_ok);
	tcase_add_test(tc, test_open_pin_given_directly);
	tcase_add_test(tc, test_open_wrong_pin);
	tcase_add_test(tc, test_open_no_pin);
	tcase_add_test(tc, test_open_pin_file_mode_0644);
	tcase_add_test(tc, test_open_pin_file_missing);
	tcase_add_test(tc, test_uri_matches_no_token);
	tcase_add_test(tc, test_uri_narrowed_by_manufacturer);
	tcase_add_test(tc, test_uri_without_token_refused);
	tcase_add_test(tc, test_uri_slot_id_refused);
	tcase_add_test(tc, test_uri_other_parts_refused);
	tcase_add_test(tc, test_module_missing);
	tcase_add_test(tc, test_module_from_uri_path);
	tcase_add_test(tc, test_module_from_p11kit_config);

	TOKEN_CASE("pin");
	tcase_add_test(tc, test_pin_read_ok);
	tcase_add_test(tc, test_pin_read_mode_0644);
	tcase_add_test(tc, test_pin_read_missing);
	tcase_add_test(tc, test_pin_read_symlink);
	tcase_add_test(tc, test_pin_read_not_regular);
	tcase_add_test(tc, test_pin_read_wrong_owner);
	tcase_add_test(tc, test_pin_read_empty_and_too_long);

	TOKEN_CASE("init");
	tcase_add_test(tc, test_init_existing_label);
	tcase_add_test(tc, test_init_second_token);
	tcase_add_test(tc, test_init_bad_arguments);

	TOKEN_CASE("keys");
	tcase_add_test(tc, test_generate_find_ec_p256);
	tcase_add_test(tc, test_generate_find_ed25519);
	tcase_add_test(tc, test_generate_find_rsa2048);
	tcase_add_test(tc, test_generate_with_id_survives_reopen);
	tcase_add_test(tc, test_generate_duplicate_label);
	tcase_add_test(tc, test_generate_bad_arguments);
	tcase_add_test(tc, test_find_missing);

	TOKEN_CASE("sign");
	tcase_add_test(tc, test_sign_verify_ecdsa);
	tcase_add_test(tc, test_sign_verify_ed25519);
	tcase_add_test(tc, test_sign_verify_rsa_pss);
	tcase_add_test(tc, test_sign_wrong_alg);

	TOKEN_CASE("safety");
	tcase_add_test(tc, test_check_safe_extractable);
	tcase_add_test(tc, test_check_safe_not_sensitive);

	TOKEN_CASE("threads");
	tcase_add_test(tc, test_two_threads_sign);

	TOKEN_CASE("outage");
	tcase_add_test(tc, test_outage_ckr_classes);
	tcase_add_test(tc, test_outage_logout_reconnect);
	tcase_add_test(tc, test_outage_reconnect_pin_file_insecure);
	tcase_add_test(tc, test_outage_reconnect_wrong_pin_not_retried);
	tcase_add_test(tc, test_outage_reconnect_without_pin_file);
	tcase_add_test(tc, test_outage_refresh_other_key);
#undef TOKEN_CASE

	tc = tcase_create("names");
	tcase_add_test(tc, test_type_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *module = module_path();

	if (module[0] == '\0' || access(module, R_OK) != 0) {
		fprintf(stderr, "test-p11: no SoftHSM2 module (set SOFTHSM2_MODULE or install the "
		    "Debian package softhsm2)\n");
		return 77;	/* automake: skipped */
	}
	return ws_test_run(p11_suite());
}
