/*
 * bench_limit.c -- the limit set by the cryptography of one issuance,
 * measured with the project's own calls, on the same token the daemon
 * uses: per certificate, ws_csr_parse() (PEM and DER, no cryptography),
 * ws_csr_verify() (key import from the raw point + ECDSA verify), and one
 * ws_key_sign() with the device CA key (SHA-256 + C_Sign CKM_ECDSA + DER)
 * over a TBSCertificate-sized message. Each thread has its own session
 * (one PKCS#11 session per thread); the token is logged in once.
 */
#include "config.h"

#include <pthread.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "ws_csr.h"
#include "ws_p11.h"

#define TBS_LEN 480	/* a device certificate's TBSCertificate is about this long */

struct limit_thread {
	pthread_t th;
	struct ws_token *tok;
	const struct ws_key *key;
	const struct bench_csrs *csrs;
	size_t first;
	pthread_barrier_t *start;
	const uint64_t *deadline;
	uint64_t done, last_ns;
	uint64_t ns_csr, ns_sign;	/* time in each half */
};

static void *
limit_run(void *arg)
{
	struct limit_thread *t = arg;
	struct ws_session *s = NULL;
	uint8_t tbs[TBS_LEN], sig[WS_SIG_MAX];
	size_t sig_len, i = t->first;
	uint64_t t0, t1, t2;
	ws_err r;

	memset(tbs, 0x5a, sizeof(tbs));
	if ((r = ws_session_open(t->tok, &s)) != WS_OK)
		bench_die_ws("session", r);
	pthread_barrier_wait(t->start);
	pthread_barrier_wait(t->start);
	for (;;) {
		const char *pem = t->csrs->pem[i++ % t->csrs->n];
		struct ws_csr *csr = NULL;

		t0 = bench_now_ns();
		if (t0 >= *t->deadline)
			break;
		if ((r = ws_csr_parse((const uint8_t *)pem, strlen(pem), &csr)) != WS_OK ||
		    (r = ws_csr_verify(csr)) != WS_OK)
			bench_die_ws("CSR", r);
		t1 = bench_now_ns();
		/* Sign "a TBS" that differs each time, as certificates do. */
		memcpy(tbs, csr->sig, csr->sig_len < sizeof(tbs) ? csr->sig_len : sizeof(tbs));
		if ((r = ws_key_sign(s, t->key, WS_SIG_ECDSA_SHA256, tbs, sizeof(tbs), sig, &sig_len)) != WS_OK)
			bench_die_ws("sign", r);
		t2 = bench_now_ns();
		ws_csr_free(csr);
		t->ns_csr += t1 - t0;
		t->ns_sign += t2 - t1;
		t->done++;
		t->last_ns = t2;
	}
	ws_session_close(s);
	return NULL;
}

void
bench_limit_run(const struct bench_limit_params *p, const struct bench_csrs *csrs)
{
	struct ws_token_params tp = { .uri = p->uri, .module = p->module, .pin_file = p->pin_file };
	struct limit_thread *ts = calloc(p->threads, sizeof(*ts));
	struct ws_token *tok = NULL;
	struct ws_key *key = NULL;
	pthread_barrier_t start;
	struct rusage ru0, ru1;
	uint64_t deadline = UINT64_MAX, t_start, t_end = 0, done = 0, ns_csr = 0, ns_sign = 0;
	double cpu;
	double secs;
	ws_err r;

	if (ts == NULL || pthread_barrier_init(&start, NULL, p->threads + 1) != 0)
		bench_die("out of memory");
	if ((r = ws_token_open(&tp, &tok)) != WS_OK)
		bench_die_ws("token", r);
	if ((r = ws_key_find(ws_token_main_session(tok), p->key_label, &key)) != WS_OK)
		bench_die_ws(p->key_label, r);
	if (key->type != WS_KEY_EC_P256)
		bench_die("%s: not an EC P-256 key", p->key_label);
	for (unsigned i = 0; i < p->threads; i++) {
		ts[i] = (struct limit_thread){ .tok = tok, .key = key, .csrs = csrs,
		    .first = csrs->n * i / p->threads, .start = &start, .deadline = &deadline };
		if (pthread_create(&ts[i].th, NULL, limit_run, &ts[i]) != 0)
			bench_die("pthread_create");
	}
	pthread_barrier_wait(&start);
	getrusage(RUSAGE_SELF, &ru0);
	t_start = bench_now_ns();
	deadline = t_start + (uint64_t)(p->seconds * 1e9);
	pthread_barrier_wait(&start);
	for (unsigned i = 0; i < p->threads; i++) {
		pthread_join(ts[i].th, NULL);
		done += ts[i].done;
		ns_csr += ts[i].ns_csr;
		ns_sign += ts[i].ns_sign;
		if (ts[i].last_ns > t_end)
			t_end = ts[i].last_ns;
	}
	getrusage(RUSAGE_SELF, &ru1);
	pthread_barrier_destroy(&start);
	secs = (double)(t_end - t_start) / 1e9;
#define TV(tv) ((double)(tv).tv_sec + (double)(tv).tv_usec / 1e6)
	cpu = TV(ru1.ru_utime) - TV(ru0.ru_utime) + TV(ru1.ru_stime) - TV(ru0.ru_stime);
#undef TV
	if (done == 0 || secs <= 0)
		bench_die("limit: nothing done");
#define RES(what, ...) do { \
	char name_[64]; \
	snprintf(name_, sizeof(name_), "limit.t%u.%s", p->threads, what); \
	bench_result(name_, __VA_ARGS__); \
} while (0)
	RES("rate", "%.1f", (double)done / secs);
	RES("done", "%llu", (unsigned long long)done);
	RES("csr_us", "%.1f", (double)ns_csr / 1e3 / (double)done);
	RES("sign_us", "%.1f", (double)ns_sign / 1e3 / (double)done);
	RES("cpu_us", "%.1f", cpu * 1e6 / (double)done);
#undef RES
	fprintf(stderr, "limit: %u threads: %.0f/s (per certificate: CSR parse+import+verify %.0f us, "
	    "token sign %.0f us, wall per thread; CPU %.0f us)\n", p->threads, (double)done / secs,
	    (double)ns_csr / 1e3 / (double)done, (double)ns_sign / 1e3 / (double)done, cpu * 1e6 / (double)done);
	ws_key_free(key);
	ws_token_close(tok);
	free(ts);
}
