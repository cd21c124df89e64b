/* test-der.c -- the strict DER reader and writer, and PEM. */
#include "config.h"

#include <string.h>

#include "ws_der.h"
#include "ws_oid.h"
#include "ws_pem.h"
#include "test_common.h"

#define ck_assert_ws_detail(expr, code, detail) do { \
	ck_assert_ws(expr, code); \
	ck_assert_str_eq(ws_err_detail(), detail); \
} while (0)

static struct ws_reader
reader(const uint8_t *p, size_t n)
{
	struct ws_reader r;

	ws_reader_init(&r, p, n);
	return r;
}

/* ---- reader ---- */

START_TEST(test_read_short_and_long_lengths)
{
	uint8_t buf[300];
	struct ws_reader r;
	struct ws_der_tlv t;

	memset(buf, 0xaa, sizeof(buf));
	buf[0] = 0x04;
	buf[1] = 0x7f;
	r = reader(buf, 2 + 0x7f);
	ck_assert_ws_ok(ws_der_read(&r, &t));
	ck_assert_uint_eq(t.tag, 0x04);
	ck_assert_uint_eq(t.len, 0x7f);
	ck_assert_ptr_eq(t.val, buf + 2);
	ck_assert_uint_eq(t.tlv_len, 2 + 0x7f);
	ck_assert_uint_eq(ws_reader_left(&r), 0);

	buf[1] = 0x81;
	buf[2] = 0x80;
	r = reader(buf, 3 + 0x80);
	ck_assert_ws_ok(ws_der_read(&r, &t));
	ck_assert_uint_eq(t.len, 0x80);

	buf[1] = 0x82;
	buf[2] = 0x01;
	buf[3] = 0x00;
	r = reader(buf, 0x100);
	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_TRUNCATED, "DER element of 256 bytes, only 252 left");
	ck_assert_uint_eq(r.off, 0);
}
END_TEST

START_TEST(test_read_refuses_ber)
{
	const uint8_t indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
	const uint8_t long_for_short[] = { 0x04, 0x81, 0x05, 1, 2, 3, 4, 5 };
	const uint8_t leading_zero[] = { 0x04, 0x82, 0x00, 0x85 };
	const uint8_t five_bytes[] = { 0x04, 0x85, 0, 0, 0, 0, 1, 0 };
	const uint8_t high_tag[] = { 0x1f, 0x21, 0x00 };
	struct ws_reader r;
	struct ws_der_tlv t;

	r = reader(indefinite, sizeof(indefinite));
	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_DER_MALFORMED, "indefinite length (BER, not DER)");
	r = reader(long_for_short, sizeof(long_for_short));
	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_DER_MALFORMED, "long form for length 5 (not minimal)");
	r = reader(leading_zero, sizeof(leading_zero));
	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_DER_MALFORMED, "length has a leading zero byte (not minimal)");
	r = reader(five_bytes, sizeof(five_bytes));
	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_DER_MALFORMED, "length of 5 bytes (at most 4 allowed)");
	r = reader(high_tag, sizeof(high_tag));
	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_DER_MALFORMED, "high tag number form (0x1f) is not used here");
	ck_assert_uint_eq(r.off, 0);
}
END_TEST

START_TEST(test_read_huge_length_cannot_overflow)
{
	const uint8_t huge[] = { 0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00 };
	struct ws_reader r = reader(huge, sizeof(huge));
	struct ws_der_tlv t;

	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_TRUNCATED, "DER element of 4294967295 bytes, only 1 left");
	r = reader(huge, 3);
	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_TRUNCATED, "DER length needs 4 bytes, 1 left");
	r = reader(huge, 1);
	ck_assert_ws_detail(ws_der_read(&r, &t), WS_ERR_TRUNCATED, "DER element header needs 2 bytes, 1 left");
}
END_TEST

START_TEST(test_nesting_with_sub_readers)
{
	/* SEQUENCE { INTEGER 5, SEQUENCE { BOOLEAN TRUE }, NULL } */
	const uint8_t der[] = { 0x30, 0x0a, 0x02, 0x01, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x05, 0x00 };
	struct ws_reader r = reader(der, sizeof(der)), seq, inner;
	uint64_t v = 0;
	bool b = false;

	ck_assert_ws_ok(ws_der_enter(&r, WS_DER_SEQUENCE, &seq));
	ck_assert_ws_ok(ws_der_end(&r, "the input"));
	ck_assert_int_eq(ws_der_peek_tag(&seq), WS_DER_INTEGER);
	ck_assert_ws_ok(ws_der_read_uint(&seq, &v));
	ck_assert_uint_eq(v, 5);
	ck_assert_ws_detail(ws_der_read_null(&seq), WS_ERR_DER_MALFORMED, "expected NULL, found SEQUENCE");
	ck_assert_ws_ok(ws_der_enter(&seq, WS_DER_SEQUENCE, &inner));
	ck_assert_ws_ok(ws_der_read_bool(&inner, &b));
	ck_assert(b);
	ck_assert_ws_ok(ws_der_end(&inner, "inner"));
	ck_assert_ws_detail(ws_der_end(&seq, "the outer SEQUENCE"), WS_ERR_DER_MALFORMED,
	    "2 unexpected bytes at the end of the outer SEQUENCE");
	ck_assert_ws_ok(ws_der_read_null(&seq));
	ck_assert_int_eq(ws_der_peek_tag(&seq), -1);
	ck_assert_ws_detail(ws_der_read_null(&seq), WS_ERR_TRUNCATED, "expected NULL, found the end");
}
END_TEST

START_TEST(test_inner_length_bounded_by_parent)
{
	/* SEQUENCE of 3 bytes whose INTEGER claims 5 */
	const uint8_t der[] = { 0x30, 0x03, 0x02, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05 };
	struct ws_reader r = reader(der, sizeof(der)), seq;
	const uint8_t *p;
	size_t n;

	ck_assert_ws_ok(ws_der_enter(&r, WS_DER_SEQUENCE, &seq));
	ck_assert_ws(ws_der_read_int(&seq, &p, &n), WS_ERR_TRUNCATED);
	ck_assert_uint_eq(seq.off, 0);
}
END_TEST

START_TEST(test_integers)
{
	const uint8_t ok[] = { 0x02, 0x02, 0x00, 0x80 };
	const uint8_t pad0[] = { 0x02, 0x02, 0x00, 0x7f };
	const uint8_t padff[] = { 0x02, 0x02, 0xff, 0x80 };
	const uint8_t empty[] = { 0x02, 0x00 };
	const uint8_t neg[] = { 0x02, 0x01, 0x80 };
	const uint8_t big[] = { 0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct ws_reader r;
	const uint8_t *p;
	size_t n;
	uint64_t v;

	r = reader(ok, sizeof(ok));
	ck_assert_ws_ok(ws_der_read_uint(&r, &v));
	ck_assert_uint_eq(v, 128);
	r = reader(pad0, sizeof(pad0));
	ck_assert_ws_detail(ws_der_read_int(&r, &p, &n), WS_ERR_DER_MALFORMED, "INTEGER is not minimally encoded");
	r = reader(padff, sizeof(padff));
	ck_assert_ws_detail(ws_der_read_int(&r, &p, &n), WS_ERR_DER_MALFORMED, "INTEGER is not minimally encoded");
	r = reader(empty, sizeof(empty));
	ck_assert_ws_detail(ws_der_read_int(&r, &p, &n), WS_ERR_DER_MALFORMED, "empty INTEGER");
	r = reader(neg, sizeof(neg));
	ck_assert_ws_detail(ws_der_read_uint(&r, &v), WS_ERR_DER_MALFORMED,
	    "negative INTEGER where a non-negative one is expected");
	ck_assert_uint_eq(r.off, 0);
	r = reader(big, sizeof(big));
	ck_assert_ws_detail(ws_der_read_uint(&r, &v), WS_ERR_DER_MALFORMED, "INTEGER of 9 bytes is too large");
}
END_TEST

START_TEST(test_booleans_and_bit_strings)
{
	const uint8_t bool01[] = { 0x01, 0x01, 0x01 };
	const uint8_t bits_ok[] = { 0x03, 0x02, 0x07, 0x80 };
	const uint8_t bits_pad[] = { 0x03, 0x02, 0x07, 0x81 };
	const uint8_t bits_8[] = { 0x03, 0x02, 0x08, 0x00 };
	const uint8_t bits_empty_unused[] = { 0x03, 0x01, 0x01 };
	struct ws_reader r;
	const uint8_t *bits;
	size_t n;
	unsigned unused;
	bool b;

	r = reader(bool01, sizeof(bool01));
	ck_assert_ws_detail(ws_der_read_bool(&r, &b), WS_ERR_DER_MALFORMED, "BOOLEAN must be one byte, 00 or FF");
	r = reader(bits_ok, sizeof(bits_ok));
	ck_assert_ws_ok(ws_der_read_bit_string(&r, &bits, &n, &unused));
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(bits[0], 0x80);
	ck_assert_uint_eq(unused, 7);
	r = reader(bits_pad, sizeof(bits_pad));
	ck_assert_ws_detail(ws_der_read_bit_string(&r, &bits, &n, &unused), WS_ERR_DER_MALFORMED,
	    "BIT STRING padding bits are not zero");
	r = reader(bits_8, sizeof(bits_8));
	ck_assert_ws_detail(ws_der_read_bit_string(&r, &bits, &n, &unused), WS_ERR_DER_MALFORMED,
	    "BIT STRING claims 8 unused bits");
	r = reader(bits_empty_unused, sizeof(bits_empty_unused));
	ck_assert_ws_detail(ws_der_read_bit_string(&r, &bits, &n, &unused), WS_ERR_DER_MALFORMED,
	    "empty BIT STRING with unused bits");
}
END_TEST

START_TEST(test_oids)
{
	const uint8_t ok[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e };
	const uint8_t padded[] = { 0x06, 0x03, 0x2a, 0x80, 0x01 };
	const uint8_t open_end[] = { 0x06, 0x02, 0x2a, 0x86 };
	struct ws_reader r;
	const uint8_t *oid;
	size_t n;
	char s[WS_DER_OID_STR_MAX];

	r = reader(ok, sizeof(ok));
	ck_assert_ws_ok(ws_der_read_oid(&r, &oid, &n));
	ck_assert(WS_DER_OID_EQ(oid, n, WS_OID_EXTENSION_REQUEST));
	ck_assert_str_eq(ws_der_oid_str(oid, n, s), "1.2.840.113549.1.9.14");
	ck_assert_str_eq(ws_der_oid_str(WS_OID_ED25519, sizeof(WS_OID_ED25519), s), "1.3.101.112");
	ck_assert_str_eq(ws_der_oid_str(WS_OID_CN, sizeof(WS_OID_CN), s), "2.5.4.3");
	r = reader(padded, sizeof(padded));
	ck_assert_ws_detail(ws_der_read_oid(&r, &oid, &n), WS_ERR_DER_MALFORMED,
	    "OBJECT IDENTIFIER has a padded sub-identifier");
	r = reader(open_end, sizeof(open_end));
	ck_assert_ws_detail(ws_der_read_oid(&r, &oid, &n), WS_ERR_DER_MALFORMED,
	    "OBJECT IDENTIFIER ends inside a sub-identifier");
}
END_TEST

START_TEST(test_times)
{
	const uint8_t utc49[] = "\x17\x0d" "491231235959Z";
	const uint8_t utc50[] = "\x17\x0d" "500101000000Z";
	const uint8_t gen[] = "\x18\x0f" "20500101000000Z";
	const uint8_t frac[] = "\x18\x11" "20500101000000.5Z";
	const uint8_t feb29[] = "\x17\x0d" "230229000000Z";
	const uint8_t local[] = "\x17\x0d" "4912312359590";
	struct ws_reader r;
	time_t t;

	r = reader(utc49, sizeof(utc49) - 1);
	ck_assert_ws_ok(ws_der_read_time(&r, &t));
	ck_assert_int_eq(t, 2524607999);
	r = reader(utc50, sizeof(utc50) - 1);
	ck_assert_ws_ok(ws_der_read_time(&r, &t));
	ck_assert_int_eq(t, -631152000);
	r = reader(gen, sizeof(gen) - 1);
	ck_assert_ws_ok(ws_der_read_time(&r, &t));
	ck_assert_int_eq(t, 2524608000);
	r = reader(frac, sizeof(frac) - 1);
	ck_assert_ws_detail(ws_der_read_time(&r, &t), WS_ERR_DER_MALFORMED,
	    "expected UTCTime (13 bytes) or GeneralizedTime (15 bytes), found GeneralizedTime of 17 bytes");
	r = reader(feb29, sizeof(feb29) - 1);
	ck_assert_ws_detail(ws_der_read_time(&r, &t), WS_ERR_DER_MALFORMED,
	    "time \"230229000000Z\" is not in the form YYMMDDHHMMSSZ");
	r = reader(local, sizeof(local) - 1);
	ck_assert_ws(ws_der_read_time(&r, &t), WS_ERR_DER_MALFORMED);
	ck_assert_uint_eq(r.off, 0);
}
END_TEST

START_TEST(test_text_check)
{
	ck_assert_uint_eq(ws_der_text_check((const uint8_t *)"h\xc3\xa9llo", 6), 6);
	ck_assert_uint_eq(ws_der_text_check((const uint8_t *)"\xf0\x9f\x98\x80", 4), 4);
	ck_assert_uint_eq(ws_der_text_check((const uint8_t *)"a\x7f", 2), 1);
	ck_assert_uint_eq(ws_der_text_check((const uint8_t *)"a\xc2\x85", 3), 1);		/* C1 NEL */
	ck_assert_uint_eq(ws_der_text_check((const uint8_t *)"\xed\xa0\x80", 3), 0);	/* surrogate */
	ck_assert_uint_eq(ws_der_text_check((const uint8_t *)"\xe0\x80\xaf", 3), 0);	/* overlong */
	ck_assert_uint_eq(ws_der_text_check((const uint8_t *)"ab\xe2\x82", 4), 2);	/* cut */
}
END_TEST

/* ---- writer ---- */

START_TEST(test_put_headers)
{
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	const size_t lens[] = { 0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000 };
	const uint8_t want[][5] = {
		{ 0x04, 0x00 }, { 0x04, 0x7f }, { 0x04, 0x81, 0x80 }, { 0x04, 0x81, 0xff },
		{ 0x04, 0x82, 0x01, 0x00 }, { 0x04, 0x82, 0xff, 0xff }, { 0x04, 0x83, 0x01, 0x00, 0x00 },
	};
	const size_t want_len[] = { 2, 2, 3, 3, 4, 4, 5 };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct ws_reader r;
		struct ws_der_tlv t;

		ws_buf_reset(&b);
		ck_assert_ws_ok(ws_der_put_header(&b, 0x04, lens[i]));
		ck_assert_uint_eq(b.len, want_len[i]);
		ck_assert_mem_eq(b.data, want[i], want_len[i]);
		ck_assert_ws_ok(ws_buf_reserve(&b, lens[i]));
		memset(b.data + b.len, 0, lens[i]);
		b.len += lens[i];
		r = reader(b.data, b.len);
		ck_assert_ws_ok(ws_der_read(&r, &t));
		ck_assert_uint_eq(t.len, lens[i]);
	}
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_put_integers)
{
	struct ws_buf b = WS_BUF_INIT(64);
	const uint8_t mag[] = { 0x00, 0x00, 0x80, 0x01 };
	const uint8_t zero[] = { 0x00, 0x00 };

	ck_assert_ws_ok(ws_der_put_uint(&b, 0));
	ck_assert_ws_ok(ws_der_put_uint(&b, 127));
	ck_assert_ws_ok(ws_der_put_uint(&b, 128));
	ck_assert_ws_ok(ws_der_put_uint(&b, 0x0100));
	ck_assert_ws_ok(ws_der_put_uint_bytes(&b, mag, sizeof(mag)));
	ck_assert_ws_ok(ws_der_put_uint_bytes(&b, zero, sizeof(zero)));
	ck_assert_uint_eq(b.len, 3 + 3 + 4 + 4 + 5 + 3);
	ck_assert_mem_eq(b.data, "\x02\x01\x00" "\x02\x01\x7f" "\x02\x02\x00\x80" "\x02\x02\x01\x00"
	    "\x02\x03\x00\x80\x01" "\x02\x01\x00", b.len);
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_put_times)
{
	struct ws_buf b = WS_BUF_INIT(64);

	ck_assert_ws_ok(ws_der_put_time(&b, 2524607999));	/* 2049-12-31T23:59:59Z */
	ck_assert_ws_ok(ws_der_put_time(&b, 2524608000));	/* 2050-01-01T00:00:00Z */
	ck_assert_mem_eq(b.data, "\x17\x0d" "491231235959Z" "\x18\x0f" "20500101000000Z", b.len);
	ck_assert_ws(ws_der_put_time(&b, 253402300800), WS_ERR_INVALID_ARGUMENT);	/* year 10000 */
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_wrap_nested)
{
	struct ws_buf b = WS_BUF_INIT(1024);
	uint8_t big[200];
	struct ws_reader r, seq, set;
	struct ws_der_tlv t;
	size_t outer, inner;

	memset(big, 0x5a, sizeof(big));
	ck_assert_ws_ok(ws_buf_put(&b, "x", 1));	/* something before */
	outer = b.len;
	ck_assert_ws_ok(ws_der_put_bool(&b, true));
	inner = b.len;
	ck_assert_ws_ok(ws_der_put(&b, WS_DER_OCTET_STRING, big, sizeof(big)));
	ck_assert_ws_ok(ws_der_wrap(&b, inner, WS_DER_SET));
	ck_assert_ws_ok(ws_der_wrap_seq(&b, outer));
	ck_assert_ws(ws_der_wrap(&b, b.len + 1, WS_DER_SET), WS_ERR_INVALID_ARGUMENT);

	r = reader(b.data + 1, b.len - 1);
	ck_assert_ws_ok(ws_der_enter(&r, WS_DER_SEQUENCE, &seq));
	ck_assert_ws_ok(ws_der_end(&r, "all"));
	ck_assert_ws_ok(ws_der_read_tag(&seq, WS_DER_BOOLEAN, &t));
	ck_assert_ws_ok(ws_der_enter(&seq, WS_DER_SET, &set));
	ck_assert_ws_ok(ws_der_read_tag(&set, WS_DER_OCTET_STRING, &t));
	ck_assert_uint_eq(t.len, sizeof(big));
	ck_assert_mem_eq(t.val, big, sizeof(big));
	ck_assert_uint_eq(b.data[0], 'x');
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_writer_respects_buffer_limit)
{
	struct ws_buf b = WS_BUF_INIT(8);
	uint8_t v[8] = { 0 };

	ck_assert_ws(ws_der_put(&b, WS_DER_OCTET_STRING, v, sizeof(v)), WS_ERR_LIMIT);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ws_ok(ws_der_put(&b, WS_DER_OCTET_STRING, v, 6));
	ck_assert_ws(ws_der_wrap_seq(&b, 0), WS_ERR_LIMIT);
	ck_assert_uint_eq(b.len, 8);
	ws_buf_free(&b);
}
END_TEST

/* ---- PEM ---- */

START_TEST(test_pem_roundtrip)
{
	struct ws_buf pem = WS_BUF_INIT(4096), der = WS_BUF_INIT(4096);
	uint8_t data[100];

	for (size_t n = 0; n <= sizeof(data); n++) {
		for (size_t i = 0; i < n; i++)
			data[i] = (uint8_t)(i * 37 + n);
		ws_buf_reset(&pem);
		ck_assert_ws_ok(ws_pem_encode(&pem, "TEST", data, n));
		if (n == 0)
			continue;
		ck_assert_ws_ok(ws_pem_decode(pem.data, pem.len, "TEST", WS_ERR_DER_MALFORMED, &der));
		ck_assert_uint_eq(der.len, n);
		ck_assert_mem_eq(der.data, data, n);
	}
	ws_buf_free(&pem);
	ws_buf_free(&der);
}
END_TEST

START_TEST(test_pem_strict_base64)
{
	struct ws_buf der = WS_BUF_INIT(4096);
	const char *noncanon = "-----BEGIN T-----\nAB==\n-----END T-----\n";	/* 'B' leaves bits set */
	const char *late = "-----BEGIN T-----\nAA==AA==\n-----END T-----\n";
	const char *end_label = "-----BEGIN T-----\nAA==\n-----END U-----\n";
	const char *ok = "-----BEGIN T-----\nAA==\n-----END T-----";

	ck_assert_ws_detail(ws_pem_decode((const uint8_t *)noncanon, strlen(noncanon), "T", WS_ERR_DER_MALFORMED,
	    &der), WS_ERR_DER_MALFORMED, "PEM base64 text is not canonically padded");
	ck_assert_ws_detail(ws_pem_decode((const uint8_t *)late, strlen(late), "T", WS_ERR_DER_MALFORMED, &der),
	    WS_ERR_DER_MALFORMED, "base64 text continues after '=' padding");
	ck_assert_ws_detail(ws_pem_decode((const uint8_t *)end_label, strlen(end_label), "T", WS_ERR_DER_MALFORMED,
	    &der), WS_ERR_DER_MALFORMED, "PEM END label is \"U\", expected \"T\"");
	ck_assert_ws_ok(ws_pem_decode((const uint8_t *)ok, strlen(ok), "T", WS_ERR_DER_MALFORMED, &der));
	ck_assert_uint_eq(der.len, 1);
	ws_buf_free(&der);
}
END_TEST

static Suite *
der_suite(void)
{
	Suite *s = suite_create("der");
	TCase *rd = tcase_create("reader");
	TCase *wr = tcase_create("writer");
	TCase *pem = tcase_create("pem");

	tcase_add_test(rd, test_read_short_and_long_lengths);
	tcase_add_test(rd, test_read_refuses_ber);
	tcase_add_test(rd, test_read_huge_length_cannot_overflow);
	tcase_add_test(rd, test_nesting_with_sub_readers);
	tcase_add_test(rd, test_inner_length_bounded_by_parent);
	tcase_add_test(rd, test_integers);
	tcase_add_test(rd, test_booleans_and_bit_strings);
	tcase_add_test(rd, test_oids);
	tcase_add_test(rd, test_times);
	tcase_add_test(rd, test_text_check);
	tcase_add_test(wr, test_put_headers);
	tcase_add_test(wr, test_put_integers);
	tcase_add_test(wr, test_put_times);
	tcase_add_test(wr, test_wrap_nested);
	tcase_add_test(wr, test_writer_respects_buffer_limit);
	tcase_add_test(pem, test_pem_roundtrip);
	tcase_add_test(pem, test_pem_strict_base64);
	suite_add_tcase(s, rd);
	suite_add_tcase(s, wr);
	suite_add_tcase(s, pem);
	return s;
}

int
main(void)
{
	return ws_test_run(der_suite());
}
