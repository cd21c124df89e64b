/*
 * cli_out.c -- input files and output directories of the tuf, waves and
 * bundle commands.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ws_buf.h"
#include "ws_file.h"

int
cli_file_load(const char *path, size_t max, struct ws_buf *out)
{
	ws_err r;

	if (strcmp(path, "-") == 0)
		r = ws_buf_read_fd(out, STDIN_FILENO, max);
	else
		r = ws_buf_read_file(out, path, max);
	if (r != WS_OK)
		return cli_fail(CLI_EXIT_LOCAL, path, r);
	return CLI_EXIT_OK;
}

int
cli_file_load_text(const char *path, size_t max, char **out)
{
	struct ws_buf b = WS_BUF_INIT(max + 1);
	const char *s;
	int code;

	*out = NULL;
	if ((code = cli_file_load(path, max, &b)) != CLI_EXIT_OK)
		goto out;
	if (memchr(b.data, '\0', b.len) != NULL) {
		code = cli_fail(CLI_EXIT_LOCAL, path, ws_err_set(WS_ERR_INVALID_ARGUMENT, "a NUL byte in a text file"));
		goto out;
	}
	if (ws_buf_cstr(&b, &s) != WS_OK || (*out = strdup(s)) == NULL)
		code = cli_fail(CLI_EXIT_LOCAL, path, ws_err_set(WS_ERR_NOMEM, "reading"));
out:
	ws_buf_free(&b);
	return code;
}

/* A member name that is a plain file name. */
static bool
plain_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int
cli_files_write(const char *dir, const json_t *files, bool print)
{
	char path[PATH_MAX];
	const char *name;
	json_t *v;
	ws_err r;

	if ((r = ws_file_mkdirs(dir, 0755)) != WS_OK)
		return cli_fail(CLI_EXIT_LOCAL, dir, r);
	json_object_foreach((json_t *)files, name, v) {
		if (!plain_name(name) || !json_is_string(v))
			return cli_fail(CLI_EXIT_DAEMON, name, ws_err_set(WS_ERR_REQUEST, "the answer names a file "
			    "that is not a plain file name, or holds no text"));
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
			return cli_fail(CLI_EXIT_LOCAL, dir, ws_err_set(WS_ERR_LIMIT, "path too long"));
		if ((r = ws_file_write_atomic(path, json_string_value(v), json_string_length(v), 0644)) != WS_OK)
			return cli_fail(CLI_EXIT_LOCAL, path, r);
		if (print)
			printf("wrote %s\n", path);
	}
	return CLI_EXIT_OK;
}

int
cli_json_write(const char *path, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	ws_err r;

	if (s == NULL)
		return cli_fail(CLI_EXIT_LOCAL, path, ws_err_set(WS_ERR_NOMEM, "encoding"));
	r = strcmp(path, "-") == 0 ? (puts(s) < 0 ? ws_err_errno("stdout") : WS_OK) :
	    ws_file_write_atomic(path, s, strlen(s), 0644);
	free(s);
	return r == WS_OK ? CLI_EXIT_OK : cli_fail(CLI_EXIT_LOCAL, path, r);
}

int
cli_expires_opt(json_t *args, const char *days, const char *at, const char *usage)
{
	char *end;
	long n;

	if (days != NULL && at != NULL)
		return cli_usage_error(usage, "give --expires-days or --expires-at, not both");
	if (days != NULL) {
		errno = 0;
		n = strtol(days, &end, 10);
		if (*days == '\0' || *end != '\0' || errno != 0 || n < 1 || n > 36500)
			return cli_usage_error(usage, "--expires-days takes 1 to 36500 days, not '%s'", days);
		json_object_set_new(args, "expires_days", json_integer(n));
	}
	if (at != NULL)
		json_object_set_new(args, "expires_at", json_string(at));
	return CLI_EXIT_OK;
}

int
cli_parse_int(const char *what, const char *s, long long min, long long max, long long *out, const char *usage)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
		return cli_usage_error(usage, "%s takes a number from %lld to %lld, not '%s'", what, min, max, s);
	*out = n;
	return CLI_EXIT_OK;
}
