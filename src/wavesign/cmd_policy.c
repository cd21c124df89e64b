/*
 * cmd_policy.c -- wavesign policy check FILE (no daemon).
 */
#include "config.h"

#include "cli.h"
#include "ws_policy.h"

static const char check_usage[] =
    "usage: wavesign policy check FILE\n"
    "\n"
    "Loads a policy file exactly as wavesignd would and prints a summary of what\n"
    "it allows, or the first error as FILE:LINE:COLUMN: key.path: what is wrong.\n"
    "Needs no daemon. Exit status 0 when valid, 4 when not.\n";

static int
policy_check(struct cli *cli, int argc, char **argv)
{
	struct ws_policy *p = NULL;
	struct ws_buf out = WS_BUF_INIT(1 << 20);
	const char *text;
	ws_err r;

	(void)cli;
	if (cli_wants_help(argc, argv, check_usage))
		return CLI_EXIT_OK;
	if (argc != 2)
		return cli_usage_error(check_usage, "policy check takes one FILE");
	if ((r = ws_policy_load(argv[1], &p)) != WS_OK) {
		fprintf(stderr, "wavesign: %s [%s]\n", ws_err_detail()[0] ? ws_err_detail() : ws_strerror(r),
		    ws_err_code(r));
		return CLI_EXIT_LOCAL;
	}
	if ((r = ws_policy_describe(p, &out)) != WS_OK || (r = ws_buf_cstr(&out, &text)) != WS_OK) {
		ws_policy_free(p);
		ws_buf_free(&out);
		return cli_fail(CLI_EXIT_LOCAL, "policy check", r);
	}
	fputs(text, stdout);
	ws_policy_free(p);
	ws_buf_free(&out);
	return CLI_EXIT_OK;
}

int
cmd_policy(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "check", policy_check, "validate a policy file and summarise it" },
		{ NULL, NULL, NULL },
	};

	return cli_run_family(cli, "policy", cmds, argc, argv);
}
