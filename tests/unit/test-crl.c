/* test-crl.c -- CRLs built by ws_crl, read back and verified with OpenSSL. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ws_crl.h"
#include "test_common.h"
#include "x509_helpers.h"

static struct th_pki pki;

static void
setup(void)
{
	th_pki_make(&pki);
}

static void
teardown(void)
{
	th_pki_free(&pki);
}

static X509_CRL *
parse_crl(const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);

	ck_assert_msg(crl != NULL, "d2i_X509_CRL refuses the CRL");
	ck_assert(p == der + len);
	return crl;
}

/* The reasonCode of a revoked entry, or -1 when it has none. */
static int
entry_reason(X509_REVOKED *rev)
{
	int crit = 0;
	ASN1_ENUMERATED *r = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, NULL);
	long v;

	if (r == NULL)
		return -1;
	ck_assert_int_eq(crit, 0);
	v = ASN1_ENUMERATED_get(r);
	ASN1_ENUMERATED_free(r);
	return (int)v;
}

static X509_REVOKED *
find_entry(X509_CRL *crl, const struct ws_cert *cert)
{
	X509_REVOKED *rev = NULL;
	BIGNUM *bn = BN_bin2bn(cert->serial, (int)cert->serial_len, NULL);
	ASN1_INTEGER *serial = BN_to_ASN1_INTEGER(bn, NULL);

	/* 2 for a removeFromCRL entry: found, but not revoked */
	ck_assert_int_ge(X509_CRL_get0_by_serial(crl, &rev, serial), 1);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return rev;
}

/* The root's CRL over device CAs: revoked (9), disabled (6), re-enabled (8). */
START_TEST(test_root_crl_reasons)
{
	struct ws_cert *c[3] = { NULL, NULL, NULL };
	struct ws_crl_entry entries[3];
	const enum ws_crl_reason reasons[3] = { WS_CRL_REASON_PRIVILEGE_WITHDRAWN,
		WS_CRL_REASON_CERTIFICATE_HOLD, WS_CRL_REASON_REMOVE_FROM_CRL };
	uint8_t *der = NULL;
	size_t len = 0;
	X509_CRL *crl;
	X509 *root = th_x509_from_ws(pki.root_cert);
	ASN1_INTEGER *num;
	int crit = -1;

	for (int i = 0; i < 3; i++) {
		uint8_t *spki;
		size_t spki_len;
		EVP_PKEY *k = th_key_ec("P-256");

		spki = th_spki(k, &spki_len);
		ck_assert_ws_ok(ws_cert_make_device_ca(pki.root, TH_FACTORY, "owner-x", spki, spki_len,
		    TH_TIME, th_sign, &pki.root_signer, &c[i]));
		entries[i] = (struct ws_crl_entry){ c[i]->serial, c[i]->serial_len, TH_TIME + 100 * i, reasons[i] };
		OPENSSL_free(spki);
		EVP_PKEY_free(k);
	}
	ck_assert_ws_ok(ws_crl_build(pki.root, 7, TH_TIME + 1000, TH_TIME + 1000 + 30 * 86400, entries, 3,
	    th_sign, &pki.root_signer, &der, &len));
	crl = parse_crl(der, len);
	ck_assert_int_eq(X509_CRL_get_version(crl), X509_CRL_VERSION_2);
	ck_assert_int_eq(X509_CRL_verify(crl, X509_get0_pubkey(root)), 1);
	ck_assert_int_eq(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(root)), 0);
	ck_assert_int_eq(X509_CRL_get_signature_nid(crl), NID_ecdsa_with_SHA256);
	ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_CRL_get0_lastUpdate(crl), TH_TIME + 1000), 0);
	ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_CRL_get0_nextUpdate(crl), TH_TIME + 1000 + 30 * 86400), 0);
	ck_assert_int_eq(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 3);
	for (int i = 0; i < 3; i++) {
		X509_REVOKED *rev = find_entry(crl, c[i]);

		ck_assert_int_eq(entry_reason(rev), (int)reasons[i]);
		ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_REVOKED_get0_revocationDate(rev), TH_TIME + 100 * i), 0);
	}
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, &crit, NULL);
	ck_assert_ptr_nonnull(num);
	ck_assert_int_eq(crit, 0);
	ck_assert_int_eq(ASN1_INTEGER_get(num), 7);
	ASN1_INTEGER_free(num);
	{
		AUTHORITY_KEYID *akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &crit, NULL);

		ck_assert_ptr_nonnull(akid);
		ck_assert_int_eq(ASN1_STRING_length(akid->keyid), (int)pki.root->ski_len);
		ck_assert_mem_eq(ASN1_STRING_get0_data(akid->keyid), pki.root->ski, pki.root->ski_len);
		AUTHORITY_KEYID_free(akid);
	}
	X509_CRL_free(crl);
	X509_free(root);
	free(der);
	for (int i = 0; i < 3; i++)
		ws_cert_free(c[i]);
}
END_TEST

/* The device CA's CRL over device certificates: a revoked certificate fails chain checks. */
START_TEST(test_device_crl_revokes)
{
	EVP_PKEY *dev = th_key_ec("P-256");
	size_t csr_len;
	uint8_t *csr_der = th_device_csr(dev, TH_UUID, TH_FACTORY, false, &csr_len);
	struct ws_csr *csr = th_csr_ok(csr_der, csr_len);
	struct ws_cert *leaf = NULL, *other = NULL;
	struct ws_crl_entry entry;
	uint8_t *der = NULL, *root_crl = NULL;
	size_t len = 0, root_crl_len = 0;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_CRL *crl, *rcrl;
	X509 *x, *ox, *root = th_x509_from_ws(pki.root_cert);
	time_t now = time(NULL);

	ck_assert_ws_ok(ws_cert_issue_device(pki.ca, csr, now - 3600, 86400, th_sign, &pki.ca_signer, &leaf));
	ck_assert_ws_ok(ws_cert_issue_device(pki.ca, csr, now - 3600, 86400, th_sign, &pki.ca_signer, &other));
	entry = (struct ws_crl_entry){ leaf->serial, leaf->serial_len, now - 60, WS_CRL_REASON_KEY_COMPROMISE };
	ck_assert_ws_ok(ws_crl_build(pki.ca, 1, now - 60, now + 86400, &entry, 1, th_sign, &pki.ca_signer,
	    &der, &len));
	ck_assert_ws_ok(ws_crl_build(pki.root, 1, now - 60, now + 86400, NULL, 0, th_sign, &pki.root_signer,
	    &root_crl, &root_crl_len));
	crl = parse_crl(der, len);
	rcrl = parse_crl(root_crl, root_crl_len);
	X509_STORE_add_cert(store, root);
	X509_STORE_add_crl(store, crl);
	X509_STORE_add_crl(store, rcrl);
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	sk_X509_push(chain, th_x509_from_ws(pki.ca_cert));

	x = th_x509_from_ws(leaf);
	ck_assert(X509_STORE_CTX_init(ctx, store, x, chain));
	ck_assert_int_ne(X509_verify_cert(ctx), 1);
	ck_assert_int_eq(X509_STORE_CTX_get_error(ctx), X509_V_ERR_CERT_REVOKED);
	X509_STORE_CTX_cleanup(ctx);
	ox = th_x509_from_ws(other);
	ck_assert(X509_STORE_CTX_init(ctx, store, ox, chain));
	ck_assert_msg(X509_verify_cert(ctx) == 1, "%s",
	    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));

	X509_free(ox);
	X509_free(x);
	X509_CRL_free(crl);
	X509_CRL_free(rcrl);
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(root);
	free(der);
	free(root_crl);
	ws_cert_free(leaf);
	ws_cert_free(other);
	ws_csr_free(csr);
	OPENSSL_free(csr_der);
	EVP_PKEY_free(dev);
}
END_TEST

START_TEST(test_empty_crl_has_no_revoked_list)
{
	uint8_t *der = NULL;
	size_t len = 0;
	X509_CRL *crl;
	X509 *root = th_x509_from_ws(pki.root_cert);
	const uint8_t empty_seq_after_time[] = { 'Z', 0x30, 0x00 };

	ck_assert_ws_ok(ws_crl_build(pki.root, 1, TH_TIME, TH_TIME + 86400, NULL, 0, th_sign,
	    &pki.root_signer, &der, &len));
	ck_assert_ptr_null(memmem(der, len, empty_seq_after_time, sizeof(empty_seq_after_time)));
	crl = parse_crl(der, len);
	ck_assert_int_eq(X509_CRL_verify(crl, X509_get0_pubkey(root)), 1);
	ck_assert_ptr_null(X509_CRL_get_REVOKED(crl));
	X509_CRL_free(crl);
	X509_free(root);
	free(der);
}
END_TEST

START_TEST(test_crl_openssl_cli)
{
	char *dir = th_tmpdir(), *cmd = NULL;
	struct ws_crl_entry entry = { pki.ca_cert->serial, pki.ca_cert->serial_len, TH_TIME,
		WS_CRL_REASON_CERTIFICATE_HOLD };
	uint8_t *der = NULL;
	size_t len = 0;
	struct ws_buf pem = WS_BUF_INIT(1 << 16);
	int st;

	ck_assert_ws_ok(ws_crl_build(pki.root, 2, TH_TIME, TH_TIME + 86400, &entry, 1, th_sign,
	    &pki.root_signer, &der, &len));
	ck_assert_ws_ok(ws_crl_pem(&pem, der, len));
	free(th_write(dir, "root.crl", pem.data, pem.len));
	free(th_write_pem(dir, "root.pem", pki.root_cert->der, pki.root_cert->der_len));
	ck_assert_int_gt(asprintf(&cmd, "cd '%s' && openssl crl -in root.crl -CAfile root.pem -noout "
	    "2>&1 | grep -q 'verify OK' && openssl crl -in root.crl -noout -text | grep -q 'Certificate Hold'",
	    dir), 0);
	st = system(cmd);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(cmd);
	ws_buf_free(&pem);
	free(der);
	th_rmdir(dir);
}
END_TEST

START_TEST(test_crl_refusals)
{
	uint8_t zero[1] = { 0 }, *der = NULL;
	size_t len = 0;
	struct ws_crl_entry bad_serial = { zero, 1, TH_TIME, WS_CRL_REASON_NONE };
	struct ws_crl_entry bad_reason = { pki.ca_cert->serial, pki.ca_cert->serial_len, TH_TIME, 7 };

	ck_assert_ws_detail(ws_crl_build(pki.root, 1, TH_TIME, TH_TIME, NULL, 0, th_sign, &pki.root_signer,
	    &der, &len), WS_ERR_INVALID_ARGUMENT, "CRL: nextUpdate is not after thisUpdate");
	ck_assert_ws_detail(ws_crl_build(pki.root, 1, TH_TIME, TH_TIME + 1, &bad_serial, 1, th_sign,
	    &pki.root_signer, &der, &len), WS_ERR_INVALID_ARGUMENT, "CRL: entry 0: serial number 0");
	ck_assert_ws_detail(ws_crl_build(pki.root, 1, TH_TIME, TH_TIME + 1, &bad_reason, 1, th_sign,
	    &pki.root_signer, &der, &len), WS_ERR_INVALID_ARGUMENT, "CRL: entry 0: reason code 7");
	pki.root_signer.mode = TH_SIGN_CORRUPT;
	ck_assert_ws_detail_has(ws_crl_build(pki.root, 1, TH_TIME, TH_TIME + 1, NULL, 0, th_sign,
	    &pki.root_signer, &der, &len), WS_ERR_CRYPTO,
	    "CRL: the signature made by the signer does not verify with the issuer's public key");
	ck_assert_ptr_null(der);
	ck_assert_uint_eq(len, 0);
}
END_TEST

static Suite *
crl_suite(void)
{
	Suite *s = suite_create("crl");
	TCase *tc = tcase_create("crl");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_root_crl_reasons);
	tcase_add_test(tc, test_device_crl_revokes);
	tcase_add_test(tc, test_empty_crl_has_no_revoked_list);
	tcase_add_test(tc, test_crl_openssl_cli);
	tcase_add_test(tc, test_crl_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return ws_test_run(crl_suite());
}
