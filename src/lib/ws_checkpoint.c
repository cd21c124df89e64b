/*
 * ws_checkpoint.c -- C2SP checkpoints (see ws_checkpoint.h).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "ws_checkpoint.h"
#include "ws_encode.h"

ws_err
ws_checkpoint_origin_check(const char *origin, size_t len)
{
	size_t i;

	if (len == 0 || len > WS_CHECKPOINT_ORIGIN_MAX)
		return ws_err_set(WS_ERR_CHECKPOINT, "origin must be 1 to %d characters, got %zu",
		    WS_CHECKPOINT_ORIGIN_MAX, len);
	for (i = 0; i < len; i++)
		if (origin[i] <= 0x20 || origin[i] >= 0x7f)
			return ws_err_set(WS_ERR_CHECKPOINT,
			    "origin has byte 0x%02x at %zu (printable ASCII without spaces only)",
			    (unsigned char)origin[i], i);
	return WS_OK;
}

ws_err
ws_checkpoint_body(const struct ws_checkpoint *cp, struct ws_buf *out)
{
	size_t start = out->len;
	ws_err r;

	if ((r = ws_checkpoint_origin_check(cp->origin, strlen(cp->origin))) != WS_OK)
		return r;
	if ((r = ws_buf_printf(out, "%s\n%" PRIu64 "\n", cp->origin, cp->size)) != WS_OK ||
	    (r = ws_base64_encode(cp->root, sizeof(cp->root), out)) != WS_OK ||
	    (r = ws_buf_put_u8(out, '\n')) != WS_OK)
		out->len = start;
	return r;
}

ws_err
ws_checkpoint_sign(const struct ws_checkpoint *cp, const struct ws_note_key *key,
    ws_note_sign_cb sign, void *ctx, struct ws_buf *note)
{
	struct ws_buf body = WS_BUF_INIT(WS_NOTE_MAX);
	ws_err r;

	if ((r = ws_checkpoint_body(cp, &body)) != WS_OK)
		goto out;
	r = ws_note_sign(body.data, body.len, key, sign, ctx, note);
out:
	ws_buf_free(&body);
	return r;
}

/* A tree size: decimal digits without leading zeros, at most 2^64 - 1. */
static ws_err
size_parse(const uint8_t *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || (len > 1 && s[0] == '0'))
		goto bad;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return WS_OK;
bad:
	return ws_err_set(WS_ERR_CHECKPOINT,
	    "checkpoint line 2: tree size is not a decimal number without leading zeros");
}

ws_err
ws_checkpoint_parse(const uint8_t *data, size_t len, struct ws_checkpoint *cp, struct ws_note *note)
{
	const uint8_t *line[3], *p, *nl, *end;
	size_t line_len[3], nlines = 0, root_len;
	struct ws_checkpoint c;
	struct ws_note n;
	ws_err r;

	if ((r = ws_note_parse(data, len, &n)) != WS_OK)
		return r;
	end = n.text + n.text_len;
	for (p = n.text; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));	/* the text ends in '\n' */
		if (nlines == 3)
			return ws_err_set(WS_ERR_CHECKPOINT,
			    "checkpoint has more than 3 lines (extension lines are not accepted)");
		line[nlines] = p;
		line_len[nlines++] = (size_t)(nl - p);
	}
	if (nlines != 3)
		return ws_err_set(WS_ERR_CHECKPOINT, "checkpoint has %zu lines, expected 3 (origin, size, root)",
		    nlines);
	if ((r = ws_checkpoint_origin_check((const char *)line[0], line_len[0])) != WS_OK)
		return ws_err_set(r, "checkpoint line 1: %s", ws_err_detail());
	memcpy(c.origin, line[0], line_len[0]);
	c.origin[line_len[0]] = '\0';
	if ((r = size_parse(line[1], line_len[1], &c.size)) != WS_OK)
		return r;
	if (ws_base64_decode((const char *)line[2], line_len[2], c.root, sizeof(c.root), &root_len) != WS_OK ||
	    root_len != sizeof(c.root))
		return ws_err_set(WS_ERR_CHECKPOINT,
		    "checkpoint line 3: root hash is not canonical base64 of 32 bytes");
	*cp = c;
	if (note != NULL)
		*note = n;
	return WS_OK;
}

ws_err
ws_checkpoint_verify(const uint8_t *data, size_t len, const struct ws_note_key *key,
    struct ws_checkpoint *cp)
{
	struct ws_checkpoint c;
	struct ws_note n;
	ws_err r;

	if ((r = ws_checkpoint_parse(data, len, &c, &n)) != WS_OK)
		return r;
	if ((r = ws_note_verify(&n, key)) != WS_OK)
		return r;
	*cp = c;
	return WS_OK;
}
