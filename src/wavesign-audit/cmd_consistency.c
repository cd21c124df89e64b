/*
 * cmd_consistency.c -- wavesign-audit consistency OLD NEW: proves from the
 * log that the tree of an old checkpoint is a prefix of a new one's.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "ws_buf.h"
#include "audit.h"

static const char cons_usage[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE] [--key KEY]\n"
    "                      consistency [--json] OLD_CHECKPOINT_FILE NEW_CHECKPOINT_FILE\n";

static const char cons_help[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE] [--key KEY]\n"
    "                      consistency [--json] OLD_CHECKPOINT_FILE NEW_CHECKPOINT_FILE\n"
    "\n"
    "Checks, from the log, that the tree of the old checkpoint is a prefix of the\n"
    "tree of the new one: nothing recorded before the old checkpoint was changed\n"
    "or removed since. With --key, both signatures are checked first.\n"
    "\n"
    "  --json  print the consistency proof (RFC 9162) with both checkpoints, as a\n"
    "          JSON object that verify-proof checks without the log\n";

static ws_err
consistency(const struct audit *a, const char *old_path, const char *new_path, bool json)
{
	struct ws_buf old_note = WS_BUF_INIT(WS_NOTE_MAX), new_note = WS_BUF_INIT(WS_NOTE_MAX);
	ws_merkle_hash hashes[WS_MERKLE_PROOF_MAX], new_root, old_root;
	struct ws_merkle_prover prover, old_tree, *provers[2] = { &prover, &old_tree };
	struct ws_merkle_plan plan, old_plan;
	struct ws_checkpoint old_cp, new_cp;
	json_t *out = NULL;
	ws_err r;

	if ((r = audit_checkpoint_load(a, old_path, &old_note, &old_cp)) != WS_OK ||
	    (r = audit_checkpoint_load(a, new_path, &new_note, &new_cp)) != WS_OK)
		goto out;
	if (strcmp(old_cp.origin, new_cp.origin) != 0) {
		r = ws_err_set(WS_ERR_CHECKPOINT, "the checkpoints are of two logs (%s and %s)", old_cp.origin,
		    new_cp.origin);
		goto out;
	}
	if (old_cp.size > new_cp.size) {
		r = ws_err_set(WS_ERR_CHECKPOINT, "%s (tree size %" PRIu64 ") is newer than %s (tree size %" PRIu64 ")",
		    old_path, old_cp.size, new_path, new_cp.size);
		goto out;
	}
	if ((r = ws_merkle_plan_consistency(old_cp.size, new_cp.size, &plan)) != WS_OK)
		goto out;
	/* A one-range plan hashes the old tree on the same pass. */
	old_plan.count = old_cp.size > 0;
	old_plan.ranges[0].start = 0;
	old_plan.ranges[0].end = old_cp.size;
	old_plan.leaves_needed = old_cp.size;
	ws_merkle_prover_init(&prover, &plan);
	ws_merkle_prover_init(&old_tree, &old_plan);
	if ((r = audit_stream_leaves(a->log_path, new_cp.size, provers, 2, UINT64_MAX, NULL, new_root)) != WS_OK)
		goto out;
	if (old_cp.size == 0)
		ws_merkle_empty_root(old_root);
	else if ((r = ws_merkle_prover_result(&old_tree, &old_root, 1)) != WS_OK)
		goto out;
	if (memcmp(old_root, old_cp.root, sizeof(old_root)) != 0 || memcmp(new_root, new_cp.root, sizeof(new_root)) != 0) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "the log does not match %s: the root hash of its first %" PRIu64
		    " records differs", memcmp(old_root, old_cp.root, sizeof(old_root)) != 0 ? old_path : new_path,
		    memcmp(old_root, old_cp.root, sizeof(old_root)) != 0 ? old_cp.size : new_cp.size);
		goto out;
	}
	if ((r = ws_merkle_prover_result(&prover, hashes, WS_MERKLE_PROOF_MAX)) != WS_OK ||
	    (r = ws_merkle_verify_consistency(old_cp.size, new_cp.size, old_cp.root, new_cp.root,
	    (const ws_merkle_hash *)hashes, plan.count)) != WS_OK)
		goto out;
	if (!json) {
		printf("OK: in the log %s, the tree of size %" PRIu64 " (%s) is a prefix of the tree of size %" PRIu64
		    " (%s)%s\n", new_cp.origin, old_cp.size, old_path, new_cp.size, new_path,
		    a->have_key ? "" : "; signatures not checked (no --key)");
		goto out;
	}
	out = json_pack("{s:s%, s:s%, s:o, s:s}", "new", (const char *)new_note.data, new_note.len, "old",
	    (const char *)old_note.data, old_note.len, "proof", audit_hashes_json(hashes, plan.count),
	    "type", "consistency");
	r = out != NULL ? audit_print_json(out) : ws_err_set(WS_ERR_NOMEM, "building the proof");
out:
	json_decref(out);
	ws_buf_free(&old_note);
	ws_buf_free(&new_note);
	return r;
}

int
cmd_consistency(struct audit *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	ws_err r;
	int ch;

	if (audit_wants_help(argc, argv, cons_help))
		return AUDIT_EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			return audit_usage_error(cons_usage, "consistency: unknown option");
		json = true;
	}
	if (argc - optind != 2)
		return audit_usage_error(cons_usage, "consistency: give the old and the new checkpoint files");
	if (a->log_path[0] == '\0')
		return audit_usage_error(cons_usage, "consistency: give -d STATE_DIR or --log FILE");
	if ((r = consistency(a, argv[optind], argv[optind + 1], json)) != WS_OK) {
		if (audit_exit_for(r) == AUDIT_EXIT_IO)
			return audit_fail("consistency", r);
		printf("FAILED: %s\n", ws_err_detail());
		return AUDIT_EXIT_FAILED;
	}
	return AUDIT_EXIT_OK;
}
