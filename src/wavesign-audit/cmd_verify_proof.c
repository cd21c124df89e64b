/*
 * cmd_verify_proof.c -- wavesign-audit verify-proof PROOF_FILE: checks an
 * inclusion or consistency proof on its own, with only the audit key.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "ws_buf.h"
#include "ws_encode.h"
#include "ws_json.h"
#include "ws_logline.h"
#include "audit.h"

static const char vp_usage[] =
    "usage: wavesign-audit --key KEY [--origin ORIGIN] verify-proof [--record FILE] PROOF_FILE\n";

static const char vp_help[] =
    "usage: wavesign-audit --key KEY [--origin ORIGIN] verify-proof [--record FILE] PROOF_FILE\n"
    "\n"
    "Checks a proof made by `prove` or `consistency --json` without the log: the\n"
    "checkpoint signature(s) by KEY, then the Merkle path from the record to the\n"
    "checkpoint's root (inclusion), or from the old tree to the new (consistency).\n"
    "\n"
    "  --record FILE  the record line to check (default: the one in the proof)\n";

/* Proof files hold a record of up to 1 MiB, escaped: allow for that. */
#define PROOF_FILE_MAX ((size_t)8 << 20)

static ws_err
note_member(const struct audit *a, const json_t *proof, const char *name, struct ws_checkpoint *cp)
{
	const char *s = NULL;
	ws_err r;

	if ((r = ws_json_get_str(proof, "proof", name, &s)) != WS_OK)
		return ws_err_set(WS_ERR_CHECKPOINT, "%s", ws_err_detail());
	if ((r = ws_checkpoint_verify((const uint8_t *)s, json_string_length(json_object_get(proof, name)),
	    &a->key, cp)) != WS_OK)
		return ws_err_set(r, "%s: %s", name, ws_err_detail());
	if (a->origin != NULL && strcmp(cp->origin, a->origin) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT, "%s: the checkpoint is for origin %s, not %s", name,
		    cp->origin, a->origin);
	return WS_OK;
}

static ws_err
verify_inclusion(const struct audit *a, const json_t *proof, const char *record_file)
{
	static const char *const members[] = { "checkpoint", "leaf_hash", "leaf_index", "proof", "record",
		"tree_size", "type", NULL };
	struct ws_buf rec = WS_BUF_INIT(WS_LOG_LINE_MAX + 1);
	ws_merkle_hash hashes[WS_MERKLE_PROOF_MAX], leaf, computed;
	const char *leaf_hex = NULL, *line = NULL;
	int64_t index = -1, size = -1;
	struct ws_checkpoint cp;
	struct ws_logline l;
	size_t n, len = 0;
	ws_err r;

	if ((r = ws_json_only_members(proof, "proof", members)) != WS_OK ||
	    (r = ws_json_get_int(proof, "proof", "leaf_index", &index)) != WS_OK ||
	    (r = ws_json_get_int(proof, "proof", "tree_size", &size)) != WS_OK ||
	    (r = ws_json_get_str(proof, "proof", "leaf_hash", &leaf_hex)) != WS_OK ||
	    (r = ws_json_get_str_opt(proof, "proof", "record", &line)) != WS_OK) {
		r = ws_err_set(WS_ERR_CHECKPOINT, "%s", ws_err_detail());
		goto out;
	}
	if ((r = audit_hashes_parse(json_object_get(proof, "proof"), hashes, &n)) != WS_OK)
		goto out;
	if (index < 0 || size < 0 || ws_hex_decode(leaf_hex, strlen(leaf_hex), leaf, sizeof(leaf)) != WS_OK) {
		r = ws_err_set(WS_ERR_CHECKPOINT, "proof: leaf_index, tree_size or leaf_hash is malformed");
		goto out;
	}
	if ((r = note_member(a, proof, "checkpoint", &cp)) != WS_OK)
		goto out;
	if ((uint64_t)size != cp.size) {
		r = ws_err_set(WS_ERR_CHECKPOINT, "the proof is for tree size %" PRId64 " but its checkpoint is for %"
		    PRIu64, size, cp.size);
		goto out;
	}
	if (record_file != NULL) {
		if ((r = ws_buf_read_file(&rec, record_file, WS_LOG_LINE_MAX + 1)) != WS_OK)
			goto out;
		if (rec.len > 0 && rec.data[rec.len - 1] == '\n')
			rec.len--;
	} else if (line != NULL) {
		len = json_string_length(json_object_get(proof, "record"));
		if ((r = ws_buf_put(&rec, line, len)) != WS_OK)
			goto out;
	} else {
		r = ws_err_set(WS_ERR_USAGE, "the proof carries no record: give --record FILE");
		goto out;
	}
	ws_merkle_leaf_hash(rec.data, rec.len, computed);
	if (memcmp(computed, leaf, sizeof(leaf)) != 0) {
		r = ws_err_set(WS_ERR_CHECKPOINT, "the record does not hash to the proof's leaf_hash");
		goto out;
	}
	if (ws_logline_scan(rec.data, rec.len, &l) != WS_OK || l.seq != (uint64_t)index) {
		r = ws_err_set(WS_ERR_CHECKPOINT, "the record is not log record %" PRId64 " (%s)", index,
		    ws_err_detail());
		goto out;
	}
	if ((r = ws_merkle_verify_inclusion((uint64_t)index, cp.size, leaf, (const ws_merkle_hash *)hashes, n,
	    cp.root)) != WS_OK)
		goto out;
	printf("OK: record %" PRId64 " (%.*s, %s) is in the log %s at tree size %" PRIu64
	    ", checkpoint signed by %s\n", index, (int)l.op_len, (const char *)l.op, l.time, cp.origin, cp.size,
	    a->key.name);
out:
	ws_buf_free(&rec);
	return r;
}

static ws_err
verify_consistency(const struct audit *a, const json_t *proof)
{
	static const char *const members[] = { "new", "old", "proof", "type", NULL };
	ws_merkle_hash hashes[WS_MERKLE_PROOF_MAX];
	struct ws_checkpoint old_cp, new_cp;
	size_t n;
	ws_err r;

	if ((r = ws_json_only_members(proof, "proof", members)) != WS_OK)
		return ws_err_set(WS_ERR_CHECKPOINT, "%s", ws_err_detail());
	if ((r = audit_hashes_parse(json_object_get(proof, "proof"), hashes, &n)) != WS_OK ||
	    (r = note_member(a, proof, "old", &old_cp)) != WS_OK ||
	    (r = note_member(a, proof, "new", &new_cp)) != WS_OK)
		return r;
	if (strcmp(old_cp.origin, new_cp.origin) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT, "the checkpoints are of two logs (%s and %s)", old_cp.origin,
		    new_cp.origin);
	if ((r = ws_merkle_verify_consistency(old_cp.size, new_cp.size, old_cp.root, new_cp.root,
	    (const ws_merkle_hash *)hashes, n)) != WS_OK)
		return r;
	printf("OK: in the log %s, the tree of size %" PRIu64 " is a prefix of the tree of size %" PRIu64 "\n",
	    new_cp.origin, old_cp.size, new_cp.size);
	return WS_OK;
}

int
cmd_verify_proof(struct audit *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "record", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct ws_buf file = WS_BUF_INIT(PROOF_FILE_MAX);
	const char *record = NULL, *type = NULL;
	json_t *proof = NULL;
	ws_err r;
	int ch, rc;

	if (audit_wants_help(argc, argv, vp_help))
		return AUDIT_EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'r')
			return audit_usage_error(vp_usage, "verify-proof: unknown option");
		record = optarg;
	}
	if (argc - optind != 1)
		return audit_usage_error(vp_usage, "verify-proof: give one proof file");
	if (!a->have_key)
		return audit_usage_error(vp_usage, "verify-proof: give --key: the audit verifier key");
	if ((r = ws_buf_read_file(&file, argv[optind], PROOF_FILE_MAX)) != WS_OK) {
		rc = audit_fail("verify-proof", r);
		goto out;
	}
	if ((r = ws_json_parse(file.data, file.len, 8, &proof)) != WS_OK ||
	    (r = ws_json_get_str(proof, "proof", "type", &type)) != WS_OK) {
		printf("FAILED: %s: not a proof: %s\n", argv[optind], ws_err_detail());
		rc = AUDIT_EXIT_FAILED;
		goto out;
	}
	if (strcmp(type, "inclusion") == 0) {
		r = verify_inclusion(a, proof, record);
	} else if (strcmp(type, "consistency") == 0) {
		r = record != NULL ? ws_err_set(WS_ERR_USAGE, "--record is for inclusion proofs") :
		    verify_consistency(a, proof);
	} else {
		r = ws_err_set(WS_ERR_CHECKPOINT, "unknown proof type '%s'", type);
	}
	if (r == WS_ERR_USAGE)
		rc = audit_usage_error(vp_usage, "verify-proof: %s", ws_err_detail());
	else if (r != WS_OK && audit_exit_for(r) == AUDIT_EXIT_IO)
		rc = audit_fail("verify-proof", r);
	else if (r != WS_OK) {
		printf("FAILED: %s\n", ws_err_detail());
		rc = AUDIT_EXIT_FAILED;
	} else {
		rc = AUDIT_EXIT_OK;
	}
out:
	json_decref(proof);
	ws_buf_free(&file);
	return rc;
}
