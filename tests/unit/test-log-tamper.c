/*
 * test-log-tamper.c -- every way of editing the log that must be caught,
 * each asserting the exact first-bad-record message: at start-up
 * (ws_log_open, no key) and offline (ws_log_verify_file with the audit
 * key, what wavesign-audit verify runs).
 *
 * The log of every test: seq 0 log.create, seq 1..9 cert.issue, seq 10 a
 * checkpoint of tree size 10 (also in STATE/checkpoints), seq 11..14
 * cert.issue.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_buf.h"
#include "ws_encode.h"
#include "ws_log.h"
#include "ws_logline.h"
#include "log_fixture.h"
#include "test_common.h"

static char key_hex[9];

static void
tamper_setup(void)
{
	struct ws_log *log;

	fixture_setup();
	fixture_log_create(9);
	log = fixture_open();
	fixture_checkpoint(log);
	fixture_append(log, 4);
	ck_assert_uint_eq(ws_log_size(log), 15);
	ws_log_close(log);
	ws_hex_encode(fixture_key.note_key.hash, 4, key_hex);
}

/* ws_log_open must refuse with code and "<dir>/log: <detail>". */
static void
open_refuses(ws_err code, const char *detail)
{
	struct ws_log *log = NULL;
	char want[2048];

	ck_assert_ws(ws_log_open(fixture_dir, NULL, &log, NULL), code);
	ck_assert_ptr_null(log);
	snprintf(want, sizeof(want), "%s: %s", fixture_log, detail);
	ck_assert_str_eq(ws_err_detail(), want);
}

/* Offline verification with the audit key must refuse with exactly detail. */
static void
verify_refuses(ws_err code, const char *detail)
{
	ck_assert_ws(fixture_verify(&fixture_key.note_key), code);
	ck_assert_str_eq(ws_err_detail(), detail);
}

static void
edit(size_t i, const char *from, const char *to)
{
	struct fixture_lines l;
	char *p, buf[4096];

	fixture_lines_read(&l);
	ck_assert_ptr_nonnull(p = strstr(l.line[i], from));
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - l.line[i]), l.line[i], to, p + strlen(from));
	fixture_lines_set(&l, i, buf);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
}

START_TEST(test_untouched_log_verifies)
{
	struct ws_log_verify_report rep;
	struct ws_log *log = fixture_open();

	ws_log_close(log);
	ck_assert_ws_ok(ws_log_verify_file(fixture_log, fixture_checkpoints, &fixture_key.note_key,
	    FIXTURE_ORIGIN, false, &rep));
	ck_assert_uint_eq(rep.size, 15);
	ck_assert_uint_eq(rep.checkpoints, 1);
	ck_assert_uint_eq(rep.last_seq, 10);
	ck_assert_uint_eq(rep.last.size, 10);
	ck_assert_uint_eq(rep.file.size, 10);
	ck_assert_str_eq(rep.origin, FIXTURE_ORIGIN);
}
END_TEST

START_TEST(test_flipped_byte)
{
	edit(3, "dev-3", "dev-2");	/* one bit: '3' 0x33 -> '2' 0x32 */
	verify_refuses(WS_ERR_LOG_CORRUPT, "seq 4: prev does not match the hash of record 3");
	open_refuses(WS_ERR_LOG_CORRUPT, "seq 4: prev does not match the hash of record 3");
}
END_TEST

START_TEST(test_flipped_byte_breaks_syntax)
{
	edit(3, "\"op\":", "\"op\";");
	verify_refuses(WS_ERR_LOG_CORRUPT, "seq 3: not canonical JSON: expected ':' at byte 26");
}
END_TEST

START_TEST(test_removed_record)
{
	struct fixture_lines l;

	fixture_lines_read(&l);
	free(l.line[5]);
	memmove(&l.line[5], &l.line[6], (l.n - 6) * sizeof(*l.line));
	l.n--;
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	verify_refuses(WS_ERR_LOG_CORRUPT, "seq 5: found seq 6 (a record is missing, duplicated or out of order)");
	open_refuses(WS_ERR_LOG_CORRUPT, "seq 5: found seq 6 (a record is missing, duplicated or out of order)");
}
END_TEST

START_TEST(test_duplicated_record)
{
	struct fixture_lines l;

	fixture_lines_read(&l);
	fixture_lines_set(&l, 6, l.line[5]);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	verify_refuses(WS_ERR_LOG_CORRUPT, "seq 6: found seq 5 (a record is missing, duplicated or out of order)");
}
END_TEST

START_TEST(test_truncated_tail_vs_checkpoint)
{
	struct fixture_lines l;
	char want[1024];

	fixture_lines_read(&l);
	while (l.n > 8)
		free(l.line[--l.n]);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	snprintf(want, sizeof(want), "%s: the checkpoint covers 10 records but the log has only 8 "
	    "(the log was truncated)", fixture_checkpoints);
	verify_refuses(WS_ERR_LOG_CORRUPT, want);
	open_refuses(WS_ERR_LOG_CORRUPT,
	    "checkpoints: the checkpoint covers 10 records but the log has only 8 (the log was truncated)");
}
END_TEST

START_TEST(test_reordered_records)
{
	struct fixture_lines l;
	char *tmp;

	fixture_lines_read(&l);
	tmp = l.line[3];
	l.line[3] = l.line[4];
	l.line[4] = tmp;
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	verify_refuses(WS_ERR_LOG_CORRUPT, "seq 3: found seq 4 (a record is missing, duplicated or out of order)");
}
END_TEST

START_TEST(test_reordered_and_renumbered_records)
{
	struct fixture_lines l;
	char *tmp;

	fixture_lines_read(&l);
	tmp = l.line[3];
	l.line[3] = l.line[4];
	l.line[4] = tmp;
	fixture_lines_rechain(&l, 3);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	verify_refuses(WS_ERR_LOG_CORRUPT,
	    "seq 10: the checkpoint for tree size 10 does not match the log (root hash differs)");
}
END_TEST

START_TEST(test_edited_field_chain_recomputed_old_checkpoint)
{
	struct fixture_lines l;

	edit(2, "\"decision\":\"allowed\"", "\"decision\":\"denied\"");
	fixture_lines_read(&l);
	fixture_lines_rechain(&l, 2);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	verify_refuses(WS_ERR_LOG_CORRUPT,
	    "seq 10: the checkpoint for tree size 10 does not match the log (root hash differs)");
	open_refuses(WS_ERR_LOG_CORRUPT,
	    "seq 10: the checkpoint for tree size 10 does not match the log (root hash differs)");
}
END_TEST

START_TEST(test_edited_field_and_checkpoint_record_removed)
{
	struct fixture_lines l;
	char want[1024];

	/* Drop the in-log checkpoint too: the checkpoints file still catches it. */
	edit(2, "\"decision\":\"allowed\"", "\"decision\":\"denied\"");
	fixture_lines_read(&l);
	free(l.line[10]);
	memmove(&l.line[10], &l.line[11], (l.n - 11) * sizeof(*l.line));
	l.n--;
	fixture_lines_rechain(&l, 2);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	snprintf(want, sizeof(want), "%s: the checkpoint for tree size 10 does not match the log "
	    "(root hash differs)", fixture_checkpoints);
	verify_refuses(WS_ERR_LOG_CORRUPT, want);
}
END_TEST

START_TEST(test_time_goes_backwards)
{
	struct fixture_lines l;
	json_t *v = NULL;
	char want[256];
	const char *t4;

	fixture_lines_read(&l);
	ck_assert_ws_ok(ws_logline_parse((const uint8_t *)l.line[4], strlen(l.line[4]), &v));
	t4 = json_string_value(json_object_get(v, "time"));
	snprintf(want, sizeof(want), "seq 5: time 2000-01-01T00:00:00Z is earlier than %s, the time of record 4", t4);
	json_decref(v);
	fixture_lines_free(&l);
	edit(5, "\"time\":\"2", "\"time\":\"2000-01-01T00:00:00Z\",\"x\":\"2");
	fixture_lines_read(&l);
	fixture_lines_rechain(&l, 5);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	verify_refuses(WS_ERR_LOG_CORRUPT, want);
}
END_TEST

START_TEST(test_forged_signature_in_checkpoints_file)
{
	struct ws_buf b = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_log *log;
	char want[1024];
	FILE *f;

	ck_assert_ws_ok(ws_buf_read_file(&b, fixture_checkpoints, WS_NOTE_MAX));
	b.data[b.len - 5] = b.data[b.len - 5] == 'A' ? 'B' : 'A';
	ck_assert_ptr_nonnull(f = fopen(fixture_checkpoints, "wb"));
	fwrite(b.data, 1, b.len, f);
	fclose(f);
	snprintf(want, sizeof(want), "%s: signature by audit+%s does not verify", fixture_checkpoints, key_hex);
	verify_refuses(WS_ERR_CHECKPOINT, want);
	/* Start-up has no key: it matches size and root only, which still hold. */
	log = fixture_open();
	ws_log_close(log);
	ws_buf_free(&b);
}
END_TEST

START_TEST(test_forged_signature_in_log)
{
	struct fixture_lines l;
	char want[1024];
	char *sig;

	fixture_lines_read(&l);
	ck_assert_ptr_nonnull(sig = strstr(l.line[10], " audit "));
	sig[20] = sig[20] == 'A' ? 'B' : 'A';
	fixture_lines_rechain(&l, 10);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	ck_assert_int_eq(unlink(fixture_checkpoints), 0);
	snprintf(want, sizeof(want), "seq 10: checkpoint: signature by audit+%s does not verify", key_hex);
	verify_refuses(WS_ERR_LOG_CORRUPT, want);
}
END_TEST

START_TEST(test_checkpoint_resigned_by_another_key)
{
	struct test_key mallory;
	struct fixture_lines l;
	struct ws_log *log;
	char want[1024];
	char *dash;

	/* The attacker edits, rechains and signs a fresh checkpoint with a key also named "audit". */
	edit(2, "\"decision\":\"allowed\"", "\"decision\":\"denied\"");
	fixture_lines_read(&l);
	while (l.n > 10)
		free(l.line[--l.n]);
	fixture_lines_rechain(&l, 2);
	fixture_lines_write(&l);
	fixture_lines_free(&l);
	ck_assert_int_eq(unlink(fixture_checkpoints), 0);
	test_key_init(&mallory, "audit", NULL);
	log = fixture_open();
	ck_assert_ws_ok(ws_log_checkpoint(log, "audit", mallory.pub, test_key_sign, &mallory, NULL));
	ws_log_close(log);
	ck_assert_int_eq(unlink(fixture_checkpoints), 0);	/* the file would say the same first */
	snprintf(want, sizeof(want), "seq 10: checkpoint: signed by a different key named audit (key hash ");
	ck_assert_ws(fixture_verify(&fixture_key.note_key), WS_ERR_LOG_CORRUPT);
	ck_assert_msg(strncmp(ws_err_detail(), want, strlen(want)) == 0, "%s", ws_err_detail());
	ck_assert_ptr_nonnull(dash = strstr(ws_err_detail(), ", expected "));
	snprintf(want, sizeof(want), "%s)", key_hex);
	ck_assert_str_eq(dash + 11, want);
	test_key_free(&mallory);
}
END_TEST

/* Makes a second log (another origin) beside the fixture and checkpoints it at size 10. */
static void
other_log_checkpoint(const char *origin, struct test_key *key, const char *dest)
{
	char dir[700], cps[800];
	struct ws_log *log = NULL;
	json_t *rec = json_pack("{s:s}", "op", "cert.issue");
	uint64_t i, seq;

	snprintf(dir, sizeof(dir), "%s/other", fixture_dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_ws_ok(ws_log_open(dir, origin, &log, NULL));
	for (i = 0; i < 9; i++)
		ck_assert_ws_ok(ws_log_append(log, rec, &seq, NULL));
	ck_assert_ws_ok(ws_log_checkpoint(log, key->note_key.name, key->pub, test_key_sign, key, NULL));
	ws_log_close(log);
	json_decref(rec);
	snprintf(cps, sizeof(cps), "%s/checkpoints", dir);
	ck_assert_int_eq(rename(cps, dest), 0);
	snprintf(cps, sizeof(cps), "%s/log", dir);
	unlink(cps);
	rmdir(dir);
}

START_TEST(test_checkpoint_from_another_log)
{
	struct test_key other;
	char want[1024];

	test_key_init(&other, "audit", NULL);
	other_log_checkpoint("wavesign/acme/ffffffffffffffff", &other, fixture_checkpoints);
	snprintf(want, sizeof(want), "%s: the checkpoint is for origin wavesign/acme/ffffffffffffffff, "
	    "not this log's origin " FIXTURE_ORIGIN, fixture_checkpoints);
	verify_refuses(WS_ERR_CHECKPOINT, want);
	open_refuses(WS_ERR_CHECKPOINT, "checkpoints: the checkpoint is for origin wavesign/acme/ffffffffffffffff, "
	    "not this log's origin " FIXTURE_ORIGIN);
	test_key_free(&other);
}
END_TEST

START_TEST(test_checkpoint_same_origin_other_key)
{
	struct test_key other;
	char want[1024];

	/* Same origin and key name, different key: only the signature tells. */
	test_key_init(&other, "audit", NULL);
	other_log_checkpoint(FIXTURE_ORIGIN, &other, fixture_checkpoints);
	ck_assert_ws(fixture_verify(&fixture_key.note_key), WS_ERR_CHECKPOINT);
	snprintf(want, sizeof(want), "%s: signed by a different key named audit (key hash ", fixture_checkpoints);
	ck_assert_msg(strncmp(ws_err_detail(), want, strlen(want)) == 0, "%s", ws_err_detail());
	test_key_free(&other);
}
END_TEST

START_TEST(test_partial_last_line)
{
	struct ws_log_verify_report rep;
	struct ws_log_recovery rec;
	struct ws_log *log = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(fixture_log, "ab"));
	fputs("{\"op\":\"cert.iss", f);
	fclose(f);
	/* Offline: refused, unless the auditor asks to ignore it. */
	verify_refuses(WS_ERR_LOG_CORRUPT, "seq 15: incomplete last line (15 bytes without a newline: a crash "
	    "during a write; wavesignd removes it when it next opens the log)");
	ck_assert_ws_ok(ws_log_verify_file(fixture_log, fixture_checkpoints, &fixture_key.note_key, NULL, true, &rep));
	ck_assert_uint_eq(rep.partial_bytes, 15);
	ck_assert_uint_eq(rep.size, 15);
	/* Start-up: recovered. */
	ck_assert_ws_ok(ws_log_open(fixture_dir, NULL, &log, &rec));
	ck_assert_uint_eq(rec.truncated_bytes, 15);
	ws_log_close(log);
	ck_assert_ws_ok(fixture_verify(&fixture_key.note_key));
}
END_TEST

START_TEST(test_overlong_line)
{
	FILE *f;
	size_t i;

	ck_assert_ptr_nonnull(f = fopen(fixture_log, "ab"));
	for (i = 0; i < WS_LOG_LINE_MAX + 1; i++)
		fputc('x', f);
	fputc('\n', f);
	fclose(f);
	verify_refuses(WS_ERR_LOG_CORRUPT, "seq 15: the line is longer than 1048576 bytes");
	open_refuses(WS_ERR_LOG_CORRUPT, "seq 15: the line is longer than 1048576 bytes");
}
END_TEST

START_TEST(test_forged_log_create)
{
	char want[1024];

	edit(0, "\"origin\":\"wavesign/acme/", "\"origin\":\"wavesign/evil/");
	snprintf(want, sizeof(want), "%s: the checkpoint is for origin " FIXTURE_ORIGIN
	    ", not this log's origin wavesign/evil/0123456789abcdef", fixture_checkpoints);
	verify_refuses(WS_ERR_CHECKPOINT, want);
	ck_assert_int_eq(unlink(fixture_checkpoints), 0);
	verify_refuses(WS_ERR_LOG_CORRUPT, "seq 1: prev does not match the hash of record 0");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log-tamper");
	TCase *tc = tcase_create("tamper");

	tcase_add_checked_fixture(tc, tamper_setup, fixture_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_untouched_log_verifies);
	tcase_add_test(tc, test_flipped_byte);
	tcase_add_test(tc, test_flipped_byte_breaks_syntax);
	tcase_add_test(tc, test_removed_record);
	tcase_add_test(tc, test_duplicated_record);
	tcase_add_test(tc, test_truncated_tail_vs_checkpoint);
	tcase_add_test(tc, test_reordered_records);
	tcase_add_test(tc, test_reordered_and_renumbered_records);
	tcase_add_test(tc, test_edited_field_chain_recomputed_old_checkpoint);
	tcase_add_test(tc, test_edited_field_and_checkpoint_record_removed);
	tcase_add_test(tc, test_time_goes_backwards);
	tcase_add_test(tc, test_forged_signature_in_checkpoints_file);
	tcase_add_test(tc, test_forged_signature_in_log);
	tcase_add_test(tc, test_checkpoint_resigned_by_another_key);
	tcase_add_test(tc, test_checkpoint_from_another_log);
	tcase_add_test(tc, test_checkpoint_same_origin_other_key);
	tcase_add_test(tc, test_partial_last_line);
	tcase_add_test(tc, test_overlong_line);
	tcase_add_test(tc, test_forged_log_create);
	suite_add_tcase(s, tc);
	return ws_test_run(s);
}
