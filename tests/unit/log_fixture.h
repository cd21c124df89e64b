/*
 * log_fixture.h -- a scratch state directory with a signing log for the
 * log suites, and the tools of an attacker who edits the file.
 */
#ifndef WS_TEST_LOG_FIXTURE_H
#define WS_TEST_LOG_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "ws_log.h"
#include "log_key.h"

#define FIXTURE_ORIGIN "wavesign/acme/0123456789abcdef"

extern char fixture_dir[];		/* the state directory */
extern char fixture_log[];		/* fixture_dir/log */
extern char fixture_checkpoints[];	/* fixture_dir/checkpoints */
extern struct test_key fixture_key;	/* "audit" */

/* Check fixtures: a fresh directory (under the build tree) and key per test. */
void fixture_setup(void);
void fixture_teardown(void);

/* Creates the log, appends n records ("cert.issue", cn dev-<seq>), closes it. */
void fixture_log_create(uint64_t n);

/* Opens the fixture's log (it must exist and verify). */
struct ws_log *fixture_open(void);

/* Appends n cert.issue records (cn dev-<seq>) to an open log. */
void fixture_append(struct ws_log *log, uint64_t n);

/* Adds a checkpoint signed by fixture_key. */
void fixture_checkpoint(struct ws_log *log);

/* The log file as lines (without '\n'); free with fixture_lines_free. */
struct fixture_lines {
	char **line;
	size_t n;
};

void fixture_lines_read(struct fixture_lines *l);
void fixture_lines_write(const struct fixture_lines *l);
void fixture_lines_free(struct fixture_lines *l);

/* Replaces line i with text (copied). */
void fixture_lines_set(struct fixture_lines *l, size_t i, const char *text);

/*
 * What an attacker does after editing: renumbers seq from `from` on and
 * recomputes every prev (and the root member of checkpoint records) so
 * the chain is consistent again; only signed notes stay as they were.
 */
void fixture_lines_rechain(struct fixture_lines *l, size_t from);

/* Offline verification as wavesign-audit does it, with fixture_key. */
ws_err fixture_verify(const struct ws_note_key *key);

#endif
