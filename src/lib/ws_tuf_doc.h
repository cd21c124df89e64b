/*
 * ws_tuf_doc.h -- one TUF metadata file: parse, sign, add signatures.
 *
 * A document is the envelope {"signatures":[...],"signed":{...}}. The
 * signatures cover the canonical JSON of `signed` (COMPAT.md §3): keys
 * sorted by byte, no whitespace, integers only, only '"' and '\' escaped
 * (tuf dialect; the foundries dialect below).
 *
 *   foundries  signature {"keyid","method","sig"}, sig base64, method
 *              "ed25519" or "rsassa-pss-sha256". aktualizr verifies over
 *              jsoncpp's compact sorted re-serialisation of `signed`, so
 *              that is what is signed: the canonical bytes whenever every
 *              string is printable ASCII, and with a PEM key's newlines
 *              escaped as \n (an RSA root). Every string must be printable
 *              ASCII, newline allowed (else WS_ERR_JSON_NOT_ASCII: jsoncpp
 *              would \u-escape it and the signature would not verify).
 *              The file is the same form of the envelope: file bytes =
 *              signed bytes.
 *   tuf        signature {"keyid","sig"}, sig hex; `spec_version` "1.x";
 *              the file is compact sorted valid JSON (control characters,
 *              e.g. the newlines of a PEM key, escaped).
 *
 * Header rules checked by both ws_tuf_doc_parse() and ws_tuf_doc_sign():
 * `_type` exactly the dialect's name of the role ("Root" / "root", ...;
 * WS_ERR_TUF), `version` an integer >= 1 (WS_ERR_TUF_VERSION), `expires`
 * exactly YYYY-MM-DDTHH:MM:SSZ (WS_ERR_TUF_EXPIRES), in the tuf dialect
 * `spec_version` a string "1.<minor>[.<patch>]" (WS_ERR_TUF). Whether the
 * document has expired is ws_tuf_doc_check_expiry()'s business, so that
 * a verifier can say "expired" apart from "malformed".
 *
 * Documents are immutable once made except through
 * ws_tuf_doc_add_signatures(), which changes one only on success.
 */
#ifndef WS_TUF_DOC_H
#define WS_TUF_DOC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "ws_buf.h"
#include "ws_err.h"
#include "ws_tuf.h"
#include "ws_tuf_key.h"

#define WS_TUF_SIG_MAX 1024	/* largest signature accepted (RSA-8192) */

/*
 * Signs msg (the canonical bytes of `signed`) with key, as the daemon does
 * in the token: ws_key_sign(session, key->user, key->alg, msg, len, sig,
 * sig_len). On entry *sig_len is the capacity of sig (WS_TUF_SIG_MAX); on
 * success it is the signature's length. Signature forms: see ws_tuf_key.h.
 * Any error returned is passed up unchanged.
 */
typedef ws_err (*ws_tuf_sign_cb)(void *ctx, const struct ws_tuf_key *key, const uint8_t *msg,
    size_t len, uint8_t *sig, size_t *sig_len);

/* Who signs: keys (borrowed, distinct keyids, the document's dialect) and the callback. */
struct ws_tuf_signer {
	struct ws_tuf_key *const *keys;
	size_t nkeys;
	ws_tuf_sign_cb sign;
	void *ctx;
};

struct ws_tuf_doc {
	enum ws_tuf_dialect dialect;
	enum ws_tuf_role role;
	int64_t version;
	time_t expires;
	json_t *envelope;	/* {"signatures":[...],"signed":{...}} (owned reference) */
	json_t *body;		/* envelope's "signed" (borrowed from envelope) */
	uint8_t *canonical;	/* the signed bytes of body: what the signatures cover (owned) */
	size_t canonical_len;
	uint8_t *file;		/* the file's bytes, exactly as read or as to be written (owned) */
	size_t file_len;
	uint8_t sha256[32];	/* SHA-256 of file: what snapshot/timestamp meta records */
	size_t nsigs;		/* entries in envelope's "signatures" */
};

/*
 * Parses one metadata file strictly (ws_json_parse(): duplicate members,
 * floats, bad UTF-8 and deep nesting refused) and checks the envelope,
 * the header rules above and each signature's form: an object with exactly
 * the dialect's members, keyid 64 lower-case hex, sig hex (tuf) or base64
 * (foundries), a known method (foundries). A keyid present twice is
 * refused (WS_ERR_TUF_SIGNATURE). Signatures are NOT verified here (see
 * ws_tuf_root_verify_doc()). data is copied; on success *out is the
 * caller's (ws_tuf_doc_free()).
 * Errors: WS_ERR_LIMIT (len > WS_TUF_FILE_MAX or more than WS_TUF_KEYS_MAX
 * signatures), WS_ERR_JSON_*, WS_ERR_TUF, WS_ERR_TUF_VERSION,
 * WS_ERR_TUF_EXPIRES, WS_ERR_TUF_SIGNATURE, WS_ERR_JSON_NOT_ASCII
 * (foundries), WS_ERR_NOMEM.
 */
ws_err ws_tuf_doc_parse(enum ws_tuf_dialect dialect, enum ws_tuf_role role,
    const uint8_t *data, size_t len, struct ws_tuf_doc **out);

/*
 * Makes a signed document from body (the `signed` object; deep-copied):
 * checks the header rules, computes the canonical bytes, asks signer->sign
 * for one signature per key, checks each signature with the key before
 * accepting it (a token that signs with the wrong key or scheme is caught
 * here: WS_ERR_TUF_SIGNATURE), and encodes the file. No policy checks
 * (versions, expiry window, role/key binding): the role builders in
 * ws_tuf_root.h and ws_tuf_roles.h do those and call this. signer may be
 * NULL or have no keys: the document then has no signatures.
 * Errors: as ws_tuf_doc_parse(), WS_ERR_INVALID_ARGUMENT (a key of another
 * dialect, a keyid given twice), and whatever the callback returns.
 */
ws_err ws_tuf_doc_sign(enum ws_tuf_dialect dialect, enum ws_tuf_role role, const json_t *body,
    const struct ws_tuf_signer *signer, struct ws_tuf_doc **out);

/*
 * Adds one signature per signer key to doc (multi-key thresholds: another
 * officer's key, a second targets key) and re-encodes its file. A keyid
 * that already signed doc is refused with WS_ERR_EXISTS. On failure doc
 * is unchanged. Errors: as ws_tuf_doc_sign().
 */
ws_err ws_tuf_doc_add_signatures(struct ws_tuf_doc *doc, const struct ws_tuf_signer *signer);

/*
 * The i-th signature of doc (i < doc->nsigs): its keyid (borrowed from
 * doc), its raw bytes decoded into sig (WS_TUF_SIG_MAX bytes) and, in the
 * foundries dialect, its method (borrowed; NULL in the tuf dialect).
 */
ws_err ws_tuf_doc_signature(const struct ws_tuf_doc *doc, size_t i, const char **keyid,
    const char **method, uint8_t *sig, size_t *sig_len);

/* WS_ERR_TUF_EXPIRES ("<role> expired at ...") when now >= doc->expires. */
ws_err ws_tuf_doc_check_expiry(const struct ws_tuf_doc *doc, time_t now);

/*
 * The file bytes of an envelope in a dialect (what ws_tuf_doc_sign()
 * writes), appended to out. For tools that assemble an envelope by hand.
 */
ws_err ws_tuf_doc_encode(enum ws_tuf_dialect dialect, const json_t *envelope, struct ws_buf *out);

/* Frees doc (NULL is fine). */
void ws_tuf_doc_free(struct ws_tuf_doc *doc);

#endif /* WS_TUF_DOC_H */
