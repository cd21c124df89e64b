/*
 * cli.h -- the wavesign command line: shared options, the daemon round
 * trip, output helpers, and the command families (one file each).
 *
 * Exit codes (wavesign(1)):
 *   0  success
 *   1  the appliance refused or failed the request (its error code is printed)
 *   2  usage error
 *   3  the daemon cannot be reached, or spoke an invalid protocol
 *   4  a local input or output file could not be read, parsed or written
 */
#ifndef WAVESIGN_CLI_H
#define WAVESIGN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "ws_err.h"

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_REFUSED = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_DAEMON = 3,
	CLI_EXIT_LOCAL = 4,
};

#define CLI_SOCKET_DEFAULT "/run/wavesign/wavesignd.sock"

struct cli {
	const char *socket_path;	/* -s, WAVESIGN_SOCKET, or the default */
	bool json;			/* --json: machine output on stdout */
	int timeout_ms;			/* per wait on the daemon */
	const char *request_id;		/* --id: makes a retry idempotent */
	const char *prog;		/* "wavesign" */
};

/* A subcommand: argv[0] is its own name. Returns an exit code. */
typedef int (*cli_cmd_fn)(struct cli *cli, int argc, char **argv);

struct cli_cmd {
	const char *name;
	cli_cmd_fn fn;
	const char *summary;
};

/*
 * Finds argv[0] in cmds and runs it; prints the family's help for
 * -h/--help/no argument. family is e.g. "keys" for messages.
 */
int cli_run_family(struct cli *cli, const char *family, const struct cli_cmd *cmds, int argc, char **argv);

/* True (and prints usage to stdout) when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv, const char *usage);

/* Prints "wavesign: <what>: <message>" to stderr and returns code. */
int cli_fail(int code, const char *what, ws_err err);
/* Prints a usage error and the usage line; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Sends one request and waits for its response. On WS_OK *result is the
 * result object (new reference). An error response prints the appliance's
 * code and message and returns CLI_EXIT_REFUSED; transport problems return
 * CLI_EXIT_DAEMON. args is not consumed.
 */
int cli_call(struct cli *cli, const char *op, const json_t *args, json_t **result);

/* Prints v as pretty JSON on stdout (for --json). */
void cli_print_json(const json_t *v);

/* Getters that never fail: "" / 0 when absent. */
const char *cli_str(const json_t *obj, const char *key);
long long cli_int(const json_t *obj, const char *key);

/* Command families. */
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_keys(struct cli *cli, int argc, char **argv);
int cmd_token(struct cli *cli, int argc, char **argv);
int cmd_policy(struct cli *cli, int argc, char **argv);

#endif
