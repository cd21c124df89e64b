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
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

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

/*
 * Local files (cli_files.c). Each returns CLI_EXIT_OK or, after printing
 * "wavesign: PATH: message [code]", CLI_EXIT_LOCAL.
 */
struct ws_buf;
#define CLI_CSR_MAX (64 * 1024)
/* Reads PATH ("-": standard input), at most max bytes, into out. */
int cli_read_file(const char *path, size_t max, struct ws_buf *out);
/* Reads a CSR file: PEM is passed on as it is, anything else is taken for DER and PEM-encoded. *out: free(). */
int cli_read_csr(const char *path, char **out);
/* mkdir -p DIR (0755 for what it creates). */
int cli_make_dir(const char *dir);
/* DIR/NAME into buf. */
int cli_dir_path(const char *dir, const char *name, char *buf, size_t size);
/* Replaces PATH with text atomically (temporary file, fsync, rename), with mode. */
int cli_write_text(const char *path, const char *text, mode_t mode);
/* Creates PATH (0600) with data, durably; an existing PATH is never replaced (WS_ERR_EXISTS). */
int cli_write_new_secret(const char *path, const void *data, size_t len);

/* Certificate results (cmd_cert.c), shared with ca and register. */
extern const char *const cli_cert_files[];	/* client.pem, client.chained, root.crt */
/* Writes the members names[] of a result as files DIR/<name> (0644). */
int cli_write_cert_files(const char *dir, const json_t *res, const char *const *names);
/* The human summary of a cert.issue result (and the files written into dir, if not NULL). */
void cli_print_cert_summary(const json_t *res, const char *dir);
/* Sends ca.crl {action, serial[, reason]} and prints or writes (out_file) the CRL. */
int cli_crl_request(struct cli *cli, const char *action, const char *serial, const char *reason,
    const char *out_file);

/* Command families. */
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_keys(struct cli *cli, int argc, char **argv);
int cmd_token(struct cli *cli, int argc, char **argv);
int cmd_policy(struct cli *cli, int argc, char **argv);
int cmd_ca(struct cli *cli, int argc, char **argv);		/* cmd_ca.c */
int cmd_cert(struct cli *cli, int argc, char **argv);		/* cmd_cert.c */
int cmd_register(struct cli *cli, int argc, char **argv);	/* cmd_register.c */
int cmd_tuf(struct cli *cli, int argc, char **argv);		/* cmd_tuf.c */
int cmd_waves(struct cli *cli, int argc, char **argv);		/* cmd_waves.c */
int cmd_bundle(struct cli *cli, int argc, char **argv);		/* cmd_bundle.c */

/*
 * Inputs and outputs of the tuf, waves and bundle commands (cli_out.c).
 * Each returns CLI_EXIT_OK or, after printing the problem, another code.
 */
struct ws_buf;
/* Reads PATH ("-": standard input), at most max bytes, into out (CLI_EXIT_LOCAL on failure). */
int cli_file_load(const char *path, size_t max, struct ws_buf *out);
/* The same as a NUL-terminated string (*out: free()); a NUL byte in the file is refused. */
int cli_file_load_text(const char *path, size_t max, char **out);
/*
 * Writes each member of files (name -> text, as the daemon returns them)
 * as DIR/name, atomically, mode 0644; creates DIR. Names must be plain
 * file names (else CLI_EXIT_DAEMON). print: "wrote PATH" per file.
 */
int cli_files_write(const char *dir, const json_t *files, bool print);
/* Writes v as compact sorted JSON to PATH ("-": standard output), atomically. */
int cli_json_write(const char *path, const json_t *v);
/* --expires-days N / --expires-at TIME into args (expires_days, expires_at); at most one. */
int cli_expires_opt(json_t *args, const char *days, const char *at, const char *usage);
/* A decimal integer in [min, max] for option what, else a usage error. */
int cli_parse_int(const char *what, const char *s, long long min, long long max, long long *out,
    const char *usage);

#endif
