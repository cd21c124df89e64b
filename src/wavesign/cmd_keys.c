/*
 * cmd_keys.c -- wavesign keys init|list.
 */
#include "config.h"

#include <string.h>

#include "cli.h"

static const char init_usage[] =
    "usage: wavesign keys init [LABEL ...]\n"
    "\n"
    "Generates inside the token every key the policy names that the token does\n"
    "not hold yet (or only the LABELs given): non-extractable, sensitive keys of\n"
    "the type the policy gives. Existing keys are never replaced. Prints each\n"
    "key's SHA-256 fingerprint. Needs the keys.init permission.\n";

static const char list_usage[] =
    "usage: wavesign keys list\n"
    "\n"
    "Lists the keys the policy names: label, type, CKA_ID and SHA-256 fingerprint\n"
    "of the public key, or that the key is missing.\n";

static void
print_key_table(const json_t *keys)
{
	size_t i;
	json_t *k;

	json_array_foreach(keys, i, k) {
		if (json_is_true(json_object_get(k, "present")))
			printf("%-16s %-8s id %-6s sha256:%s\n", cli_str(k, "label"), cli_str(k, "type"),
			    cli_str(k, "id"), cli_str(k, "fingerprint"));
		else
			printf("%-16s %-8s missing\n", cli_str(k, "label"), cli_str(k, "type"));
	}
}

static int
keys_init(struct cli *cli, int argc, char **argv)
{
	json_t *args = NULL, *labels = NULL, *res = NULL, *v;
	size_t i;
	int code;

	if (cli_wants_help(argc, argv, init_usage))
		return CLI_EXIT_OK;
	args = json_object();
	if (argc > 1) {
		labels = json_array();
		for (int a = 1; a < argc; a++) {
			if (argv[a][0] == '-') {
				json_decref(args);
				json_decref(labels);
				return cli_usage_error(init_usage, "keys init: unknown option '%s'", argv[a]);
			}
			json_array_append_new(labels, json_string(argv[a]));
		}
		json_object_set_new(args, "labels", labels);
	}
	code = cli_call(cli, "keys.init", args, &res);
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
		print_key_table(json_object_get(res, "keys"));
	}
	json_decref(res);
	return CLI_EXIT_OK;
}

static int
keys_list(struct cli *cli, int argc, char **argv)
{
	json_t *res = NULL;
	int code;

	if (cli_wants_help(argc, argv, list_usage))
		return CLI_EXIT_OK;
	if (argc != 1)
		return cli_usage_error(list_usage, "keys list takes no arguments");
	if ((code = cli_call(cli, "keys.list", NULL, &res)) != CLI_EXIT_OK)
		return code;
	if (cli->json)
		cli_print_json(res);
	else
		print_key_table(json_object_get(res, "keys"));
	json_decref(res);
	return CLI_EXIT_OK;
}

int
cmd_keys(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "init", keys_init, "generate the policy's missing keys in the token" },
		{ "list", keys_list, "list the policy's keys and their fingerprints" },
		{ NULL, NULL, NULL },
	};

	return cli_run_family(cli, "keys", cmds, argc, argv);
}
