/* test-rate.c -- per-client token buckets with an injected clock. */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "test_common.h"
#include "ws_policy.h"
#include "ws_rate.h"

#define NS 1000000000ull

static struct ws_policy *pol;
static struct ws_rate *rl;
static uint64_t now_ns;

static uint64_t
fake_clock(void *arg)
{
	return *(uint64_t *)arg;
}

static const char policy_text[] =
	"factory: acme\n"
	"keys:\n"
	"  audit: { type: ed25519 }\n"
	"clients:\n"
	"  free: { unix-user: 1, allow: [status] }\n"
	"  registrar: { unix-user: 2, allow: [cert.issue], rate: 3/min }\n"
	"  burst: { unix-user: 3, allow: [cert.issue], rate: 100/s }\n";

static void
setup(void)
{
	now_ns = 1000 * NS;
	ck_assert_ws_ok(ws_policy_load_mem("t.yaml", (const uint8_t *)policy_text, strlen(policy_text), &pol));
	ck_assert_ws_ok(ws_rate_new(pol, fake_clock, &now_ns, &rl));
}

static void
teardown(void)
{
	ws_rate_free(rl);
	ws_policy_free(pol);
	rl = NULL;
	pol = NULL;
}

START_TEST(test_no_rate_is_unlimited)
{
	for (int i = 0; i < 10000; i++)
		ck_assert_ws_ok(ws_rate_take(rl, &pol->clients[0]));
}
END_TEST

START_TEST(test_burst_then_limited)
{
	const struct ws_policy_client *c = &pol->clients[1];

	for (int i = 0; i < 3; i++)
		ck_assert_ws_ok(ws_rate_take(rl, c));
	ck_assert_ws(ws_rate_take(rl, c), WS_ERR_RATE_LIMITED);
	ck_assert_str_eq(ws_err_detail(),
	    "client 'registrar' exceeded its rate of 3/min (clients.registrar.rate); retry in 20000 ms");
	/* The other clients have their own buckets. */
	ck_assert_ws_ok(ws_rate_take(rl, &pol->clients[2]));
}
END_TEST

START_TEST(test_refills_at_the_steady_rate)
{
	const struct ws_policy_client *c = &pol->clients[1];

	for (int i = 0; i < 3; i++)
		ck_assert_ws_ok(ws_rate_take(rl, c));
	/* 3/min: one token every 20 s. */
	now_ns += 19 * NS;
	ck_assert_ws(ws_rate_take(rl, c), WS_ERR_RATE_LIMITED);
	ck_assert_str_eq(ws_err_detail(),
	    "client 'registrar' exceeded its rate of 3/min (clients.registrar.rate); retry in 1000 ms");
	now_ns += 1 * NS;
	ck_assert_ws_ok(ws_rate_take(rl, c));
	ck_assert_ws(ws_rate_take(rl, c), WS_ERR_RATE_LIMITED);
	/* A long pause refills to the burst size, never beyond. */
	now_ns += 3600 * NS;
	for (int i = 0; i < 3; i++)
		ck_assert_ws_ok(ws_rate_take(rl, c));
	ck_assert_ws(ws_rate_take(rl, c), WS_ERR_RATE_LIMITED);
}
END_TEST

START_TEST(test_clock_going_backwards_adds_nothing)
{
	const struct ws_policy_client *c = &pol->clients[1];

	for (int i = 0; i < 3; i++)
		ck_assert_ws_ok(ws_rate_take(rl, c));
	now_ns -= 500 * NS;
	ck_assert_ws(ws_rate_take(rl, c), WS_ERR_RATE_LIMITED);
}
END_TEST

START_TEST(test_foreign_client_refused)
{
	struct ws_policy_client other;

	memset(&other, 0, sizeof(other));
	ck_assert_ws(ws_rate_take(rl, &other), WS_ERR_INVALID_ARGUMENT);
}
END_TEST

struct taker {
	const struct ws_policy_client *c;
	int ok;
};

static void *
take_many(void *arg)
{
	struct taker *t = arg;

	for (int i = 0; i < 100; i++)
		if (ws_rate_take(rl, t->c) == WS_OK)
			t->ok++;
	return NULL;
}

START_TEST(test_threads_share_one_bucket)
{
	pthread_t th[4];
	struct taker t[4];
	int total = 0;

	/* The clock stands still: exactly the burst of 100 is granted across threads. */
	for (int i = 0; i < 4; i++) {
		t[i].c = &pol->clients[2];
		t[i].ok = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, take_many, &t[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += t[i].ok;
	}
	ck_assert_int_eq(total, 100);
}
END_TEST

START_TEST(test_default_clock)
{
	struct ws_rate *real = NULL;

	ck_assert_ws_ok(ws_rate_new(pol, NULL, NULL, &real));
	for (int i = 0; i < 3; i++)
		ck_assert_ws_ok(ws_rate_take(real, &pol->clients[1]));
	ck_assert_ws(ws_rate_take(real, &pol->clients[1]), WS_ERR_RATE_LIMITED);
	ws_rate_free(real);
}
END_TEST

static Suite *
rate_suite(void)
{
	Suite *s = suite_create("rate");
	TCase *tc = tcase_create("rate");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_rate_is_unlimited);
	tcase_add_test(tc, test_burst_then_limited);
	tcase_add_test(tc, test_refills_at_the_steady_rate);
	tcase_add_test(tc, test_clock_going_backwards_adds_nothing);
	tcase_add_test(tc, test_foreign_client_refused);
	tcase_add_test(tc, test_threads_share_one_bucket);
	tcase_add_test(tc, test_default_clock);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return ws_test_run(rate_suite());
}
