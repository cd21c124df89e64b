/*
 * cmd_verify.c -- wavesign-audit verify: the whole log, streamed.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "ws_encode.h"
#include "ws_log.h"
#include "audit.h"

static const char verify_usage[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE [--checkpoints FILE]] --key KEY\n"
    "                      verify [--ignore-partial-tail] [--json]\n";

static const char verify_help[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE [--checkpoints FILE]] --key KEY\n"
    "                      verify [--ignore-partial-tail] [--json]\n"
    "\n"
    "Checks every record of the log: canonical JSON, consecutive seq, time never\n"
    "going back, the prev hash chain, the log.create record and its origin; every\n"
    "checkpoint record against the Merkle tree of the records before it and its\n"
    "signature by KEY; and the checkpoints file against the log. Prints the first\n"
    "bad record and exits 1, or prints the size, root and last checkpoint.\n"
    "\n"
    "  --ignore-partial-tail  verify the complete lines when the log ends in a\n"
    "                         partial line (a crash mid-write) instead of failing\n"
    "  --json                 print the result as one JSON object\n";

static void
print_text(const struct audit *a, const struct ws_log_verify_report *rep, const char *cps)
{
	char root[2 * WS_MERKLE_HASH_LEN + 1], hash[9];

	audit_hex(rep->root, root);
	ws_hex_encode(a->key.hash, sizeof(a->key.hash), hash);
	printf("OK\n");
	printf("origin:           %s\n", rep->origin);
	printf("records:          %" PRIu64 " (seq 0 to %" PRIu64 ")\n", rep->size, rep->size - 1);
	printf("root:             %s\n", root);
	printf("checkpoints:      %" PRIu64 " in the log, signed by %s+%s\n", rep->checkpoints, a->key.name, hash);
	if (rep->have_checkpoint) {
		printf("last checkpoint:  tree size %" PRIu64 " (record seq %" PRIu64 ", %s)\n", rep->last.size,
		    rep->last_seq, rep->last_time);
		if (rep->last_seq + 1 < rep->size)
			printf("not yet covered:  seq %" PRIu64 " to %" PRIu64 " (after the last checkpoint)\n",
			    rep->last_seq + 1, rep->size - 1);
	} else {
		printf("last checkpoint:  none: no record is covered by a signed checkpoint yet\n");
	}
	if (cps != NULL)
		printf("checkpoints file: %s matches (tree size %" PRIu64 ")\n", cps, rep->file.size);
	if (rep->partial_bytes > 0)
		printf("partial tail:     %" PRIu64 " bytes after the last complete line ignored\n", rep->partial_bytes);
}

static ws_err
print_json(const struct ws_log_verify_report *rep, const char *cps)
{
	char root[2 * WS_MERKLE_HASH_LEN + 1], last_root[2 * WS_MERKLE_HASH_LEN + 1];
	json_t *o;
	ws_err r;

	audit_hex(rep->root, root);
	o = json_pack("{s:b, s:s, s:I, s:s, s:I, s:I}", "ok", 1, "origin", rep->origin, "size", (json_int_t)rep->size,
	    "root", root, "checkpoints", (json_int_t)rep->checkpoints, "partial_tail_bytes",
	    (json_int_t)rep->partial_bytes);
	if (o == NULL)
		return ws_err_set(WS_ERR_NOMEM, "result");
	if (rep->have_checkpoint) {
		audit_hex(rep->last.root, last_root);
		json_object_set_new(o, "last_checkpoint", json_pack("{s:I, s:s, s:I, s:s}", "size",
		    (json_int_t)rep->last.size, "root", last_root, "seq", (json_int_t)rep->last_seq, "time",
		    rep->last_time));
	}
	if (cps != NULL)
		json_object_set_new(o, "checkpoints_file", json_pack("{s:s, s:I}", "path", cps, "size",
		    (json_int_t)rep->file.size));
	r = audit_print_json(o);
	json_decref(o);
	return r;
}

int
cmd_verify(struct audit *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ignore-partial-tail", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct ws_log_verify_report rep;
	bool partial = false, json = false;
	const char *cps;
	ws_err r;
	int ch;

	if (audit_wants_help(argc, argv, verify_help))
		return AUDIT_EXIT_OK;
	optind = 0;	/* glibc: start over on the command's argv */
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			partial = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return audit_usage_error(verify_usage, "verify: unknown option");
		}
	}
	if (optind != argc)
		return audit_usage_error(verify_usage, "verify: unexpected argument '%s'", argv[optind]);
	if (a->log_path[0] == '\0')
		return audit_usage_error(verify_usage, "verify: give -d STATE_DIR or --log FILE");
	if (!a->have_key)
		return audit_usage_error(verify_usage,
		    "verify: give --key: the audit verifier key, obtained from the appliance out of band");
	cps = audit_checkpoints_file(a);
	r = ws_log_verify_file(a->log_path, cps, &a->key, a->origin, partial, &rep);
	if (r != WS_OK) {
		if (audit_exit_for(r) == AUDIT_EXIT_IO)
			return audit_fail("verify", r);
		if (json) {
			json_t *o = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", ws_err_code(r), "detail",
			    ws_err_detail());

			if (o != NULL)
				(void)audit_print_json(o);
			json_decref(o);
		} else {
			printf("FAILED: %s\n", ws_err_detail());
		}
		return AUDIT_EXIT_FAILED;
	}
	if (json) {
		if ((r = print_json(&rep, cps)) != WS_OK)
			return audit_fail("verify", r);
	} else {
		print_text(a, &rep, cps);
	}
	return AUDIT_EXIT_OK;
}
