/*
 * fuzz-logline.c -- log record lines.
 *
 * Properties beyond "no crash":
 *  - the one-pass scanner (ws_logline_canonical) accepts exactly what its
 *    definition accepts: jansson parse + canonical re-encode giving back
 *    the same bytes (ws_logline_parse);
 *  - a line ws_logline_scan accepts is canonical;
 *  - the input, split at '\n', goes through the log verifier like a log.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ws_log_verify.h"
#include "ws_logline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_log_verifier *v = NULL;
	struct ws_logline l;
	const uint8_t *p, *nl, *end = data + size;
	json_t *tree = NULL;
	ws_err fast, slow;

	if (size > WS_LOG_LINE_MAX)
		return 0;
	fast = ws_logline_canonical(data, size);
	slow = ws_logline_parse(data, size, &tree);
	json_decref(tree);
	if ((fast == WS_OK) != (slow == WS_OK))
		abort();
	if (ws_logline_scan(data, size, &l) == WS_OK && fast != WS_OK)
		abort();
	if (ws_log_verifier_new(NULL, &v) != WS_OK)
		abort();
	for (p = data; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (ws_log_verifier_line(v, p, (size_t)(nl - p)) != WS_OK)
			break;
	}
	if (ws_log_verifier_finish(v) == WS_OK && ws_log_verifier_size(v) == 0)
		abort();	/* an empty log never verifies */
	ws_log_verifier_free(v);
	return 0;
}
