/*
 * test-merkle.c -- RFC 9162 tree hashing and proofs.
 *
 * Known answers: the 8-leaf test tree of certificate-transparency-go /
 * transparency-dev/merkle (proof/verify_test.go): its leaves, the roots of
 * every prefix, and its inclusion and consistency proofs. Then every tree
 * size up to 64 against a naive recursive transcription of the RFC.
 */
#include "config.h"

#include <string.h>

#include "ws_encode.h"
#include "ws_merkle.h"
#include "test_common.h"

static const struct {
	const char *hex;
} leaves_hex[8] = {
	{ "" }, { "00" }, { "10" }, { "2021" }, { "3031" }, { "40414243" },
	{ "5051525354555657" }, { "606162636465666768696a6b6c6d6e6f" },
};

static const char *const roots_hex[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Inclusion vectors: leaf index (0-based), tree size, path. */
static const struct {
	uint64_t index, size;
	const char *path[3];
	size_t n;
} inclusion_vectors[] = {
	{ 0, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
	{ 5, 8, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
	{ 2, 3, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" }, 1 },
	{ 1, 5, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 3 },
	{ 0, 1, { NULL }, 0 },
};

static const struct {
	uint64_t old_size, new_size;
	const char *path[3];
	size_t n;
} consistency_vectors[] = {
	{ 1, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
	{ 6, 8, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
	{ 2, 5, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 2 },
	{ 6, 7, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
	{ 1, 1, { NULL }, 0 },
};

static ws_merkle_hash vec_leaf[8], vec_root[8];

static void
hash_from_hex(const char *hex, ws_merkle_hash out)
{
	ck_assert_ws_ok(ws_hex_decode(hex, strlen(hex), out, WS_MERKLE_HASH_LEN));
}

static void
vectors_setup(void)
{
	uint8_t data[16];
	size_t i, n;

	for (i = 0; i < 8; i++) {
		n = strlen(leaves_hex[i].hex) / 2;
		ck_assert_ws_ok(ws_hex_decode(leaves_hex[i].hex, 2 * n, data, n));
		ws_merkle_leaf_hash(data, n, vec_leaf[i]);
		hash_from_hex(roots_hex[i], vec_root[i]);
	}
}

/* Runs a plan over the first `leaves` vector leaves. */
static size_t
prove(const struct ws_merkle_plan *plan, const ws_merkle_hash *leaf, uint64_t leaves, ws_merkle_hash *out)
{
	struct ws_merkle_prover p;
	uint64_t i;

	ws_merkle_prover_init(&p, plan);
	for (i = 0; i < leaves; i++)
		ws_merkle_prover_push(&p, leaf[i]);
	ck_assert_ws_ok(ws_merkle_prover_result(&p, out, WS_MERKLE_PROOF_MAX));
	return plan->count;
}

START_TEST(test_empty_root)
{
	ws_merkle_hash want, got;
	struct ws_merkle_tree t;

	hash_from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
	ws_merkle_tree_init(&t);
	ws_merkle_tree_root(&t, got);
	ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

START_TEST(test_vector_roots)
{
	struct ws_merkle_tree t;
	ws_merkle_hash root;
	size_t i;

	ws_merkle_tree_init(&t);
	for (i = 0; i < 8; i++) {
		ck_assert_ws_ok(ws_merkle_tree_push(&t, vec_leaf[i]));
		ws_merkle_tree_root(&t, root);
		ck_assert_msg(memcmp(root, vec_root[i], sizeof(root)) == 0, "root of size %zu", i + 1);
	}
}
END_TEST

START_TEST(test_vector_inclusion)
{
	ws_merkle_hash want[3], got[WS_MERKLE_PROOF_MAX];
	struct ws_merkle_plan plan;
	size_t i, k, n;

	for (i = 0; i < sizeof(inclusion_vectors) / sizeof(inclusion_vectors[0]); i++) {
		uint64_t index = inclusion_vectors[i].index, size = inclusion_vectors[i].size;

		for (k = 0; k < inclusion_vectors[i].n; k++)
			hash_from_hex(inclusion_vectors[i].path[k], want[k]);
		ck_assert_ws_ok(ws_merkle_plan_inclusion(index, size, &plan));
		n = prove(&plan, (const ws_merkle_hash *)vec_leaf, size, got);
		ck_assert_uint_eq(n, inclusion_vectors[i].n);
		ck_assert(n == 0 || memcmp(got, want, n * sizeof(ws_merkle_hash)) == 0);
		ck_assert_ws_ok(ws_merkle_verify_inclusion(index, size, vec_leaf[index], (const ws_merkle_hash *)want,
		    n, vec_root[size - 1]));
	}
}
END_TEST

START_TEST(test_vector_consistency)
{
	ws_merkle_hash want[3], got[WS_MERKLE_PROOF_MAX];
	struct ws_merkle_plan plan;
	size_t i, k, n;

	for (i = 0; i < sizeof(consistency_vectors) / sizeof(consistency_vectors[0]); i++) {
		uint64_t m = consistency_vectors[i].old_size, size = consistency_vectors[i].new_size;

		for (k = 0; k < consistency_vectors[i].n; k++)
			hash_from_hex(consistency_vectors[i].path[k], want[k]);
		ck_assert_ws_ok(ws_merkle_plan_consistency(m, size, &plan));
		n = prove(&plan, (const ws_merkle_hash *)vec_leaf, size, got);
		ck_assert_uint_eq(n, consistency_vectors[i].n);
		ck_assert(n == 0 || memcmp(got, want, n * sizeof(ws_merkle_hash)) == 0);
		ck_assert_ws_ok(ws_merkle_verify_consistency(m, size, vec_root[m - 1], vec_root[size - 1],
		    (const ws_merkle_hash *)want, n));
	}
}
END_TEST

/* ---- naive recursive RFC 9162, for n up to 64 ---- */

static void
naive_mth(const ws_merkle_hash *d, uint64_t n, ws_merkle_hash out)
{
	ws_merkle_hash l, r;
	uint64_t k = 1;

	if (n == 0) {
		ws_merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], WS_MERKLE_HASH_LEN);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	naive_mth(d, k, l);
	naive_mth(d + k, n - k, r);
	ws_merkle_node_hash(l, r, out);
}

static size_t
naive_path(uint64_t m, const ws_merkle_hash *d, uint64_t n, ws_merkle_hash *out)
{
	uint64_t k = 1;
	size_t c;

	if (n <= 1)
		return 0;
	while (k * 2 < n)
		k *= 2;
	if (m < k) {
		c = naive_path(m, d, k, out);
		naive_mth(d + k, n - k, out[c]);
	} else {
		c = naive_path(m - k, d + k, n - k, out);
		naive_mth(d, k, out[c]);
	}
	return c + 1;
}

static size_t
naive_subproof(uint64_t m, const ws_merkle_hash *d, uint64_t n, int b, ws_merkle_hash *out)
{
	uint64_t k = 1;
	size_t c;

	if (m == n) {
		if (b)
			return 0;
		naive_mth(d, n, out[0]);
		return 1;
	}
	while (k * 2 < n)
		k *= 2;
	if (m <= k) {
		c = naive_subproof(m, d, k, b, out);
		naive_mth(d + k, n - k, out[c]);
	} else {
		c = naive_subproof(m - k, d + k, n - k, 0, out);
		naive_mth(d, k, out[c]);
	}
	return c + 1;
}

#define BRUTE_MAX 64

static ws_merkle_hash brute_leaf[BRUTE_MAX];

static void
brute_setup(void)
{
	uint8_t entry[2];
	size_t i;

	for (i = 0; i < BRUTE_MAX; i++) {
		entry[0] = (uint8_t)i;
		entry[1] = (uint8_t)(i * 7);
		ws_merkle_leaf_hash(entry, i % 3, brute_leaf[i]);	/* lengths 0, 1, 2 */
	}
}

START_TEST(test_brute_roots)
{
	struct ws_merkle_tree t;
	ws_merkle_hash a, b;
	uint64_t n;

	brute_setup();
	ws_merkle_tree_init(&t);
	for (n = 1; n <= BRUTE_MAX; n++) {
		ck_assert_ws_ok(ws_merkle_tree_push(&t, brute_leaf[n - 1]));
		ws_merkle_tree_root(&t, a);
		naive_mth(brute_leaf, n, b);
		ck_assert_msg(memcmp(a, b, sizeof(a)) == 0, "root of size %llu", (unsigned long long)n);
	}
}
END_TEST

START_TEST(test_brute_inclusion)
{
	ws_merkle_hash want[WS_MERKLE_PROOF_MAX], got[WS_MERKLE_PROOF_MAX], root;
	struct ws_merkle_plan plan;
	uint64_t n, m;
	size_t nw, ng, i;

	brute_setup();
	for (n = 1; n <= BRUTE_MAX; n++) {
		naive_mth(brute_leaf, n, root);
		for (m = 0; m < n; m++) {
			nw = naive_path(m, brute_leaf, n, want);
			ck_assert_ws_ok(ws_merkle_plan_inclusion(m, n, &plan));
			/* Feed more leaves than needed: the prover must ignore the rest. */
			ng = prove(&plan, (const ws_merkle_hash *)brute_leaf, BRUTE_MAX, got);
			ck_assert_msg(ng == nw && (nw == 0 || memcmp(got, want, nw * sizeof(ws_merkle_hash)) == 0),
			    "inclusion %llu in %llu", (unsigned long long)m, (unsigned long long)n);
			ck_assert_ws_ok(ws_merkle_verify_inclusion(m, n, brute_leaf[m], (const ws_merkle_hash *)got, ng, root));
			for (i = 0; i < ng; i++) {
				got[i][i % WS_MERKLE_HASH_LEN] ^= 0x08;
				ck_assert_ws(ws_merkle_verify_inclusion(m, n, brute_leaf[m],
				    (const ws_merkle_hash *)got, ng, root), WS_ERR_CHECKPOINT);
				got[i][i % WS_MERKLE_HASH_LEN] ^= 0x08;
			}
			if (ng > 0)
				ck_assert_ws(ws_merkle_verify_inclusion(m, n, brute_leaf[m],
				    (const ws_merkle_hash *)got, ng - 1, root), WS_ERR_CHECKPOINT);
			memcpy(got[ng], root, sizeof(root));
			ck_assert_ws(ws_merkle_verify_inclusion(m, n, brute_leaf[m], (const ws_merkle_hash *)got, ng + 1,
			    root), WS_ERR_CHECKPOINT);
			if (n > 1)
				ck_assert_ws(ws_merkle_verify_inclusion(m ^ 1, n, brute_leaf[m],
				    (const ws_merkle_hash *)got, ng, root),
				    (m ^ 1) < n ? WS_ERR_CHECKPOINT : WS_ERR_INVALID_ARGUMENT);
		}
	}
}
END_TEST

START_TEST(test_brute_consistency)
{
	ws_merkle_hash want[WS_MERKLE_PROOF_MAX], got[WS_MERKLE_PROOF_MAX], r1, r2;
	struct ws_merkle_plan plan;
	uint64_t n, m;
	size_t nw, ng, i;

	brute_setup();
	for (n = 1; n <= BRUTE_MAX; n++) {
		naive_mth(brute_leaf, n, r2);
		for (m = 1; m <= n; m++) {
			naive_mth(brute_leaf, m, r1);
			nw = m == n ? 0 : naive_subproof(m, brute_leaf, n, 1, want);
			ck_assert_ws_ok(ws_merkle_plan_consistency(m, n, &plan));
			ng = prove(&plan, (const ws_merkle_hash *)brute_leaf, n, got);
			ck_assert_msg(ng == nw && (nw == 0 || memcmp(got, want, nw * sizeof(ws_merkle_hash)) == 0),
			    "consistency %llu to %llu", (unsigned long long)m, (unsigned long long)n);
			ck_assert_ws_ok(ws_merkle_verify_consistency(m, n, r1, r2, (const ws_merkle_hash *)got, ng));
			if (m == n)
				continue;
			for (i = 0; i < ng; i++) {
				got[i][0] ^= 0x10;
				ck_assert_ws(ws_merkle_verify_consistency(m, n, r1, r2, (const ws_merkle_hash *)got, ng),
				    WS_ERR_CHECKPOINT);
				got[i][0] ^= 0x10;
			}
			ck_assert_ws(ws_merkle_verify_consistency(m, n, r2, r1, (const ws_merkle_hash *)got, ng),
			    WS_ERR_CHECKPOINT);
			ck_assert_ws(ws_merkle_verify_consistency(m, n, r1, r2, (const ws_merkle_hash *)got, ng - 1),
			    WS_ERR_CHECKPOINT);
		}
	}
}
END_TEST

START_TEST(test_verify_refuses_impossible_parameters)
{
	ws_merkle_hash h = { 0 }, proof[1] = { { 0 } };

	ck_assert_ws(ws_merkle_verify_inclusion(0, 0, h, proof, 0, h), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_merkle_verify_inclusion(8, 8, h, proof, 0, h), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_merkle_verify_inclusion(0, 8, h, proof, WS_MERKLE_PROOF_MAX + 1, h), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_merkle_verify_consistency(9, 8, h, h, proof, 1), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_merkle_verify_consistency(2, 8, h, h, proof, 0), WS_ERR_CHECKPOINT);
	ck_assert_str_eq(ws_err_detail(), "consistency proof is empty");
	ck_assert_ws(ws_merkle_verify_consistency(3, 3, h, h, proof, 1), WS_ERR_CHECKPOINT);
	ck_assert_ws_ok(ws_merkle_verify_consistency(0, 3, h, h, proof, 0));
}
END_TEST

START_TEST(test_prover_needs_enough_leaves)
{
	ws_merkle_hash out[WS_MERKLE_PROOF_MAX];
	struct ws_merkle_plan plan;
	struct ws_merkle_prover p;
	int i;

	ck_assert_ws_ok(ws_merkle_plan_inclusion(3, 8, &plan));
	ck_assert_uint_eq(plan.leaves_needed, 8);
	ws_merkle_prover_init(&p, &plan);
	for (i = 0; i < 7; i++)
		ws_merkle_prover_push(&p, vec_leaf[i]);
	ck_assert_ws(ws_merkle_prover_result(&p, out, WS_MERKLE_PROOF_MAX), WS_ERR_TRUNCATED);
	ck_assert_ws(ws_merkle_plan_inclusion(8, 8, &plan), WS_ERR_INVALID_ARGUMENT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("merkle");
	TCase *tc = tcase_create("vectors");

	tcase_add_checked_fixture(tc, vectors_setup, NULL);
	tcase_add_test(tc, test_empty_root);
	tcase_add_test(tc, test_vector_roots);
	tcase_add_test(tc, test_vector_inclusion);
	tcase_add_test(tc, test_vector_consistency);
	tcase_add_test(tc, test_verify_refuses_impossible_parameters);
	tcase_add_test(tc, test_prover_needs_enough_leaves);
	suite_add_tcase(s, tc);
	tc = tcase_create("brute-force");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_brute_roots);
	tcase_add_test(tc, test_brute_inclusion);
	tcase_add_test(tc, test_brute_consistency);
	suite_add_tcase(s, tc);
	return ws_test_run(s);
}
