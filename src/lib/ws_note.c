/*
 * ws_note.c -- C2SP signed notes with Ed25519 keys (see ws_note.h).
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "ws_encode.h"
#include "ws_note.h"
#include "ws_sha256.h"

#define NOTE_DASH "\xe2\x80\x94 "	/* U+2014 EM DASH and a space */
#define NOTE_DASH_LEN 4
#define NOTE_ALG_ED25519 0x01
/* A signature line's decoded bytes: key hash plus the largest signature we read. */
#define NOTE_SIG_BYTES_MAX (WS_NOTE_KEY_HASH_LEN + WS_NOTE_MAX)

static ws_err
key_name_check(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > WS_NOTE_NAME_MAX)
		return ws_err_set(WS_ERR_CHECKPOINT, "key name must be 1 to %d characters, got %zu",
		    WS_NOTE_NAME_MAX, len);
	for (i = 0; i < len; i++)
		if (name[i] <= 0x20 || name[i] >= 0x7f || name[i] == '+')
			return ws_err_set(WS_ERR_CHECKPOINT,
			    "key name has byte 0x%02x at %zu (printable ASCII without '+' or space only)",
			    (unsigned char)name[i], i);
	return WS_OK;
}

static void
key_hash(const char *name, size_t len, const uint8_t pub[WS_ED25519_PUBLIC_LEN],
    uint8_t out[WS_NOTE_KEY_HASH_LEN])
{
	uint8_t msg[WS_NOTE_NAME_MAX + 2 + WS_ED25519_PUBLIC_LEN];
	uint8_t h[WS_SHA256_LEN];

	memcpy(msg, name, len);
	msg[len] = '\n';
	msg[len + 1] = NOTE_ALG_ED25519;
	memcpy(msg + len + 2, pub, WS_ED25519_PUBLIC_LEN);
	ws_sha256(msg, len + 2 + WS_ED25519_PUBLIC_LEN, h);
	memcpy(out, h, WS_NOTE_KEY_HASH_LEN);
}

ws_err
ws_note_key_init(struct ws_note_key *key, const char *name, const uint8_t pub[WS_ED25519_PUBLIC_LEN])
{
	size_t len = strlen(name);
	ws_err r;

	if ((r = key_name_check(name, len)) != WS_OK)
		return r;
	memcpy(key->name, name, len + 1);
	memcpy(key->pub, pub, WS_ED25519_PUBLIC_LEN);
	key_hash(name, len, pub, key->hash);
	return WS_OK;
}

ws_err
ws_note_key_parse(const char *vkey, size_t len, struct ws_note_key *key)
{
	const char *end = vkey + len, *plus1, *plus2;
	uint8_t hash[WS_NOTE_KEY_HASH_LEN], raw[1 + WS_ED25519_PUBLIC_LEN];
	struct ws_note_key k;
	size_t raw_len, name_len;
	ws_err r;

	if ((plus1 = memchr(vkey, '+', len)) == NULL ||
	    (plus2 = memchr(plus1 + 1, '+', (size_t)(end - plus1 - 1))) == NULL)
		return ws_err_set(WS_ERR_CHECKPOINT, "verifier key is not <name>+<key hash>+<key>");
	name_len = (size_t)(plus1 - vkey);
	if ((r = key_name_check(vkey, name_len)) != WS_OK)
		return ws_err_set(r, "verifier key: %s", ws_err_detail());
	if (ws_hex_decode(plus1 + 1, (size_t)(plus2 - plus1 - 1), hash, sizeof(hash)) != WS_OK)
		return ws_err_set(WS_ERR_CHECKPOINT, "verifier key: key hash is not 8 lower-case hex digits");
	if (ws_base64_decode(plus2 + 1, (size_t)(end - plus2 - 1), raw, sizeof(raw), &raw_len) != WS_OK ||
	    raw_len != sizeof(raw))
		return ws_err_set(WS_ERR_CHECKPOINT, "verifier key: key is not base64 of 33 bytes");
	if (raw[0] != NOTE_ALG_ED25519)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "verifier key: algorithm 0x%02x is not Ed25519 (0x01)", raw[0]);
	memcpy(k.name, vkey, name_len);
	k.name[name_len] = '\0';
	memcpy(k.pub, raw + 1, WS_ED25519_PUBLIC_LEN);
	key_hash(k.name, name_len, k.pub, k.hash);
	if (memcmp(k.hash, hash, sizeof(hash)) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "verifier key: key hash does not match the name and key");
	*key = k;
	return WS_OK;
}

ws_err
ws_note_key_format(const struct ws_note_key *key, struct ws_buf *out)
{
	uint8_t raw[1 + WS_ED25519_PUBLIC_LEN];
	char hex[2 * WS_NOTE_KEY_HASH_LEN + 1];
	size_t start = out->len;
	ws_err r;

	raw[0] = NOTE_ALG_ED25519;
	memcpy(raw + 1, key->pub, WS_ED25519_PUBLIC_LEN);
	ws_hex_encode(key->hash, sizeof(key->hash), hex);
	if ((r = ws_buf_printf(out, "%s+%s+", key->name, hex)) != WS_OK ||
	    (r = ws_base64_encode(raw, sizeof(raw), out)) != WS_OK)
		out->len = start;
	return r;
}

/* The text: non-empty, ends in '\n', UTF-8 without controls other than '\n'. */
static ws_err
text_check(const uint8_t *t, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	if (len == 0 || t[len - 1] != '\n')
		return ws_err_set(WS_ERR_CHECKPOINT, "note text is empty or does not end in a newline");
	while (i < len) {
		uint8_t c = t[i];

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				return ws_err_set(WS_ERR_CHECKPOINT,
				    "note text has control character 0x%02x at byte %zu", c, i);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			cp = c & 0x07;
		} else {
			goto bad;
		}
		if (len - i < n)
			goto bad;
		for (k = 1; k < n; k++) {
			if ((t[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (t[i + k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		i += n;
	}
	return WS_OK;
bad:
	return ws_err_set(WS_ERR_CHECKPOINT, "note text is not valid UTF-8 at byte %zu", i);
}

ws_err
ws_note_sign(const uint8_t *text, size_t len, const struct ws_note_key *key,
    ws_note_sign_cb sign, void *ctx, struct ws_buf *out)
{
	uint8_t blob[WS_NOTE_KEY_HASH_LEN + WS_ED25519_SIG_LEN];
	size_t start = out->len;
	ws_err r;

	if ((r = text_check(text, len)) != WS_OK)
		return r;
	memcpy(blob, key->hash, WS_NOTE_KEY_HASH_LEN);
	if ((r = sign(ctx, text, len, blob + WS_NOTE_KEY_HASH_LEN)) != WS_OK)
		goto out;
	if ((r = ws_buf_put(out, text, len)) != WS_OK ||
	    (r = ws_buf_put_str(out, "\n" NOTE_DASH)) != WS_OK ||
	    (r = ws_buf_printf(out, "%s ", key->name)) != WS_OK ||
	    (r = ws_base64_encode(blob, sizeof(blob), out)) != WS_OK ||
	    (r = ws_buf_put_u8(out, '\n')) != WS_OK)
		goto out;
	if (out->len - start > WS_NOTE_MAX)
		r = ws_err_set(WS_ERR_LIMIT, "signed note would be %zu bytes, at most %d",
		    out->len - start, WS_NOTE_MAX);
out:
	if (r != WS_OK)
		out->len = start;
	return r;
}

/* Parses one "— name base64" line at line[0..len) (len excludes the '\n'). */
static ws_err
sig_line_parse(const uint8_t *line, size_t len, size_t lineno, struct ws_note_sig *sig)
{
	uint8_t blob[NOTE_SIG_BYTES_MAX];
	const uint8_t *sp, *end = line + len;
	size_t name_len, blob_len;

	if (len < NOTE_DASH_LEN || memcmp(line, NOTE_DASH, NOTE_DASH_LEN) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "note line %zu is not a signature line (\xe2\x80\x94 <key name> <base64>)", lineno);
	line += NOTE_DASH_LEN;
	if ((sp = memchr(line, ' ', (size_t)(end - line))) == NULL)
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "note line %zu: no space between the key name and the signature", lineno);
	name_len = (size_t)(sp - line);
	if (key_name_check((const char *)line, name_len) != WS_OK)
		return ws_err_set(WS_ERR_CHECKPOINT, "note line %zu: %s", lineno, ws_err_detail());
	if (ws_base64_decode((const char *)sp + 1, (size_t)(end - sp - 1), blob, sizeof(blob),
	    &blob_len) != WS_OK)
		return ws_err_set(WS_ERR_CHECKPOINT, "note line %zu: signature is not canonical base64: %s",
		    lineno, ws_err_detail());
	if (blob_len <= WS_NOTE_KEY_HASH_LEN)
		return ws_err_set(WS_ERR_CHECKPOINT, "note line %zu: signature has only %zu bytes",
		    lineno, blob_len);
	memcpy(sig->name, line, name_len);
	sig->name[name_len] = '\0';
	memcpy(sig->hash, blob, WS_NOTE_KEY_HASH_LEN);
	sig->sig_len = blob_len - WS_NOTE_KEY_HASH_LEN;
	memset(sig->sig, 0, sizeof(sig->sig));
	if (sig->sig_len == WS_ED25519_SIG_LEN)
		memcpy(sig->sig, blob + WS_NOTE_KEY_HASH_LEN, WS_ED25519_SIG_LEN);
	return WS_OK;
}

ws_err
ws_note_parse(const uint8_t *data, size_t len, struct ws_note *note)
{
	const uint8_t *p, *nl, *end = data + len;
	size_t split, lineno, text_lines = 0, i;
	struct ws_note n;
	ws_err r;

	if (len > WS_NOTE_MAX)
		return ws_err_set(WS_ERR_CHECKPOINT, "note is %zu bytes, at most %d allowed", len, WS_NOTE_MAX);
	if (len == 0 || data[len - 1] != '\n')
		return ws_err_set(WS_ERR_CHECKPOINT, "note is empty or does not end in a newline");
	/* The signatures start after the last empty line. */
	for (split = len - 1; split > 0; split--)
		if (data[split] == '\n' && data[split - 1] == '\n')
			break;
	if (split == 0)
		return ws_err_set(WS_ERR_CHECKPOINT, "note has no empty line before its signatures");
	n.text = data;
	n.text_len = split;	/* up to and including the text's last '\n' */
	if ((r = text_check(n.text, n.text_len)) != WS_OK)
		return r;
	for (i = 0; i < n.text_len; i++)
		text_lines += data[i] == '\n';
	n.nsigs = 0;
	lineno = text_lines + 2;
	for (p = data + split + 1; p < end; p = nl + 1, lineno++) {
		nl = memchr(p, '\n', (size_t)(end - p));	/* found: data ends in '\n' */
		if (n.nsigs == WS_NOTE_SIGS_MAX)
			return ws_err_set(WS_ERR_CHECKPOINT, "note has more than %d signatures", WS_NOTE_SIGS_MAX);
		if ((r = sig_line_parse(p, (size_t)(nl - p), lineno, &n.sigs[n.nsigs])) != WS_OK)
			return r;
		n.nsigs++;
	}
	if (n.nsigs == 0)
		return ws_err_set(WS_ERR_CHECKPOINT, "note has no signature");
	*note = n;
	return WS_OK;
}

ws_err
ws_ed25519_verify(const uint8_t pub[WS_ED25519_PUBLIC_LEN], const uint8_t *msg, size_t len,
    const uint8_t sig[WS_ED25519_SIG_LEN])
{
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	ws_err r;

	if ((pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, WS_ED25519_PUBLIC_LEN)) == NULL) {
		r = ws_err_crypto(WS_ERR_CHECKPOINT, "Ed25519 public key");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL) {
		r = ws_err_crypto(WS_ERR_NOMEM, "EVP_MD_CTX_new");
		goto out;
	}
	if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) != 1) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "EVP_DigestVerifyInit");
		goto out;
	}
	if (EVP_DigestVerify(md, sig, WS_ED25519_SIG_LEN, msg, len) != 1) {
		ERR_clear_error();
		r = ws_err_set(WS_ERR_CHECKPOINT, "Ed25519 signature does not verify");
		goto out;
	}
	r = WS_OK;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return r;
}

ws_err
ws_note_verify(const struct ws_note *note, const struct ws_note_key *key)
{
	char want[2 * WS_NOTE_KEY_HASH_LEN + 1], got[2 * WS_NOTE_KEY_HASH_LEN + 1];
	const struct ws_note_sig *same_name = NULL;
	size_t i;

	ws_hex_encode(key->hash, sizeof(key->hash), want);
	for (i = 0; i < note->nsigs; i++) {
		const struct ws_note_sig *s = &note->sigs[i];

		if (strcmp(s->name, key->name) != 0)
			continue;
		if (memcmp(s->hash, key->hash, WS_NOTE_KEY_HASH_LEN) != 0) {
			same_name = s;
			continue;
		}
		if (s->sig_len != WS_ED25519_SIG_LEN)
			return ws_err_set(WS_ERR_CHECKPOINT,
			    "signature by %s+%s has %zu bytes, not an Ed25519 signature",
			    key->name, want, s->sig_len);
		if (ws_ed25519_verify(key->pub, note->text, note->text_len, s->sig) != WS_OK)
			return ws_err_set(WS_ERR_CHECKPOINT, "signature by %s+%s does not verify",
			    key->name, want);
		return WS_OK;
	}
	if (same_name != NULL) {
		ws_hex_encode(same_name->hash, sizeof(same_name->hash), got);
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "signed by a different key named %s (key hash %s, expected %s)", key->name, got, want);
	}
	return ws_err_set(WS_ERR_CHECKPOINT, "no signature by %s+%s (signed by %s%s)", key->name, want,
	    note->sigs[0].name, note->nsigs > 1 ? " and others" : "");
}
