/*
 * fuzz-checkpoint.c -- signed checkpoint notes and verifier keys.
 *
 * Properties beyond "no crash": a note that parses re-formats (body) to
 * exactly its text (so one checkpoint has one spelling); verifying it
 * against an all-zero key named like its first signer runs the Ed25519
 * path on hostile bytes; and a verifier key string that parses formats back to
 * the same bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ws_checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_buf body = WS_BUF_INIT(WS_NOTE_MAX), vkey = WS_BUF_INIT(WS_NOTE_VKEY_MAX + 1);
	static const uint8_t pub[WS_ED25519_PUBLIC_LEN] = { 0 };
	struct ws_checkpoint cp;
	struct ws_note_key key;
	struct ws_note note;
	ws_err verified;

	if (ws_checkpoint_parse(data, size, &cp, &note) == WS_OK) {
		if (ws_checkpoint_body(&cp, &body) != WS_OK || body.len != note.text_len ||
		    memcmp(body.data, note.text, body.len) != 0)
			abort();
		if (ws_note_key_init(&key, note.sigs[0].name, pub) != WS_OK)
			abort();
		verified = ws_note_verify(&note, &key);
		(void)verified;
	}
	if (ws_note_key_parse((const char *)data, size, &key) == WS_OK) {
		if (ws_note_key_format(&key, &vkey) != WS_OK || vkey.len != size ||
		    memcmp(vkey.data, data, size) != 0)
			abort();
	}
	ws_buf_free(&body);
	ws_buf_free(&vkey);
	return 0;
}
