/*
 * regd_auth.c -- the registration token: loading and constant-time checking.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "regd_auth.h"
#include "ws_buf.h"

struct regd_token {
	unsigned char digest[32];	/* SHA-256 of the token; the token itself is not kept */
};

static bool
sha256(const void *data, size_t len, unsigned char md[32])
{
	unsigned int mdlen = 0;

	return EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32;
}

void
regd_token_free(struct regd_token *tok)
{
	if (tok == NULL)
		return;
	OPENSSL_cleanse(tok, sizeof(*tok));
	free(tok);
}

/* Checks the open file: regular, ours, nothing for group or others. */
static ws_err
token_file_check(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return ws_err_errno("%s", path);
	if (!S_ISREG(st.st_mode))
		return ws_err_set(WS_ERR_INSECURE_FILE, "%s: the token file is not a regular file", path);
	if (st.st_uid != geteuid())
		return ws_err_set(WS_ERR_INSECURE_FILE, "%s: the token file is owned by uid %u, not by "
		    "wavesign-regd's user (uid %u)", path, (unsigned)st.st_uid, (unsigned)geteuid());
	if ((st.st_mode & 077) != 0)
		return ws_err_set(WS_ERR_INSECURE_FILE, "%s: the token file has mode %04o; make it 0600",
		    path, (unsigned)(st.st_mode & 07777));
	return WS_OK;
}

ws_err
regd_token_load(const char *path, struct regd_token **out)
{
	struct ws_buf b = WS_BUF_INIT(REGD_TOKEN_MAX + 2);
	struct regd_token *tok = NULL;
	size_t len;
	int fd = -1;
	ws_err r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		r = errno == ELOOP ? ws_err_set(WS_ERR_INSECURE_FILE, "%s: the token file is a symbolic link", path)
		    : ws_err_errno("%s", path);
		goto out;
	}
	if ((r = token_file_check(fd, path)) != WS_OK)
		goto out;
	if ((r = ws_buf_read_fd(&b, fd, REGD_TOKEN_MAX + 1)) != WS_OK) {
		if (r == WS_ERR_LIMIT)
			r = ws_err_set(WS_ERR_CONFIG, "%s: the token is longer than %d characters", path,
			    REGD_TOKEN_MAX);
		goto out;
	}
	len = b.len;
	if (len > 0 && b.data[len - 1] == '\n')
		len--;
	if (len < REGD_TOKEN_MIN || len > REGD_TOKEN_MAX) {
		r = ws_err_set(WS_ERR_CONFIG, "%s: the token must have %d to %d characters", path,
		    REGD_TOKEN_MIN, REGD_TOKEN_MAX);
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		if (b.data[i] <= ' ' || b.data[i] >= 0x7f) {
			r = ws_err_set(WS_ERR_CONFIG, "%s: the token must be one line of printable ASCII "
			    "without spaces", path);
			goto out;
		}
	}
	if ((tok = calloc(1, sizeof(*tok))) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "token");
		goto out;
	}
	if (!sha256(b.data, len, tok->digest)) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "SHA-256 of the token");
		goto out;
	}
	*out = tok;
	tok = NULL;
	r = WS_OK;
out:
	regd_token_free(tok);
	ws_buf_free(&b);	/* wipes the token text */
	if (fd >= 0)
		close(fd);
	return r;
}

bool
regd_token_check(const struct regd_token *tok, const char *header_value, const char *authorization)
{
	unsigned char md[32];
	const char *given = header_value;
	bool ok;

	if (given == NULL && authorization != NULL && strncasecmp(authorization, "Bearer ", 7) == 0) {
		given = authorization + 7;
		while (*given == ' ')
			given++;
	}
	if (given == NULL || !sha256(given, strlen(given), md))
		return false;
	ok = CRYPTO_memcmp(md, tok->digest, sizeof(md)) == 0;
	OPENSSL_cleanse(md, sizeof(md));
	return ok;
}
