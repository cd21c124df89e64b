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

static const char register_usage[] =
    "usage: wavesign register --factory FACTORY [--uuid UUID] [--production]\n"
    "                         [--key-file FILE] [--out DIR]\n"
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
    "                     directory; created if missing)\n";

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
static ws_err
make_key_and_csr(const char *uuid, const char *factory, bool production, char **key_pem, size_t *key_len,
    char **csr_pem)
{
	EVP_PKEY *pkey = NULL;
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	BIO *kb = NULL, *cb = NULL;
	char *p = NULL;
	long n;
	ws_err r = WS_OK;

	*key_pem = NULL;
	*csr_pem = NULL;
	if ((pkey = EVP_EC_gen("P-256")) == NULL || (req = X509_REQ_new()) == NULL ||
	    (name = X509_NAME_new()) == NULL || (exts = sk_X509_EXTENSION_new_null()) == NULL ||
	    (kb = BIO_new(BIO_s_secmem())) == NULL || (cb = BIO_new(BIO_s_mem())) == NULL) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "making the key");
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
	    !X509_REQ_set_pubkey(req, pkey) || !X509_REQ_add_extensions(req, exts) ||
	    X509_REQ_sign(req, pkey, EVP_sha256()) <= 0 || !PEM_write_bio_X509_REQ(cb, req) ||
	    !PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL)) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "making the CSR");
		goto out;
	}
	n = BIO_get_mem_data(cb, &p);
	if (n <= 0 || (*csr_pem = strndup(p, (size_t)n)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "CSR");
		goto out;
	}
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
	BIO_free(cb);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	EVP_PKEY_free(pkey);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *factory = NULL, *uuid = NULL, *key_file = NULL, *out_dir = ".";
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
	if ((code = cli_make_dir(out_dir)) != CLI_EXIT_OK)
		return code;
	if (key_file == NULL) {
		if ((code = cli_dir_path(out_dir, "pkey.pem", key_path, sizeof(key_path))) != CLI_EXIT_OK)
			return code;
		key_file = key_path;
	}
	if ((r = make_key_and_csr(uuid, factory, production, &key_pem, &key_len, &csr)) != WS_OK)
		return cli_fail(CLI_EXIT_LOCAL, "register", r);
	code = cli_write_new_secret(key_file, key_pem, key_len);
	OPENSSL_clear_free(key_pem, key_len);
	if (code != CLI_EXIT_OK)
		goto out;
	key_written = true;
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
		json_object_set_new(res, "key_file", json_string(key_file));
		cli_print_json(res);
	} else {
		printf("registered device %s (%s)\n", uuid, production ? "production" : "test");
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
