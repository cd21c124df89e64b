/*
 * ws_checkpoint.h -- signed tree heads in the C2SP tlog-checkpoint format
 * (https://c2sp.org/tlog-checkpoint), as signed notes (ws_note.h).
 *
 * The note text (the signed bytes) is exactly three lines:
 *
 *     <origin>\n
 *     <tree size, decimal, no leading zeros>\n
 *     <base64 of the 32-byte RFC 9162 root hash>\n
 *
 * wavesign writes no extension lines and refuses notes that carry any.
 * The origin names one log (wavesign: `wavesign/<factory>/<16 hex>`):
 * 1..WS_CHECKPOINT_ORIGIN_MAX printable ASCII characters, no spaces.
 *
 * All refusals are WS_ERR_CHECKPOINT with a detail naming the line.
 */
#ifndef WS_CHECKPOINT_H
#define WS_CHECKPOINT_H

#include <stdint.h>

#include "ws_buf.h"
#include "ws_err.h"
#include "ws_merkle.h"
#include "ws_note.h"

#define WS_CHECKPOINT_ORIGIN_MAX 256

/* Plain data: copy freely, nothing to free. */
struct ws_checkpoint {
	char origin[WS_CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t size;
	ws_merkle_hash root;
};

/* WS_ERR_CHECKPOINT unless origin is a valid origin line. */
ws_err ws_checkpoint_origin_check(const char *origin, size_t len);

/* Appends the three-line body (the text that is signed) to out. */
ws_err ws_checkpoint_body(const struct ws_checkpoint *cp, struct ws_buf *out);

/* Appends the signed note for cp, signed once by key through sign(ctx, ...). */
ws_err ws_checkpoint_sign(const struct ws_checkpoint *cp, const struct ws_note_key *key,
    ws_note_sign_cb sign, void *ctx, struct ws_buf *note);

/*
 * Parses a signed checkpoint note strictly (structure of the note and of
 * the body; no signature is verified). note may be NULL; when given it
 * receives the parsed note (borrowing from data).
 */
ws_err ws_checkpoint_parse(const uint8_t *data, size_t len, struct ws_checkpoint *cp,
    struct ws_note *note);

/* Parses and checks that key signed it. *cp is written only on success. */
ws_err ws_checkpoint_verify(const uint8_t *data, size_t len, const struct ws_note_key *key,
    struct ws_checkpoint *cp) __attribute__((warn_unused_result));

#endif /* WS_CHECKPOINT_H */
