/*
 * wavesign-audit -- verifies and queries the signing log offline
 * (wavesign-audit(1)). Global options, then one command per file.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"

static const struct {
	const char *name;
	audit_cmd_fn fn;
	const char *summary;
} commands[] = {
	{ "verify", cmd_verify, "check chain, form, order, tree and every checkpoint signature" },
	{ "show", cmd_show, "show one record, or all of them as a table" },
	{ "search", cmd_search, "list records by op, client, CN, serial, wave, decision, time" },
	{ "prove", cmd_prove, "print an inclusion proof of a record against a checkpoint" },
	{ "verify-proof", cmd_verify_proof, "check a proof file on its own (no log needed)" },
	{ "consistency", cmd_consistency, "prove an old checkpoint's tree is a prefix of a new one's" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: wavesign-audit [-d STATE_DIR | --log FILE [--checkpoints FILE]]\n"
	    "                      [--key VERIFIER_KEY_OR_FILE] [--origin ORIGIN] COMMAND [ARGS]\n"
	    "\n"
	    "Verifies and queries the wavesign signing log offline: needs only the log,\n"
	    "its checkpoints and the audit verifier key (no token, no daemon).\n"
	    "\n"
	    "  -d, --state-dir DIR     read DIR/log and DIR/checkpoints\n"
	    "  -l, --log FILE          the log file\n"
	    "  -c, --checkpoints FILE  a checkpoint note to match the log against\n"
	    "  -k, --key KEY           audit verifier key <name>+<hash>+<key>, or a file holding it\n"
	    "  -o, --origin ORIGIN     require this log origin\n"
	    "  -h, --help              show this help (also after any command)\n"
	    "  -V, --version           show the version\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	    "\n"
	    "Exit status: 0 success, 1 verification failed or not found, 2 usage, 3 I/O error.\n"
	    "See wavesign-audit(1) and wavesign-log(5).\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 'd' },
		{ "log", required_argument, NULL, 'l' },
		{ "checkpoints", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "origin", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct audit a;
	const char *state_dir = NULL, *log = NULL, *cps = NULL, *key = NULL;
	size_t i;
	ws_err r;
	int ch;

	/* '+': stop at the command, whose own options follow it. */
	while ((ch = getopt_long(argc, argv, "+d:l:c:k:o:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			state_dir = optarg;
			break;
		case 'l':
			log = optarg;
			break;
		case 'c':
			cps = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'o':
			a.origin = optarg;
			break;
		case 'h':
			usage(stdout);
			return AUDIT_EXIT_OK;
		case 'V':
			printf("wavesign-audit %s\n", PACKAGE_VERSION);
			return AUDIT_EXIT_OK;
		default:
			usage(stderr);
			return AUDIT_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return AUDIT_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "wavesign-audit: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return AUDIT_EXIT_USAGE;
	}
	if (state_dir != NULL && log != NULL) {
		fprintf(stderr, "wavesign-audit: give either -d STATE_DIR or --log FILE, not both\n");
		return AUDIT_EXIT_USAGE;
	}
	if (state_dir != NULL) {
		snprintf(a.log_path, sizeof(a.log_path), "%s/log", state_dir);
		snprintf(a.checkpoints_path, sizeof(a.checkpoints_path), "%s/checkpoints", state_dir);
	} else if (log != NULL) {
		snprintf(a.log_path, sizeof(a.log_path), "%s", log);
	}
	if (cps != NULL) {
		snprintf(a.checkpoints_path, sizeof(a.checkpoints_path), "%s", cps);
		a.checkpoints_explicit = true;
	}
	if (key != NULL) {
		if ((r = audit_key_load(key, &a.key)) != WS_OK) {
			(void)audit_fail("--key", r);
			return audit_exit_for(r) == AUDIT_EXIT_IO ? AUDIT_EXIT_IO : AUDIT_EXIT_USAGE;
		}
		a.have_key = true;
	}
	optind++;
	/* Commands parse their own options from argv[0] == their name. */
	return commands[i].fn(&a, argc - optind + 1, argv + optind - 1);
}
