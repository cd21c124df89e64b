/*
 * test-cert.c -- certificates built by ws_cert, checked independently:
 * OpenSSL's X509 parser and chain verification, the openssl and GnuTLS
 * certtool command-line verifiers and python3-cryptography.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "ws_cert.h"
#include "ws_der.h"
#include "test_common.h"
#include "x509_helpers.h"

#define DAY 86400ull
#define DEVICE_VALIDITY (7300 * DAY)	/* the reference server's 20 years */

static struct th_pki pki;
static EVP_PKEY *dev_key;

static void
setup(void)
{
	th_pki_make(&pki);
	dev_key = th_key_ec("P-256");
}

static void
teardown(void)
{
	th_pki_free(&pki);
	EVP_PKEY_free(dev_key);
	dev_key = NULL;
}

static time_t
now_minus_hour(void)
{
	return time(NULL) - 3600;
}

/* Issues a device certificate for dev_key's CSR. */
static struct ws_cert *
issue_device(bool production, uint8_t **csr_der, size_t *csr_len)
{
	size_t len;
	uint8_t *der = th_device_csr(dev_key, TH_UUID, TH_FACTORY, production, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	struct ws_cert *cert = NULL;
	bool prod;

	ck_assert_ws_ok(ws_csr_check_device(csr, TH_FACTORY, NULL, 0, WS_PRODUCTION_ALLOW, &prod));
	ck_assert(prod == production);
	ck_assert_ws_ok(ws_cert_issue_device(pki.ca, csr, now_minus_hour(), DEVICE_VALIDITY, th_sign,
	    &pki.ca_signer, &cert));
	ws_csr_free(csr);
	if (csr_der != NULL) {
		*csr_der = der;
		*csr_len = len;
	} else {
		OPENSSL_free(der);
	}
	return cert;
}

/* The DER of a certificate's extension value, or NULL; *critical receives its flag. */
static const ASN1_OCTET_STRING *
ext_value(X509 *x, int nid, int *critical)
{
	int i = X509_get_ext_by_NID(x, nid, -1);
	X509_EXTENSION *ext;

	if (i < 0)
		return NULL;
	ck_assert_int_eq(X509_get_ext_by_NID(x, nid, i), -1);	/* present once */
	ext = X509_get_ext(x, i);
	*critical = X509_EXTENSION_get_critical(ext);
	return X509_EXTENSION_get_data(ext);
}

static void
assert_ext_der(X509 *x, int nid, int want_critical, const uint8_t *want, size_t want_len)
{
	int critical = -1;
	const ASN1_OCTET_STRING *v = ext_value(x, nid, &critical);

	ck_assert_msg(v != NULL, "extension %s missing", OBJ_nid2sn(nid));
	ck_assert_msg(critical == want_critical, "extension %s critical=%d", OBJ_nid2sn(nid), critical);
	ck_assert_int_eq(ASN1_STRING_length(v), (int)want_len);
	ck_assert_mem_eq(ASN1_STRING_get0_data(v), want, want_len);
}

/* SKI by RFC 5280 method 1 over the certificate's own key. */
static void
assert_ski_method1(X509 *x, uint8_t out[20])
{
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);

	SHA1(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), out);
	ck_assert_ptr_nonnull(ski);
	ck_assert_int_eq(ASN1_STRING_length(ski), 20);
	ck_assert_mem_eq(ASN1_STRING_get0_data(ski), out, 20);
}

static void
assert_aki(X509 *x, const uint8_t *keyid, size_t len)
{
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(x);

	ck_assert_ptr_nonnull(aki);
	ck_assert_int_eq(ASN1_STRING_length(aki), (int)len);
	ck_assert_mem_eq(ASN1_STRING_get0_data(aki), keyid, len);
}

static void
assert_name_der(const X509_NAME *name, const uint8_t *want, size_t want_len)
{
	const unsigned char *der = NULL;
	size_t len = 0;

	ck_assert(X509_NAME_get0_der((X509_NAME *)name, &der, &len));
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(der, want, want_len);
}

static int
years_between(const ASN1_TIME *a, const ASN1_TIME *b)
{
	struct tm ta, tb;

	ck_assert(ASN1_TIME_to_tm(a, &ta));
	ck_assert(ASN1_TIME_to_tm(b, &tb));
	ck_assert_int_eq(ta.tm_mon, tb.tm_mon);
	ck_assert_int_eq(ta.tm_mday, tb.tm_mday);
	return tb.tm_year - ta.tm_year;
}

static int
run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Runs cmd in dir with its output in dir/out.log, shown only when it fails. */
static int
run_quiet(const char *dir, const char *cmd)
{
	char *full = NULL;
	int rc;

	ck_assert_int_gt(asprintf(&full, "cd '%s' && { %s ; } >out.log 2>&1", dir, cmd), 0);
	rc = run(full);
	free(full);
	if (rc != 0) {
		ck_assert_int_gt(asprintf(&full, "cat '%s/out.log' >&2", dir), 0);
		run(full);
		free(full);
	}
	return rc;
}

/* ---- the factory PKI ---- */

START_TEST(test_root_ca_profile)
{
	X509 *x = th_x509_from_ws(pki.root_cert);
	const X509_NAME *subj = X509_get_subject_name(x);
	X509_NAME_ENTRY *e0 = X509_NAME_get_entry(subj, 0), *e1 = X509_NAME_get_entry(subj, 1);
	EVP_PKEY *pub = X509_get0_pubkey(x);
	uint8_t ski[20];
	/* BasicConstraints CA:TRUE; keyUsage keyCertSign cRLSign; EKU serverAuth clientAuth */
	const uint8_t bc[] = { 0x30, 0x03, 0x01, 0x01, 0xff };
	const uint8_t ku[] = { 0x03, 0x02, 0x01, 0x06 };
	const uint8_t eku[] = { 0x30, 0x14, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
		0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02 };

	ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
	ck_assert_int_eq(X509_NAME_entry_count(subj), 2);
	ck_assert_int_eq(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e0)), NID_commonName);
	ck_assert_int_eq(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e1)), NID_organizationalUnitName);
	ck_assert_int_eq(ASN1_STRING_type(X509_NAME_ENTRY_get_data(e0)), V_ASN1_UTF8STRING);
	ck_assert_int_eq(ASN1_STRING_type(X509_NAME_ENTRY_get_data(e1)), V_ASN1_UTF8STRING);
	ck_assert_str_eq((const char *)ASN1_STRING_get0_data(X509_NAME_ENTRY_get_data(e0)), "Factory-CA");
	ck_assert_str_eq((const char *)ASN1_STRING_get0_data(X509_NAME_ENTRY_get_data(e1)), TH_FACTORY);
	ck_assert_int_eq(X509_NAME_cmp(subj, X509_get_issuer_name(x)), 0);
	ck_assert_int_eq(X509_verify(x, pub), 1);
	ck_assert_int_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	ck_assert_int_eq(years_between(X509_get0_notBefore(x), X509_get0_notAfter(x)), 20);
	assert_ext_der(x, NID_basic_constraints, 1, bc, sizeof(bc));
	assert_ext_der(x, NID_key_usage, 1, ku, sizeof(ku));
	assert_ext_der(x, NID_ext_key_usage, 0, eku, sizeof(eku));
	assert_ski_method1(x, ski);
	assert_aki(x, ski, sizeof(ski));
	ck_assert_int_eq(X509_check_ca(x), 1);
	/* ws_ca read it back the same way */
	ck_assert_uint_eq(pki.root->ski_len, 20);
	ck_assert_mem_eq(pki.root->ski, ski, 20);
	ck_assert_int_eq(pki.root->path_len, -1);
	X509_free(x);
}
END_TEST

START_TEST(test_device_ca_profile)
{
	X509 *x = th_x509_from_ws(pki.ca_cert);
	X509 *root = th_x509_from_ws(pki.root_cert);
	char cn[64];
	uint8_t ski[20];
	const uint8_t bc[] = { 0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x00 };
	const uint8_t ku[] = { 0x03, 0x02, 0x01, 0x06 };

	ck_assert_int_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)), 0);
	ck_assert_str_eq(cn, "fio-owner-1");
	ck_assert_int_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_organizationalUnitName, cn,
	    sizeof(cn)), 0);
	ck_assert_str_eq(cn, TH_FACTORY);
	assert_name_der(X509_get_issuer_name(x), pki.root->subject, pki.root->subject_len);
	ck_assert_int_eq(X509_verify(x, X509_get0_pubkey(root)), 1);
	ck_assert_int_eq(years_between(X509_get0_notBefore(x), X509_get0_notAfter(x)), 10);
	assert_ext_der(x, NID_basic_constraints, 1, bc, sizeof(bc));
	assert_ext_der(x, NID_key_usage, 1, ku, sizeof(ku));
	ck_assert_int_lt(X509_get_ext_by_NID(x, NID_ext_key_usage, -1), 0);
	assert_ski_method1(x, ski);
	assert_aki(x, pki.root->ski, pki.root->ski_len);
	ck_assert_int_eq(pki.ca->path_len, 0);
	X509_free(root);
	X509_free(x);
}
END_TEST

/* ---- device certificates ---- */

START_TEST(test_device_cert_profile)
{
	uint8_t *csr_der;
	size_t csr_len;
	struct ws_cert *cert = issue_device(false, &csr_der, &csr_len);
	struct ws_csr *csr = th_csr_ok(csr_der, csr_len);
	X509 *x = th_x509_from_ws(cert);
	X509 *ca = th_x509_from_ws(pki.ca_cert);
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = BN_bn2hex(bn);
	uint8_t ski[20], digest[32], *spki = NULL;
	int spki_len;
	const uint8_t bc[] = { 0x30, 0x00 };
	const uint8_t ku[] = { 0x03, 0x02, 0x07, 0x80 };
	const uint8_t eku[] = { 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02 };

	ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
	ck_assert_int_eq(X509_verify(x, X509_get0_pubkey(ca)), 1);
	ck_assert_int_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	/* subject and key: the CSR's bytes, verbatim */
	assert_name_der(X509_get_subject_name(x), csr->subject, csr->subject_len);
	assert_name_der(X509_get_issuer_name(x), pki.ca->subject, pki.ca->subject_len);
	spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	ck_assert_int_eq(spki_len, (int)csr->spki_len);
	ck_assert_mem_eq(spki, csr->spki, csr->spki_len);
	/* serial: positive, at most 159 bits, as reported */
	ck_assert(!BN_is_negative(bn) && !BN_is_zero(bn));
	ck_assert_int_le(BN_num_bits(bn), 159);
	ck_assert_int_le(ASN1_STRING_length(serial), 20);
	ck_assert_int_eq(strcasecmp(hex, cert->serial_hex), 0);
	/* validity: exactly as asked */
	ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), cert->not_before), 0);
	ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), cert->not_before + (time_t)DEVICE_VALIDITY), 0);
	/* extensions */
	assert_ext_der(x, NID_basic_constraints, 1, bc, sizeof(bc));
	assert_ext_der(x, NID_key_usage, 1, ku, sizeof(ku));
	assert_ext_der(x, NID_ext_key_usage, 1, eku, sizeof(eku));
	assert_ski_method1(x, ski);
	assert_aki(x, pki.ca->ski, pki.ca->ski_len);
	ck_assert_int_eq(X509_get_ext_count(x), 5);
	SHA256(cert->der, cert->der_len, digest);
	ck_assert_mem_eq(cert->sha256, digest, 32);

	OPENSSL_free(spki);
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(ca);
	X509_free(x);
	ws_csr_free(csr);
	OPENSSL_free(csr_der);
	ws_cert_free(cert);
}
END_TEST

/* X509_V_OK when the chain verifies, else OpenSSL's verification error. */
static int
verify_chain(const struct ws_cert *leaf, const struct ws_cert *inter, const struct ws_cert *root, int purpose)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509 *l = th_x509_from_ws(leaf), *i = th_x509_from_ws(inter), *r = th_x509_from_ws(root);
	int ok;

	ck_assert_ptr_nonnull(store);
	X509_STORE_add_cert(store, r);
	sk_X509_push(untrusted, i);
	ck_assert(X509_STORE_CTX_init(ctx, store, l, untrusted));
	X509_STORE_CTX_set_purpose(ctx, purpose);
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
	ok = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	if (ok == X509_V_OK)
		ck_assert_int_eq(X509_STORE_CTX_get_error(ctx), X509_V_OK);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(l);
	X509_free(r);
	return ok;
}

static void
assert_chain_ok(const struct ws_cert *leaf, const struct ws_cert *inter, int purpose)
{
	int err = verify_chain(leaf, inter, pki.root_cert, purpose);

	ck_assert_msg(err == X509_V_OK, "X509_verify_cert: %s", X509_verify_cert_error_string(err));
}

START_TEST(test_device_cert_chain_verifies)
{
	struct ws_cert *cert = issue_device(false, NULL, NULL);

	assert_chain_ok(cert, pki.ca_cert, X509_PURPOSE_SSL_CLIENT);
	/* and it is no server certificate */
	ck_assert_int_eq(verify_chain(cert, pki.ca_cert, pki.root_cert, X509_PURPOSE_SSL_SERVER),
	    X509_V_ERR_INVALID_PURPOSE);
	ws_cert_free(cert);
}
END_TEST

START_TEST(test_production_cert_subject)
{
	uint8_t *csr_der;
	size_t csr_len;
	struct ws_cert *cert = issue_device(true, &csr_der, &csr_len);
	X509 *x = th_x509_from_ws(cert);
	char bc[32];
	const X509_NAME *subj = X509_get_subject_name(x);

	ck_assert_int_eq(X509_NAME_entry_count(subj), 3);
	ck_assert_int_eq(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(subj, 2))),
	    NID_businessCategory);
	ck_assert_int_gt(X509_NAME_get_text_by_NID(subj, NID_businessCategory, bc, sizeof(bc)), 0);
	ck_assert_str_eq(bc, "production");
	assert_chain_ok(cert, pki.ca_cert, X509_PURPOSE_SSL_CLIENT);
	X509_free(x);
	OPENSSL_free(csr_der);
	ws_cert_free(cert);
}
END_TEST

START_TEST(test_ed25519_device_key)
{
	EVP_PKEY *ed = th_key_ed25519();
	size_t len;
	uint8_t *der = th_device_csr(ed, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	struct ws_cert *cert = NULL;

	ck_assert_ws_ok(ws_cert_issue_device(pki.ca, csr, now_minus_hour(), DEVICE_VALIDITY, th_sign,
	    &pki.ca_signer, &cert));
	assert_chain_ok(cert, pki.ca_cert, X509_PURPOSE_SSL_CLIENT);
	ws_cert_free(cert);
	ws_csr_free(csr);
	OPENSSL_free(der);
	EVP_PKEY_free(ed);
}
END_TEST

/* Writes root.pem, ca.pem, client.pem, chain.pem (client + ca) and other-root.pem into dir. */
static void
write_chain(const char *dir, const struct ws_cert *client)
{
	struct th_pki other;
	struct ws_buf chain = WS_BUF_INIT(1 << 20);

	free(th_write_pem(dir, "root.pem", pki.root_cert->der, pki.root_cert->der_len));
	free(th_write_pem(dir, "ca.pem", pki.ca_cert->der, pki.ca_cert->der_len));
	free(th_write_pem(dir, "client.pem", client->der, client->der_len));
	ck_assert_ws_ok(ws_cert_pem(&chain, client->der, client->der_len));
	ck_assert_ws_ok(ws_cert_pem(&chain, pki.ca_cert->der, pki.ca_cert->der_len));
	free(th_write(dir, "chain.pem", chain.data, chain.len));
	ws_buf_free(&chain);
	/* Another factory with the same names: its root must not accept our chain. */
	th_pki_make(&other);
	free(th_write_pem(dir, "other-root.pem", other.root_cert->der, other.root_cert->der_len));
	th_pki_free(&other);
}

START_TEST(test_openssl_verify_cli)
{
	char *dir = th_tmpdir(), *cmd = NULL;
	struct ws_cert *cert = issue_device(true, NULL, NULL);

	write_chain(dir, cert);
	ck_assert_int_eq(run_quiet(dir, "openssl verify -x509_strict -CAfile root.pem -untrusted ca.pem "
	    "-purpose sslclient client.pem"), 0);
	/* It must fail when it should: wrong root, missing intermediate, wrong purpose. */
	ck_assert_int_gt(asprintf(&cmd, "cd '%s' && openssl verify -CAfile other-root.pem -untrusted ca.pem "
	    "-purpose sslclient client.pem >/dev/null 2>&1", dir), 0);
	ck_assert_int_ne(run(cmd), 0);
	free(cmd);
	ck_assert_int_gt(asprintf(&cmd, "cd '%s' && openssl verify -CAfile root.pem -purpose sslclient "
	    "client.pem >/dev/null 2>&1", dir), 0);
	ck_assert_int_ne(run(cmd), 0);
	free(cmd);
	ck_assert_int_gt(asprintf(&cmd, "cd '%s' && openssl verify -CAfile root.pem -untrusted ca.pem "
	    "-purpose sslserver client.pem >/dev/null 2>&1", dir), 0);
	ck_assert_int_ne(run(cmd), 0);
	free(cmd);
	ws_cert_free(cert);
	th_rmdir(dir);
}
END_TEST

START_TEST(test_certtool_verify_cli)
{
	char *dir = th_tmpdir(), *cmd = NULL;
	struct ws_cert *cert = issue_device(false, NULL, NULL);

	write_chain(dir, cert);
	ck_assert_msg(run("command -v certtool >/dev/null") == 0,
	    "certtool not found: install the Debian package gnutls-bin");
	ck_assert_int_eq(run_quiet(dir, "certtool --verify --load-ca-certificate root.pem --infile chain.pem "
	    "--verify-purpose 1.3.6.1.5.5.7.3.2 --verify-profile medium"), 0);
	ck_assert_int_gt(asprintf(&cmd, "cd '%s' && certtool --verify --load-ca-certificate other-root.pem "
	    "--infile chain.pem --verify-purpose 1.3.6.1.5.5.7.3.2 >/dev/null 2>&1", dir), 0);
	ck_assert_int_ne(run(cmd), 0);
	free(cmd);
	ck_assert_int_gt(asprintf(&cmd, "cd '%s' && certtool --verify --load-ca-certificate root.pem "
	    "--infile chain.pem --verify-purpose 1.3.6.1.5.5.7.3.1 >/dev/null 2>&1", dir), 0);
	ck_assert_int_ne(run(cmd), 0);
	free(cmd);
	ws_cert_free(cert);
	th_rmdir(dir);
}
END_TEST

/* python3-cryptography: each signature, the subject bytes, the client verifier where it exists. */
static const char python_check[] =
    "import sys\n"
    "from cryptography import x509\n"
    "d = sys.argv[1]\n"
    "rd = lambda n: open(d + '/' + n, 'rb').read()\n"
    "root = x509.load_pem_x509_certificate(rd('root.pem'))\n"
    "ca = x509.load_pem_x509_certificate(rd('ca.pem'))\n"
    "leaf = x509.load_pem_x509_certificate(rd('client.pem'))\n"
    "csr = x509.load_der_x509_csr(rd('client.csr'))\n"
    "assert csr.is_signature_valid\n"
    "root.verify_directly_issued_by(root)\n"
    "ca.verify_directly_issued_by(root)\n"
    "leaf.verify_directly_issued_by(ca)\n"
    "assert leaf.subject.public_bytes() == csr.subject.public_bytes()\n"
    "assert leaf.serial_number > 0 and leaf.serial_number.bit_length() <= 159\n"
    "ku = leaf.extensions.get_extension_for_class(x509.KeyUsage)\n"
    "assert ku.critical and ku.value.digital_signature and not ku.value.key_cert_sign\n"
    "eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage)\n"
    "assert eku.critical and list(eku.value) == [x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]\n"
    "# The Web PKI verifier, told that COMPAT.md wants a critical clientAuth EKU\n"
    "# (CA/B rules want it non-critical) and no subjectAltName; cryptography >= 45 only.\n"
    "try:\n"
    "    from cryptography.x509.verification import PolicyBuilder, Store, ExtensionPolicy, Criticality\n"
    "except ImportError:\n"
    "    sys.exit(0)\n"
    "ee = ExtensionPolicy.webpki_defaults_ee().require_present(x509.ExtendedKeyUsage,\n"
    "    Criticality.CRITICAL, None).may_be_present(x509.SubjectAlternativeName,\n"
    "    Criticality.AGNOSTIC, None)\n"
    "v = PolicyBuilder().store(Store([root])).extension_policies(\n"
    "    ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee).build_client_verifier()\n"
    "v.verify(leaf, [ca])\n";

START_TEST(test_python_cryptography)
{
	char *dir = th_tmpdir(), *cmd = NULL;
	uint8_t *csr_der;
	size_t csr_len;
	struct ws_cert *cert = issue_device(true, &csr_der, &csr_len);

	ck_assert_msg(run("python3 -c 'import cryptography.x509' 2>/dev/null") == 0,
	    "python3-cryptography not found: install the Debian package python3-cryptography");
	write_chain(dir, cert);
	free(th_write(dir, "client.csr", csr_der, csr_len));
	free(th_write(dir, "check.py", python_check, strlen(python_check)));
	ck_assert_int_eq(run_quiet(dir, "python3 check.py ."), 0);
	/* and the check fails when the chain is wrong */
	free(th_write_pem(dir, "ca.pem", pki.root_cert->der, pki.root_cert->der_len));
	ck_assert_int_gt(asprintf(&cmd, "python3 '%s/check.py' '%s' >/dev/null 2>&1", dir, dir), 0);
	ck_assert_int_ne(run(cmd), 0);
	free(cmd);
	OPENSSL_free(csr_der);
	ws_cert_free(cert);
	th_rmdir(dir);
}
END_TEST

START_TEST(test_serials_random_positive_159_bits)
{
	size_t len;
	uint8_t *der = th_device_csr(dev_key, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	char seen[200][41];
	unsigned top_byte_full = 0;

	for (int i = 0; i < 200; i++) {
		struct ws_cert *cert = NULL;
		X509 *x;
		BIGNUM *bn;

		ck_assert_ws_ok(ws_cert_issue_device(pki.ca, csr, now_minus_hour(), DAY, th_sign, &pki.ca_signer,
		    &cert));
		ck_assert_uint_ge(cert->serial_len, 1);
		ck_assert_uint_le(cert->serial_len, 20);
		ck_assert_uint_ne(cert->serial[0], 0);
		if (cert->serial_len == 20) {
			ck_assert_uint_lt(cert->serial[0], 0x80);
			top_byte_full++;
		}
		x = th_x509_from_ws(cert);
		bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		ck_assert(!BN_is_negative(bn));
		ck_assert_int_le(BN_num_bits(bn), 159);
		ck_assert_int_le(ASN1_STRING_length(X509_get0_serialNumber(x)), 20);
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(seen[j], cert->serial_hex);
		snprintf(seen[i], sizeof(seen[i]), "%s", cert->serial_hex);
		BN_free(bn);
		X509_free(x);
		ws_cert_free(cert);
	}
	/* Nearly every serial uses the whole 20 bytes (the top byte is 0 with p = 1/128). */
	ck_assert_uint_gt(top_byte_full, 150);
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_validity_utctime_then_generalizedtime)
{
	size_t len;
	uint8_t *der = th_device_csr(dev_key, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	struct ws_cert *cert = NULL;
	X509 *x;
	/* 2049-12-31T23:00:00Z for two hours */
	const time_t nb = 2524604400;
	const uint8_t utc[] = "\x17\x0d" "491231230000Z";
	const uint8_t gen[] = "\x18\x0f" "20500101010000Z";

	ck_assert_ws_ok(ws_cert_issue_device(pki.ca, csr, nb, 7200, th_sign, &pki.ca_signer, &cert));
	th_find(cert->der, cert->der_len, utc, sizeof(utc) - 1);
	th_find(cert->der, cert->der_len, gen, sizeof(gen) - 1);
	x = th_x509_from_ws(cert);
	ck_assert_int_eq(ASN1_STRING_type(X509_get0_notBefore(x)), V_ASN1_UTCTIME);
	ck_assert_int_eq(ASN1_STRING_type(X509_get0_notAfter(x)), V_ASN1_GENERALIZEDTIME);
	ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), nb + 7200), 0);
	X509_free(x);
	ws_cert_free(cert);
	ck_assert_ws_detail(ws_cert_issue_device(pki.ca, csr, nb, 0, th_sign, &pki.ca_signer, &cert),
	    WS_ERR_INVALID_ARGUMENT, "validity of 0 seconds");
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

/* ---- refusals ---- */

START_TEST(test_unverified_csr_refused)
{
	size_t len;
	uint8_t *der = th_device_csr(dev_key, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = NULL;
	struct ws_cert *cert = NULL;

	ck_assert_ws_ok(ws_csr_parse(der, len, &csr));
	ck_assert_ws_detail(ws_cert_issue_device(pki.ca, csr, now_minus_hour(), DAY, th_sign, &pki.ca_signer,
	    &cert), WS_ERR_INVALID_ARGUMENT, "the CSR's signature was not verified (ws_csr_verify)");
	ck_assert_ptr_null(cert);
	ck_assert_uint_eq(pki.ca_signer.calls, 0);
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_signer_failure_propagates)
{
	size_t len;
	uint8_t *der = th_device_csr(dev_key, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	struct ws_cert *cert = NULL;

	pki.ca_signer.mode = TH_SIGN_FAIL;
	ck_assert_ws_detail(ws_cert_issue_device(pki.ca, csr, now_minus_hour(), DAY, th_sign, &pki.ca_signer,
	    &cert), WS_ERR_TOKEN, "signing: test signer refuses");
	ck_assert_ptr_null(cert);
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_bad_signature_never_returned)
{
	size_t len;
	uint8_t *der = th_device_csr(dev_key, TH_UUID, TH_FACTORY, false, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	struct ws_cert *cert = NULL;
	struct th_signer wrong = { .key = pki.root_key };

	pki.ca_signer.mode = TH_SIGN_CORRUPT;
	ck_assert_ws_detail_has(ws_cert_issue_device(pki.ca, csr, now_minus_hour(), DAY, th_sign,
	    &pki.ca_signer, &cert), WS_ERR_CRYPTO,
	    "the signature made by the signer does not verify with the issuer's public key");
	ck_assert_ptr_null(cert);
	/* a well-formed signature by the wrong key */
	ck_assert_ws_detail_has(ws_cert_issue_device(pki.ca, csr, now_minus_hour(), DAY, th_sign, &wrong,
	    &cert), WS_ERR_CRYPTO, "the signature made by the signer does not verify with the issuer's public key");
	ck_assert_ptr_null(cert);
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_ca_parse_refusals)
{
	struct ws_cert *leaf = issue_device(false, NULL, NULL);
	struct ws_ca *ca = NULL;
	uint8_t *more = malloc(pki.ca_cert->der_len + 1);
	char want[128];

	ck_assert_ws_detail(ws_ca_parse(leaf->der, leaf->der_len, &ca), WS_ERR_INVALID_ARGUMENT,
	    "CA certificate: not a CA certificate (no basicConstraints CA:TRUE)");
	snprintf(want, sizeof(want), "CA certificate: DER element of %zu bytes, only %zu left",
	    pki.ca_cert->der_len - 4, pki.ca_cert->der_len - 5);
	ck_assert_ws_detail(ws_ca_parse(pki.ca_cert->der, pki.ca_cert->der_len - 1, &ca), WS_ERR_TRUNCATED, want);
	memcpy(more, pki.ca_cert->der, pki.ca_cert->der_len);
	more[pki.ca_cert->der_len] = 0;
	ck_assert_ws_detail(ws_ca_parse(more, pki.ca_cert->der_len + 1, &ca), WS_ERR_DER_MALFORMED,
	    "CA certificate: 1 unexpected bytes at the end of the certificate");
	ck_assert_ws_detail(ws_ca_parse((const uint8_t *)"\x04\x00", 2, &ca), WS_ERR_DER_MALFORMED,
	    "CA certificate: expected SEQUENCE, found OCTET STRING");
	ck_assert_ptr_null(ca);
	/* The device CA was not self-signed. */
	ck_assert_ws_detail(ws_ca_check_issued_by(pki.ca, pki.ca), WS_ERR_CRYPTO,
	    "the certificate's issuer is not the CA's subject");
	free(more);
	ws_cert_free(leaf);
}
END_TEST

START_TEST(test_make_root_refusals)
{
	EVP_PKEY *rsa = th_key_rsa(2048);
	size_t len, rlen;
	uint8_t *spki = th_spki(pki.root_key, &len), *rspki = th_spki(rsa, &rlen);
	struct ws_cert *cert = NULL;
	char long_name[66];

	memset(long_name, 'f', 65);
	long_name[65] = '\0';
	ck_assert_ws_detail(ws_cert_make_root("", spki, len, 0, th_sign, &pki.root_signer, &cert),
	    WS_ERR_INVALID_ARGUMENT, "the factory name must be 1 to 64 bytes, not 0");
	ck_assert_ws_detail(ws_cert_make_root(long_name, spki, len, 0, th_sign, &pki.root_signer, &cert),
	    WS_ERR_INVALID_ARGUMENT, "the factory name must be 1 to 64 bytes, not 65");
	ck_assert_ws_detail(ws_cert_make_root("ac\tme", spki, len, 0, th_sign, &pki.root_signer, &cert),
	    WS_ERR_INVALID_ARGUMENT, "the factory name is not UTF-8 text without control characters");
	ck_assert_ws_detail(ws_cert_make_root(TH_FACTORY, rspki, rlen, 0, th_sign, &pki.root_signer, &cert),
	    WS_ERR_KEY_TYPE, "a CA key must be EC P-256, not RSA 2048");
	memset(long_name, 'o', 61);
	long_name[61] = '\0';
	ck_assert_ws_detail(ws_cert_make_device_ca(pki.root, TH_FACTORY, long_name, spki, len, 0, th_sign,
	    &pki.root_signer, &cert), WS_ERR_INVALID_ARGUMENT,
	    "the device CA's CN \"fio-ooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo\" is longer "
	    "than 64 bytes");
	ck_assert_ptr_null(cert);
	OPENSSL_free(spki);
	OPENSSL_free(rspki);
	EVP_PKEY_free(rsa);
}
END_TEST

/* ---- the other profiles ---- */

START_TEST(test_tls_cert)
{
	struct th_csr_opts o = {
		.rdns = (const struct th_rdn[]){ { "CN", "gw.example.com", 0, false } }, .n_rdns = 1,
		.ext_ku = "", .ext_eku = "", .ext_san = "DNS:gw.example.com,IP:10.0.0.1",
	};
	size_t len;
	uint8_t *der = th_csr_der(dev_key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	struct ws_cert *cert = NULL;
	X509 *x, *root;
	const uint8_t ku[] = { 0x03, 0x02, 0x07, 0x80 };
	const uint8_t eku[] = { 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();

	ck_assert_ws_ok(ws_csr_check_tls(csr, 0));
	ck_assert_ws_ok(ws_cert_issue_tls(pki.root, csr, now_minus_hour(), th_sign, &pki.root_signer, &cert));
	x = th_x509_from_ws(cert);
	root = th_x509_from_ws(pki.root_cert);
	assert_ext_der(x, NID_key_usage, 1, ku, sizeof(ku));
	assert_ext_der(x, NID_ext_key_usage, 0, eku, sizeof(eku));
	assert_ext_der(x, NID_subject_alt_name, 0, csr->subject_alt_name.value, csr->subject_alt_name.len);
	assert_name_der(X509_get_subject_name(x), csr->subject, csr->subject_len);
	assert_aki(x, pki.root->ski, pki.root->ski_len);
	ck_assert_int_eq(years_between(X509_get0_notBefore(x), X509_get0_notAfter(x)), 10);
	ck_assert_int_eq(X509_check_host(x, "gw.example.com", 0, 0, NULL), 1);
	ck_assert_int_eq(X509_check_ip_asc(x, "10.0.0.1", 0), 1);
	X509_STORE_add_cert(store, root);
	ck_assert(X509_STORE_CTX_init(ctx, store, x, NULL));
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
	ck_assert_int_eq(X509_verify_cert(ctx), 1);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(root);
	X509_free(x);
	ws_cert_free(cert);
	ws_csr_free(csr);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_device_ca_from_csr_issues)
{
	EVP_PKEY *ca2_key = th_key_ec("P-256");
	struct th_csr_opts o = {
		.rdns = (const struct th_rdn[]){ { "CN", "fio-second", 0, false }, { "OU", TH_FACTORY, 0, false } },
		.n_rdns = 2, .ext_bc = "critical,CA:TRUE", .ext_ku = "", .ext_eku = "",
	};
	size_t len;
	uint8_t *der = th_csr_der(ca2_key, &o, &len);
	struct ws_csr *csr = th_csr_ok(der, len);
	struct ws_cert *ca2_cert = NULL, *leaf = NULL;
	struct ws_ca *ca2 = NULL;
	struct th_signer ca2_signer = { .key = ca2_key };
	uint8_t *dcsr;
	size_t dlen;
	struct ws_csr *dev;

	ck_assert_ws_ok(ws_csr_check_device_ca(csr, TH_FACTORY, 0));
	ck_assert_ws_ok(ws_cert_issue_device_ca(pki.root, csr, now_minus_hour(), th_sign, &pki.root_signer,
	    &ca2_cert));
	ck_assert_ws_ok(ws_ca_parse(ca2_cert->der, ca2_cert->der_len, &ca2));
	ck_assert_ws_ok(ws_ca_check_issued_by(ca2, pki.root));
	ck_assert_int_eq(ca2->path_len, 0);
	ck_assert_uint_eq(ca2->subject_len, csr->subject_len);
	ck_assert_mem_eq(ca2->subject, csr->subject, csr->subject_len);

	dcsr = th_device_csr(dev_key, TH_UUID, TH_FACTORY, false, &dlen);
	dev = th_csr_ok(dcsr, dlen);
	ck_assert_ws_ok(ws_cert_issue_device(ca2, dev, now_minus_hour(), DAY, th_sign, &ca2_signer, &leaf));
	assert_chain_ok(leaf, ca2_cert, X509_PURPOSE_SSL_CLIENT);
	ws_cert_free(leaf);
	ws_csr_free(dev);
	OPENSSL_free(dcsr);
	ws_ca_free(ca2);
	ws_cert_free(ca2_cert);
	ws_csr_free(csr);
	OPENSSL_free(der);
	EVP_PKEY_free(ca2_key);
}
END_TEST

START_TEST(test_pem_output)
{
	struct ws_buf pem = WS_BUF_INIT(1 << 16);
	BIO *bio;
	X509 *x;
	uint8_t *der = NULL;
	int n;

	ck_assert_ws_ok(ws_cert_pem(&pem, pki.ca_cert->der, pki.ca_cert->der_len));
	ck_assert_int_eq(memcmp(pem.data, "-----BEGIN CERTIFICATE-----\n", 28), 0);
	ck_assert_int_eq(memcmp(pem.data + pem.len - 26, "-----END CERTIFICATE-----\n", 26), 0);
	bio = BIO_new_mem_buf(pem.data, (int)pem.len);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(x);
	n = i2d_X509(x, &der);
	ck_assert_int_eq(n, (int)pki.ca_cert->der_len);
	ck_assert_mem_eq(der, pki.ca_cert->der, pki.ca_cert->der_len);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	ws_buf_free(&pem);
}
END_TEST

static Suite *
cert_suite(void)
{
	Suite *s = suite_create("cert");
	TCase *pkitc = tcase_create("pki");
	TCase *dev = tcase_create("device");
	TCase *tools = tcase_create("tools");
	TCase *bad = tcase_create("refusals");
	TCase *other = tcase_create("profiles");
	TCase *all[] = { pkitc, dev, tools, bad, other };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		tcase_set_timeout(all[i], 60);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(pkitc, test_root_ca_profile);
	tcase_add_test(pkitc, test_device_ca_profile);
	tcase_add_test(dev, test_device_cert_profile);
	tcase_add_test(dev, test_device_cert_chain_verifies);
	tcase_add_test(dev, test_production_cert_subject);
	tcase_add_test(dev, test_ed25519_device_key);
	tcase_add_test(dev, test_serials_random_positive_159_bits);
	tcase_add_test(dev, test_validity_utctime_then_generalizedtime);
	tcase_add_test(tools, test_openssl_verify_cli);
	tcase_add_test(tools, test_certtool_verify_cli);
	tcase_add_test(tools, test_python_cryptography);
	tcase_add_test(bad, test_unverified_csr_refused);
	tcase_add_test(bad, test_signer_failure_propagates);
	tcase_add_test(bad, test_bad_signature_never_returned);
	tcase_add_test(bad, test_ca_parse_refusals);
	tcase_add_test(bad, test_make_root_refusals);
	tcase_add_test(other, test_tls_cert);
	tcase_add_test(other, test_device_ca_from_csr_issues);
	tcase_add_test(other, test_pem_output);
	return s;
}

int
main(void)
{
	return ws_test_run(cert_suite());
}
