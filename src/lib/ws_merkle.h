/*
 * ws_merkle.h -- RFC 9162 Merkle tree hashing and proofs, computed over a
 * stream of leaves in O(log n) memory.
 *
 * Hashes (RFC 9162 section 2.1.1, SHA-256):
 *   leaf  = SHA-256(0x00 || entry)
 *   node  = SHA-256(0x01 || left || right)
 *   MTH({}) = SHA-256("")
 *   MTH(D[n]) for n > 1 splits at k, the largest power of two below n.
 *
 * ws_merkle_tree is a compact range over leaves [0, size): one subtree hash
 * per set bit of size, so at most 64 hashes whatever the size. Push leaf
 * hashes in order; the root of the tree of the current size is available
 * at any time.
 *
 * Proofs (RFC 9162 sections 2.1.3 and 2.1.4) are computed in two steps,
 * without keeping the leaves: a plan lists the subtrees whose hashes form
 * the proof (ranges of leaves, in proof order; they never overlap), then a
 * prover is fed the leaf hashes 0, 1, 2, ... (from the log itself, read
 * once) and hashes each planned range as its leaves go by.
 *
 * The verifiers implement the RFC's algorithms exactly; they are the only
 * functions here that see untrusted proofs. They return WS_OK, or
 * WS_ERR_INVALID_ARGUMENT for impossible parameters (index >= size, more
 * than WS_MERKLE_PROOF_MAX hashes), or WS_ERR_CHECKPOINT when the proof
 * does not lead to the expected root(s); the detail says which.
 *
 * Nothing here allocates; everything lives in the caller's structures.
 */
#ifndef WS_MERKLE_H
#define WS_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "ws_err.h"
#include "ws_sha256.h"

#define WS_MERKLE_HASH_LEN WS_SHA256_LEN
/* Largest number of hashes in any proof for a tree of up to 2^64 - 1 leaves. */
#define WS_MERKLE_PROOF_MAX 128

typedef uint8_t ws_merkle_hash[WS_MERKLE_HASH_LEN];

/* The three hash functions of RFC 9162. */
void ws_merkle_leaf_hash(const void *entry, size_t len, ws_merkle_hash out);
void ws_merkle_node_hash(const ws_merkle_hash left, const ws_merkle_hash right, ws_merkle_hash out);
void ws_merkle_empty_root(ws_merkle_hash out);

/* Compact range over leaves [0, size). Initialise with ws_merkle_tree_init. */
struct ws_merkle_tree {
	uint64_t size;
	unsigned count;			/* hashes on the stack: popcount(size) */
	ws_merkle_hash stack[64];	/* largest subtree first */
};

void ws_merkle_tree_init(struct ws_merkle_tree *t);

/* Appends one leaf hash. WS_ERR_LIMIT when the tree already has 2^64-1 leaves. */
ws_err ws_merkle_tree_push(struct ws_merkle_tree *t, const ws_merkle_hash leaf);

/* MTH of the leaves pushed so far (SHA-256("") when none). */
void ws_merkle_tree_root(const struct ws_merkle_tree *t, ws_merkle_hash out);

/* A proof plan: the leaf ranges [start, end) whose MTHs form the proof, in order. */
struct ws_merkle_range {
	uint64_t start;
	uint64_t end;
};

struct ws_merkle_plan {
	size_t count;
	struct ws_merkle_range ranges[WS_MERKLE_PROOF_MAX];
	uint64_t leaves_needed;		/* the prover needs leaves [0, leaves_needed) */
};

/* PATH(index, D[size]). WS_ERR_INVALID_ARGUMENT unless index < size. */
ws_err ws_merkle_plan_inclusion(uint64_t index, uint64_t size, struct ws_merkle_plan *plan);

/*
 * PROOF(old_size, D[new_size]). WS_ERR_INVALID_ARGUMENT unless
 * old_size <= new_size. An empty plan when old_size is 0 or equals new_size.
 */
ws_err ws_merkle_plan_consistency(uint64_t old_size, uint64_t new_size, struct ws_merkle_plan *plan);

/* Computes a plan's hashes from the leaf hashes, fed in order from leaf 0. */
struct ws_merkle_prover {
	const struct ws_merkle_plan *plan;
	uint64_t next_leaf;		/* index of the next leaf to push */
	size_t order[WS_MERKLE_PROOF_MAX];	/* plan indexes sorted by start */
	size_t cur;			/* position in order */
	size_t done;			/* ranges completed */
	struct ws_merkle_tree acc;	/* the range being hashed */
	ws_merkle_hash hashes[WS_MERKLE_PROOF_MAX];	/* results, plan order */
};

/* plan must outlive the prover. */
void ws_merkle_prover_init(struct ws_merkle_prover *p, const struct ws_merkle_plan *plan);

/* Feeds the next leaf hash; leaves at or beyond plan->leaves_needed are ignored. */
void ws_merkle_prover_push(struct ws_merkle_prover *p, const ws_merkle_hash leaf);

/*
 * Copies the plan->count proof hashes to out. WS_ERR_TRUNCATED when fewer
 * than plan->leaves_needed leaves were pushed.
 */
ws_err ws_merkle_prover_result(const struct ws_merkle_prover *p, ws_merkle_hash *out, size_t max);

/*
 * RFC 9162 2.1.3.2: checks that leaf (a leaf hash) is at index in the tree
 * of size whose root is root, given the audit path proof[0..count).
 */
ws_err ws_merkle_verify_inclusion(uint64_t index, uint64_t size, const ws_merkle_hash leaf,
    const ws_merkle_hash *proof, size_t count, const ws_merkle_hash root)
	__attribute__((warn_unused_result));

/* Root implied by an inclusion proof (for messages and tests). */
ws_err ws_merkle_root_from_inclusion(uint64_t index, uint64_t size, const ws_merkle_hash leaf,
    const ws_merkle_hash *proof, size_t count, ws_merkle_hash out);

/*
 * RFC 9162 2.1.4.2: checks that the tree of old_size with root old_root is
 * a prefix of the tree of new_size with root new_root. Equal sizes need an
 * empty proof and equal roots; old_size 0 needs an empty proof.
 */
ws_err ws_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const ws_merkle_hash old_root, const ws_merkle_hash new_root,
    const ws_merkle_hash *proof, size_t count)
	__attribute__((warn_unused_result));

#endif /* WS_MERKLE_H */
