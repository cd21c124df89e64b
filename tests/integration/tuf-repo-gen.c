/*
 * tuf-repo-gen.c -- test-only: writes TUF repositories with the wavesign
 * library (in-memory keys, tests/unit/tuf_helpers.c), and verifies them
 * with ws_tuf_repo_verify(), for the integration tests that hand the
 * same directories to independent verifiers (tuf-js, jsoncpp,
 * python3-cryptography).
 *
 *   tuf-repo-gen repos tuf|foundries OUTDIR
 *       OUTDIR/<scenario>/ for every scenario below, all under one set of
 *       keys, so that OUTDIR/good/1.root.json is the trust anchor of all:
 *         good                root v1 -> v2 rotation, targets v1 (threshold
 *                             2, two key types), snapshot v2, timestamp v2;
 *                             tuf: targets/hello.txt and its hash-prefixed name
 *         wrong-key           timestamp signed by the snapshot key
 *         expired             timestamp expired an hour ago
 *         duplicate-signature targets "meets" threshold 2 with one key twice
 *         tampered-targets    targets changed after signing, meta untouched
 *         tampered-signed     targets changed, snapshot/timestamp re-signed over it
 *         stale-root          2.root.json holds root version 1
 *         stale-timestamp     timestamp v1 (a rollback from good's v2)
 *         tampered-target     (tuf) the target file's bytes changed
 *   tuf-repo-gen verify tuf|foundries DIR [TRUSTED_DIR]
 *       ws_tuf_repo_verify() at the current time; with TRUSTED_DIR, that
 *       repository's verified versions are the trusted state (rollback
 *       check). Prints "ok ..." or "<code>: <message>"; exit 0 or 1.
 *   tuf-repo-gen corpus OUTDIR
 *       seed files for tests/fuzz/corpus/tuf, signed by the fuzzer's fixed key.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ws_buf.h"
#include "ws_tuf.h"
#include "ws_tuf_doc.h"
#include "ws_tuf_repo.h"
#include "ws_tuf_roles.h"
#include "ws_tuf_root.h"
#include "tuf_helpers.h"

#define HELLO "hello from wavesign\n"

struct world {
	enum ws_tuf_dialect d;
	time_t now;
	EVP_PKEY *priv[6];
	struct ws_tuf_key *root1, *root2, *tgt_a, *tgt_b, *snap, *ts;
	struct ws_tuf_root *r1, *r2;
	struct ws_tuf_doc *targets, *snapshot, *timestamp;
	char hello_sha[65];
};

static void
mkdir_p(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		perror(dir);
		exit(1);
	}
}

static struct ws_tuf_signer
one(struct ws_tuf_key **k)
{
	return th_signer(k, 1);
}

static json_t *
hello_targets(struct world *w)
{
	uint8_t digest[32];
	json_t *t = th_targets_map();

	th_ok(ws_tuf_sha256(HELLO, strlen(HELLO), digest), "sha256");
	ws_tuf_hex(digest, 32, w->hello_sha);
	json_object_set_new(t, "hello.txt", json_pack("{s:{s:s}, s:i, s:{s:s, s:{s:[i, i]}}}",
	    "hashes", "sha256", w->hello_sha, "length", (int)strlen(HELLO),
	    "custom", "x-note", "original", "x-any", "n", 1, 2));
	return t;
}

static void
world_build(struct world *w, enum ws_tuf_dialect d)
{
	struct ws_tuf_key *tgt[2], *both[2];
	struct ws_tuf_key *roles1[WS_TUF_ROLE_COUNT], *roles2[WS_TUF_ROLE_COUNT];
	struct ws_tuf_root_params p;
	struct ws_tuf_check c;
	struct ws_tuf_signer s;
	struct ws_tuf_targets_params tp;
	struct ws_tuf_meta_file mf;
	struct ws_tuf_snapshot_params sp;
	struct ws_tuf_timestamp_params tsp;
	json_t *targets;

	memset(w, 0, sizeof(*w));
	w->d = d;
	w->now = time(NULL);
	/* tuf: Ed25519, ECDSA and RSA all in play; foundries: Ed25519 and RSA (no ECDSA there). */
	w->priv[0] = th_keygen(WS_KEY_ED25519);
	w->priv[1] = th_keygen(WS_KEY_ED25519);
	w->priv[2] = th_keygen(WS_KEY_ED25519);
	w->priv[3] = th_keygen(d == WS_TUF_SPEC ? WS_KEY_EC_P256 : WS_KEY_RSA);
	w->priv[4] = th_keygen(d == WS_TUF_SPEC ? WS_KEY_RSA : WS_KEY_ED25519);
	w->priv[5] = th_keygen(WS_KEY_ED25519);
	w->root1 = th_tuf_key(d, w->priv[0]);
	w->root2 = th_tuf_key(d, w->priv[1]);
	w->tgt_a = th_tuf_key(d, w->priv[2]);
	w->tgt_b = th_tuf_key(d, w->priv[3]);
	w->snap = th_tuf_key(d, w->priv[4]);
	w->ts = th_tuf_key(d, w->priv[5]);

	roles1[WS_TUF_ROOT] = w->root1;
	roles1[WS_TUF_TARGETS] = w->tgt_a;
	roles1[WS_TUF_SNAPSHOT] = w->snap;
	roles1[WS_TUF_TIMESTAMP] = w->ts;
	memcpy(roles2, roles1, sizeof(roles2));
	roles2[WS_TUF_ROOT] = w->root2;
	tgt[0] = w->tgt_a;
	tgt[1] = w->tgt_b;

	c = th_check(0);
	c.now = w->now;
	p = th_root_params(roles1, 1, w->now + 365 * TH_DAY);
	p.roles[WS_TUF_TARGETS].keys = tgt;
	p.roles[WS_TUF_TARGETS].nkeys = 2;
	p.roles[WS_TUF_TARGETS].threshold = 2;
	s = one(&w->root1);
	th_ok(ws_tuf_root_sign(d, &p, NULL, &c, &s, &w->r1), "root v1");
	/* Rotation: v2's root key is new; v2 carries v1's key's signature and its own. */
	p.version = 2;
	p.roles[WS_TUF_ROOT].keys = &roles2[WS_TUF_ROOT];
	both[0] = w->root1;
	both[1] = w->root2;
	s = th_signer(both, 2);
	th_ok(ws_tuf_root_sign(d, &p, w->r1, &c, &s, &w->r2), "root v2");

	targets = hello_targets(w);
	tp.version = 1;
	tp.expires = w->now + 365 * TH_DAY;
	tp.targets = targets;
	tp.extra = NULL;
	s = th_signer(tgt, 2);
	th_ok(ws_tuf_targets_sign(w->r2, &tp, &c, &s, &w->targets), "targets");
	json_decref(targets);

	mf.name = "targets.json";
	mf.doc = w->targets;
	sp.version = 2;
	sp.expires = w->now + 30 * TH_DAY;
	sp.files = &mf;
	sp.nfiles = 1;
	s = one(&w->snap);
	th_ok(ws_tuf_snapshot_sign(w->r2, &sp, &c, &s, &w->snapshot), "snapshot");

	tsp.version = 2;
	tsp.expires = w->now + 7 * TH_DAY;
	tsp.snapshot = w->snapshot;
	s = one(&w->ts);
	th_ok(ws_tuf_timestamp_sign(w->r2, &tsp, &c, &s, &w->timestamp), "timestamp");
}

static void
world_free(struct world *w)
{
	struct ws_tuf_key *keys[] = { w->root1, w->root2, w->tgt_a, w->tgt_b, w->snap, w->ts };

	ws_tuf_doc_free(w->targets);
	ws_tuf_doc_free(w->snapshot);
	ws_tuf_doc_free(w->timestamp);
	ws_tuf_root_free(w->r1);
	ws_tuf_root_free(w->r2);
	for (size_t i = 0; i < 6; i++) {
		ws_tuf_key_free(keys[i]);
		EVP_PKEY_free(w->priv[i]);
	}
}

/* The files of role under every name the layout gives them. */
static void
write_role_bytes(const struct world *w, const char *dir, const char *role, int64_t version,
    const uint8_t *data, size_t len)
{
	char name[64];

	if (w->d == WS_TUF_SPEC || strcmp(role, "root") == 0) {
		snprintf(name, sizeof(name), "%" PRId64 ".%s.json", version, role);
		th_ok(ws_tuf_repo_write_file(dir, name, data, len), name);
	}
	snprintf(name, sizeof(name), "%s.json", role);
	th_ok(ws_tuf_repo_write_file(dir, name, data, len), name);
}

static void
write_good(const struct world *w, const char *base, const char *scenario, char *dir, size_t dirlen)
{
	const struct ws_tuf_doc *roots[2] = { w->r1->doc, w->r2->doc };
	struct ws_tuf_repo repo = { roots, 2, w->targets, w->snapshot, w->timestamp };
	char tdir[4200], name[128];

	snprintf(dir, dirlen, "%s/%s", base, scenario);
	mkdir_p(dir);
	th_ok(ws_tuf_repo_write(dir, &repo), "repository");
	if (w->d != WS_TUF_SPEC)
		return;
	snprintf(tdir, sizeof(tdir), "%s/targets", dir);
	mkdir_p(tdir);
	th_ok(ws_tuf_repo_write_file(tdir, "hello.txt", (const uint8_t *)HELLO, strlen(HELLO)), "target");
	snprintf(name, sizeof(name), "%s.hello.txt", w->hello_sha);
	th_ok(ws_tuf_repo_write_file(tdir, name, (const uint8_t *)HELLO, strlen(HELLO)), "target");
}

/* signed {_type, expires, meta: {name: entry of data}, version} signed by key, no checks. */
static struct ws_tuf_doc *
raw_meta_role(const struct world *w, enum ws_tuf_role role, const char *listed,
    const uint8_t *data, size_t len, int64_t listed_version, int64_t version, time_t expires,
    struct ws_tuf_key *key)
{
	struct ws_tuf_doc *doc = NULL;
	struct ws_tuf_signer s = one(&key);
	uint8_t digest[32];
	char hex[65], exp[WS_TUF_EXPIRES_LEN + 1];
	json_t *body;

	th_ok(ws_tuf_sha256(data, len, digest), "sha256");
	ws_tuf_hex(digest, 32, hex);
	th_ok(ws_tuf_expires_format(expires, exp), "expires");
	body = json_pack("{s:s, s:s, s:{s:{s:{s:s}, s:I, s:I}}, s:I}",
	    "_type", ws_tuf_role_type(w->d, role), "expires", exp,
	    "meta", listed, "hashes", "sha256", hex, "length", (json_int_t)len,
	    "version", (json_int_t)listed_version, "version", (json_int_t)version);
	if (w->d == WS_TUF_SPEC)
		json_object_set_new(body, "spec_version", json_string(WS_TUF_SPEC_VERSION));
	th_ok(ws_tuf_doc_sign(w->d, role, body, &s, &doc), "raw meta role");
	json_decref(body);
	return doc;
}

/* Replaces targets with bytes, then (when resign) snapshot and timestamp over them. */
static void
replace_targets(const struct world *w, const char *dir, const uint8_t *data, size_t len, bool resign)
{
	struct ws_tuf_doc *snap, *ts;

	write_role_bytes(w, dir, "targets", w->targets->version, data, len);
	if (!resign)
		return;
	snap = raw_meta_role(w, WS_TUF_SNAPSHOT, "targets.json", data, len, w->targets->version,
	    w->snapshot->version, w->snapshot->expires, w->snap);
	ts = raw_meta_role(w, WS_TUF_TIMESTAMP, "snapshot.json", snap->file, snap->file_len,
	    snap->version, w->timestamp->version, w->timestamp->expires, w->ts);
	th_ok(ws_tuf_repo_write_doc(dir, snap), "snapshot");
	th_ok(ws_tuf_repo_write_doc(dir, ts), "timestamp");
	ws_tuf_doc_free(snap);
	ws_tuf_doc_free(ts);
}

/* A timestamp over good's snapshot with other parameters. */
static void
write_timestamp(const struct world *w, const char *dir, int64_t version, time_t expires,
    struct ws_tuf_key *key)
{
	struct ws_tuf_doc *ts = raw_meta_role(w, WS_TUF_TIMESTAMP, "snapshot.json",
	    w->snapshot->file, w->snapshot->file_len, w->snapshot->version, version, expires, key);

	th_ok(ws_tuf_repo_write_doc(dir, ts), "timestamp");
	ws_tuf_doc_free(ts);
}

static int
cmd_repos(enum ws_tuf_dialect d, const char *base)
{
	struct world w;
	struct ws_buf b = WS_BUF_INIT(WS_TUF_FILE_MAX);
	char dir[4096];
	char *text, *p;
	json_t *env, *sigs;

	mkdir_p(base);
	world_build(&w, d);
	write_good(&w, base, "good", dir, sizeof(dir));

	write_good(&w, base, "wrong-key", dir, sizeof(dir));
	write_timestamp(&w, dir, w.timestamp->version, w.timestamp->expires, w.snap);

	write_good(&w, base, "expired", dir, sizeof(dir));
	write_timestamp(&w, dir, w.timestamp->version, w.now - 3600, w.ts);

	write_good(&w, base, "stale-timestamp", dir, sizeof(dir));
	write_timestamp(&w, dir, 1, w.timestamp->expires, w.ts);

	write_good(&w, base, "stale-root", dir, sizeof(dir));
	th_ok(ws_tuf_repo_write_file(dir, "2.root.json", w.r1->doc->file, w.r1->doc->file_len), "2.root.json");

	/* Threshold 2 "met" by the same key twice. */
	write_good(&w, base, "duplicate-signature", dir, sizeof(dir));
	env = json_deep_copy(w.targets->envelope);
	sigs = json_object_get(env, "signatures");
	json_array_remove(sigs, 1);
	json_array_append_new(sigs, json_deep_copy(json_array_get(sigs, 0)));
	th_ok(ws_tuf_doc_encode(d, env, &b), "encode");
	replace_targets(&w, dir, b.data, b.len, true);
	json_decref(env);

	/* Same length, other bytes: only the hash (or the signature) can tell. */
	text = malloc(w.targets->file_len + 1);
	memcpy(text, w.targets->file, w.targets->file_len);
	text[w.targets->file_len] = '\0';
	if ((p = strstr(text, "\"original\"")) == NULL) {
		fprintf(stderr, "no \"original\" in targets\n");
		return 1;
	}
	memcpy(p, "\"tampered\"", 10);
	write_good(&w, base, "tampered-targets", dir, sizeof(dir));
	replace_targets(&w, dir, (const uint8_t *)text, w.targets->file_len, false);
	write_good(&w, base, "tampered-signed", dir, sizeof(dir));
	replace_targets(&w, dir, (const uint8_t *)text, w.targets->file_len, true);
	free(text);

	if (d == WS_TUF_SPEC) {
		char tdir[4200], name[128];

		write_good(&w, base, "tampered-target", dir, sizeof(dir));
		snprintf(tdir, sizeof(tdir), "%s/targets", dir);
		snprintf(name, sizeof(name), "%s.hello.txt", w.hello_sha);
		th_ok(ws_tuf_repo_write_file(tdir, name, (const uint8_t *)"HELLO FROM WAVESIGN\n", strlen(HELLO)), "target");
		th_ok(ws_tuf_repo_write_file(tdir, "hello.txt", (const uint8_t *)"HELLO FROM WAVESIGN\n", strlen(HELLO)), "target");
	}
	ws_buf_free(&b);
	world_free(&w);
	return 0;
}

static int
cmd_verify(enum ws_tuf_dialect d, const char *dir, const char *trusted_dir)
{
	struct ws_tuf_repo_report trusted, rep;
	time_t now = time(NULL);
	ws_err r;

	if (trusted_dir != NULL && (r = ws_tuf_repo_verify(trusted_dir, d, now, NULL, &trusted)) != WS_OK) {
		printf("trusted %s: %s: %s\n", trusted_dir, ws_err_code(r), ws_err_message(r));
		return 1;
	}
	r = ws_tuf_repo_verify(dir, d, now, trusted_dir ? &trusted : NULL, &rep);
	if (r != WS_OK) {
		printf("%s: %s\n", ws_err_code(r), ws_err_message(r));
		return 1;
	}
	printf("ok root=%" PRId64 " targets=%" PRId64 " snapshot=%" PRId64 " timestamp=%" PRId64
	    " roots-walked=%zu target-entries=%zu\n", rep.version[WS_TUF_ROOT],
	    rep.version[WS_TUF_TARGETS], rep.version[WS_TUF_SNAPSHOT],
	    rep.version[WS_TUF_TIMESTAMP], rep.roots, rep.targets);
	return 0;
}

/* The fuzzer's key: Ed25519 from a fixed seed, every role (see tests/fuzz/fuzz-tuf.c). */
static const uint8_t FUZZ_SEED[32] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static int
cmd_corpus(const char *outdir)
{
	static const enum ws_tuf_dialect dialects[2] = { WS_TUF_SPEC, WS_TUF_FOUNDRIES };
	EVP_PKEY *k = th_ed25519_from_seed(FUZZ_SEED);
	EVP_PKEY *priv[WS_TUF_ROLE_COUNT] = { k, k, k, k };

	mkdir_p(outdir);
	for (size_t i = 0; i < 2; i++) {
		const char *dn = ws_tuf_dialect_name(dialects[i]);
		const struct ws_tuf_doc *docs[4];
		struct th_repo r;
		char name[64];

		th_repo_build_at(&r, dialects[i], TH_NOW, priv, NULL);
		docs[0] = r.root->doc;
		docs[1] = r.targets;
		docs[2] = r.snapshot;
		docs[3] = r.timestamp;
		for (size_t j = 0; j < 4; j++) {
			snprintf(name, sizeof(name), "%s-%s.json", dn, ws_tuf_role_name(docs[j]->role));
			th_ok(ws_tuf_repo_write_file(outdir, name, docs[j]->file, docs[j]->file_len), name);
		}
		th_repo_free(&r);
	}
	EVP_PKEY_free(k);
	return 0;
}

int
main(int argc, char **argv)
{
	enum ws_tuf_dialect d;

	if (argc == 3 && strcmp(argv[1], "corpus") == 0)
		return cmd_corpus(argv[2]);
	if (argc >= 4 && ws_tuf_dialect_from_name(argv[2], &d) == WS_OK) {
		if (strcmp(argv[1], "repos") == 0 && argc == 4)
			return cmd_repos(d, argv[3]);
		if (strcmp(argv[1], "verify") == 0 && argc <= 5)
			return cmd_verify(d, argv[3], argc == 5 ? argv[4] : NULL);
	}
	fprintf(stderr, "usage: tuf-repo-gen repos tuf|foundries OUTDIR\n"
	    "       tuf-repo-gen verify tuf|foundries DIR [TRUSTED_DIR]\n"
	    "       tuf-repo-gen corpus OUTDIR\n");
	return 2;
}
