/*
 * test-checkpoint.c -- signed notes, verifier keys and C2SP checkpoints.
 *
 * Known answer: the example of golang.org/x/mod/sumdb/note (the
 * PeterNeumann key). Ed25519 is deterministic, so signing that text with
 * that key must give exactly the published note, byte for byte -- which
 * is what lets Go witnesses and verifiers read wavesign's checkpoints.
 * Every refusal of the strict parser is its own test asserting the detail.
 */
#include "config.h"

#include <string.h>

#include "ws_checkpoint.h"
#include "ws_encode.h"
#include "log_key.h"
#include "test_common.h"

#define PETER_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY_B64 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define PETER_TEXT "If you think cryptography is the answer to your problem,\n" \
	"then you don't know what your problem is.\n"
#define PETER_NOTE PETER_TEXT "\n\xe2\x80\x94 PeterNeumann " \
	"x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

#define ORIGIN "wavesign/acme/0123456789abcdef"

static struct test_key audit;

static void
setup(void)
{
	static const uint8_t seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	test_key_init(&audit, "audit", seed);
}

static void
teardown(void)
{
	test_key_free(&audit);
}

static void
peter_key(struct test_key *k)
{
	uint8_t raw[33];
	size_t n;

	ck_assert_ws_ok(ws_base64_decode(PETER_SKEY_B64, strlen(PETER_SKEY_B64), raw, sizeof(raw), &n));
	ck_assert_uint_eq(n, 33);
	ck_assert_uint_eq(raw[0], 1);
	test_key_init(k, "PeterNeumann", raw + 1);
}

/* Signs a checkpoint of size 5 with the audit key into note. */
static void
sample_note(struct ws_buf *note)
{
	struct ws_checkpoint cp;

	memset(&cp, 0, sizeof(cp));
	strcpy(cp.origin, ORIGIN);
	cp.size = 5;
	memset(cp.root, 0xab, sizeof(cp.root));
	ck_assert_ws_ok(ws_checkpoint_sign(&cp, &audit.note_key, test_key_sign, &audit, note));
}

static ws_err
parse_str(const char *s, struct ws_checkpoint *cp)
{
	return ws_checkpoint_parse((const uint8_t *)s, strlen(s), cp, NULL);
}

START_TEST(test_go_vector_key_string)
{
	struct ws_buf out = WS_BUF_INIT(256);
	struct ws_note_key parsed;
	struct test_key peter;

	peter_key(&peter);
	ck_assert_ws_ok(ws_note_key_format(&peter.note_key, &out));
	ck_assert_ws_ok(ws_buf_put_u8(&out, 0));
	ck_assert_str_eq((const char *)out.data, PETER_VKEY);
	ck_assert_ws_ok(ws_note_key_parse(PETER_VKEY, strlen(PETER_VKEY), &parsed));
	ck_assert_mem_eq(parsed.pub, peter.pub, 32);
	ck_assert_str_eq(parsed.name, "PeterNeumann");
	ws_buf_free(&out);
	test_key_free(&peter);
}
END_TEST

START_TEST(test_go_vector_signature)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX);
	struct test_key peter;
	struct ws_note n;

	peter_key(&peter);
	ck_assert_ws_ok(ws_note_sign((const uint8_t *)PETER_TEXT, strlen(PETER_TEXT), &peter.note_key,
	    test_key_sign, &peter, &note));
	ck_assert_uint_eq(note.len, strlen(PETER_NOTE));
	ck_assert_mem_eq(note.data, PETER_NOTE, note.len);
	ck_assert_ws_ok(ws_note_parse(note.data, note.len, &n));
	ck_assert_uint_eq(n.text_len, strlen(PETER_TEXT));
	ck_assert_ws_ok(ws_note_verify(&n, &peter.note_key));
	note.data[10] ^= 1;	/* "cryptography" changes */
	ck_assert_ws_ok(ws_note_parse(note.data, note.len, &n));
	ck_assert_ws(ws_note_verify(&n, &peter.note_key), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "signature by PeterNeumann+c74f20a3 does not verify");
	ws_buf_free(&note);
	test_key_free(&peter);
}
END_TEST

START_TEST(test_checkpoint_body)
{
	struct ws_buf b = WS_BUF_INIT(1024);
	struct ws_checkpoint cp;

	memset(&cp, 0, sizeof(cp));
	strcpy(cp.origin, ORIGIN);
	cp.size = 12;
	ck_assert_ws_ok(ws_checkpoint_body(&cp, &b));
	ck_assert_ws_ok(ws_buf_put_u8(&b, 0));
	ck_assert_str_eq((const char *)b.data, ORIGIN "\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_checkpoint_roundtrip)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_checkpoint cp;
	uint8_t root[32];

	sample_note(&note);
	memset(root, 0xab, sizeof(root));
	ck_assert_ws_ok(ws_checkpoint_verify(note.data, note.len, &audit.note_key, &cp));
	ck_assert_str_eq(cp.origin, ORIGIN);
	ck_assert_uint_eq(cp.size, 5);
	ck_assert_mem_eq(cp.root, root, 32);
	/* The em dash, the key name, base64 of 68 bytes. */
	ck_assert(memmem(note.data, note.len, "\n\n\xe2\x80\x94 audit ", 11) != NULL);
	ws_buf_free(&note);
}
END_TEST

START_TEST(test_refuses_extension_line)
{
	struct ws_checkpoint cp;

	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nextra\n\n"
	    "\xe2\x80\x94 audit AAAAAAAA\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "checkpoint has more than 3 lines (extension lines are not accepted)");
}
END_TEST

START_TEST(test_refuses_bad_base64_root)
{
	struct ws_checkpoint cp;

	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6t=\n\n"
	    "\xe2\x80\x94 audit AAAAAAAA\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "checkpoint line 3: root hash is not canonical base64 of 32 bytes");
	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s\n\n"
	    "\xe2\x80\x94 audit AAAAAAAA\n", &cp), WS_ERR_CHECKPOINT);
}
END_TEST

START_TEST(test_refuses_bad_size)
{
	struct ws_checkpoint cp;

	ck_assert_ws(parse_str(ORIGIN "\n05\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"
	    "\xe2\x80\x94 audit AAAAAAAA\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "checkpoint line 2: tree size is not a decimal number without leading zeros");
	ck_assert_ws(parse_str(ORIGIN "\n18446744073709551616\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"
	    "\xe2\x80\x94 audit AAAAAAAA\n", &cp), WS_ERR_CHECKPOINT);
}
END_TEST

START_TEST(test_refuses_wrong_key_hash)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX);
	struct test_key other;
	struct ws_checkpoint cp;

	sample_note(&note);
	test_key_init(&other, "audit", NULL);	/* same name, another key */
	ck_assert_ws(ws_checkpoint_verify(note.data, note.len, &other.note_key, &cp), WS_ERR_CHECKPOINT);
	ck_assert_msg(strncmp(ws_err_detail(), "signed by a different key named audit (key hash ", 48) == 0,
	    "%s", ws_err_detail());
	test_key_free(&other);
	ws_buf_free(&note);
}
END_TEST

START_TEST(test_refuses_forged_signature)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_checkpoint cp;
	char want[64];
	char hex[9];

	sample_note(&note);
	/* Change one base64 character of the signature (not the key hash). */
	note.data[note.len - 10] = note.data[note.len - 10] == 'A' ? 'B' : 'A';
	ck_assert_ws(ws_checkpoint_verify(note.data, note.len, &audit.note_key, &cp), WS_ERR_CHECKPOINT);
	ws_hex_encode(audit.note_key.hash, 4, hex);
	snprintf(want, sizeof(want), "signature by audit+%s does not verify", hex);
	ck_assert_str_eq(ws_err_detail(), want);
	ws_buf_free(&note);
}
END_TEST

START_TEST(test_refuses_other_signer_only)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX);
	struct test_key other;
	struct ws_checkpoint cp;

	sample_note(&note);
	test_key_init(&other, "witness", NULL);
	ck_assert_ws(ws_checkpoint_verify(note.data, note.len, &other.note_key, &cp), WS_ERR_CHECKPOINT);
	ck_assert_msg(strncmp(ws_err_detail(), "no signature by witness+", 24) == 0, "%s", ws_err_detail());
	ck_assert_msg(strstr(ws_err_detail(), "(signed by audit)") != NULL, "%s", ws_err_detail());
	test_key_free(&other);
	ws_buf_free(&note);
}
END_TEST

START_TEST(test_refuses_oversized)
{
	static uint8_t big[WS_NOTE_MAX + 100];
	struct ws_checkpoint cp;

	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	ck_assert_ws(ws_checkpoint_parse(big, sizeof(big), &cp, NULL), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "note is 8292 bytes, at most 8192 allowed");
}
END_TEST

START_TEST(test_refuses_missing_signature_block)
{
	struct ws_checkpoint cp;

	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "note has no empty line before its signatures");
	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "note has no signature");
}
END_TEST

START_TEST(test_refuses_bad_signature_line)
{
	struct ws_checkpoint cp;

	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"
	    "- audit AAAAAAAA\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(),
	    "note line 5 is not a signature line (\xe2\x80\x94 <key name> <base64>)");
	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"
	    "\xe2\x80\x94 audit AAAA AAA\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "note line 5: signature is not canonical base64: "
	    "character 4 is not in the base64 alphabet");
	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"
	    "\xe2\x80\x94 audit AAAAAA==\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "note line 5: signature has only 4 bytes");
	ck_assert_ws(parse_str(ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"
	    "\xe2\x80\x94 audit AAAAAAAA\ntrailing", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "note is empty or does not end in a newline");
}
END_TEST

START_TEST(test_refuses_control_characters)
{
	struct ws_checkpoint cp;

	ck_assert_ws(parse_str("wavesign/a\tb\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"
	    "\xe2\x80\x94 audit AAAAAAAA\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "note text has control character 0x09 at byte 10");
	ck_assert_ws(parse_str("wavesign/a b\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"
	    "\xe2\x80\x94 audit AAAAAAAA\n", &cp), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(),
	    "checkpoint line 1: origin has byte 0x20 at 10 (printable ASCII without spaces only)");
}
END_TEST

START_TEST(test_refuses_too_many_signatures)
{
	struct ws_buf b = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_checkpoint cp;
	int i;

	ck_assert_ws_ok(ws_buf_put_str(&b, ORIGIN "\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"));
	for (i = 0; i < WS_NOTE_SIGS_MAX + 1; i++)
		ck_assert_ws_ok(ws_buf_printf(&b, "\xe2\x80\x94 w%d AAAAAAAA\n", i));
	ck_assert_ws(ws_checkpoint_parse(b.data, b.len, &cp, NULL), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "note has more than 16 signatures");
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_cosigned_note_verifies_for_each_key)
{
	struct ws_buf body = WS_BUF_INIT(WS_NOTE_MAX), note = WS_BUF_INIT(WS_NOTE_MAX);
	struct test_key witness;
	struct ws_checkpoint cp;
	struct ws_note n;
	const uint8_t *sigs;

	memset(&cp, 0, sizeof(cp));
	strcpy(cp.origin, ORIGIN);
	cp.size = 7;
	test_key_init(&witness, "witness.example", NULL);
	ck_assert_ws_ok(ws_checkpoint_body(&cp, &body));
	ck_assert_ws_ok(ws_note_sign(body.data, body.len, &audit.note_key, test_key_sign, &audit, &note));
	/* Append a second signature line made the same way (a witness cosignature). */
	{
		struct ws_buf second = WS_BUF_INIT(WS_NOTE_MAX);

		ck_assert_ws_ok(ws_note_sign(body.data, body.len, &witness.note_key, test_key_sign, &witness, &second));
		sigs = second.data + body.len + 1;
		ck_assert_ws_ok(ws_buf_put(&note, sigs, second.len - body.len - 1));
		ws_buf_free(&second);
	}
	ck_assert_ws_ok(ws_note_parse(note.data, note.len, &n));
	ck_assert_uint_eq(n.nsigs, 2);
	ck_assert_ws_ok(ws_note_verify(&n, &audit.note_key));
	ck_assert_ws_ok(ws_note_verify(&n, &witness.note_key));
	test_key_free(&witness);
	ws_buf_free(&body);
	ws_buf_free(&note);
}
END_TEST

START_TEST(test_verifier_key_refusals)
{
	struct ws_note_key k;
	const char *bad_hash = "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	const char *upper = "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	const char *alg = "PeterNeumann+c74f20a3+AhpcZQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

	ck_assert_ws(ws_note_key_parse(bad_hash, strlen(bad_hash), &k), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "verifier key: key hash does not match the name and key");
	ck_assert_ws(ws_note_key_parse(upper, strlen(upper), &k), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "verifier key: key hash is not 8 lower-case hex digits");
	ck_assert_ws(ws_note_key_parse(alg, strlen(alg), &k), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "verifier key: algorithm 0x02 is not Ed25519 (0x01)");
	ck_assert_ws(ws_note_key_parse("audit", 5, &k), WS_ERR_CHECKPOINT);
	ck_assert_ws(ws_note_key_parse(PETER_VKEY "\n", strlen(PETER_VKEY) + 1, &k), WS_ERR_CHECKPOINT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("checkpoint");
	TCase *tc = tcase_create("note");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_go_vector_key_string);
	tcase_add_test(tc, test_go_vector_signature);
	tcase_add_test(tc, test_checkpoint_body);
	tcase_add_test(tc, test_checkpoint_roundtrip);
	tcase_add_test(tc, test_cosigned_note_verifies_for_each_key);
	suite_add_tcase(s, tc);
	tc = tcase_create("strict");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_refuses_extension_line);
	tcase_add_test(tc, test_refuses_bad_base64_root);
	tcase_add_test(tc, test_refuses_bad_size);
	tcase_add_test(tc, test_refuses_wrong_key_hash);
	tcase_add_test(tc, test_refuses_forged_signature);
	tcase_add_test(tc, test_refuses_other_signer_only);
	tcase_add_test(tc, test_refuses_oversized);
	tcase_add_test(tc, test_refuses_missing_signature_block);
	tcase_add_test(tc, test_refuses_bad_signature_line);
	tcase_add_test(tc, test_refuses_control_characters);
	tcase_add_test(tc, test_refuses_too_many_signatures);
	tcase_add_test(tc, test_verifier_key_refusals);
	suite_add_tcase(s, tc);
	return ws_test_run(s);
}
