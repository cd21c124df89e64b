/*
 * cli_files.c -- the local files the certificate commands read and write.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ws_buf.h"
#include "ws_file.h"
#include "ws_pem.h"

int
cli_read_file(const char *path, size_t max, struct ws_buf *out)
{
	ws_err r;

	if (strcmp(path, "-") == 0)
		r = ws_buf_read_fd(out, STDIN_FILENO, max);
	else
		r = ws_buf_read_file(out, path, max);
	if (r != WS_OK)
		return cli_fail(CLI_EXIT_LOCAL, strcmp(path, "-") == 0 ? "standard input" : path, r);
	return CLI_EXIT_OK;
}

int
cli_read_csr(const char *path, char **out)
{
	struct ws_buf in = WS_BUF_INIT(CLI_CSR_MAX), pem = WS_BUF_INIT(2 * CLI_CSR_MAX);
	const char *s = NULL;
	int code;
	ws_err r;

	*out = NULL;
	if ((code = cli_read_file(path, CLI_CSR_MAX, &in)) != CLI_EXIT_OK)
		goto out;
	/* PEM goes as it is (the daemon judges it); anything else is taken for DER. */
	if (ws_pem_looks_like(in.data, in.len)) {
		r = ws_buf_cstr(&in, &s);
		if (r == WS_OK && strlen(s) != in.len)
			r = ws_err_set(WS_ERR_CSR_MALFORMED, "a NUL byte in PEM text");
	} else {
		r = ws_pem_encode(&pem, "CERTIFICATE REQUEST", in.data, in.len);
		if (r == WS_OK)
			r = ws_buf_cstr(&pem, &s);
	}
	if (r == WS_OK && (*out = strdup(s)) == NULL)
		r = ws_err_set(WS_ERR_NOMEM, "%s", path);
	code = r == WS_OK ? CLI_EXIT_OK : cli_fail(CLI_EXIT_LOCAL, path, r);
out:
	ws_buf_free(&in);
	ws_buf_free(&pem);
	return code;
}

int
cli_make_dir(const char *dir)
{
	ws_err r = ws_file_mkdirs(dir, 0755);

	return r == WS_OK ? CLI_EXIT_OK : cli_fail(CLI_EXIT_LOCAL, dir, r);
}

int
cli_dir_path(const char *dir, const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size)
		return cli_fail(CLI_EXIT_LOCAL, dir, ws_err_set(WS_ERR_INVALID_ARGUMENT, "path too long"));
	return CLI_EXIT_OK;
}

int
cli_write_text(const char *path, const char *text, mode_t mode)
{
	ws_err r = ws_file_write_atomic(path, text, strlen(text), mode);

	return r == WS_OK ? CLI_EXIT_OK : cli_fail(CLI_EXIT_LOCAL, path, r);
}

int
cli_write_new_secret(const char *path, const void *data, size_t len)
{
	char tmp[4200];
	int fd = -1, n;
	ws_err r = WS_OK;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return cli_fail(CLI_EXIT_LOCAL, path, ws_err_set(WS_ERR_INVALID_ARGUMENT, "path too long"));
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return cli_fail(CLI_EXIT_LOCAL, path, ws_err_errno("creating %s", tmp));
	if (fchmod(fd, 0600) < 0)
		r = ws_err_errno("chmod %s", tmp);
	for (size_t off = 0; r == WS_OK && off < len;) {
		ssize_t w = write(fd, (const uint8_t *)data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			r = ws_err_errno("writing %s", tmp);
		else
			off += (size_t)w;
	}
	if (r == WS_OK && fsync(fd) < 0)
		r = ws_err_errno("fsync %s", tmp);
	close(fd);
	/* link() refuses to replace: an existing key is never overwritten. */
	if (r == WS_OK && link(tmp, path) < 0)
		r = errno == EEXIST ? ws_err_set(WS_ERR_EXISTS, "%s exists; remove it or choose another --key-file",
		    path) : ws_err_errno("linking %s to %s", tmp, path);
	unlink(tmp);
	if (r == WS_OK)
		r = ws_file_sync_dir(path);
	return r == WS_OK ? CLI_EXIT_OK : cli_fail(CLI_EXIT_LOCAL, path, r);
}
