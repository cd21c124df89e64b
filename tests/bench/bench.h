/*
 * bench.h -- wavesign-bench, the benchmark program (not a test: it asserts
 * nothing about time). tests/bench/run-bench.sh drives it and prints the
 * table; each subcommand measures one thing and prints its figures as
 *
 *     RESULT <name> <value>
 *
 * lines on stdout (everything else goes to stderr), so that the driver can
 * put a figure and its limit, measured in the same run, side by side.
 *
 * Parts:
 *   bench_main.c   the subcommands and their options
 *   bench_csr.c    device CSRs made up front (OpenSSL's high-level API:
 *                  this is a client's work, never the appliance's)
 *   bench_load.c   closed-loop load: C clients, one connection each,
 *                  requests back to back for a fixed time; rate and latency
 *   bench_proto.c  the two transports the load drives: wavesignd's framed
 *                  Unix socket and cfssl's HTTP/1.1 API on 127.0.0.1
 *   bench_limit.c  the crypto limit: CSR parse + key import + verify, and
 *                  the token's C_Sign, on N threads
 *   bench_ci.c     the no-op pass over a CI targets file
 *
 * Every failure is fatal (bench_die): a benchmark that measured something
 * else than it says must not print a figure.
 */
#ifndef WS_BENCH_H
#define WS_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "ws_err.h"

/* ------------------------------------------------------------ common */

/* Prints "wavesign-bench: <what>[: detail]" to stderr and exits 1. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* bench_die() with ws_err_message(r). */
void bench_die_ws(const char *what, ws_err r) __attribute__((noreturn));

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* One RESULT line (stdout, flushed). */
void bench_result(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The p-th percentile (0..100) of n samples, sorting them in place. 0 when n is 0. */
uint64_t bench_percentile(uint64_t *v, size_t n, double p);

/* CPU time (user + system) of process pid, in nanoseconds; 0 when unknown. */
uint64_t bench_proc_cpu_ns(long pid);

/* ------------------------------------------------------------ CSRs */

/* PEM device CSRs, one after another in one file. */
struct bench_csrs {
	char **pem;		/* NUL-terminated, owned */
	size_t n;
};

/*
 * Writes n P-256 CSRs to path: subject CN=<random UUID>, OU=factory,
 * keyUsage critical digitalSignature, extendedKeyUsage critical clientAuth
 * (what lmp-device-register asks for); keys are reused, 64 of them in turn
 * (the appliance's work does not depend on it). threads make them.
 */
void bench_csrs_make(const char *path, size_t n, const char *factory, unsigned threads);
void bench_csrs_load(const char *path, struct bench_csrs *out);
void bench_csrs_free(struct bench_csrs *c);

/* ------------------------------------------------------------ load */

/*
 * A transport: open() one connection, then call() one request at a time.
 * call() returns 0 on a successful answer and -1 otherwise (err says why).
 * Requests come from a shared pool through next(): each is used once.
 */
struct bench_conn;
struct bench_transport {
	const char *name;
	struct bench_conn *(*open)(const char *target);
	int (*call)(struct bench_conn *c, const void *req, size_t len, char *err, size_t errlen);
	void (*close)(struct bench_conn *c);
};

extern const struct bench_transport bench_wavesignd;	/* target: socket path */
extern const struct bench_transport bench_cfssl;	/* target: host:port */

/* Pre-encoded requests, taken in order by all clients. */
struct bench_requests {
	uint8_t **data;
	size_t *len;
	size_t n;
	size_t next;		/* atomically advanced */
};

/* What one load run measured. */
struct bench_load_result {
	unsigned clients;
	uint64_t done;		/* successful answers */
	uint64_t failed;	/* answers that were not a success (the run fails on any) */
	double seconds;		/* from the common start to the last answer */
	double rate;		/* done / seconds */
	uint64_t p50_ns, p99_ns, max_ns;
	uint64_t server_cpu_ns;	/* CPU the server process used during the run (0: unknown) */
	int out_of_requests;	/* the pool ran dry before the time was up */
};

/*
 * Runs `clients` threads for `seconds`, each on its own connection to
 * target, sending requests from reqs back to back; server_pid (> 0) is
 * read for its CPU time.
 */
void bench_load_run(const struct bench_transport *t, const char *target, struct bench_requests *reqs,
    unsigned clients, double seconds, long server_pid, struct bench_load_result *out);

/* Requests for each transport, one per CSR. */
void bench_requests_wavesignd(const struct bench_csrs *csrs, size_t from, struct bench_requests *out);
void bench_requests_cfssl(const struct bench_csrs *csrs, size_t from, const char *host,
    struct bench_requests *out);
void bench_requests_free(struct bench_requests *r);

/* ------------------------------------------------------------ limit */

struct bench_limit_params {
	const char *module;	/* PKCS#11 module path */
	const char *uri;	/* token URI */
	const char *pin_file;
	const char *key_label;	/* the device CA key */
	unsigned threads;
	double seconds;
};

/* Loops CSR parse + ws_csr_verify + ws_key_sign on threads; prints RESULT limit.t<threads>.* lines. */
void bench_limit_run(const struct bench_limit_params *p, const struct bench_csrs *csrs);

/* ------------------------------------------------------------ CI targets */

/*
 * Reads the file and runs ws_ci_targets_validate() over it once: the
 * library's own scan with nothing selected (the driver times the process,
 * as it times every other command). RESULT ci.targets N.
 */
void bench_ci_validate(const char *path);

#endif /* WS_BENCH_H */
