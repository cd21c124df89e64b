/*
 * test-log.c -- the signing log writer: creation, records, group commit,
 * checkpoints, fail-closed writes, start-up recovery, walking.
 * (Tampering is test-log-tamper.c.)
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_buf.h"
#include "ws_log.h"
#include "ws_logline.h"
#include "log_fixture.h"
#include "test_common.h"

static json_t *
record(const char *op)
{
	json_t *rec = json_pack("{s:s, s:s, s:{s:i, s:i, s:i, s:s}}", "op", op, "decision", "allowed",
	    "peer", "uid", 1000, "gid", 1000, "pid", 42, "client", "registrar");

	ck_assert_ptr_nonnull(rec);
	return rec;
}

START_TEST(test_create_writes_log_create_record)
{
	struct ws_log_recovery rec;
	struct fixture_lines l;
	struct ws_log *log = NULL;
	struct stat st;
	json_t *v = NULL;

	ck_assert_ws_ok(ws_log_open(fixture_dir, FIXTURE_ORIGIN, &log, &rec));
	ck_assert_uint_eq(ws_log_size(log), 1);
	ck_assert_str_eq(ws_log_origin(log), FIXTURE_ORIGIN);
	ck_assert_uint_eq(rec.truncated_bytes, 0);
	ck_assert(!rec.checkpoints_restored);
	ws_log_close(log);
	fixture_lines_read(&l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_ws_ok(ws_logline_parse((const uint8_t *)l.line[0], strlen(l.line[0]), &v));
	ck_assert_str_eq(json_string_value(json_object_get(v, "op")), "log.create");
	ck_assert_str_eq(json_string_value(json_object_get(v, "origin")), FIXTURE_ORIGIN);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "format")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "seq")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(v, "prev")),
	    "0000000000000000000000000000000000000000000000000000000000000000");
	json_decref(v);
	fixture_lines_free(&l);
	ck_assert_int_eq(stat(fixture_log, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(test_open_missing_needs_origin)
{
	struct ws_log *log = NULL;

	ck_assert_ws(ws_log_open(fixture_dir, NULL, &log, NULL), WS_ERR_NOT_FOUND);
	ck_assert_ptr_null(log);
}
END_TEST

START_TEST(test_open_refuses_other_origin)
{
	struct ws_log *log = NULL;

	fixture_log_create(2);
	ck_assert_ws(ws_log_open(fixture_dir, "wavesign/acme/ffffffffffffffff", &log, NULL), WS_ERR_LOG_CORRUPT);
	ck_assert_msg(strstr(ws_err_detail(), "seq 0: the log's origin is " FIXTURE_ORIGIN
	    ", expected wavesign/acme/ffffffffffffffff") != NULL, "%s", ws_err_detail());
	ck_assert_ptr_null(log);
}
END_TEST

START_TEST(test_open_twice_is_locked)
{
	struct ws_log *a = NULL, *b = NULL;

	fixture_log_create(0);
	a = fixture_open();
	ck_assert_ws(ws_log_open(fixture_dir, NULL, &b, NULL), WS_ERR_LOCKED);
	ws_log_close(a);
	b = fixture_open();
	ws_log_close(b);
}
END_TEST

START_TEST(test_origin_new)
{
	char origin[WS_CHECKPOINT_ORIGIN_MAX + 1];

	ck_assert_ws_ok(ws_log_origin_new("acme", origin));
	ck_assert_uint_eq(strlen(origin), strlen("wavesign/acme/") + 16);
	ck_assert_int_eq(strncmp(origin, "wavesign/acme/", 14), 0);
	ck_assert_ws(ws_log_origin_new("ac me", origin), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_log_origin_new("", origin), WS_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_append_fills_seq_time_prev)
{
	struct ws_log *log = NULL;
	struct fixture_lines l;
	uint64_t seq = 99;
	bool due = true;
	json_t *rec = record("cert.issue"), *v = NULL;

	fixture_log_create(0);
	log = fixture_open();
	ck_assert_ws_ok(ws_log_append(log, rec, &seq, &due));
	ck_assert_uint_eq(seq, 1);
	ck_assert(!due);
	ck_assert_ptr_null(json_object_get(rec, "seq"));	/* the caller's record is untouched */
	ws_log_close(log);
	json_decref(rec);
	fixture_lines_read(&l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_ws_ok(ws_logline_parse((const uint8_t *)l.line[1], strlen(l.line[1]), &v));
	ck_assert_int_eq(json_integer_value(json_object_get(v, "seq")), 1);
	ck_assert(ws_log_time_valid(json_string_value(json_object_get(v, "time")), 20));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "peer"), "client")), "registrar");
	json_decref(v);
	fixture_lines_free(&l);
	ck_assert_ws_ok(fixture_verify(&fixture_key.note_key));
}
END_TEST

START_TEST(test_append_refuses_bad_records)
{
	struct ws_log *log = NULL;
	uint64_t seq;
	json_t *rec;

	fixture_log_create(0);
	log = fixture_open();
	rec = record("log.checkpoint");
	ck_assert_ws(ws_log_append(log, rec, &seq, NULL), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "op \"log.checkpoint\" is empty or reserved for the log");
	json_decref(rec);
	rec = record("cert.issue");
	json_object_set_new(rec, "seq", json_integer(5));
	ck_assert_ws(ws_log_append(log, rec, &seq, NULL), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "the log sets the record's seq itself");
	json_decref(rec);
	rec = record("cert.issue");
	json_object_set_new(rec, "ratio", json_real(0.5));
	ck_assert_ws(ws_log_append(log, rec, &seq, NULL), WS_ERR_INVALID_ARGUMENT);
	json_decref(rec);
	rec = record("cert.issue");
	json_object_set_new(rec, "cn", json_stringn("a\0b", 3));
	ck_assert_ws(ws_log_append(log, rec, &seq, NULL), WS_ERR_INVALID_ARGUMENT);
	ck_assert_msg(strstr(ws_err_detail(), "NUL is not allowed") != NULL, "%s", ws_err_detail());
	json_decref(rec);
	rec = json_array();
	ck_assert_ws(ws_log_append(log, rec, &seq, NULL), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "a log record must be a JSON object");
	json_decref(rec);
	/* None of that broke the log. */
	rec = record("cert.issue");
	json_object_set_new(rec, "message", json_string("line\nbreak \"quoted\"\ttab"));
	ck_assert_ws_ok(ws_log_append(log, rec, &seq, NULL));
	ck_assert_uint_eq(seq, 1);
	json_decref(rec);
	ws_log_close(log);
	ck_assert_ws_ok(fixture_verify(&fixture_key.note_key));
}
END_TEST

START_TEST(test_append_refuses_oversized_line)
{
	struct ws_log *log = NULL;
	static char big[WS_LOG_LINE_MAX];
	uint64_t seq;
	json_t *rec = record("cert.issue");

	memset(big, 'x', sizeof(big) - 1);
	json_object_set_new(rec, "message", json_string(big));
	fixture_log_create(0);
	log = fixture_open();
	ck_assert_ws(ws_log_append(log, rec, &seq, NULL), WS_ERR_LIMIT);
	json_decref(rec);
	fixture_append(log, 1);
	ck_assert_uint_eq(ws_log_size(log), 2);
	ws_log_close(log);
}
END_TEST

#define THREADS 8
#define PER_THREAD 150

struct appender {
	struct ws_log *log;
	uint64_t seqs[PER_THREAD];
};

static void *
appender_run(void *arg)
{
	struct appender *a = arg;
	json_t *rec = record("cert.issue");
	int i;

	for (i = 0; i < PER_THREAD; i++)
		if (ws_log_append(a->log, rec, &a->seqs[i], NULL) != WS_OK)
			a->seqs[i] = UINT64_MAX;
	json_decref(rec);
	return NULL;
}

START_TEST(test_group_commit_concurrent_appends)
{
	static struct appender a[THREADS];
	static uint8_t seen[1 + THREADS * PER_THREAD];
	pthread_t th[THREADS];
	struct ws_log_stats st;
	struct statfs fs;
	struct ws_log *log = NULL;
	int i, j;

	fixture_log_create(0);
	log = fixture_open();
	for (i = 0; i < THREADS; i++) {
		a[i].log = log;
		ck_assert_int_eq(pthread_create(&th[i], NULL, appender_run, &a[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	/* Every seq from 1 to N exactly once, each thread's in increasing order. */
	for (i = 0; i < THREADS; i++)
		for (j = 0; j < PER_THREAD; j++) {
			uint64_t s = a[i].seqs[j];

			ck_assert_uint_ge(s, 1);
			ck_assert_uint_le(s, THREADS * PER_THREAD);
			ck_assert_uint_eq(seen[s], 0);
			seen[s] = 1;
			if (j > 0)
				ck_assert_uint_gt(s, a[i].seqs[j - 1]);
		}
	ck_assert_uint_eq(ws_log_size(log), 1 + THREADS * PER_THREAD);
	ws_log_stats(log, &st);
	ck_assert_uint_eq(st.appends, THREADS * PER_THREAD);
	fprintf(stderr, "group commit: %llu appends, %llu fdatasyncs\n", (unsigned long long)st.appends,
	    (unsigned long long)st.syncs);
	/*
	 * Shared syncs: with 8 writers some wait on another's sync -- on a disk.
	 * On tmpfs a sync returns at once and may never be shared.
	 */
	ck_assert_uint_le(st.syncs, st.appends);
	ck_assert_int_eq(statfs(fixture_dir, &fs), 0);
	if (fs.f_type != TMPFS_MAGIC)
		ck_assert_uint_lt(st.syncs, st.appends);
	ws_log_close(log);
	ck_assert_ws_ok(fixture_verify(&fixture_key.note_key));
}
END_TEST

START_TEST(test_checkpoint_record_and_file)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX), file = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_checkpoint cp, parsed;
	struct ws_log *log = NULL;
	ws_merkle_hash root;
	uint64_t seq = 0, cp_seq = 0;

	fixture_log_create(4);
	log = fixture_open();
	ck_assert_ws(ws_log_last_checkpoint(log, &cp, &seq, NULL), WS_ERR_NOT_FOUND);
	ws_log_root(log, root);
	ck_assert_ws_ok(ws_log_checkpoint(log, "audit", fixture_key.pub, test_key_sign, &fixture_key, &cp_seq));
	ck_assert_uint_eq(cp_seq, 5);
	ck_assert_uint_eq(ws_log_size(log), 6);
	ck_assert_ws_ok(ws_log_last_checkpoint(log, &cp, &seq, &note));
	ck_assert_uint_eq(seq, 5);
	ck_assert_uint_eq(cp.size, 5);
	ck_assert_mem_eq(cp.root, root, sizeof(root));
	ck_assert_str_eq(cp.origin, FIXTURE_ORIGIN);
	ck_assert_ws_ok(ws_buf_read_file(&file, fixture_checkpoints, WS_NOTE_MAX));
	ck_assert_uint_eq(file.len, note.len);
	ck_assert_mem_eq(file.data, note.data, note.len);
	ck_assert_ws_ok(ws_checkpoint_verify(file.data, file.len, &fixture_key.note_key, &parsed));
	/* Nothing new since: a second checkpoint is not written. */
	ck_assert_ws_ok(ws_log_checkpoint(log, "audit", fixture_key.pub, test_key_sign, &fixture_key, &cp_seq));
	ck_assert_uint_eq(cp_seq, 5);
	ck_assert_uint_eq(fixture_key.signatures, 1);
	ws_log_close(log);
	log = fixture_open();	/* the same holds after a reopen */
	ck_assert_ws_ok(ws_log_checkpoint(log, "audit", fixture_key.pub, test_key_sign, &fixture_key, &cp_seq));
	ck_assert_uint_eq(fixture_key.signatures, 1);
	fixture_append(log, 1);
	fixture_checkpoint(log);
	ck_assert_uint_eq(ws_log_size(log), 8);
	ws_log_close(log);
	ck_assert_ws_ok(fixture_verify(&fixture_key.note_key));
	ws_buf_free(&note);
	ws_buf_free(&file);
}
END_TEST

START_TEST(test_checkpoint_due_every_interval)
{
	struct ws_log *log = NULL;
	uint64_t seq, i, dues = 0;
	bool due;
	json_t *rec = record("cert.issue");

	fixture_log_create(0);
	log = fixture_open();
	ws_log_set_checkpoint_interval(log, 3);
	for (i = 0; i < 7; i++) {
		ck_assert_ws_ok(ws_log_append(log, rec, &seq, &due));
		if (due) {
			dues++;
			ck_assert_uint_eq(seq % 3, 0);
		}
	}
	ck_assert_uint_eq(dues, 2);	/* at seq 3 and 6 */
	fixture_checkpoint(log);	/* seq 8 */
	for (i = 0; i < 3; i++)
		ck_assert_ws_ok(ws_log_append(log, rec, &seq, &due));
	ck_assert(due);			/* seq 11: 3 records after the checkpoint */
	json_decref(rec);
	ws_log_close(log);
}
END_TEST

START_TEST(test_checkpoint_sign_failure_appends_nothing)
{
	struct ws_log *log = NULL;

	fixture_log_create(2);
	log = fixture_open();
	fixture_key.fail = 1;
	ck_assert_ws(ws_log_checkpoint(log, "audit", fixture_key.pub, test_key_sign, &fixture_key, NULL),
	    WS_ERR_TOKEN);
	ck_assert_uint_eq(ws_log_size(log), 3);
	fixture_key.fail = 0;
	fixture_append(log, 1);
	fixture_checkpoint(log);
	ws_log_close(log);
	ck_assert_ws_ok(fixture_verify(&fixture_key.note_key));
}
END_TEST

START_TEST(test_write_failure_fails_closed)
{
	struct ws_log *log = NULL;
	struct fixture_lines l;
	struct rlimit rl;
	struct stat st;
	uint64_t seq;
	json_t *rec = record("cert.issue");
	off_t before;
	ws_err r;

	fixture_log_create(3);
	log = fixture_open();
	ck_assert_int_eq(stat(fixture_log, &st), 0);
	before = st.st_size;
	/*
	 * Let the next write get only 10 bytes in: a short write, as on a full
	 * disk. (No assertion while the limit holds: Check writes its results
	 * to a file too.)
	 */
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = (rlim_t)before + 10;
	setrlimit(RLIMIT_FSIZE, &rl);
	r = ws_log_append(log, rec, &seq, NULL);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_FSIZE, &rl);
	ck_assert_ws(r, WS_ERR_LOG_WRITE);
	ck_assert_str_eq(ws_err_detail(), "writing the log: No space left on device");
	ck_assert_int_eq(stat(fixture_log, &st), 0);
	ck_assert_int_eq(st.st_size, before);	/* no half line */
	/* Refuses everything until reopened. */
	ck_assert_ws(ws_log_append(log, rec, &seq, NULL), WS_ERR_LOG_WRITE);
	ck_assert_str_eq(ws_err_detail(),
	    "the log failed earlier (writing the log: No space left on device); reopen it");
	ck_assert_ws(ws_log_checkpoint(log, "audit", fixture_key.pub, test_key_sign, &fixture_key, NULL),
	    WS_ERR_LOG_WRITE);
	ws_log_close(log);
	log = fixture_open();
	ck_assert_uint_eq(ws_log_size(log), 4);
	ck_assert_ws_ok(ws_log_append(log, rec, &seq, NULL));
	ck_assert_uint_eq(seq, 4);
	ws_log_close(log);
	json_decref(rec);
	fixture_lines_read(&l);
	ck_assert_uint_eq(l.n, 5);
	fixture_lines_free(&l);
}
END_TEST

START_TEST(test_write_error_without_bytes)
{
	struct ws_log *log = NULL;
	struct rlimit rl;
	struct stat st;
	uint64_t seq;
	json_t *rec = record("cert.issue");
	ws_err r;

	fixture_log_create(1);
	log = fixture_open();
	ck_assert_int_eq(stat(fixture_log, &st), 0);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = (rlim_t)st.st_size;	/* not one more byte */
	setrlimit(RLIMIT_FSIZE, &rl);
	r = ws_log_append(log, rec, &seq, NULL);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_FSIZE, &rl);
	ck_assert_ws(r, WS_ERR_LOG_WRITE);
	ck_assert_str_eq(ws_err_detail(), "writing the log: File too large");
	ws_log_close(log);
	json_decref(rec);
	ck_assert_ws_ok(fixture_verify(NULL));
}
END_TEST

START_TEST(test_partial_last_line_recovered_on_open)
{
	struct ws_log_recovery rec;
	struct ws_log *log = NULL;
	struct stat st;
	FILE *f;
	off_t before;

	fixture_log_create(3);
	ck_assert_int_eq(stat(fixture_log, &st), 0);
	before = st.st_size;
	ck_assert_ptr_nonnull(f = fopen(fixture_log, "ab"));
	fputs("{\"decision\":\"allo", f);	/* the crash came mid-write */
	fclose(f);
	ck_assert_ws(fixture_verify(NULL), WS_ERR_LOG_CORRUPT);
	ck_assert_str_eq(ws_err_detail(), "seq 4: incomplete last line (17 bytes without a newline: a crash "
	    "during a write; wavesignd removes it when it next opens the log)");
	ck_assert_ws_ok(ws_log_open(fixture_dir, NULL, &log, &rec));
	ck_assert_uint_eq(rec.truncated_bytes, 17);
	ck_assert_uint_eq(rec.truncated_offset, (uint64_t)before);
	ck_assert_uint_eq(ws_log_size(log), 4);
	fixture_append(log, 1);
	ws_log_close(log);
	ck_assert_ws_ok(fixture_verify(NULL));
}
END_TEST

START_TEST(test_checkpoints_file_restored_from_log)
{
	struct ws_buf a = WS_BUF_INIT(WS_NOTE_MAX), b = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_log_recovery rec;
	struct ws_log *log = NULL;

	fixture_log_create(2);
	log = fixture_open();
	fixture_checkpoint(log);
	ws_log_close(log);
	ck_assert_ws_ok(ws_buf_read_file(&a, fixture_checkpoints, WS_NOTE_MAX));
	/* A crash between appending the record and replacing the file. */
	ck_assert_int_eq(unlink(fixture_checkpoints), 0);
	ck_assert_ws_ok(ws_log_open(fixture_dir, NULL, &log, &rec));
	ck_assert(rec.checkpoints_restored);
	ws_log_close(log);
	ck_assert_ws_ok(ws_buf_read_file(&b, fixture_checkpoints, WS_NOTE_MAX));
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_mem_eq(a.data, b.data, a.len);
	ck_assert_ws_ok(ws_log_open(fixture_dir, NULL, &log, &rec));
	ck_assert(!rec.checkpoints_restored);
	ws_log_close(log);
	ws_buf_free(&a);
	ws_buf_free(&b);
}
END_TEST

struct walk_ctx {
	uint64_t records;
	uint64_t stop_at;
};

static ws_err
walk_cb(void *ctx, uint64_t seq, const json_t *rec, const uint8_t *line, size_t len)
{
	struct walk_ctx *w = ctx;

	ck_assert_uint_eq(seq, w->records);
	ck_assert_int_eq(json_integer_value(json_object_get(rec, "seq")), (json_int_t)seq);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(line[0], '{');
	w->records++;
	if (seq == w->stop_at)
		return ws_err_set(WS_ERR_EXISTS, "stop");
	return WS_OK;
}

START_TEST(test_walk_visits_verified_records)
{
	struct walk_ctx w = { 0, UINT64_MAX };
	struct ws_log *log = NULL;

	fixture_log_create(5);
	log = fixture_open();
	fixture_checkpoint(log);
	ck_assert_ws_ok(ws_log_walk(ws_log_path(log), ws_log_size(log), &fixture_key.note_key, walk_cb, &w));
	ck_assert_uint_eq(w.records, 7);
	w.records = 0;
	ck_assert_ws_ok(ws_log_walk(ws_log_path(log), 3, NULL, walk_cb, &w));
	ck_assert_uint_eq(w.records, 3);
	w.records = 0;
	w.stop_at = 2;
	ck_assert_ws(ws_log_walk(ws_log_path(log), UINT64_MAX, NULL, walk_cb, &w), WS_ERR_EXISTS);
	ws_log_close(log);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("writer");

	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_writes_log_create_record);
	tcase_add_test(tc, test_open_missing_needs_origin);
	tcase_add_test(tc, test_open_refuses_other_origin);
	tcase_add_test(tc, test_open_twice_is_locked);
	tcase_add_test(tc, test_origin_new);
	tcase_add_test(tc, test_append_fills_seq_time_prev);
	tcase_add_test(tc, test_append_refuses_bad_records);
	tcase_add_test(tc, test_append_refuses_oversized_line);
	tcase_add_test(tc, test_group_commit_concurrent_appends);
	tcase_add_test(tc, test_checkpoint_record_and_file);
	tcase_add_test(tc, test_checkpoint_due_every_interval);
	tcase_add_test(tc, test_checkpoint_sign_failure_appends_nothing);
	tcase_add_test(tc, test_write_failure_fails_closed);
	tcase_add_test(tc, test_write_error_without_bytes);
	tcase_add_test(tc, test_partial_last_line_recovered_on_open);
	tcase_add_test(tc, test_checkpoints_file_restored_from_log);
	tcase_add_test(tc, test_walk_visits_verified_records);
	suite_add_tcase(s, tc);
	return ws_test_run(s);
}
