/*
 * cmd_register.c -- wavesign register: what lmp-device-register does on a
 * device (COMPAT.md §2a), against the appliance's socket instead of HTTP:
 * an EC P-256 key in a file, a CSR CN=<uuid>, OU=<factory>
 * [, businessCategory=production] requesting keyUsage digitalSignature and
 * extKeyUsage clientAuth (both critical), one cert.issue, and the files.
 *
 * The key file is created (0600, never replacing a file) before the request
 * and removed again if the appliance refuses, so that a certificate is never
 * issued for a key that was not kept.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cli.h"
#include "ws_p11.h"

static const char register_usage[] =
    "usage: wavesign register --factory FACTORY [--uuid UUID] [--production]\n"
    "                         [--key-file FILE | --pkcs11-uri URI --pin-file FILE\n"
    "                          [--pkcs11-module PATH] [--key-label LABEL]] [--out DIR]\n"
    "\n"
    "Registers a device as lmp-device-register does: makes an EC P-256 key in a\n"
    "file, a CSR with CN=UUID, OU=FACTORY (and businessCategory=production for a\n"
    "production device) requesting keyUsage digitalSignature and extKeyUsage\n"
    "clientAuth (both critical), asks the appliance for the certificate\n"
    "(cert.issue) and writes pkey.pem, client.pem, client.chained and root.crt.\n"
    "The device is a production device when --production is given or PRODUCTION\n"
    "is set in the environment; the policy decides whether you may register one.\n"
    "If the appliance refuses, the key file is removed again.\n"
    "\n"
    "  --factory FACTORY  the factory name (the certificate's OU)\n"
    "  --uuid UUID        the device's UUID (default: a random version 4 UUID)\n"
    "  --production       a production device (as PRODUCTION=1)\n"
    "  --key-file FILE    where the new key goes (default DIR/pkey.pem, mode 0600;\n"
    "                     an existing file is never replaced)\n"
    "  --out DIR          where the certificate files go (default: the current\n"
    "                     directory; created if missing)\n"
    "  --pkcs11-uri URI   make the key inside this PKCS#11 token instead of a file\n"
    "                     (RFC 7512, by token label) and sign the CSR there\n"
    "  --pkcs11-module M  the token's PKCS#11 module (default: p11-kit's modules)\n"
    "  --pin-file FILE    the token's user PIN (a 0600 file; never on the command line)\n"
    "  --key-label LABEL  the new key's label in the token (default wavesign-device)\n";

static void
random_uuid(char out[37])
{
	uint8_t b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		abort();	/* no randomness: nothing sensible to do */
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static ws_err
add_ext(STACK_OF(X509_EXTENSION) *exts, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, NULL, nid, value);

	if (ext == NULL || !sk_X509_EXTENSION_push(exts, ext)) {
		X509_EXTENSION_free(ext);
		return ws_err_crypto(WS_ERR_CRYPTO, "extension %s", value);
	}
	return WS_OK;
}

/* The key (PEM, PKCS#8, in *key_pem: OPENSSL_clear_free) and the CSR (PEM, *csr_pem: free). */
/* The request every registration sends: version, subject, the two extensions. */
static ws_err
req_build(const char *uuid, const char *factory, bool production, X509_REQ **out)
{
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	ws_err r = WS_OK;

	if ((req = X509_REQ_new()) == NULL || (name = X509_NAME_new()) == NULL ||
	    (exts = sk_X509_EXTENSION_new_null()) == NULL) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "making the CSR");
		goto out;
	}
	if (!X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8, (const unsigned char *)uuid, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_organizationalUnitName, MBSTRING_UTF8,
	    (const unsigned char *)factory, -1, -1, 0) ||
	    (production && !X509_NAME_add_entry_by_NID(name, NID_businessCategory, MBSTRING_UTF8,
	    (const unsigned char *)"production", -1, -1, 0))) {
		r = ws_err_crypto(WS_ERR_INVALID_ARGUMENT, "the subject CN=%.64s, OU=%.64s", uuid, factory);
		goto out;
	}
	if ((r = add_ext(exts, NID_key_usage, "critical,digitalSignature")) != WS_OK ||
	    (r = add_ext(exts, NID_ext_key_usage, "critical,clientAuth")) != WS_OK)
		goto out;
	if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) || !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_add_extensions(req, exts)) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "making the CSR");
		goto out;
	}
	*out = req;
	req = NULL;
out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return r;
}

static ws_err
req_pem(X509_REQ *req, char **csr_pem)
{
	BIO *cb = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;
	ws_err r = WS_OK;

	if (cb == NULL || !PEM_write_bio_X509_REQ(cb, req))
		r = ws_err_crypto(WS_ERR_CRYPTO, "writing the CSR");
	else if ((n = BIO_get_mem_data(cb, &p)) <= 0 || (*csr_pem = strndup(p, (size_t)n)) == NULL)
		r = ws_err_set(WS_ERR_NOMEM, "CSR");
	BIO_free(cb);
	return r;
}

static ws_err
make_key_and_csr(const char *uuid, const char *factory, bool production, char **key_pem, size_t *key_len,
    char **csr_pem)
{
	EVP_PKEY *pkey = NULL;
	X509_REQ *req = NULL;
	BIO *kb = NULL;
	char *p = NULL;
	long n;
	ws_err r;

	*key_pem = NULL;
	*csr_pem = NULL;
	if ((r = req_build(uuid, factory, production, &req)) != WS_OK)
		return r;
	if ((pkey = EVP_EC_gen("P-256")) == NULL || (kb = BIO_new(BIO_s_secmem())) == NULL) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "making the key");
		goto out;
	}
	if (!X509_REQ_set_pubkey(req, pkey) || X509_REQ_sign(req, pkey, EVP_sha256()) <= 0 ||
	    !PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL)) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "making the CSR");
		goto out;
	}
	if ((r = req_pem(req, csr_pem)) != WS_OK)
		goto out;
	n = BIO_get_mem_data(kb, &p);
	if (n <= 0 || (*key_pem = OPENSSL_malloc((size_t)n)) == NULL) {
		free(*csr_pem);
		*csr_pem = NULL;
		r = ws_err_set(WS_ERR_NOMEM, "key");
		goto out;
	}
	memcpy(*key_pem, p, (size_t)n);
	*key_len = (size_t)n;
out:
	BIO_free(kb);	/* secure memory: cleared */
	X509_REQ_free(req);
	EVP_PKEY_free(pkey);
	return r;
}

/*
 * The key is made inside a PKCS#11 token (never leaving it) and the CSR is
 * signed there: the request's to-be-signed bytes go to the token, whose
 * ECDSA signature becomes the CSR's. The CSR is verified before use.
 */
static ws_err
make_token_key_and_csr(const struct ws_token_params *tp, const char *label, const char *uuid,
    const char *factory, bool production, char **csr_pem, char fingerprint[WS_FINGERPRINT_HEX])
{
	struct ws_token *tok = NULL;
	struct ws_key *key = NULL;
	X509_REQ *req = NULL;
	EVP_PKEY *pub = NULL;
	const unsigned char *sp;
	unsigned char *tbs = NULL;
	const ASN1_BIT_STRING *csig = NULL;
	const X509_ALGOR *calg = NULL;
	uint8_t sig[WS_SIG_MAX];
	size_t sig_len = 0;
	int tbs_len;
	ws_err r;

	*csr_pem = NULL;
	if ((r = ws_token_open(tp, &tok)) != WS_OK)
		return r;
	if ((r = ws_key_generate(ws_token_main_session(tok), label, NULL, 0, WS_KEY_EC_P256, 0, &key)) != WS_OK)
		goto out;
	memcpy(fingerprint, key->fingerprint, WS_FINGERPRINT_HEX);
	sp = key->spki;
	if ((pub = d2i_PUBKEY(NULL, &sp, (long)key->spki_len)) == NULL) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "the token's public key");
		goto out;
	}
	if ((r = req_build(uuid, factory, production, &req)) != WS_OK)
		goto out;
	X509_REQ_get0_signature(req, &csig, &calg);
	if (!X509_REQ_set_pubkey(req, pub) ||
	    !X509_ALGOR_set0((X509_ALGOR *)calg, OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_UNDEF, NULL) ||
	    (tbs_len = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "making the CSR");
		goto out;
	}
	if ((r = ws_key_sign(ws_token_main_session(tok), key, WS_SIG_ECDSA_SHA256, tbs, (size_t)tbs_len,
	    sig, &sig_len)) != WS_OK)
		goto out;
	/* A DER signature: whole bytes, no unused bits (see PERF.md's pitfall). */
	if (!ASN1_BIT_STRING_set((ASN1_BIT_STRING *)csig, sig, (int)sig_len)) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "the CSR signature");
		goto out;
	}
	((ASN1_BIT_STRING *)csig)->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	((ASN1_BIT_STRING *)csig)->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	if (X509_REQ_verify(req, pub) != 1) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "the token's CSR signature does not verify");
		goto out;
	}
	r = req_pem(req, csr_pem);
out:
	OPENSSL_free(tbs);
	EVP_PKEY_free(pub);
	X509_REQ_free(req);
	ws_key_free(key);
	ws_token_close(tok);
	return r;
}

int
cmd_register(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "factory", required_argument, NULL, 'f' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "production", no_argument, NULL, 'p' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "pkcs11-uri", required_argument, NULL, 'U' },
		{ "pkcs11-module", required_argument, NULL, 'M' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "key-label", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *factory = NULL, *uuid = NULL, *key_file = NULL, *out_dir = ".";
	const char *key_label = "wavesign-device";
	struct ws_token_params tp = { 0 };
	char fingerprint[WS_FINGERPRINT_HEX] = "";
	bool production = getenv("PRODUCTION") != NULL, key_written = false;
	char uuid_buf[37], key_path[4200], *key_pem = NULL, *csr = NULL;
	size_t key_len = 0;
	json_t *args = NULL, *res = NULL;
	int ch, code;
	ws_err r;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': factory = optarg; break;
		case 'u': uuid = optarg; break;
		case 'p': production = true; break;
		case 'k': key_file = optarg; break;
		case 'o': out_dir = optarg; break;
		case 'U': tp.uri = optarg; break;
		case 'M': tp.module = optarg; break;
		case 'P': tp.pin_file = optarg; break;
		case 'L': key_label = optarg; break;
		case 'h': fputs(register_usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(register_usage, "register: bad option");
		}
	}
	if (optind != argc)
		return cli_usage_error(register_usage, "register: unexpected argument '%s'", argv[optind]);
	if (factory == NULL || *factory == '\0')
		return cli_usage_error(register_usage, "register needs --factory");
	if (uuid == NULL) {
		random_uuid(uuid_buf);
		uuid = uuid_buf;
	}
	if ((tp.module != NULL || tp.pin_file != NULL) && tp.uri == NULL)
		return cli_usage_error(register_usage, "register: --pkcs11-module and --pin-file go with --pkcs11-uri");
	if (tp.uri != NULL && (tp.pin_file == NULL || key_file != NULL))
		return cli_usage_error(register_usage, "register: --pkcs11-uri needs --pin-file, and no --key-file");
	if ((code = cli_make_dir(out_dir)) != CLI_EXIT_OK)
		return code;
	if (tp.uri != NULL) {
		if ((r = make_token_key_and_csr(&tp, key_label, uuid, factory, production, &csr, fingerprint)) != WS_OK)
			return cli_fail(r == WS_ERR_KEY_EXISTS ? CLI_EXIT_REFUSED : CLI_EXIT_LOCAL, "register", r);
	} else if (key_file == NULL) {
		if ((code = cli_dir_path(out_dir, "pkey.pem", key_path, sizeof(key_path))) != CLI_EXIT_OK)
			return code;
		key_file = key_path;
	}
	if (tp.uri == NULL) {
		if ((r = make_key_and_csr(uuid, factory, production, &key_pem, &key_len, &csr)) != WS_OK)
			return cli_fail(CLI_EXIT_LOCAL, "register", r);
		code = cli_write_new_secret(key_file, key_pem, key_len);
		OPENSSL_clear_free(key_pem, key_len);
		if (code != CLI_EXIT_OK)
			goto out;
		key_written = true;
	}
	if ((args = json_pack("{s:s, s:b}", "csr", csr, "production", production)) == NULL) {
		code = cli_fail(CLI_EXIT_LOCAL, "register", ws_err_set(WS_ERR_NOMEM, "request"));
		goto out;
	}
	if ((code = cli_call(cli, "cert.issue", args, &res)) != CLI_EXIT_OK)
		goto out;
	key_written = false;	/* issued for it: the key is kept whatever happens next */
	if ((code = cli_write_cert_files(out_dir, res, cli_cert_files)) != CLI_EXIT_OK)
		goto out;
	if (cli->json) {
		json_object_set_new(res, "uuid", json_string(uuid));
		if (tp.uri != NULL) {
			json_object_set_new(res, "key_label", json_string(key_label));
			json_object_set_new(res, "key_fingerprint", json_string(fingerprint));
		} else {
			json_object_set_new(res, "key_file", json_string(key_file));
		}
		cli_print_json(res);
	} else {
		printf("registered device %s (%s)\n", uuid, production ? "production" : "test");
		if (tp.uri != NULL)
			printf("key %s in %s, sha256:%s\n", key_label, tp.uri, fingerprint);
		else
			printf("wrote %s\n", key_file);
		cli_print_cert_summary(res, out_dir);
	}
out:
	if (key_written && unlink(key_file) == 0)
		fprintf(stderr, "wavesign: register: removed %s (no certificate was issued for it)\n", key_file);
	free(csr);
	json_decref(args);
	json_decref(res);
	return code;
}
