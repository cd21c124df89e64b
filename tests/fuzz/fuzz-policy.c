/*
 * fuzz-policy.c -- the policy loader (and under it the strict YAML loader)
 * on arbitrary bytes: every input is refused with a code or loads, never
 * crashes or leaks. A policy that loads is also described and matched, so
 * that the code reading a loaded policy runs over odd but valid ones.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "ws_buf.h"
#include "ws_config.h"
#include "ws_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_policy *p = NULL;
	struct ws_config *cfg = NULL;
	const struct ws_policy_client *c = NULL;
	struct ws_buf out = WS_BUF_INIT(1u << 20);

	if (ws_policy_load_mem("fuzz.yaml", data, size, &p) == WS_OK) {
		(void)ws_policy_describe(p, &out);
		if (ws_policy_match_client(p, 0, 0, &c) == WS_OK) {
			(void)ws_policy_check_op(p, c, "status");
			(void)ws_policy_check_op(p, c, "ca.init");
		}
		(void)ws_policy_cn_ok(&p->certificates.device, "0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b");
		(void)ws_policy_wave_name_ok(p, "beta-42");
		ws_policy_free(p);
	}
	/* The same bytes as a daemon config: the other schema on the same loader. */
	if (ws_config_load_mem("/etc/wavesign/fuzz.conf", data, size, &cfg) == WS_OK)
		ws_config_free(cfg);
	ws_buf_free(&out);
	return 0;
}
