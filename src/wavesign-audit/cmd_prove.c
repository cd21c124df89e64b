/*
 * cmd_prove.c -- wavesign-audit prove SEQ: an inclusion proof of one
 * record against a checkpoint, as a JSON document verify-proof checks on
 * its own.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "ws_buf.h"
#include "ws_logline.h"
#include "audit.h"

static const char prove_usage[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE [--checkpoints FILE]] [--key KEY]\n"
    "                      prove SEQ [--checkpoint N|latest]\n";

static const char prove_help[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE [--checkpoints FILE]] [--key KEY]\n"
    "                      prove SEQ [--checkpoint N|latest]\n"
    "\n"
    "Prints, as one JSON object, a proof that record SEQ is in the log: the record\n"
    "line, its leaf hash and index, the audit path (RFC 9162) and the signed\n"
    "checkpoint note it leads to. `verify-proof` checks it without the log.\n"
    "\n"
    "  --checkpoint N       the checkpoint of tree size N (the log.checkpoint record\n"
    "                       at seq N)\n"
    "  --checkpoint latest  the checkpoints file, or else the log's last checkpoint\n"
    "                       (the default)\n"
    "With --key, the checkpoint's signature is checked first.\n";

/* Finds the checkpoint note: from the file or the log. */
static ws_err
prove_checkpoint(const struct audit *a, const char *which, struct ws_buf *note, struct ws_checkpoint *cp)
{
	const char *file = audit_checkpoints_file(a);
	uint64_t n;
	ws_err r;

	if (strcmp(which, "latest") == 0 && file != NULL)
		return audit_checkpoint_load(a, file, note, cp);
	if (strcmp(which, "latest") == 0)
		r = audit_last_checkpoint_note(a->log_path, note, &n);
	else if (audit_parse_u64(which, &n))
		r = audit_checkpoint_note_at(a->log_path, n, note);
	else
		return ws_err_set(WS_ERR_USAGE, "--checkpoint takes a tree size or 'latest', not '%s'", which);
	if (r != WS_OK)
		return r;
	r = a->have_key ? ws_checkpoint_verify(note->data, note->len, &a->key, cp) :
	    ws_checkpoint_parse(note->data, note->len, cp, NULL);
	if (r != WS_OK)
		return ws_err_set(r, "seq %" PRIu64 ": %s", n, ws_err_detail());
	if (a->origin != NULL && strcmp(cp->origin, a->origin) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT, "the checkpoint is for origin %s, not %s", cp->origin, a->origin);
	return WS_OK;
}

static ws_err
prove(const struct audit *a, uint64_t seq, const char *which)
{
	struct ws_buf note = WS_BUF_INIT(WS_NOTE_MAX), line = WS_BUF_INIT(WS_LOG_LINE_MAX);
	ws_merkle_hash hashes[WS_MERKLE_PROOF_MAX], root, leaf;
	char leaf_hex[2 * WS_MERKLE_HASH_LEN + 1];
	struct ws_merkle_prover prover, *provers[1] = { &prover };
	struct ws_merkle_plan plan;
	struct ws_checkpoint cp;
	json_t *out = NULL;
	ws_err r;

	if ((r = prove_checkpoint(a, which, &note, &cp)) != WS_OK)
		goto out;
	if (seq >= cp.size) {
		r = ws_err_set(WS_ERR_NOT_FOUND, "record %" PRIu64 " is not covered by the checkpoint (tree size %"
		    PRIu64 "): prove it against a later checkpoint", seq, cp.size);
		goto out;
	}
	if ((r = ws_merkle_plan_inclusion(seq, cp.size, &plan)) != WS_OK)
		goto out;
	ws_merkle_prover_init(&prover, &plan);
	if ((r = audit_stream_leaves(a->log_path, cp.size, provers, 1, seq, &line, root)) != WS_OK)
		goto out;
	if (memcmp(root, cp.root, sizeof(root)) != 0) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "the log does not match the checkpoint: the root hash of its first %"
		    PRIu64 " records differs (run verify)", cp.size);
		goto out;
	}
	if ((r = ws_merkle_prover_result(&prover, hashes, WS_MERKLE_PROOF_MAX)) != WS_OK)
		goto out;
	ws_merkle_leaf_hash(line.data, line.len, leaf);
	audit_hex(leaf, leaf_hex);
	out = json_pack("{s:s%, s:s, s:I, s:o, s:s%, s:I, s:s}", "checkpoint", (const char *)note.data, note.len,
	    "leaf_hash", leaf_hex, "leaf_index", (json_int_t)seq, "proof", audit_hashes_json(hashes, plan.count),
	    "record", (const char *)line.data, line.len, "tree_size", (json_int_t)cp.size, "type", "inclusion");
	if (out == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "building the proof");
		goto out;
	}
	r = audit_print_json(out);
out:
	json_decref(out);
	ws_buf_free(&note);
	ws_buf_free(&line);
	return r;
}

int
cmd_prove(struct audit *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "checkpoint", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *which = "latest";
	uint64_t seq;
	ws_err r;
	int ch;

	if (audit_wants_help(argc, argv, prove_help))
		return AUDIT_EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'c')
			return audit_usage_error(prove_usage, "prove: unknown option");
		which = optarg;
	}
	if (argc - optind != 1)
		return audit_usage_error(prove_usage, "prove: give one sequence number");
	if (!audit_parse_u64(argv[optind], &seq))
		return audit_usage_error(prove_usage, "prove: '%s' is not a sequence number", argv[optind]);
	if (a->log_path[0] == '\0')
		return audit_usage_error(prove_usage, "prove: give -d STATE_DIR or --log FILE");
	if ((r = prove(a, seq, which)) != WS_OK)
		return r == WS_ERR_USAGE ? audit_usage_error(prove_usage, "prove: %s", ws_err_detail()) :
		    audit_fail("prove", r);
	return AUDIT_EXIT_OK;
}
