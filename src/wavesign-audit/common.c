/*
 * common.c -- wavesign-audit helpers: errors and exit codes, the key, the
 * files, numbers, JSON output, and streaming leaves for proofs.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "ws_buf.h"
#include "ws_cjson.h"
#include "ws_encode.h"
#include "ws_log_reader.h"
#include "ws_logline.h"
#include "audit.h"

int
audit_exit_for(ws_err err)
{
	switch (err) {
	case WS_OK:
		return AUDIT_EXIT_OK;
	case WS_ERR_USAGE:
		return AUDIT_EXIT_USAGE;
	case WS_ERR_SYSTEM:
	case WS_ERR_IO:
	case WS_ERR_NOMEM:
		return AUDIT_EXIT_IO;
	default:
		return AUDIT_EXIT_FAILED;
	}
}

int
audit_fail(const char *what, ws_err err)
{
	fprintf(stderr, "wavesign-audit: %s: %s\n", what, ws_err_message(err));
	return audit_exit_for(err);
}

int
audit_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("wavesign-audit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return AUDIT_EXIT_USAGE;
}

bool
audit_wants_help(int argc, char **argv, const char *help)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(help, stdout);
			return true;
		}
	}
	return false;
}

ws_err
audit_key_load(const char *arg, struct ws_note_key *key)
{
	struct ws_buf b = WS_BUF_INIT(WS_NOTE_VKEY_MAX + 2);
	ws_err r;

	/* An existing file holds the key; anything else is the key string itself. */
	if (access(arg, F_OK) != 0)
		return ws_note_key_parse(arg, strlen(arg), key);
	if ((r = ws_buf_read_file(&b, arg, WS_NOTE_VKEY_MAX + 1)) != WS_OK)
		goto out;
	if (b.len > 0 && b.data[b.len - 1] == '\n')
		b.len--;
	if ((r = ws_note_key_parse((const char *)b.data, b.len, key)) != WS_OK)
		ws_err_prefix("%s", arg);
out:
	ws_buf_free(&b);
	return r;
}

bool
audit_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

const char *
audit_checkpoints_file(const struct audit *a)
{
	if (a->checkpoints_path[0] == '\0')
		return NULL;
	if (!a->checkpoints_explicit && access(a->checkpoints_path, F_OK) != 0)
		return NULL;	/* -d without a checkpoints file: nothing to match */
	return a->checkpoints_path;
}

ws_err
audit_checkpoint_load(const struct audit *a, const char *path, struct ws_buf *note, struct ws_checkpoint *cp)
{
	ws_err r;

	if ((r = ws_buf_read_file(note, path, WS_NOTE_MAX)) != WS_OK) {
		if (r == WS_ERR_LIMIT)
			return ws_err_set(WS_ERR_CHECKPOINT, "%s: larger than %d bytes", path, WS_NOTE_MAX);
		return r;
	}
	r = a->have_key ? ws_checkpoint_verify(note->data, note->len, &a->key, cp) :
	    ws_checkpoint_parse(note->data, note->len, cp, NULL);
	if (r != WS_OK)
		return ws_err_set(r, "%s: %s", path, ws_err_detail());
	if (a->origin != NULL && strcmp(cp->origin, a->origin) != 0)
		return ws_err_set(WS_ERR_CHECKPOINT, "%s: the checkpoint is for origin %s, not %s", path,
		    cp->origin, a->origin);
	return WS_OK;
}

void
audit_hex(const ws_merkle_hash h, char out[2 * WS_MERKLE_HASH_LEN + 1])
{
	ws_hex_encode(h, WS_MERKLE_HASH_LEN, out);
}

ws_err
audit_print_json(const json_t *v)
{
	struct ws_buf b = WS_BUF_INIT((size_t)64 << 20);
	ws_err r;

	if ((r = ws_cjson_encode(v, WS_CJSON_VALID_JSON, &b)) == WS_OK &&
	    (r = ws_buf_put_u8(&b, '\n')) == WS_OK &&
	    fwrite(b.data, 1, b.len, stdout) != b.len)
		r = ws_err_errno("writing to standard output");
	ws_buf_free(&b);
	return r;
}

ws_err
audit_stream_leaves(const char *log_path, uint64_t size, struct ws_merkle_prover *const *provers,
    size_t nprovers, uint64_t keep, struct ws_buf *kept, ws_merkle_hash root)
{
	struct ws_log_reader *rd = NULL;
	struct ws_merkle_tree tree;
	ws_merkle_hash leaf;
	const uint8_t *line;
	size_t len, i;
	ws_err r;

	ws_merkle_tree_init(&tree);
	if ((r = ws_log_reader_open(log_path, &rd)) != WS_OK)
		goto out;
	while (tree.size < size) {
		if ((r = ws_log_reader_next(rd, &line, &len)) != WS_OK && r != WS_ERR_TRUNCATED)
			goto out;
		if (r == WS_ERR_TRUNCATED || line == NULL) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "%s has %llu records, fewer than the %llu the checkpoint covers",
			    log_path, (unsigned long long)tree.size, (unsigned long long)size);
			goto out;
		}
		if (tree.size == keep) {
			ws_buf_reset(kept);
			if ((r = ws_buf_put(kept, line, len)) != WS_OK)
				goto out;
		}
		ws_merkle_leaf_hash(line, len, leaf);
		for (i = 0; i < nprovers; i++)
			ws_merkle_prover_push(provers[i], leaf);
		if ((r = ws_merkle_tree_push(&tree, leaf)) != WS_OK)
			goto out;
	}
	ws_merkle_tree_root(&tree, root);
	r = WS_OK;
out:
	ws_log_reader_free(rd);
	return r;
}
