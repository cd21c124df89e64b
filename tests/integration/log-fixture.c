/*
 * log-fixture.c -- test tooling for the signing log (not installed).
 *
 * Makes logs with the library and an in-memory Ed25519 "audit" key whose
 * seed is fixed (or given), so the shell tests can drive wavesign-audit:
 *
 *   log-fixture create DIR N [K]   new log: N records, a checkpoint after every
 *                                  K (default 10) and at the end; prints the
 *                                  verifier key
 *   log-fixture append DIR N       N more records
 *   log-fixture checkpoint DIR     one more checkpoint
 *   log-fixture open DIR           open (and so verify/recover) and close
 *   log-fixture vkey               print the verifier key
 *   log-fixture rechain FILE FROM  the attacker: renumber and re-hash the
 *                                  chain from line FROM (signed notes stay)
 *   log-fixture burst DIR N T      T threads append N records each, printing
 *                                  every acknowledged seq (for kill -9 tests)
 *   log-fixture gen DIR N [K]      a big log fast: lines written without fsync
 *                                  (for benchmarks), checkpoint every K
 *
 * Environment: FIXTURE_SEED (a byte, default 7) picks the key;
 * FIXTURE_ORIGIN the origin (default wavesign/acme/0123456789abcdef). The
 * key is named after the origin, as wavesignd names the audit key.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ws_cjson.h"
#include "ws_encode.h"
#include "ws_json.h"
#include "ws_log.h"
#include "ws_log_verify.h"
#include "ws_sha256.h"
#include "../unit/log_key.h"

static struct test_key key;
static const char *origin = "wavesign/acme/0123456789abcdef";

static void
die(const char *what, ws_err r)
{
	fprintf(stderr, "log-fixture: %s: %s\n", what, ws_err_message(r));
	exit(2);
}

static void
key_setup(void)
{
	uint8_t seed[32] = { 7 };
	const char *s = getenv("FIXTURE_SEED"), *o = getenv("FIXTURE_ORIGIN");

	if (o != NULL && *o != '\0')
		origin = o;
	if (s != NULL && *s != '\0')
		seed[0] = (uint8_t)atoi(s);
	test_key_init(&key, origin, seed);
}

static void
print_vkey(void)
{
	struct ws_buf b = WS_BUF_INIT(WS_NOTE_VKEY_MAX + 1);
	ws_err r;

	if ((r = ws_note_key_format(&key.note_key, &b)) != WS_OK)
		die("vkey", r);
	printf("%.*s\n", (int)b.len, (const char *)b.data);
	ws_buf_free(&b);
}

/* Record i: mostly certificate issuance, some wave operations; varied decisions. */
static json_t *
make_record(uint64_t i)
{
	char cn[64], serial[41], hash[65], wave[32];
	const char *decision = i % 7 == 3 ? "denied" : i % 11 == 5 ? "failed" : "allowed";
	json_t *rec;

	snprintf(cn, sizeof(cn), "dev-%06llu", (unsigned long long)i);
	snprintf(serial, sizeof(serial), "%040llx", (unsigned long long)(i * 2654435761u));
	memset(hash, 'a' + (int)(i % 6), 64);
	hash[64] = '\0';
	snprintf(wave, sizeof(wave), "wave-%llu", (unsigned long long)(i / 100));
	if (i % 50 == 7)
		rec = json_pack("{s:s, s:s, s:{s:s, s:i, s:s}, s:{s:s, s:i, s:i, s:i}, s:s, s:s}",
		    "op", "waves.init", "decision", decision, "subject", "wave", wave, "version", (int)(i / 100),
		    "tag", "beta", "peer", "client", "officers", "uid", 1001, "gid", 1001, "pid", 4000 + (int)i,
		    "policy", hash, "request", hash);
	else
		rec = json_pack("{s:s, s:s, s:{s:s, s:b}, s:{s:s, s:s}, s:{s:s, s:i, s:i, s:i}, s:s, s:s, s:[s]}",
		    "op", "cert.issue", "decision", decision, "subject", "cn", cn, "production", i % 3 == 0,
		    "outputs", "cert_sha256", hash, "serial", serial, "peer", "client", "registrar", "uid", 1002,
		    "gid", 1002, "pid", 5000 + (int)(i % 1000), "policy", hash, "request", hash,
		    "keys", "sha256:0f5e2d9c7b1a");
	if (rec != NULL && strcmp(decision, "allowed") != 0)
		json_object_set_new(rec, "error", json_string(decision[0] == 'd' ? "policy-denied" : "token"));
	if (rec == NULL)
		die("record", WS_ERR_NOMEM);
	return rec;
}

static void
append_records(struct ws_log *log, uint64_t n, uint64_t every)
{
	uint64_t i, seq, done = 0;
	json_t *rec;
	ws_err r;

	for (i = 0; i < n; i++) {
		rec = make_record(ws_log_size(log));
		if ((r = ws_log_append(log, rec, &seq, NULL)) != WS_OK)
			die("append", r);
		json_decref(rec);
		if (every > 0 && ++done % every == 0 &&
		    (r = ws_log_checkpoint(log, origin, key.pub, test_key_sign, &key, NULL)) != WS_OK)
			die("checkpoint", r);
	}
}

static struct ws_log *
open_log(const char *dir, const char *create_origin)
{
	struct ws_log_recovery rec;
	struct ws_log *log = NULL;
	ws_err r;

	if ((r = ws_log_open(dir, create_origin, &log, &rec)) != WS_OK)
		die("open", r);
	if (rec.truncated_bytes > 0)
		fprintf(stderr, "log-fixture: removed a partial last line of %llu bytes\n",
		    (unsigned long long)rec.truncated_bytes);
	return log;
}

/* The attacker: from line `from` on, renumber seq and recompute prev and checkpoint roots. */
static void
rechain(const char *path, uint64_t from)
{
	struct ws_buf in = WS_BUF_INIT((size_t)1 << 30), out = WS_BUF_INIT((size_t)1 << 30);
	struct ws_merkle_tree tree;
	ws_merkle_hash prev = { 0 }, leaf, root;
	char hex[65];
	uint8_t *p, *nl, *end;
	uint64_t i = 0;
	json_t *rec, *cp;
	FILE *f;
	ws_err r;

	if ((r = ws_buf_read_file(&in, path, (size_t)1 << 30)) != WS_OK)
		die(path, r);
	ws_merkle_tree_init(&tree);
	for (p = in.data, end = in.data + in.len; p < end; p = nl + 1, i++) {
		size_t start = out.len;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (i < from) {
			if ((r = ws_buf_put(&out, p, (size_t)(nl - p))) != WS_OK)
				die("rechain", r);
		} else {
			if ((r = ws_json_parse(p, (size_t)(nl - p), 32, &rec)) != WS_OK)
				die("rechain: parse", r);
			ws_hex_encode(prev, sizeof(prev), hex);
			json_object_set_new(rec, "seq", json_integer((json_int_t)i));
			json_object_set_new(rec, "prev", json_string(hex));
			if ((cp = json_object_get(rec, "checkpoint")) != NULL) {
				ws_merkle_tree_root(&tree, root);
				ws_hex_encode(root, sizeof(root), hex);
				json_object_set_new(cp, "root", json_string(hex));
			}
			if ((r = ws_cjson_encode(rec, WS_CJSON_VALID_JSON, &out)) != WS_OK)
				die("rechain: encode", r);
			json_decref(rec);
		}
		ws_sha256(out.data + start, out.len - start, prev);
		ws_merkle_leaf_hash(out.data + start, out.len - start, leaf);
		(void)ws_merkle_tree_push(&tree, leaf);
		if ((r = ws_buf_put_u8(&out, '\n')) != WS_OK)
			die("rechain", r);
	}
	if ((f = fopen(path, "wb")) == NULL || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0)
		die(path, WS_ERR_SYSTEM);
	ws_buf_free(&in);
	ws_buf_free(&out);
}

struct burst {
	struct ws_log *log;
	uint64_t n;
};

static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

static void *
burst_run(void *arg)
{
	struct burst *b = arg;
	char line[32];
	uint64_t i, seq;
	json_t *rec;
	int len;

	for (i = 0; i < b->n; i++) {
		rec = make_record(i);
		if (ws_log_append(b->log, rec, &seq, NULL) != WS_OK)
			die("burst append", WS_ERR_LOG_WRITE);
		json_decref(rec);
		/* Acknowledged: only now may the "client" hear of it. */
		len = snprintf(line, sizeof(line), "%llu\n", (unsigned long long)seq);
		pthread_mutex_lock(&out_mu);
		if (write(STDOUT_FILENO, line, (size_t)len) != len)
			exit(3);
		pthread_mutex_unlock(&out_mu);
	}
	return NULL;
}

static void
burst(const char *dir, uint64_t n, int threads)
{
	struct burst b = { NULL, n };
	pthread_t th[64];
	int i;

	b.log = open_log(dir, origin);
	for (i = 0; i < threads && i < 64; i++)
		pthread_create(&th[i], NULL, burst_run, &b);
	for (i = 0; i < threads && i < 64; i++)
		pthread_join(th[i], NULL);
	ws_log_close(b.log);
}

/* gen: sets seq, time and prev, vets the line with the verifier, writes it. */
static void
gen_emit(struct ws_log_verifier *v, FILE *f, json_t *rec, struct ws_buf *line)
{
	uint64_t seq = ws_log_verifier_size(v);
	time_t when = 1767225600 + (time_t)(seq / 10);	/* 2026-01-01, ten records a second */
	char t[WS_LOG_TIME_LEN + 1], hex[65];
	ws_merkle_hash prev;
	struct tm tm;
	ws_err r;

	gmtime_r(&when, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ws_log_verifier_last_hash(v, prev);
	ws_hex_encode(prev, sizeof(prev), hex);
	json_object_set_new(rec, "seq", json_integer((json_int_t)seq));
	json_object_set_new(rec, "time", json_string(t));
	json_object_set_new(rec, "prev", json_string(hex));
	ws_buf_reset(line);
	if ((r = ws_cjson_encode(rec, WS_CJSON_VALID_JSON, line)) != WS_OK ||
	    (r = ws_log_verifier_line(v, line->data, line->len)) != WS_OK)
		die("gen", r);
	json_decref(rec);
	fwrite(line->data, 1, line->len, f);
	fputc('\n', f);
}

/* gen: a checkpoint record of everything so far; its note is kept in note. */
static void
gen_checkpoint(struct ws_log_verifier *v, FILE *f, struct ws_buf *line, struct ws_buf *note)
{
	struct ws_checkpoint cp;
	char hex[65];
	json_t *rec;
	ws_err r;

	snprintf(cp.origin, sizeof(cp.origin), "%s", origin);
	cp.size = ws_log_verifier_size(v);
	ws_log_verifier_root(v, cp.root);
	ws_buf_reset(note);
	if ((r = ws_checkpoint_sign(&cp, &key.note_key, test_key_sign, &key, note)) != WS_OK)
		die("gen: sign", r);
	ws_hex_encode(cp.root, sizeof(cp.root), hex);
	rec = json_pack("{s:s, s:{s:s%, s:s, s:I}}", "op", WS_LOG_OP_CHECKPOINT, "checkpoint", "note",
	    (const char *)note->data, note->len, "root", hex, "size", (json_int_t)cp.size);
	gen_emit(v, f, rec, line);
}

/* A big log fast: the lines the log would write, without an fsync each. */
static void
gen(const char *dir, uint64_t n, uint64_t every)
{
	struct ws_buf line = WS_BUF_INIT(WS_LOG_LINE_MAX + 1), note = WS_BUF_INIT(WS_NOTE_MAX);
	struct ws_log_verifier *v = NULL;
	char path[4096];
	uint64_t made;
	ws_err r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/log", dir);
	if ((f = fopen(path, "wx")) == NULL)
		die(path, ws_err_errno("create"));
	if ((r = ws_log_verifier_new(NULL, &v)) != WS_OK)
		die("gen", r);
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	gen_emit(v, f, json_pack("{s:i, s:s, s:s}", "format", WS_LOG_FORMAT, "op", WS_LOG_OP_CREATE,
	    "origin", origin), &line);
	for (made = 1; made <= n; made++) {
		gen_emit(v, f, make_record(ws_log_verifier_size(v)), &line);
		if (every > 0 && (made % every == 0 || made == n))
			gen_checkpoint(v, f, &line, &note);
	}
	if (fclose(f) != 0)
		die(path, ws_err_errno("write"));
	snprintf(path, sizeof(path), "%s/checkpoints", dir);
	if (note.len > 0 && ((f = fopen(path, "wb")) == NULL || fwrite(note.data, 1, note.len, f) != note.len ||
	    fclose(f) != 0))
		die(path, ws_err_errno("write"));
	ws_log_verifier_free(v);
	ws_buf_free(&line);
	ws_buf_free(&note);
}

int
main(int argc, char **argv)
{
	struct ws_log *log;
	ws_err r;

	key_setup();
	if (argc >= 3 && strcmp(argv[1], "create") == 0) {
		log = open_log(argv[2], origin);
		append_records(log, argc > 3 ? strtoull(argv[3], NULL, 10) : 0, argc > 4 ? strtoull(argv[4], NULL, 10) : 10);
		if ((r = ws_log_checkpoint(log, origin, key.pub, test_key_sign, &key, NULL)) != WS_OK)
			die("checkpoint", r);
		ws_log_close(log);
		print_vkey();
	} else if (argc == 4 && strcmp(argv[1], "append") == 0) {
		log = open_log(argv[2], NULL);
		append_records(log, strtoull(argv[3], NULL, 10), 0);
		ws_log_close(log);
	} else if (argc == 3 && strcmp(argv[1], "checkpoint") == 0) {
		log = open_log(argv[2], NULL);
		if ((r = ws_log_checkpoint(log, origin, key.pub, test_key_sign, &key, NULL)) != WS_OK)
			die("checkpoint", r);
		ws_log_close(log);
	} else if (argc == 3 && strcmp(argv[1], "open") == 0) {
		ws_log_close(open_log(argv[2], NULL));
	} else if (argc == 2 && strcmp(argv[1], "vkey") == 0) {
		print_vkey();
	} else if (argc == 4 && strcmp(argv[1], "rechain") == 0) {
		rechain(argv[2], strtoull(argv[3], NULL, 10));
	} else if (argc == 5 && strcmp(argv[1], "burst") == 0) {
		burst(argv[2], strtoull(argv[3], NULL, 10), atoi(argv[4]));
	} else if (argc >= 4 && strcmp(argv[1], "gen") == 0) {
		gen(argv[2], strtoull(argv[3], NULL, 10), argc > 4 ? strtoull(argv[4], NULL, 10) : 1000);
		print_vkey();
	} else {
		fprintf(stderr, "usage: log-fixture create|append|checkpoint|open|vkey|rechain|burst|gen ...\n");
		return 2;
	}
	test_key_free(&key);
	return 0;
}
