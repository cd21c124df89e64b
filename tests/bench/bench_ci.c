/*
 * bench_ci.c -- the library's own scan of a CI targets file with nothing
 * selected (ws_ci_targets_validate): the lower bound of what `waves init`
 * does with the file, beside yajl's no-op streaming parse (json_verify).
 */
#include "config.h"

#include "bench.h"
#include "ws_buf.h"
#include "ws_ci_targets.h"

void
bench_ci_validate(const char *path)
{
	struct ws_buf file = WS_BUF_INIT(WS_CI_TARGETS_INPUT_MAX);
	size_t n = 0;
	ws_err r;

	if ((r = ws_buf_read_file(&file, path, WS_CI_TARGETS_INPUT_MAX)) != WS_OK)
		bench_die_ws(path, r);
	if ((r = ws_ci_targets_validate(file.data, file.len, &n)) != WS_OK)
		bench_die_ws(path, r);
	bench_result("ci.targets", "%zu", n);
	ws_buf_free(&file);
}
