/*
 * cmd_tuf.c -- wavesign tuf keys|root|snapshot|timestamp|verify.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ws_buf.h"
#include "ws_tuf.h"
#include "ws_tuf_repo.h"

#define CLI_TUF_FILE_MAX WS_TUF_FILE_MAX

static const char keys_usage[] =
    "usage: wavesign tuf keys init [LABEL ...]\n"
    "\n"
    "Generates inside the token the TUF keys the policy names (tuf.root, targets,\n"
    "snapshot and timestamp keys) that it does not hold yet, or only the LABELs\n"
    "given. Keys are never replaced. Needs tuf.keys.\n";

static const char root_usage[] =
    "usage: wavesign tuf root sign [--ci | --production] [--rotate]\n"
    "                              [--expires-days N | --expires-at TIME]\n"
    "                              [--online-key ROLE=PEMFILE ...] [--out DIR]\n"
    "\n"
    "Signs root.json with the policy's root keys: version 1, or with --rotate the\n"
    "next version, signed by a threshold of the previous root's keys and of its\n"
    "own. The CI root has a targets threshold of 1; the production root (the\n"
    "default) has the policy's production threshold. Keys: the policy's role keys\n"
    "and, for roles the OTA back end signs online, the public keys given with\n"
    "--online-key (kept from the previous root when not given again).\n"
    "Needs tuf.root.\n"
    "\n"
    "  --ci, --production     which root (default --production)\n"
    "  --rotate               sign the next version of an existing root\n"
    "  --expires-days N       expires N days from now (default: the policy's)\n"
    "  --expires-at TIME      expires at YYYY-MM-DDTHH:MM:SSZ\n"
    "  --online-key ROLE=FILE a PEM public key of ROLE (targets, snapshot, timestamp)\n"
    "  --out DIR              write every N.root.json and root.json into DIR\n";

static const char snapshot_usage[] =
    "usage: wavesign tuf snapshot --targets FILE [--ci | --production] [--version N]\n"
    "                             [--expires-days N | --expires-at TIME] [--out DIR]\n"
    "\n"
    "Signs snapshot.json over targets.json (FILE), for a self-hosted repository or an\n"
    "offline bundle. The targets must be ones this appliance signed (a wave's) and\n"
    "verify under the root; the version is the last snapshot's + 1 unless given.\n"
    "Needs tuf.snapshot.\n"
    "\n"
    "  --targets FILE  the targets.json file, as it will be served\n"
    "  --out DIR       write snapshot.json and targets.json (and, in the tuf\n"
    "                  dialect, N.snapshot.json and N.targets.json) into DIR\n";

static const char timestamp_usage[] =
    "usage: wavesign tuf timestamp --snapshot FILE [--ci | --production] [--version N]\n"
    "                              [--expires-days N | --expires-at TIME] [--out DIR]\n"
    "\n"
    "Signs timestamp.json over snapshot.json (FILE), which must be the last snapshot\n"
    "this appliance signed under that root. Needs tuf.timestamp.\n"
    "\n"
    "  --snapshot FILE  the snapshot.json file, as it will be served\n"
    "  --out DIR        write timestamp.json into DIR\n";

static const char verify_usage[] =
    "usage: wavesign tuf verify [--dialect foundries|tuf] DIR\n"
    "\n"
    "Verifies the TUF repository in DIR as a client would, with wavesign's own code\n"
    "and no daemon: 1.root.json .. N.root.json (each signed by a threshold of the\n"
    "previous root's keys and its own), timestamp, snapshot and targets (signatures,\n"
    "thresholds, versions, lengths and hashes, expiry). The dialect is read from\n"
    "1.root.json unless given. Exit status 1 names the first problem.\n";

static int
tuf_keys(struct cli *cli, int argc, char **argv)
{
	json_t *args = NULL, *labels = NULL, *res = NULL, *v, *k;
	size_t i;
	int code;

	if (cli_wants_help(argc, argv, keys_usage))
		return CLI_EXIT_OK;
	if (argc < 2 || strcmp(argv[1], "init") != 0)
		return cli_usage_error(keys_usage, "tuf keys: expected 'init'");
	args = json_object();
	if (argc > 2) {
		labels = json_array();
		for (int a = 2; a < argc; a++) {
			if (argv[a][0] == '-') {
				json_decref(args);
				json_decref(labels);
				return cli_usage_error(keys_usage, "tuf keys init: unknown option '%s'", argv[a]);
			}
			json_array_append_new(labels, json_string(argv[a]));
		}
		json_object_set_new(args, "labels", labels);
	}
	code = cli_call(cli, "tuf.keys", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if (cli->json) {
		cli_print_json(res);
	} else {
		json_array_foreach(json_object_get(res, "created"), i, v)
			printf("created %s\n", json_string_value(v));
		json_array_foreach(json_object_get(res, "existing"), i, v)
			printf("kept    %s (already in the token)\n", json_string_value(v));
		json_array_foreach(json_object_get(res, "keys"), i, k)
			if (json_is_true(json_object_get(k, "present")))
				printf("%-16s %-8s sha256:%s\n", cli_str(k, "label"), cli_str(k, "type"),
				    cli_str(k, "fingerprint"));
	}
	json_decref(res);
	return CLI_EXIT_OK;
}

/* --online-key ROLE=FILE into args.online_keys.ROLE[]. */
static int
online_key_opt(json_t *args, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char role[16], *pem = NULL;
	json_t *online, *list;
	int code;

	if (eq == NULL || eq == spec || (size_t)(eq - spec) >= sizeof(role))
		return cli_usage_error(root_usage, "--online-key takes ROLE=PEMFILE, not '%s'", spec);
	memcpy(role, spec, (size_t)(eq - spec));
	role[eq - spec] = '\0';
	if ((code = cli_file_load_text(eq + 1, 64 * 1024, &pem)) != CLI_EXIT_OK)
		return code;
	if ((online = json_object_get(args, "online_keys")) == NULL) {
		online = json_object();
		json_object_set_new(args, "online_keys", online);
	}
	if ((list = json_object_get(online, role)) == NULL) {
		list = json_array();
		json_object_set_new(online, role, list);
	}
	json_array_append_new(list, json_string(pem));
	free(pem);
	return CLI_EXIT_OK;
}

static void
print_files(const json_t *res, const char *out_dir)
{
	const char *name;
	json_t *v;

	if (out_dir == NULL)
		return;
	json_object_foreach(json_object_get(res, "files"), name, v)
		printf("wrote %s/%s\n", out_dir, name);
}

/* Writes res.files into out_dir and prints the result: the common end of the signing commands. */
static int
tuf_finish(struct cli *cli, json_t *res, const char *out_dir, const char *what)
{
	int code = CLI_EXIT_OK;

	if (out_dir != NULL && (code = cli_files_write(out_dir, json_object_get(res, "files"), false)) != CLI_EXIT_OK)
		goto out;
	if (cli->json) {
		cli_print_json(res);
	} else {
		printf("%s v%lld (%s root) expires %s sha256 %s\n", what, cli_int(res, "version"), cli_str(res, "root"),
		    cli_str(res, "expires"), cli_str(res, "sha256"));
		print_files(res, out_dir);
	}
out:
	json_decref(res);
	return code;
}

static int
tuf_root(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ci", no_argument, NULL, 'c' },
		{ "production", no_argument, NULL, 'p' },
		{ "rotate", no_argument, NULL, 'r' },
		{ "expires-days", required_argument, NULL, 'd' },
		{ "expires-at", required_argument, NULL, 'a' },
		{ "online-key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kind = "production", *days = NULL, *at = NULL, *out_dir = NULL;
	json_t *args = json_object(), *res = NULL, *role, *v;
	bool rotate = false;
	const char *name;
	int ch, code = CLI_EXIT_OK;

	if (argc < 2 || strcmp(argv[1], "sign") != 0) {
		if (cli_wants_help(argc, argv, root_usage)) {
			json_decref(args);
			return CLI_EXIT_OK;
		}
		json_decref(args);
		return cli_usage_error(root_usage, "tuf root: expected 'sign'");
	}
	argc--;
	argv++;
	optind = 0;
	while (code == CLI_EXIT_OK && (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': kind = "ci"; break;
		case 'p': kind = "production"; break;
		case 'r': rotate = true; break;
		case 'd': days = optarg; break;
		case 'a': at = optarg; break;
		case 'k': code = online_key_opt(args, optarg); break;
		case 'o': out_dir = optarg; break;
		case 'h': fputs(root_usage, stdout); json_decref(args); return CLI_EXIT_OK;
		default: code = cli_usage_error(root_usage, "tuf root sign: bad option"); break;
		}
	}
	if (code == CLI_EXIT_OK && optind != argc)
		code = cli_usage_error(root_usage, "tuf root sign: unexpected argument '%s'", argv[optind]);
	if (code == CLI_EXIT_OK)
		code = cli_expires_opt(args, days, at, root_usage);
	if (code != CLI_EXIT_OK) {
		json_decref(args);
		return code;
	}
	json_object_set_new(args, "root", json_string(kind));
	if (rotate)
		json_object_set_new(args, "rotate", json_true());
	code = cli_call(cli, "tuf.root", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if (!cli->json) {
		printf("%s root v%lld (%s dialect)\n", cli_str(res, "root"), cli_int(res, "version"),
		    cli_str(res, "dialect"));
		json_object_foreach(json_object_get(res, "roles"), name, role) {
			size_t i;

			printf("  %-9s threshold %lld:", name, cli_int(role, "threshold"));
			json_array_foreach(json_object_get(role, "keyids"), i, v)
				printf(" %.16s", json_string_value(v));
			printf("\n");
		}
	}
	return tuf_finish(cli, res, out_dir, "root.json");
}

/* tuf snapshot and tuf timestamp: one input file in, one role out. */
static int
tuf_meta(struct cli *cli, int argc, char **argv, const char *op, const char *input, const char *usage)
{
	static const struct option longopts[] = {
		{ "targets", required_argument, NULL, 'f' },
		{ "snapshot", required_argument, NULL, 'f' },
		{ "ci", no_argument, NULL, 'c' },
		{ "production", no_argument, NULL, 'p' },
		{ "version", required_argument, NULL, 'v' },
		{ "expires-days", required_argument, NULL, 'd' },
		{ "expires-at", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kind = "production", *days = NULL, *at = NULL, *out_dir = NULL, *file = NULL, *version = NULL;
	struct ws_buf data = WS_BUF_INIT(CLI_TUF_FILE_MAX);
	json_t *args = json_object(), *res = NULL;
	long long n;
	int ch, code = CLI_EXIT_OK, idx = 0;

	optind = 0;
	while (code == CLI_EXIT_OK && (ch = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(longopts[idx].name, input) != 0)
				code = cli_usage_error(usage, "%s: unknown option --%s", op, longopts[idx].name);
			file = optarg;
			break;
		case 'c': kind = "ci"; break;
		case 'p': kind = "production"; break;
		case 'v': version = optarg; break;
		case 'd': days = optarg; break;
		case 'a': at = optarg; break;
		case 'o': out_dir = optarg; break;
		case 'h': fputs(usage, stdout); json_decref(args); return CLI_EXIT_OK;
		default: code = cli_usage_error(usage, "%s: bad option", op); break;
		}
	}
	if (code == CLI_EXIT_OK && optind != argc)
		code = cli_usage_error(usage, "%s: unexpected argument '%s'", op, argv[optind]);
	if (code == CLI_EXIT_OK && file == NULL)
		code = cli_usage_error(usage, "%s needs --%s FILE", op, input);
	if (code == CLI_EXIT_OK && version != NULL &&
	    (code = cli_parse_int("--version", version, 1, INT64_MAX, &n, usage)) == CLI_EXIT_OK)
		json_object_set_new(args, "version", json_integer(n));
	if (code == CLI_EXIT_OK)
		code = cli_expires_opt(args, days, at, usage);
	if (code == CLI_EXIT_OK)
		code = cli_file_load(file, CLI_TUF_FILE_MAX, &data);
	if (code != CLI_EXIT_OK)
		goto out;
	json_object_set_new(args, "root", json_string(kind));
	json_object_set_new(args, input, json_stringn((const char *)data.data, data.len));
	if (json_object_get(args, input) == NULL) {
		code = cli_fail(CLI_EXIT_LOCAL, file, ws_err_set(WS_ERR_JSON_UTF8, "not UTF-8 text"));
		goto out;
	}
	if ((code = cli_call(cli, op, args, &res)) != CLI_EXIT_OK)
		goto out;
	code = tuf_finish(cli, res, out_dir, strcmp(op, "tuf.snapshot") == 0 ? "snapshot.json" : "timestamp.json");
out:
	json_decref(args);
	ws_buf_free(&data);
	return code;
}

static int
tuf_snapshot(struct cli *cli, int argc, char **argv)
{
	return tuf_meta(cli, argc, argv, "tuf.snapshot", "targets", snapshot_usage);
}

static int
tuf_timestamp(struct cli *cli, int argc, char **argv)
{
	return tuf_meta(cli, argc, argv, "tuf.timestamp", "snapshot", timestamp_usage);
}

/* The dialect of DIR/1.root.json by its _type spelling. */
static int
detect_dialect(const char *dir, enum ws_tuf_dialect *out)
{
	struct ws_buf b = WS_BUF_INIT(CLI_TUF_FILE_MAX);
	char path[PATH_MAX];
	int code;

	snprintf(path, sizeof(path), "%s/1.root.json", dir);
	if ((code = cli_file_load(path, CLI_TUF_FILE_MAX, &b)) != CLI_EXIT_OK)
		return CLI_EXIT_REFUSED;
	*out = memmem(b.data, b.len, "\"_type\":\"Root\"", 15) != NULL ? WS_TUF_FOUNDRIES : WS_TUF_SPEC;
	ws_buf_free(&b);
	return CLI_EXIT_OK;
}

static int
tuf_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dialect", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ws_tuf_repo_report rep = { 0 };
	enum ws_tuf_dialect dialect = WS_TUF_FOUNDRIES;
	const char *dialect_name = NULL, *dir;
	json_t *out;
	int ch, code;
	ws_err r;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dialect_name = optarg; break;
		case 'h': fputs(verify_usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(verify_usage, "tuf verify: bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(verify_usage, "tuf verify takes one directory");
	dir = argv[optind];
	if (dialect_name != NULL) {
		if (ws_tuf_dialect_from_name(dialect_name, &dialect) != WS_OK)
			return cli_usage_error(verify_usage, "--dialect takes foundries or tuf, not '%s'", dialect_name);
	} else if ((code = detect_dialect(dir, &dialect)) != CLI_EXIT_OK) {
		return code;
	}
	if ((r = ws_tuf_repo_verify(dir, dialect, time(NULL), NULL, &rep)) != WS_OK)
		return cli_fail(CLI_EXIT_REFUSED, "tuf verify", r);
	if (cli->json) {
		out = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "dir", dir, "dialect", ws_tuf_dialect_name(dialect),
		    "root", (json_int_t)rep.version[WS_TUF_ROOT], "roots", (json_int_t)rep.roots, "timestamp",
		    (json_int_t)rep.version[WS_TUF_TIMESTAMP], "snapshot", (json_int_t)rep.version[WS_TUF_SNAPSHOT],
		    "targets", (json_int_t)rep.version[WS_TUF_TARGETS], "target_entries", (json_int_t)rep.targets);
		cli_print_json(out);
		json_decref(out);
	} else {
		printf("%s: verified (%s): root v%lld (%zu versions walked), timestamp v%lld, snapshot v%lld, "
		    "targets v%lld with %zu targets\n", dir, ws_tuf_dialect_name(dialect),
		    (long long)rep.version[WS_TUF_ROOT], rep.roots, (long long)rep.version[WS_TUF_TIMESTAMP],
		    (long long)rep.version[WS_TUF_SNAPSHOT], (long long)rep.version[WS_TUF_TARGETS], rep.targets);
	}
	return CLI_EXIT_OK;
}

int
cmd_tuf(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "keys", tuf_keys, "init: generate the policy's TUF keys in the token" },
		{ "root", tuf_root, "sign: the CI or production root.json (--rotate: the next version)" },
		{ "snapshot", tuf_snapshot, "sign snapshot.json over targets this appliance signed" },
		{ "timestamp", tuf_timestamp, "sign timestamp.json over the last snapshot" },
		{ "verify", tuf_verify, "verify a repository directory (no daemon)" },
		{ NULL, NULL, NULL },
	};

	return cli_run_family(cli, "tuf", cmds, argc, argv);
}
