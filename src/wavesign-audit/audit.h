/*
 * audit.h -- wavesign-audit: offline verification and queries of the
 * signing log (wavesign-audit(1)). Needs only the log, its checkpoints and
 * the audit verifier key: no token, no daemon.
 *
 * Exit codes:
 *   0  success (verified, found)
 *   1  verification failed, or the record/checkpoint asked for is not there
 *   2  usage error
 *   3  a file could not be read (I/O)
 */
#ifndef WAVESIGN_AUDIT_H
#define WAVESIGN_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ws_checkpoint.h"
#include "ws_err.h"
#include "ws_merkle.h"
#include "ws_note.h"

enum {
	AUDIT_EXIT_OK = 0,
	AUDIT_EXIT_FAILED = 1,
	AUDIT_EXIT_USAGE = 2,
	AUDIT_EXIT_IO = 3,
};

struct audit {
	char log_path[4096];		/* -d STATE/log or --log */
	char checkpoints_path[4096];	/* STATE/checkpoints or --checkpoints; "" for none */
	bool checkpoints_explicit;	/* --checkpoints given (must exist) */
	bool have_key;
	struct ws_note_key key;		/* --key */
	const char *origin;		/* --origin, or NULL */
};

/* A subcommand: argv[0] is its name. Returns an exit code. */
typedef int (*audit_cmd_fn)(struct audit *a, int argc, char **argv);

/* ---- common.c ---- */

/* The exit code for a failure: 1 for verification, 3 for I/O, 2 for usage. */
int audit_exit_for(ws_err err);

/* Prints "wavesign-audit: <what>: <message>" to stderr; returns audit_exit_for(err). */
int audit_fail(const char *what, ws_err err);

/* Prints "wavesign-audit: <fmt>" and the usage line of a command; returns 2. */
int audit_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True (after printing help to stdout) when argv asks for help. */
bool audit_wants_help(int argc, char **argv, const char *help);

/* Parses --key: a verifier key string, or a file holding one (one line). */
ws_err audit_key_load(const char *arg, struct ws_note_key *key);

/* Parses a non-negative decimal (a seq or a tree size). */
bool audit_parse_u64(const char *s, uint64_t *out);

/* The checkpoints file to use, or NULL when there is none. */
const char *audit_checkpoints_file(const struct audit *a);

/* Reads a checkpoint note file; verifies it with the key when there is one. */
ws_err audit_checkpoint_load(const struct audit *a, const char *path, struct ws_buf *note,
    struct ws_checkpoint *cp);

/* Writes hex of a hash into out (65 bytes). */
void audit_hex(const ws_merkle_hash h, char out[2 * WS_MERKLE_HASH_LEN + 1]);

/* Prints a JSON value canonically (valid JSON) and a newline to stdout. */
ws_err audit_print_json(const json_t *v);

/* ---- records.c: reading and showing records ---- */

/* A string member at a dotted path ("peer.client"), or NULL. Integers are formatted into buf. */
const char *audit_record_str(const json_t *rec, const char *path, char *buf, size_t len);

/* Prints the table header / one record as a table row / one record in full. */
void audit_table_header(FILE *f);
void audit_table_row(FILE *f, const json_t *rec);
void audit_record_full(FILE *f, const json_t *rec);

/*
 * Reads the log record by record without verifying it (show and search;
 * verify is the command that checks), handing each parsed record to cb
 * until cb returns false. A line that is not canonical JSON is an error
 * (WS_ERR_LOG_CORRUPT, naming the seq); a partial last line is skipped
 * with a note on stderr.
 */
typedef bool (*audit_record_cb)(void *ctx, uint64_t seq, const json_t *rec, const uint8_t *line, size_t len);
ws_err audit_records_each(const char *log_path, audit_record_cb cb, void *ctx);

/*
 * Proof streaming: reads leaves [0, size) of the log, feeding every
 * prover given, and keeps a copy of line `keep` (UINT64_MAX: none) in
 * kept. root receives the root of the first size leaves. WS_ERR_LOG_CORRUPT
 * if the log has fewer than size records.
 */
struct ws_merkle_prover;
struct ws_buf;
ws_err audit_stream_leaves(const char *log_path, uint64_t size, struct ws_merkle_prover *const *provers,
    size_t nprovers, uint64_t keep, struct ws_buf *kept, ws_merkle_hash root);

/* ---- lines.c: finding lines and proofs' JSON ---- */

/* Copies line seq of the log (without '\n') into out; WS_ERR_NOT_FOUND past the end. */
ws_err audit_line_at(const char *log_path, uint64_t seq, struct ws_buf *out);

/* The note of the last log.checkpoint record and that record's seq; WS_ERR_NOT_FOUND if none. */
ws_err audit_last_checkpoint_note(const char *log_path, struct ws_buf *note, uint64_t *seq);

/* The note of the log.checkpoint record at seq (whose tree size is seq). */
ws_err audit_checkpoint_note_at(const char *log_path, uint64_t seq, struct ws_buf *note);

/* A proof's hashes as a JSON array of hex strings, and back (strict, at most WS_MERKLE_PROOF_MAX). */
json_t *audit_hashes_json(const ws_merkle_hash *h, size_t n);
ws_err audit_hashes_parse(const json_t *arr, ws_merkle_hash *out, size_t *n);

/* ---- commands ---- */

int cmd_verify(struct audit *a, int argc, char **argv);
int cmd_show(struct audit *a, int argc, char **argv);
int cmd_search(struct audit *a, int argc, char **argv);
int cmd_prove(struct audit *a, int argc, char **argv);
int cmd_verify_proof(struct audit *a, int argc, char **argv);
int cmd_consistency(struct audit *a, int argc, char **argv);

#endif /* WAVESIGN_AUDIT_H */
