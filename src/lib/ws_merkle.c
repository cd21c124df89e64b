/*
 * ws_merkle.c -- RFC 9162 Merkle tree hashing and proofs (see ws_merkle.h).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "ws_merkle.h"

void
ws_merkle_leaf_hash(const void *entry, size_t len, ws_merkle_hash out)
{
	ws_sha256_prefixed(0x00, entry, len, out);
}

void
ws_merkle_node_hash(const ws_merkle_hash left, const ws_merkle_hash right, ws_merkle_hash out)
{
	ws_sha256_pair(0x01, left, right, out);
}

void
ws_merkle_empty_root(ws_merkle_hash out)
{
	ws_sha256("", 0, out);
}

void
ws_merkle_tree_init(struct ws_merkle_tree *t)
{
	t->size = 0;
	t->count = 0;
}

ws_err
ws_merkle_tree_push(struct ws_merkle_tree *t, const ws_merkle_hash leaf)
{
	ws_merkle_hash h;
	uint64_t s;

	if (t->size == UINT64_MAX)
		return ws_err_set(WS_ERR_LIMIT, "the Merkle tree is full");
	memcpy(h, leaf, sizeof(h));
	/* Each trailing one bit of size is a complete subtree to merge with. */
	for (s = t->size; s & 1; s >>= 1)
		ws_merkle_node_hash(t->stack[--t->count], h, h);
	memcpy(t->stack[t->count++], h, sizeof(h));
	t->size++;
	return WS_OK;
}

void
ws_merkle_tree_root(const struct ws_merkle_tree *t, ws_merkle_hash out)
{
	ws_merkle_hash r;
	unsigned i;

	if (t->count == 0) {
		ws_merkle_empty_root(out);
		return;
	}
	memcpy(r, t->stack[t->count - 1], sizeof(r));
	for (i = t->count - 1; i-- > 0;)
		ws_merkle_node_hash(t->stack[i], r, r);
	memcpy(out, r, sizeof(r));
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

/* The plan was built from the root down; proofs list the deepest hash first. */
static void
plan_finish(struct ws_merkle_plan *plan)
{
	size_t i, j;

	plan->leaves_needed = 0;
	for (i = 0, j = plan->count; i < j--; i++) {
		struct ws_merkle_range tmp = plan->ranges[i];

		plan->ranges[i] = plan->ranges[j];
		plan->ranges[j] = tmp;
	}
	for (i = 0; i < plan->count; i++)
		if (plan->ranges[i].end > plan->leaves_needed)
			plan->leaves_needed = plan->ranges[i].end;
}

static void
plan_add(struct ws_merkle_plan *plan, uint64_t start, uint64_t end)
{
	plan->ranges[plan->count].start = start;
	plan->ranges[plan->count].end = end;
	plan->count++;
}

ws_err
ws_merkle_plan_inclusion(uint64_t index, uint64_t size, struct ws_merkle_plan *plan)
{
	uint64_t off = 0, n = size, m = index, k;

	if (index >= size)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "leaf %" PRIu64 " is not in a tree of size %" PRIu64, index, size);
	plan->count = 0;
	while (n > 1) {
		k = split_point(n);
		if (m < k) {
			plan_add(plan, off + k, off + n);
			n = k;
		} else {
			plan_add(plan, off, off + k);
			m -= k;
			off += k;
			n -= k;
		}
	}
	plan_finish(plan);
	return WS_OK;
}

ws_err
ws_merkle_plan_consistency(uint64_t old_size, uint64_t new_size, struct ws_merkle_plan *plan)
{
	uint64_t off = 0, m = old_size, n = new_size, k;
	int whole = 1;	/* RFC 9162's b: D[0:m] is the whole old tree */

	if (old_size > new_size)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "old tree size %" PRIu64 " is larger than new tree size %" PRIu64, old_size, new_size);
	plan->count = 0;
	if (old_size == 0 || old_size == new_size) {
		plan_finish(plan);
		return WS_OK;
	}
	for (;;) {
		if (m == n) {
			if (!whole)
				plan_add(plan, off, off + n);
			break;
		}
		k = split_point(n);
		if (m <= k) {
			plan_add(plan, off + k, off + n);
			n = k;
		} else {
			plan_add(plan, off, off + k);
			m -= k;
			off += k;
			n -= k;
			whole = 0;
		}
	}
	plan_finish(plan);
	return WS_OK;
}

void
ws_merkle_prover_init(struct ws_merkle_prover *p, const struct ws_merkle_plan *plan)
{
	size_t i, j;

	p->plan = plan;
	p->next_leaf = 0;
	p->cur = 0;
	p->done = 0;
	ws_merkle_tree_init(&p->acc);
	/* Insertion sort by start: ranges are disjoint and at most 128. */
	for (i = 0; i < plan->count; i++) {
		for (j = i; j > 0 && plan->ranges[p->order[j - 1]].start > plan->ranges[i].start; j--)
			p->order[j] = p->order[j - 1];
		p->order[j] = i;
	}
}

void
ws_merkle_prover_push(struct ws_merkle_prover *p, const ws_merkle_hash leaf)
{
	const struct ws_merkle_plan *plan = p->plan;
	const struct ws_merkle_range *r;
	uint64_t i = p->next_leaf++;

	if (i >= plan->leaves_needed || p->cur >= plan->count)
		return;
	r = &plan->ranges[p->order[p->cur]];
	if (i < r->start)
		return;
	(void)ws_merkle_tree_push(&p->acc, leaf);	/* cannot overflow: < 2^64 leaves */
	if (i + 1 == r->end) {
		ws_merkle_tree_root(&p->acc, p->hashes[p->order[p->cur]]);
		ws_merkle_tree_init(&p->acc);
		p->cur++;
		p->done++;
	}
}

ws_err
ws_merkle_prover_result(const struct ws_merkle_prover *p, ws_merkle_hash *out, size_t max)
{
	if (p->done != p->plan->count)
		return ws_err_set(WS_ERR_TRUNCATED, "the proof needs %" PRIu64 " leaves, only %" PRIu64 " were given",
		    p->plan->leaves_needed, p->next_leaf);
	if (p->plan->count > max)
		return ws_err_set(WS_ERR_LIMIT, "the proof has %zu hashes, room for %zu", p->plan->count, max);
	memcpy(out, p->hashes, p->plan->count * sizeof(ws_merkle_hash));
	return WS_OK;
}

ws_err
ws_merkle_root_from_inclusion(uint64_t index, uint64_t size, const ws_merkle_hash leaf,
    const ws_merkle_hash *proof, size_t count, ws_merkle_hash out)
{
	uint64_t fn = index, sn;
	ws_merkle_hash r;
	size_t i;

	if (index >= size)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "leaf %" PRIu64 " is not in a tree of size %" PRIu64, index, size);
	if (count > WS_MERKLE_PROOF_MAX)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "a proof has at most %d hashes, got %zu",
		    WS_MERKLE_PROOF_MAX, count);
	sn = size - 1;
	memcpy(r, leaf, sizeof(r));
	for (i = 0; i < count; i++) {
		if (sn == 0)
			return ws_err_set(WS_ERR_CHECKPOINT,
			    "inclusion proof has %zu hashes, more than the tree of size %" PRIu64 " needs",
			    count, size);
		if ((fn & 1) || fn == sn) {
			ws_merkle_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ws_merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "inclusion proof has %zu hashes, fewer than the tree of size %" PRIu64 " needs",
		    count, size);
	memcpy(out, r, sizeof(r));
	return WS_OK;
}

ws_err
ws_merkle_verify_inclusion(uint64_t index, uint64_t size, const ws_merkle_hash leaf,
    const ws_merkle_hash *proof, size_t count, const ws_merkle_hash root)
{
	ws_merkle_hash r;
	ws_err e;

	if ((e = ws_merkle_root_from_inclusion(index, size, leaf, proof, count, r)) != WS_OK)
		return e;
	if (memcmp(r, root, sizeof(r)) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "inclusion proof for leaf %" PRIu64 " does not lead to the root of the tree of size %" PRIu64,
		    index, size);
	return WS_OK;
}

ws_err
ws_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const ws_merkle_hash old_root, const ws_merkle_hash new_root,
    const ws_merkle_hash *proof, size_t count)
{
	uint64_t fn, sn;
	ws_merkle_hash fr, sr;
	size_t i, start;

	if (old_size > new_size)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "old tree size %" PRIu64 " is larger than new tree size %" PRIu64, old_size, new_size);
	if (count > WS_MERKLE_PROOF_MAX)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "a proof has at most %d hashes, got %zu",
		    WS_MERKLE_PROOF_MAX, count);
	if (old_size == new_size || old_size == 0) {
		if (count != 0)
			return ws_err_set(WS_ERR_CHECKPOINT,
			    "consistency proof from size %" PRIu64 " to %" PRIu64 " must be empty",
			    old_size, new_size);
		if (old_size == new_size && memcmp(old_root, new_root, WS_MERKLE_HASH_LEN) != 0)
			return ws_err_set(WS_ERR_CHECKPOINT,
			    "two trees of size %" PRIu64 " have different roots", old_size);
		return WS_OK;
	}
	if (count == 0)
		return ws_err_set(WS_ERR_CHECKPOINT, "consistency proof is empty");
	/* When the old tree is a complete subtree, its root is the proof's first node. */
	fn = old_size - 1;
	sn = new_size - 1;
	start = 0;
	if ((old_size & (old_size - 1)) == 0) {
		memcpy(fr, old_root, sizeof(fr));
	} else {
		memcpy(fr, proof[0], sizeof(fr));
		start = 1;
	}
	memcpy(sr, fr, sizeof(sr));
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (i = start; i < count; i++) {
		if (sn == 0)
			return ws_err_set(WS_ERR_CHECKPOINT,
			    "consistency proof has more hashes than sizes %" PRIu64 " and %" PRIu64 " need",
			    old_size, new_size);
		if ((fn & 1) || fn == sn) {
			ws_merkle_node_hash(proof[i], fr, fr);
			ws_merkle_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ws_merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "consistency proof has fewer hashes than sizes %" PRIu64 " and %" PRIu64 " need",
		    old_size, new_size);
	if (memcmp(fr, old_root, sizeof(fr)) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "consistency proof does not lead to the root of the old tree (size %" PRIu64 ")", old_size);
	if (memcmp(sr, new_root, sizeof(sr)) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "consistency proof does not lead to the root of the new tree (size %" PRIu64 ")", new_size);
	return WS_OK;
}
