/*
 * wavesign -- the command line of the wavesign appliance (wavesign(1)).
 *
 * A thin client: it parses arguments, reads input files, sends one request
 * to wavesignd and prints or writes what comes back. The few commands that
 * need no daemon (token init, policy check) say so in their help.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd commands[] = {
	{ "status", cmd_status, "show the appliance: token, keys, policy, signing log" },
	{ "keys", cmd_keys, "create and list the keys the policy names" },
	{ "ca", cmd_ca, "create the factory CA, sign gateway and device CAs, CRLs" },
	{ "cert", cmd_cert, "issue and revoke device client certificates" },
	{ "register", cmd_register, "register a device: key, CSR, certificate (as lmp-device-register)" },
	{ "tuf", cmd_tuf, "TUF keys, the CI and production roots, snapshot, timestamp, verify" },
	{ "waves", cmd_waves, "release on demand: init, sign, rollout, complete, cancel, approve" },
	{ "bundle", cmd_bundle, "sign the metadata of an offline update bundle" },
	{ "token", cmd_token, "initialise the embedded SoftHSM2 token (no daemon)" },
	{ "policy", cmd_policy, "check a policy file (no daemon)" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wavesign [-s SOCKET] [--json] [--timeout SECONDS] [--id REQUEST_ID] COMMAND [ARGS]\n"
	    "\n"
	    "Talks to wavesignd, the offline signing appliance for phased OTA releases.\n"
	    "\n"
	    "  -s, --socket PATH   daemon socket (default $WAVESIGN_SOCKET or %s)\n"
	    "  -j, --json          print results as JSON on stdout\n"
	    "  -T, --timeout SEC   give up on a silent daemon after SEC seconds (default 60)\n"
	    "  -i, --id ID         request id: a retry with the same id gets the recorded answer,\n"
	    "                      nothing is signed twice\n"
	    "  -h, --help          show this help (also after any command)\n"
	    "  -V, --version       show the version\n"
	    "\n"
	    "commands:\n",
	    CLI_SOCKET_DEFAULT);
	for (const struct cli_cmd *c = commands; c->name != NULL; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f,
	    "\n"
	    "Exit status: 0 success, 1 refused or failed by the appliance, 2 usage,\n"
	    "3 daemon unreachable or protocol error, 4 local file error. See wavesign(1).\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .timeout_ms = 60000, .prog = "wavesign" };
	const char *env = getenv("WAVESIGN_SOCKET");
	char *end;
	long secs;
	int ch, first;

	cli.socket_path = env && *env ? env : CLI_SOCKET_DEFAULT;
	/* '+': stop at the command, whose own options follow it. */
	while ((ch = getopt_long(argc, argv, "+s:jT:i:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			cli.socket_path = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'T':
			secs = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || secs < 1 || secs > 86400) {
				fprintf(stderr, "wavesign: --timeout takes 1 to 86400 seconds, not '%s'\n", optarg);
				return CLI_EXIT_USAGE;
			}
			cli.timeout_ms = (int)secs * 1000;
			break;
		case 'i':
			cli.request_id = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("wavesign %s\n", PACKAGE_VERSION);
			return CLI_EXIT_OK;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	first = optind;
	for (const struct cli_cmd *c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[first]) == 0) {
			optind = 0;	/* glibc: start getopt afresh for the command's own options */
			return c->fn(&cli, argc - first, argv + first);
		}
	fprintf(stderr, "wavesign: unknown command '%s'\n", argv[first]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
