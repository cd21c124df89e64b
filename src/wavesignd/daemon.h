/*
 * daemon.h -- wavesignd's shared state and the interfaces between its parts.
 *
 *   main.c      start-up and shutdown: config, policy, state dir, token, log
 *   statedir.c  the state directory: ownership/mode checks and the lock
 *   keyring.c   the keys the policy names, found in the token at start
 *   server.c    the event loop: socket, connections, framing, timeouts
 *   workers.c   the worker threads, one token session each
 *   token_guard.c  token outages: each request checks its session first and
 *               reconnects to a token that went away and came back
 *   sandbox.c   the optional seccomp filter, installed before the workers start
 *   dispatch.c  one request: parse, identify, authorise, run, log, answer
 *   op_*.c      the operations, one file per family
 *
 * Locking: the policy pointer is swapped on SIGHUP under policy_lock (a
 * request holds the read lock from authorisation to its log record, so it
 * is judged and logged under one policy). The keyring has its own lock.
 * token_lock is taken before policy_lock: read by every request, written
 * only by a reconnect after a token outage (token_guard.c).
 */
#ifndef WAVESIGND_DAEMON_H
#define WAVESIGND_DAEMON_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "ws_buf.h"
#include "ws_config.h"
#include "ws_err.h"
#include "ws_log.h"
#include "ws_p11.h"
#include "ws_policy.h"
#include "ws_proto.h"
#include "ws_rate.h"
#include "ws_sock.h"

#define WAVESIGND_KEYS_MAX 64

struct keyring {
	pthread_rwlock_t lock;
	size_t n;
	struct ws_key *keys[WAVESIGND_KEYS_MAX];	/* found or generated; freed at exit */
};

struct replay;
struct pki;
struct tuf_state;
struct waves_state;

struct ws_daemon {
	struct ws_config *config;
	const char *config_path;

	pthread_rwlock_t policy_lock;
	struct ws_policy *policy;		/* guarded by policy_lock */
	struct ws_rate *rate;			/* the policy's rate limits; swapped with it */

	struct ws_token *token;
	pthread_rwlock_t token_lock;		/* token_guard.c */
	/* Written only under token_lock held for writing (a reconnect): */
	unsigned long token_attempts;		/* reconnects tried */
	bool token_outage_logged;		/* this outage's first line is out */
	char token_last_reason[512];		/* the failure last logged */
	struct keyring keyring;
	struct ws_log *log;
	struct replay *replay;			/* request ids already served (replay.h) */
	struct pki *pki;			/* CA certificates, issued certificates, CRL state (pki.h) */
	struct tuf_state *tuf;			/* CI and production roots, role versions (tuf_state.h) */
	struct waves_state *waves;		/* the waves and the production targets per tag (waves_state.h) */
	int lock_fd;
	time_t started;
	unsigned workers;
};

/* --- statedir.c --- */

/* Creates (0700) or checks the state dir and takes its lock (flock). */
ws_err statedir_open(const char *path, int *lock_fd);

/* --- keyring.c --- */

void keyring_init(struct keyring *kr);
void keyring_free(struct keyring *kr);

/*
 * Finds every key the policy names. Keys that exist must be safe
 * (sensitive, never extractable): an unsafe key is WS_ERR_KEY_UNSAFE and
 * the daemon refuses to start. Missing keys are allowed (keys.init makes
 * them) and reported by status.
 */
ws_err keyring_load(struct keyring *kr, struct ws_session *s, const struct ws_policy *policy);

/* The key with that label, or NULL. The pointer stays valid until exit. */
const struct ws_key *keyring_get(struct keyring *kr, const char *label);

/* Adds a newly generated key (takes ownership). */
ws_err keyring_add(struct keyring *kr, struct ws_key *key);

/*
 * After the token reconnected: finds every loaded key again through s
 * (ws_key_refresh()), so that each keeps its pointer and gets its new
 * handle. Fails on the first key that is missing or has another public key.
 */
ws_err keyring_refresh(struct keyring *kr, struct ws_session *s);

/* --- token_guard.c --- */

void token_guard_init(struct ws_daemon *d);
void token_guard_destroy(struct ws_daemon *d);

/*
 * Before a request runs on worker session s: renews s after a reconnect,
 * checks that s can sign (ws_session_check()) and, when it cannot,
 * reconnects to the token and finds every key again, refusing a token whose
 * keys differ. Never fails: if the token is still away, the request runs
 * and its first token call fails with WS_ERR_TOKEN_UNAVAILABLE. Holds
 * token_lock for reading until token_leave().
 */
void token_enter(struct ws_daemon *d, struct ws_session *s);
void token_leave(struct ws_daemon *d);

/* --- sandbox.c --- */

/*
 * Installs wavesignd's system call filter on the calling process (every
 * thread started after it inherits it): the calls serving needs are
 * allowed, clone only for threads, socket only for AF_UNIX, and any other
 * call kills the process. WS_ERR_SYSTEM when the kernel refuses the filter.
 */
ws_err sandbox_seccomp_apply(void);

/* --- dispatch.c --- */

/* What an operation sees of its request. */
struct op_ctx {
	struct ws_daemon *d;
	struct ws_session *session;		/* this worker's token session */
	const struct ws_peer *peer;
	const struct ws_policy *policy;		/* read-locked for the request */
	const struct ws_policy_client *client;
	const struct ws_request *req;
	json_t *subject;	/* decisive request fields for the log record */
	json_t *outputs;	/* output digests for the log record */
	json_t *keys_used;	/* fingerprints of the keys used */
	bool officer_op;	/* a checkpoint follows this record */
	/*
	 * Set by an op that holds something until its record is written (a
	 * reserved CN, the CRL lock): called exactly once, after the append,
	 * with recorded = the op succeeded and its record (number seq) is
	 * durable. Called whether the op succeeded or not.
	 */
	void (*after_record)(struct op_ctx *ctx, bool recorded, uint64_t seq);
	void *op_state;		/* the op's, for after_record */
};

/*
 * An operation: reads ctx->req->args, does its work, fills ctx->subject /
 * outputs / keys_used, and returns its result object (new reference) or
 * an error (detail set).
 */
typedef ws_err (*op_fn)(struct op_ctx *ctx, json_t **result);

struct op_def {
	const char *name;
	op_fn fn;
};

/* The operations this daemon serves, ending with { NULL, NULL }. */
extern const struct op_def op_table[];

/*
 * Serves one request payload from peer: the response frame payload is
 * written to out. Never fails to produce a response except on memory
 * exhaustion (then returns WS_ERR_NOMEM and the connection is closed).
 */
ws_err dispatch_request(struct ws_daemon *d, struct ws_session *s, const struct ws_peer *peer,
    const uint8_t *payload, size_t len, struct ws_buf *out);

/*
 * Records (and answers) a request that never reached dispatch_request():
 * a bad frame header or a frame too large. Writes the error response.
 */
ws_err dispatch_frame_error(struct ws_daemon *d, const struct ws_peer *peer, ws_err code,
    const char *message, struct ws_buf *out);

/* Writes a checkpoint of the signing log with the audit key. */
ws_err dispatch_checkpoint(struct ws_daemon *d, struct ws_session *s);

/* --- index.c --- */

/*
 * Rebuilds what the daemon derives from the signing log (the replay table,
 * and the indexes of later op families) by walking the verified log.
 */
ws_err index_rebuild(struct ws_daemon *d);

/* --- op_*.c --- */
ws_err op_status(struct op_ctx *ctx, json_t **result);
ws_err op_keys_init(struct op_ctx *ctx, json_t **result);
ws_err op_keys_list(struct op_ctx *ctx, json_t **result);
ws_err op_ca_init(struct op_ctx *ctx, json_t **result);		/* op_ca.c */
ws_err op_ca_sign(struct op_ctx *ctx, json_t **result);
ws_err op_ca_crl(struct op_ctx *ctx, json_t **result);
ws_err op_cert_issue(struct op_ctx *ctx, json_t **result);	/* op_cert.c */
ws_err op_tuf_keys(struct op_ctx *ctx, json_t **result);	/* op_tuf.c */
ws_err op_tuf_root(struct op_ctx *ctx, json_t **result);
ws_err op_tuf_snapshot(struct op_ctx *ctx, json_t **result);
ws_err op_tuf_timestamp(struct op_ctx *ctx, json_t **result);
ws_err op_waves_init(struct op_ctx *ctx, json_t **result);	/* op_waves.c */
ws_err op_waves_sign(struct op_ctx *ctx, json_t **result);
ws_err op_waves_rollout(struct op_ctx *ctx, json_t **result);
ws_err op_waves_complete(struct op_ctx *ctx, json_t **result);
ws_err op_waves_cancel(struct op_ctx *ctx, json_t **result);
ws_err op_waves_approve(struct op_ctx *ctx, json_t **result);
ws_err op_waves_list(struct op_ctx *ctx, json_t **result);
ws_err op_waves_show(struct op_ctx *ctx, json_t **result);
ws_err op_bundle_sign(struct op_ctx *ctx, json_t **result);	/* op_bundle.c */

/* The key list for status and keys.list: label, type, fingerprint, present. */
json_t *keys_describe(struct ws_daemon *d, const struct ws_policy *policy);

/* --- workers.c --- */

struct job {
	struct job *next;
	unsigned conn_slot;	/* server.c's connection index */
	uint64_t conn_gen;	/* detects a slot reused after its connection closed */
	struct ws_peer peer;
	struct ws_buf request;	/* payload; owned by the job */
	struct ws_buf response;	/* filled by a worker */
	ws_err status;
};

struct workers;

/* Starts n workers, each opening its own token session. */
ws_err workers_start(struct ws_daemon *d, unsigned n, int wake_fd, struct workers **out);
/* Queues a job (ownership passes to the workers until it comes back done). */
void workers_submit(struct workers *w, struct job *job);
/* Takes every finished job (a list); NULL when none. */
struct job *workers_take_done(struct workers *w);
/* Jobs submitted and not yet taken back. */
unsigned workers_in_flight(struct workers *w);
/* Finishes queued jobs, stops the threads, frees everything. */
void workers_stop(struct workers *w);
/* Runs fn(d, session) on one worker thread and waits for it. */
ws_err workers_run_on_session(struct workers *w, ws_err (*fn)(struct ws_daemon *, struct ws_session *));

void job_free(struct job *job);

/* --- server.c --- */

/* Serves until SIGTERM/SIGINT; SIGHUP reloads the policy. */
ws_err server_run(struct ws_daemon *d, int listen_fd);

/* Loads the policy file again and swaps it in; keeps the old one on error. */
ws_err daemon_reload_policy(struct ws_daemon *d, struct ws_session *s);

#endif /* WAVESIGND_DAEMON_H */
