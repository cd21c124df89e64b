/*
 * fuzz-regd-request.c -- wavesign-regd's registration body parser and the
 * sota.toml built from what it accepts.
 *
 * Properties checked beyond "no crash": whatever parses yields a sota.toml
 * in which every line is a section header, "key = value", "# key is not
 * set" or empty, with no control character anywhere, so that no request
 * can add lines or sections of its own making.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "regd_request.h"
#include "regd_sota.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_line(const char *p, size_t n)
{
	const char *eq;

	if (n == 0)
		return;
	if (p[0] == '[') {
		if (p[n - 1] != ']')
			abort();
		return;
	}
	if (p[0] == '#') {
		if (n < 14 || memcmp(p + n - 11, " is not set", 11) != 0)
			abort();
		return;
	}
	eq = memchr(p, '=', n);
	if (eq == NULL || eq == p || eq[-1] != ' ' || (size_t)(eq - p) + 1 >= n || eq[1] != ' ')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct regd_request req = { 0 };
	struct ws_buf toml = WS_BUF_INIT(1 << 22);
	size_t start = 0;

	if (regd_request_parse(data, size, 1 << 16, &req) != WS_OK)
		goto out;
	if (req.csr == NULL || req.hardware_id == NULL || req.sota_config_dir == NULL)
		abort();
	if (regd_sota_toml("https://gw.example:8443", &req, &toml) != WS_OK)
		abort();
	if (toml.len == 0 || toml.data[toml.len - 1] != '\n')
		abort();
	for (size_t i = 0; i < toml.len; i++) {
		if (toml.data[i] == '\n') {
			check_line((const char *)toml.data + start, i - start);
			start = i + 1;
		} else if (toml.data[i] < 0x20 || toml.data[i] == 0x7f) {
			abort();
		}
	}
out:
	regd_request_free(&req);
	ws_buf_free(&toml);
	return 0;
}
