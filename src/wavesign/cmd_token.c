/*
 * cmd_token.c -- wavesign token init: the embedded SoftHSM2 token.
 * Works on the token directly (no daemon); hsm/wavesign-token-init uses it.
 */
#include "config.h"

#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "ws_token_setup.h"

static const char init_usage[] =
    "usage: wavesign token init --label LABEL --pin-file FILE --so-pin-file FILE [--module PATH]\n"
    "\n"
    "Initialises a new token in a free slot of the PKCS#11 module (SoftHSM2 by\n"
    "default, with the token directory SOFTHSM2_CONF names): sets its label, its\n"
    "security officer PIN and its user PIN, both read from files (mode 0600, owned\n"
    "by you) so that no PIN appears on a command line. Needs no daemon; run it\n"
    "before the first start of wavesignd. hsm/wavesign-token-init wraps it.\n"
    "\n"
    "  --label LABEL       token label (the token= of the PKCS#11 URI)\n"
    "  --pin-file FILE     the user PIN wavesignd logs in with\n"
    "  --so-pin-file FILE  the security officer PIN\n"
    "  --module PATH       PKCS#11 module (default " WS_SOFTHSM2_MODULE ")\n";

static int
token_init(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "pin-file", required_argument, NULL, 'p' },
		{ "so-pin-file", required_argument, NULL, 'o' },
		{ "module", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *label = NULL, *pin_file = NULL, *so_pin_file = NULL, *module = WS_SOFTHSM2_MODULE;
	int ch;
	ws_err r;

	(void)cli;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': label = optarg; break;
		case 'p': pin_file = optarg; break;
		case 'o': so_pin_file = optarg; break;
		case 'm': module = optarg; break;
		case 'h': fputs(init_usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(init_usage, "token init: bad option");
		}
	}
	if (optind != argc)
		return cli_usage_error(init_usage, "token init: unexpected argument '%s'", argv[optind]);
	if (label == NULL || pin_file == NULL || so_pin_file == NULL)
		return cli_usage_error(init_usage, "token init needs --label, --pin-file and --so-pin-file");
	if (module == NULL || *module == '\0')
		return cli_usage_error(init_usage, "token init: no SoftHSM2 module was found at build time; give --module");
	if ((r = ws_token_setup(module, label, so_pin_file, pin_file)) != WS_OK)
		return cli_fail(r == WS_ERR_PIN || r == WS_ERR_INSECURE_FILE || r == WS_ERR_SYSTEM ?
		    CLI_EXIT_LOCAL : CLI_EXIT_REFUSED, "token init", r);
	printf("token '%s' initialised; its PKCS#11 URI is pkcs11:token=%s\n", label, label);
	return CLI_EXIT_OK;
}

int
cmd_token(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "init", token_init, "initialise a token with PINs read from files" },
		{ NULL, NULL, NULL },
	};

	return cli_run_family(cli, "token", cmds, argc, argv);
}
