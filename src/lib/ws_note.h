/*
 * ws_note.h -- C2SP signed notes with Ed25519 keys (https://c2sp.org/signed-note).
 *
 * A signed note is
 *
 *     <text, one or more lines, each ending in '\n'>
 *     <empty line>
 *     — <key name> <base64(4-byte key hash || signature)>\n   (one or more)
 *
 * where "—" is U+2014 EM DASH (bytes e2 80 94), the key hash is the first
 * four bytes of SHA-256(key name || "\n" || 0x01 || 32-byte Ed25519 public
 * key), and the signature is pure Ed25519 over the text bytes (including
 * the text's final newline, excluding the empty line).
 *
 * A verifier key is written `<name>+<8 hex key hash>+<base64(0x01 ||
 * public key)>`, the form auditors and witnesses pass around.
 *
 * Strictness (each refusal is WS_ERR_CHECKPOINT with a detail naming the
 * line): at most WS_NOTE_MAX bytes and WS_NOTE_SIGS_MAX signature lines;
 * the text is non-empty, valid UTF-8 without control characters other than
 * '\n', and ends in '\n'; key names are 1..WS_NOTE_NAME_MAX printable ASCII
 * characters without '+' or space; signatures are canonical base64 of at
 * least 5 bytes; nothing after the last signature line.
 *
 * Signing is done elsewhere (the audit key lives in the token): the caller
 * hands in a callback producing a pure Ed25519 signature over the bytes it
 * is given. Nothing here allocates except into caller-supplied ws_bufs.
 */
#ifndef WS_NOTE_H
#define WS_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "ws_buf.h"
#include "ws_err.h"

#define WS_NOTE_MAX 8192
#define WS_NOTE_SIGS_MAX 16
#define WS_NOTE_NAME_MAX 128
#define WS_NOTE_KEY_HASH_LEN 4
#define WS_ED25519_PUBLIC_LEN 32
#define WS_ED25519_SIG_LEN 64
/* Longest verifier key string: name + '+' + 8 hex + '+' + base64 of 33 bytes. */
#define WS_NOTE_VKEY_MAX (WS_NOTE_NAME_MAX + 1 + 8 + 1 + 44)

/*
 * Produces a pure Ed25519 signature over msg[0..len) with the signer's
 * key. Returns WS_OK or an error (WS_ERR_TOKEN...) that is passed through.
 */
typedef ws_err (*ws_note_sign_cb)(void *ctx, const uint8_t *msg, size_t len,
    uint8_t sig[WS_ED25519_SIG_LEN]);

/* An Ed25519 verifier key (plain data: copy freely, nothing to free). */
struct ws_note_key {
	char name[WS_NOTE_NAME_MAX + 1];
	uint8_t hash[WS_NOTE_KEY_HASH_LEN];
	uint8_t pub[WS_ED25519_PUBLIC_LEN];
};

/* A signature line, as parsed (no check that it verifies). */
struct ws_note_sig {
	char name[WS_NOTE_NAME_MAX + 1];
	uint8_t hash[WS_NOTE_KEY_HASH_LEN];
	uint8_t sig[WS_ED25519_SIG_LEN];
	size_t sig_len;		/* bytes after the key hash; 64 for Ed25519 */
};

/* A parsed note: text borrows from the input. */
struct ws_note {
	const uint8_t *text;
	size_t text_len;
	size_t nsigs;
	struct ws_note_sig sigs[WS_NOTE_SIGS_MAX];
};

/* Builds a key from its name and raw public key (computes the key hash). */
ws_err ws_note_key_init(struct ws_note_key *key, const char *name, const uint8_t pub[WS_ED25519_PUBLIC_LEN]);

/*
 * Parses a verifier key string; trailing '\n' is not accepted (strip it
 * first). WS_ERR_CHECKPOINT when malformed or when the key hash does not
 * match the name and key.
 */
ws_err ws_note_key_parse(const char *vkey, size_t len, struct ws_note_key *key);

/* Appends the verifier key string of key to out. */
ws_err ws_note_key_format(const struct ws_note_key *key, struct ws_buf *out);

/*
 * Appends text, the empty line and one signature line by key to out. The
 * text must satisfy the rules above. The callback is called once.
 */
ws_err ws_note_sign(const uint8_t *text, size_t len, const struct ws_note_key *key,
    ws_note_sign_cb sign, void *ctx, struct ws_buf *out);

/* Splits and checks the structure of a note (no signature is verified). */
ws_err ws_note_parse(const uint8_t *data, size_t len, struct ws_note *note);

/*
 * Checks that a parsed note carries a valid signature by key. Signatures
 * by other keys are ignored, as the signed-note spec says. When none is
 * by key: WS_ERR_CHECKPOINT naming what was found instead (a signature by
 * the same name but another key hash means another key with that name).
 */
ws_err ws_note_verify(const struct ws_note *note, const struct ws_note_key *key)
	__attribute__((warn_unused_result));

/* Pure Ed25519 verification with OpenSSL (WS_ERR_CHECKPOINT if it fails). */
ws_err ws_ed25519_verify(const uint8_t pub[WS_ED25519_PUBLIC_LEN], const uint8_t *msg, size_t len,
    const uint8_t sig[WS_ED25519_SIG_LEN]) __attribute__((warn_unused_result));

#endif /* WS_NOTE_H */
