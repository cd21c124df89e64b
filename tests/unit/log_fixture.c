/* log_fixture.c -- scratch signing logs for the log suites (see log_fixture.h). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ws_cjson.h"
#include "ws_encode.h"
#include "ws_json.h"
#include "ws_logline.h"
#include "ws_sha256.h"
#include "log_fixture.h"
#include "test_common.h"

char fixture_dir[512];
char fixture_log[600];
char fixture_checkpoints[600];
struct test_key fixture_key;

void
fixture_setup(void)
{
	static const uint8_t seed[32] = { 42 };

	snprintf(fixture_dir, sizeof(fixture_dir), "%s/test-log-state-XXXXXX", TEST_BUILDDIR);
	ck_assert_ptr_nonnull(mkdtemp(fixture_dir));
	snprintf(fixture_log, sizeof(fixture_log), "%s/log", fixture_dir);
	snprintf(fixture_checkpoints, sizeof(fixture_checkpoints), "%s/checkpoints", fixture_dir);
	test_key_init(&fixture_key, "audit", seed);
}

void
fixture_teardown(void)
{
	static const char *const names[] = { "log", "checkpoints", "log.tmp", "checkpoints.tmp", "other" };
	char path[700];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fixture_dir, names[i]);
		unlink(path);
	}
	rmdir(fixture_dir);
	test_key_free(&fixture_key);
}

struct ws_log *
fixture_open(void)
{
	struct ws_log *log = NULL;

	ck_assert_ws_ok(ws_log_open(fixture_dir, NULL, &log, NULL));
	return log;
}

void
fixture_append(struct ws_log *log, uint64_t n)
{
	uint64_t i, seq;
	json_t *rec;

	for (i = 0; i < n; i++) {
		char cn[32];

		snprintf(cn, sizeof(cn), "dev-%llu", (unsigned long long)ws_log_size(log));
		rec = json_pack("{s:s, s:s, s:{s:s}}", "op", "cert.issue", "decision", "allowed",
		    "subject", "cn", cn);
		ck_assert_ptr_nonnull(rec);
		ck_assert_ws_ok(ws_log_append(log, rec, &seq, NULL));
		json_decref(rec);
	}
}

void
fixture_checkpoint(struct ws_log *log)
{
	ck_assert_ws_ok(ws_log_checkpoint(log, "audit", fixture_key.pub, test_key_sign, &fixture_key, NULL));
}

void
fixture_log_create(uint64_t n)
{
	struct ws_log *log = NULL;

	ck_assert_ws_ok(ws_log_open(fixture_dir, FIXTURE_ORIGIN, &log, NULL));
	fixture_append(log, n);
	ws_log_close(log);
}

void
fixture_lines_read(struct fixture_lines *l)
{
	FILE *f = fopen(fixture_log, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	ck_assert_ptr_nonnull(f);
	l->line = NULL;
	l->n = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		ck_assert_int_eq(line[n - 1], '\n');
		line[n - 1] = '\0';
		l->line = realloc(l->line, (l->n + 1) * sizeof(*l->line));
		ck_assert_ptr_nonnull(l->line);
		l->line[l->n++] = strdup(line);
	}
	free(line);
	fclose(f);
}

void
fixture_lines_write(const struct fixture_lines *l)
{
	FILE *f = fopen(fixture_log, "wb");
	size_t i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < l->n; i++)
		fprintf(f, "%s\n", l->line[i]);
	ck_assert_int_eq(fclose(f), 0);
}

void
fixture_lines_free(struct fixture_lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->line[i]);
	free(l->line);
	l->line = NULL;
	l->n = 0;
}

void
fixture_lines_set(struct fixture_lines *l, size_t i, const char *text)
{
	ck_assert_uint_lt(i, l->n);
	free(l->line[i]);
	l->line[i] = strdup(text);
}

void
fixture_lines_rechain(struct fixture_lines *l, size_t from)
{
	struct ws_merkle_tree tree;
	ws_merkle_hash h, leaf, root;
	char hex[2 * WS_SHA256_LEN + 1];
	struct ws_buf b = WS_BUF_INIT(WS_LOG_LINE_MAX);
	json_t *rec = NULL, *cp;
	size_t i;

	ws_merkle_tree_init(&tree);
	for (i = 0; i < l->n; i++) {
		if (i >= from) {
			ck_assert_ws_ok(ws_json_parse((const uint8_t *)l->line[i], strlen(l->line[i]), 32, &rec));
			json_object_set_new(rec, "seq", json_integer((json_int_t)i));
			if (i > 0) {
				ws_sha256(l->line[i - 1], strlen(l->line[i - 1]), h);
				ws_hex_encode(h, sizeof(h), hex);
				json_object_set_new(rec, "prev", json_string(hex));
			}
			if ((cp = json_object_get(rec, "checkpoint")) != NULL) {
				ws_merkle_tree_root(&tree, root);
				ws_hex_encode(root, sizeof(root), hex);
				json_object_set_new(cp, "root", json_string(hex));
			}
			ws_buf_reset(&b);
			ck_assert_ws_ok(ws_cjson_encode(rec, WS_CJSON_VALID_JSON, &b));
			ck_assert_ws_ok(ws_buf_put_u8(&b, 0));
			fixture_lines_set(l, i, (const char *)b.data);
			json_decref(rec);
		}
		ws_merkle_leaf_hash(l->line[i], strlen(l->line[i]), leaf);
		ck_assert_ws_ok(ws_merkle_tree_push(&tree, leaf));
	}
	ws_buf_free(&b);
}

ws_err
fixture_verify(const struct ws_note_key *key)
{
	struct ws_log_verify_report rep;
	const char *cps = access(fixture_checkpoints, F_OK) == 0 ? fixture_checkpoints : NULL;

	return ws_log_verify_file(fixture_log, cps, key, NULL, false, &rep);
}
