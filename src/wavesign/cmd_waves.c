/*
 * cmd_waves.c -- wavesign waves init|sign|rollout|complete|cancel|approve|
 * list|show: release on demand, as fioctl waves does it.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ws_buf.h"

/* The CI targets file: the daemon's frame cap (limits.max-frame, default 128 MiB) bounds it too. */
#define CLI_CI_TARGETS_MAX ((size_t)512 << 20)
#define CLI_UUIDS_FILE_MAX ((size_t)16 << 20)

static const char init_usage[] =
    "usage: wavesign waves init NAME VERSION [TAG] --ci-targets FILE [--source-tag T]\n"
    "                           [--prune V1,V2,...] [--expires-days N | --expires-at TIME]\n"
    "                           [--out FILE] [--repo DIR]\n"
    "\n"
    "Creates wave NAME for CI build VERSION on TAG (default master): every target of\n"
    "that version in the CI targets FILE (optionally only those tagged T), re-tagged\n"
    "[TAG], added to the tag's production targets (minus the pruned versions), signed\n"
    "as targets version VERSION by the offline targets key(s) up to the policy's\n"
    "threshold. VERSION must exceed every earlier wave and production version on TAG;\n"
    "only one wave is active at a time (or one per tag, as the policy says).\n"
    "The CI targets file travels in one request: the daemon's limits.max-frame\n"
    "(default 128 MiB) is its upper bound. Needs waves.init.\n"
    "\n"
    "  --ci-targets FILE  the CI targets.json (signed or not); - reads standard input\n"
    "  --source-tag T     only CI targets that carry tag T\n"
    "  --prune V1,V2      drop the production targets of these older versions\n"
    "  --expires-days N   the targets expire N days from now (default: the policy's, 365)\n"
    "  --expires-at TIME  the targets expire at YYYY-MM-DDTHH:MM:SSZ\n"
    "  --out FILE         write the payload for the OTA back end:\n"
    "                     {\"name\",\"version\",\"tag\",\"targets\":{\"signatures\",\"signed\"}}\n"
    "  --repo DIR         write targets.json (and N.targets.json in the tuf dialect) into DIR\n";

static const char sign_usage[] =
    "usage: wavesign waves sign NAME --key LABEL [--out FILE] [--repo DIR]\n"
    "\n"
    "Adds a signature by another targets key of the policy to an active wave's\n"
    "targets (multi-key thresholds). Needs waves.sign.\n"
    "\n"
    "  --key LABEL  the targets key (its label in the policy)\n"
    "  --out FILE   write the payload with every signature so far\n"
    "  --repo DIR   write targets.json with every signature so far into DIR\n";

static const char rollout_usage[] =
    "usage: wavesign waves rollout NAME GROUP [--limit N | --percentage P | --uuids FILE]\n"
    "                              [--out FILE]\n"
    "\n"
    "Rolls an active wave out to device group GROUP (all of it, at most N devices,\n"
    "P percent of it, or the devices listed in FILE: uuids separated by newlines,\n"
    "spaces or commas). The decision (wave, targets SHA-256, group, selection, time,\n"
    "officer, approvals) is signed with a targets key. Needs waves.rollout.\n"
    "\n"
    "  --out FILE  write the signed decision record\n";

static const char complete_usage[] =
    "usage: wavesign waves complete NAME [--out FILE] [--repo DIR]\n"
    "\n"
    "Completes an active wave: its targets become the tag's production targets and\n"
    "every device on the tag may take them. Signs the decision. Needs\n"
    "waves.complete.\n"
    "\n"
    "  --out FILE  write the signed decision record\n"
    "  --repo DIR  write the production targets.json into DIR\n";

static const char cancel_usage[] =
    "usage: wavesign waves cancel NAME [--out FILE]\n"
    "\n"
    "Cancels an active wave: it serves nothing more and the tag's production\n"
    "targets stay as they were; its version stays used (devices that took it are\n"
    "never asked to go back). A completed wave cannot be canceled. Signs the\n"
    "decision. Needs waves.cancel.\n"
    "\n"
    "  --out FILE  write the signed decision record\n";

static const char approve_usage[] =
    "usage: wavesign waves approve NAME STEP\n"
    "\n"
    "Records this officer's approval of STEP (init, rollout, complete or cancel) of\n"
    "wave NAME, where the policy asks several officers for it (waves.approvals).\n"
    "Each officer approves once; the step runs once enough distinct officers have.\n"
    "Needs waves.approve.\n";

static const char list_usage[] =
    "usage: wavesign waves list\n"
    "\n"
    "Lists the waves, oldest first: name, status, version, tag, targets, expiry.\n";

static const char show_usage[] =
    "usage: wavesign waves show NAME\n"
    "\n"
    "Shows one wave: status, version, tag, targets, groups rolled out to, rollouts,\n"
    "approvals used and pending, signing keys, who created and who ended it.\n";

/* The wave payload the OTA back end takes: name, version, tag, targets. */
static int
write_payload(const char *path, const json_t *res)
{
	json_t *payload = json_pack("{s:O,s:O,s:O,s:O}", "name", json_object_get(res, "name"), "version",
	    json_object_get(res, "version"), "tag", json_object_get(res, "tag"), "targets",
	    json_object_get(res, "targets"));
	int code;

	if (payload == NULL)
		return cli_fail(CLI_EXIT_LOCAL, path, ws_err_set(WS_ERR_NOMEM, "payload"));
	code = cli_json_write(path, payload);
	json_decref(payload);
	return code;
}

static void
print_wave_targets(const json_t *res)
{
	const json_t *env = json_object_get(res, "targets");
	const json_t *targets = json_object_get(json_object_get(env, "signed"), "targets");
	const char *name;
	json_t *t, *s;
	size_t i;

	printf("wave %s: version %lld, tag %s, %zu targets, expires %s\n", cli_str(res, "name"),
	    cli_int(res, "version"), cli_str(res, "tag"), json_object_size(targets), cli_str(res, "expires"));
	json_object_foreach((json_t *)targets, name, t)
		printf("  %s\n", name);
	printf("targets sha256 %s\n", cli_str(res, "targets_sha256"));
	json_array_foreach(json_object_get(env, "signatures"), i, s)
		printf("signed by %s\n", cli_str(s, "keyid"));
}

static int
waves_init(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ci-targets", required_argument, NULL, 'c' },
		{ "source-tag", required_argument, NULL, 's' },
		{ "prune", required_argument, NULL, 'p' },
		{ "expires-days", required_argument, NULL, 'd' },
		{ "expires-at", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "repo", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ci_file = NULL, *source_tag = NULL, *prune = NULL, *days = NULL, *at = NULL;
	const char *out_file = NULL, *repo = NULL, *tag = "master";
	struct ws_buf ci = WS_BUF_INIT(CLI_CI_TARGETS_MAX);
	json_t *args = json_object(), *res = NULL, *list;
	long long version = 0, v;
	char *copy = NULL, *tok, *save = NULL;
	int ch, code = CLI_EXIT_OK;

	optind = 0;
	while (code == CLI_EXIT_OK && (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': ci_file = optarg; break;
		case 's': source_tag = optarg; break;
		case 'p': prune = optarg; break;
		case 'd': days = optarg; break;
		case 'a': at = optarg; break;
		case 'o': out_file = optarg; break;
		case 'r': repo = optarg; break;
		case 'h': fputs(init_usage, stdout); json_decref(args); return CLI_EXIT_OK;
		default: code = cli_usage_error(init_usage, "waves init: bad option"); break;
		}
	}
	if (code != CLI_EXIT_OK)
		goto out;
	if (argc - optind < 2 || argc - optind > 3) {
		code = cli_usage_error(init_usage, "waves init takes NAME VERSION [TAG]");
		goto out;
	}
	if (ci_file == NULL) {
		code = cli_usage_error(init_usage, "waves init needs --ci-targets FILE");
		goto out;
	}
	if ((code = cli_parse_int("VERSION", argv[optind + 1], 1, INT64_MAX, &version, init_usage)) != CLI_EXIT_OK)
		goto out;
	if (argc - optind == 3)
		tag = argv[optind + 2];
	json_object_set_new(args, "name", json_string(argv[optind]));
	json_object_set_new(args, "version", json_integer(version));
	json_object_set_new(args, "tag", json_string(tag));
	if (source_tag != NULL)
		json_object_set_new(args, "source_tag", json_string(source_tag));
	if (prune != NULL) {
		list = json_array();
		json_object_set_new(args, "prune", list);
		if ((copy = strdup(prune)) == NULL) {
			code = cli_fail(CLI_EXIT_LOCAL, "--prune", ws_err_set(WS_ERR_NOMEM, "prune"));
			goto out;
		}
		for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
			if ((code = cli_parse_int("--prune", tok, 1, INT64_MAX, &v, init_usage)) != CLI_EXIT_OK)
				goto out;
			json_array_append_new(list, json_integer(v));
		}
	}
	if ((code = cli_expires_opt(args, days, at, init_usage)) != CLI_EXIT_OK ||
	    (code = cli_file_load(ci_file, CLI_CI_TARGETS_MAX, &ci)) != CLI_EXIT_OK)
		goto out;
	json_object_set_new(args, "ci_targets", json_stringn((const char *)ci.data, ci.len));
	if (json_object_get(args, "ci_targets") == NULL) {
		code = cli_fail(CLI_EXIT_LOCAL, ci_file, ws_err_set(WS_ERR_JSON_UTF8, "the CI targets file is not "
		    "UTF-8 text"));
		goto out;
	}
	ws_buf_free(&ci);
	if ((code = cli_call(cli, "waves.init", args, &res)) != CLI_EXIT_OK)
		goto out;
	if ((out_file != NULL && (code = write_payload(out_file, res)) != CLI_EXIT_OK) ||
	    (repo != NULL && (code = cli_files_write(repo, json_object_get(res, "files"), false)) != CLI_EXIT_OK))
		goto out;
	if (cli->json) {
		cli_print_json(res);
	} else {
		print_wave_targets(res);
		if (out_file != NULL)
			printf("wrote %s\n", out_file);
		if (repo != NULL)
			printf("wrote %s/targets.json\n", repo);
	}
out:
	free(copy);
	ws_buf_free(&ci);
	json_decref(args);
	json_decref(res);
	return code;
}

static int
waves_sign(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "repo", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *out_file = NULL, *repo = NULL;
	json_t *args = NULL, *res = NULL;
	int ch, code;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'o': out_file = optarg; break;
		case 'r': repo = optarg; break;
		case 'h': fputs(sign_usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(sign_usage, "waves sign: bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(sign_usage, "waves sign takes NAME");
	if (key == NULL)
		return cli_usage_error(sign_usage, "waves sign needs --key LABEL");
	args = json_pack("{s:s,s:s}", "name", argv[optind], "key", key);
	code = cli_call(cli, "waves.sign", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if ((out_file != NULL && (code = write_payload(out_file, res)) != CLI_EXIT_OK) ||
	    (repo != NULL && (code = cli_files_write(repo, json_object_get(res, "files"), false)) != CLI_EXIT_OK))
		goto out;
	if (cli->json)
		cli_print_json(res);
	else
		print_wave_targets(res);
out:
	json_decref(res);
	return code;
}

/* --uuids FILE: device uuids separated by whitespace or commas. */
static int
uuids_opt(const char *path, json_t *args)
{
	char *text = NULL, *tok, *save = NULL;
	json_t *list = json_array();
	int code;

	if ((code = cli_file_load_text(path, CLI_UUIDS_FILE_MAX, &text)) != CLI_EXIT_OK) {
		json_decref(list);
		return code;
	}
	for (tok = strtok_r(text, " \t\r\n,", &save); tok != NULL; tok = strtok_r(NULL, " \t\r\n,", &save))
		json_array_append_new(list, json_string(tok));
	free(text);
	json_object_set_new(args, "uuids", list);
	return CLI_EXIT_OK;
}

static void
print_decision(const json_t *res)
{
	const json_t *rec = json_object_get(json_object_get(res, "decision"), "signed");
	const json_t *sel = json_object_get(rec, "selection");
	const json_t *prod = json_object_get(res, "production");

	printf("wave %s: %s", cli_str(res, "name"), cli_str(res, "op"));
	if (sel != NULL) {
		printf(" to group %s (", cli_str(rec, "group"));
		if (strcmp(cli_str(sel, "type"), "limit") == 0)
			printf("at most %lld devices", cli_int(sel, "limit"));
		else if (strcmp(cli_str(sel, "type"), "percentage") == 0)
			printf("%lld%% of it", cli_int(sel, "percentage"));
		else if (strcmp(cli_str(sel, "type"), "uuids") == 0)
			printf("%zu devices", json_array_size(json_object_get(sel, "uuids")));
		else
			printf("every device");
		printf(")");
	}
	printf(", version %lld, tag %s at %s\n", cli_int(rec, "version"), cli_str(rec, "tag"), cli_str(rec, "time"));
	printf("decision sha256 %s\n", cli_str(res, "decision_sha256"));
	if (prod != NULL)
		printf("tag %s production targets: version %lld\n", cli_str(prod, "tag"), cli_int(prod, "version"));
}

/* rollout, complete and cancel. */
static int
waves_decision(struct cli *cli, int argc, char **argv, const char *op, const char *usage)
{
	static const struct option longopts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "percentage", required_argument, NULL, 'p' },
		{ "uuids", required_argument, NULL, 'u' },
		{ "out", required_argument, NULL, 'o' },
		{ "repo", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool rollout = strcmp(op, "waves.rollout") == 0, complete = strcmp(op, "waves.complete") == 0;
	const char *limit = NULL, *pct = NULL, *uuids = NULL, *out_file = NULL, *repo = NULL;
	json_t *args = json_object(), *res = NULL;
	long long n;
	int ch, code = CLI_EXIT_OK, picked;

	optind = 0;
	while (code == CLI_EXIT_OK && (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': limit = optarg; break;
		case 'p': pct = optarg; break;
		case 'u': uuids = optarg; break;
		case 'o': out_file = optarg; break;
		case 'r': repo = optarg; break;
		case 'h': fputs(usage, stdout); json_decref(args); return CLI_EXIT_OK;
		default: code = cli_usage_error(usage, "%s: bad option", op + 6); break;
		}
	}
	if (code != CLI_EXIT_OK)
		goto out;
	picked = (limit != NULL) + (pct != NULL) + (uuids != NULL);
	if (!rollout && picked > 0) {
		code = cli_usage_error(usage, "--limit, --percentage and --uuids are for waves rollout");
		goto out;
	}
	if (!complete && repo != NULL) {
		code = cli_usage_error(usage, "--repo is for waves complete");
		goto out;
	}
	if (picked > 1) {
		code = cli_usage_error(usage, "give one of --limit, --percentage, --uuids");
		goto out;
	}
	if (argc - optind != (rollout ? 2 : 1)) {
		code = cli_usage_error(usage, rollout ? "waves rollout takes NAME GROUP" : "%s takes NAME",
		    op + 6);
		goto out;
	}
	json_object_set_new(args, "name", json_string(argv[optind]));
	if (rollout)
		json_object_set_new(args, "group", json_string(argv[optind + 1]));
	if (limit != NULL) {
		if ((code = cli_parse_int("--limit", limit, 1, INT64_MAX, &n, usage)) != CLI_EXIT_OK)
			goto out;
		json_object_set_new(args, "limit", json_integer(n));
	}
	if (pct != NULL) {
		if ((code = cli_parse_int("--percentage", pct, 1, 100, &n, usage)) != CLI_EXIT_OK)
			goto out;
		json_object_set_new(args, "percentage", json_integer(n));
	}
	if (uuids != NULL && (code = uuids_opt(uuids, args)) != CLI_EXIT_OK)
		goto out;
	if ((code = cli_call(cli, op, args, &res)) != CLI_EXIT_OK)
		goto out;
	if ((out_file != NULL && (code = cli_json_write(out_file, json_object_get(res, "decision"))) != CLI_EXIT_OK) ||
	    (repo != NULL && (code = cli_files_write(repo, json_object_get(json_object_get(res, "production"),
	    "files"), false)) != CLI_EXIT_OK))
		goto out;
	if (cli->json)
		cli_print_json(res);
	else
		print_decision(res);
out:
	json_decref(args);
	json_decref(res);
	return code;
}

static int
waves_rollout(struct cli *cli, int argc, char **argv)
{
	return waves_decision(cli, argc, argv, "waves.rollout", rollout_usage);
}

static int
waves_complete(struct cli *cli, int argc, char **argv)
{
	return waves_decision(cli, argc, argv, "waves.complete", complete_usage);
}

static int
waves_cancel(struct cli *cli, int argc, char **argv)
{
	return waves_decision(cli, argc, argv, "waves.cancel", cancel_usage);
}

static int
waves_approve(struct cli *cli, int argc, char **argv)
{
	json_t *args, *res = NULL, *v;
	size_t i;
	int code;

	if (cli_wants_help(argc, argv, approve_usage))
		return CLI_EXIT_OK;
	if (argc != 3)
		return cli_usage_error(approve_usage, "waves approve takes NAME STEP");
	args = json_pack("{s:s,s:s}", "name", argv[1], "op", argv[2]);
	code = cli_call(cli, "waves.approve", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if (cli->json) {
		cli_print_json(res);
	} else {
		printf("approved %s of wave %s (uid %lld); approvals so far:", cli_str(res, "op"), cli_str(res, "name"),
		    cli_int(res, "uid"));
		json_array_foreach(json_object_get(res, "approved_by"), i, v)
			printf(" uid %lld", (long long)json_integer_value(v));
		printf("; the policy asks %lld officers\n", cli_int(res, "officers_needed"));
	}
	json_decref(res);
	return CLI_EXIT_OK;
}

static int
waves_list(struct cli *cli, int argc, char **argv)
{
	json_t *res = NULL, *w;
	size_t i;
	int code;

	if (cli_wants_help(argc, argv, list_usage))
		return CLI_EXIT_OK;
	if (argc != 1)
		return cli_usage_error(list_usage, "waves list takes no arguments");
	if ((code = cli_call(cli, "waves.list", NULL, &res)) != CLI_EXIT_OK)
		return code;
	if (cli->json) {
		cli_print_json(res);
	} else {
		printf("%-20s %-9s %8s %-12s %7s %s\n", "NAME", "STATUS", "VERSION", "TAG", "TARGETS", "EXPIRES");
		json_array_foreach(json_object_get(res, "waves"), i, w)
			printf("%-20s %-9s %8lld %-12s %7lld %s\n", cli_str(w, "name"), cli_str(w, "status"),
			    cli_int(w, "version"), cli_str(w, "tag"), cli_int(w, "targets"), cli_str(w, "expires"));
	}
	json_decref(res);
	return CLI_EXIT_OK;
}

static int
waves_show(struct cli *cli, int argc, char **argv)
{
	json_t *args, *res = NULL, *v;
	size_t i;
	int code;

	if (cli_wants_help(argc, argv, show_usage))
		return CLI_EXIT_OK;
	if (argc != 2)
		return cli_usage_error(show_usage, "waves show takes NAME");
	args = json_pack("{s:s}", "name", argv[1]);
	code = cli_call(cli, "waves.show", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if (cli->json) {
		cli_print_json(res);
	} else {
		printf("wave %s: %s, version %lld, tag %s, expires %s\n", cli_str(res, "name"), cli_str(res, "status"),
		    cli_int(res, "version"), cli_str(res, "tag"), cli_str(res, "expires"));
		printf("targets sha256 %s\n", cli_str(res, "targets_sha256"));
		json_array_foreach(json_object_get(res, "targets"), i, v)
			printf("  target %s\n", json_string_value(v));
		json_array_foreach(json_object_get(res, "rollouts"), i, v)
			printf("  rollout to %s at %s by uid %lld\n", cli_str(v, "group"), cli_str(v, "time"),
			    cli_int(v, "uid"));
		json_array_foreach(json_object_get(res, "approvals"), i, v)
			printf("  approval of %s by uid %lld at %s\n", cli_str(v, "op"), cli_int(v, "uid"),
			    cli_str(v, "time"));
		json_array_foreach(json_object_get(res, "pending_approvals"), i, v)
			printf("  pending approval of %s by uid %lld at %s\n", cli_str(v, "op"), cli_int(v, "uid"),
			    cli_str(v, "time"));
		json_array_foreach(json_object_get(res, "signatures"), i, v)
			printf("  signed by %s at %s\n", cli_str(v, "keyid"), cli_str(v, "time"));
		v = json_object_get(res, "created");
		printf("created at %s by uid %lld\n", cli_str(v, "time"), cli_int(v, "uid"));
		if ((v = json_object_get(res, "ended")) != NULL)
			printf("ended (%s) at %s by uid %lld\n", cli_str(v, "op"), cli_str(v, "time"), cli_int(v, "uid"));
	}
	json_decref(res);
	return CLI_EXIT_OK;
}

int
cmd_waves(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "init", waves_init, "create a wave from a CI build and sign its targets" },
		{ "sign", waves_sign, "add another targets key's signature" },
		{ "rollout", waves_rollout, "roll a wave out to a device group" },
		{ "complete", waves_complete, "make a wave the tag's production targets" },
		{ "cancel", waves_cancel, "cancel an active wave" },
		{ "approve", waves_approve, "approve a step of a wave (M-of-N officers)" },
		{ "list", waves_list, "list the waves" },
		{ "show", waves_show, "show one wave" },
		{ NULL, NULL, NULL },
	};

	return cli_run_family(cli, "waves", cmds, argc, argv);
}
