/*
 * cmd_status.c -- wavesign status.
 */
#include "config.h"

#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: wavesign status\n"
    "\n"
    "Shows the appliance: version, token, every key the policy names with its\n"
    "type and SHA-256 fingerprint (or that it is missing), the policy's path and\n"
    "SHA-256, the state directory, the signing log's size and root hash, the\n"
    "factory CA certificates and the active waves.\n";

static void
print_keys(const json_t *keys)
{
	size_t i;
	json_t *k;

	printf("keys:\n");
	json_array_foreach(keys, i, k) {
		if (json_is_true(json_object_get(k, "present")))
			printf("  %-16s %-8s id %-6s sha256:%s\n", cli_str(k, "label"), cli_str(k, "type"),
			    cli_str(k, "id"), cli_str(k, "fingerprint"));
		else
			printf("  %-16s %-8s missing (create it with: wavesign keys init)\n",
			    cli_str(k, "label"), cli_str(k, "type"));
	}
}

static void
print_pki(const json_t *pki)
{
	const json_t *root = json_object_get(pki, "root"), *ca = json_object_get(pki, "device_ca");

	if (!json_is_object(root)) {
		printf("pki:     no factory CA yet (create it with: wavesign ca init)\n");
		return;
	}
	printf("pki:     root CA serial %s until %s\n", cli_str(root, "serial"), cli_str(root, "not_after"));
	if (json_is_object(ca))
		printf("         device CA serial %s until %s\n", cli_str(ca, "serial"), cli_str(ca, "not_after"));
}

static void
print_waves(const json_t *waves)
{
	size_t i;
	json_t *w;

	if (json_array_size(waves) == 0) {
		printf("waves:   none active\n");
		return;
	}
	json_array_foreach(waves, i, w)
		printf("waves:   %s active: version %lld, tag %s, expires %s\n", cli_str(w, "name"),
		    cli_int(w, "version"), cli_str(w, "tag"), cli_str(w, "expires"));
}

int
cmd_status(struct cli *cli, int argc, char **argv)
{
	json_t *res = NULL, *token, *policy, *log;
	int code;

	if (cli_wants_help(argc, argv, usage))
		return CLI_EXIT_OK;
	if (argc != 1)
		return cli_usage_error(usage, "status takes no arguments");
	if ((code = cli_call(cli, "status", NULL, &res)) != CLI_EXIT_OK)
		return code;
	if (cli->json) {
		cli_print_json(res);
	} else {
		token = json_object_get(res, "token");
		policy = json_object_get(res, "policy");
		log = json_object_get(res, "log");
		printf("wavesignd %s (protocol %lld), up %llds, %lld workers; you are client '%s'\n",
		    cli_str(res, "version"), cli_int(res, "protocol"), cli_int(res, "uptime"),
		    cli_int(res, "workers"), cli_str(res, "client"));
		printf("token:   %s (%s) %s\n", cli_str(token, "label"), cli_str(token, "model"), cli_str(token, "uri"));
		if (strcmp(cli_str(token, "state"), "unavailable") == 0)
			printf("         unavailable: %s\n", cli_str(token, "error"));
		printf("factory: %s\n", cli_str(policy, "factory"));
		printf("policy:  %s sha256:%s\n", cli_str(policy, "path"), cli_str(policy, "sha256"));
		printf("state:   %s\n", cli_str(res, "state_dir"));
		printf("log:     %lld records, root %s\n", cli_int(log, "size"), cli_str(log, "root"));
		print_pki(json_object_get(res, "pki"));
		print_waves(json_object_get(res, "active_waves"));
		print_keys(json_object_get(res, "keys"));
	}
	json_decref(res);
	return CLI_EXIT_OK;
}
