/*
 * ws_production.h -- who may carry the production marker.
 *
 * A production device is one whose certificate subject carries
 * businessCategory=production (COMPAT.md §1). The policy grants each client
 * one of these (clients.NAME.production); ws_csr_check_device() enforces it.
 * Shared by ws_policy.h and ws_csr.h so that both name the same enum.
 */
#ifndef WS_PRODUCTION_H
#define WS_PRODUCTION_H

enum ws_production {
	WS_PRODUCTION_DENY = 0,		/* a CSR with businessCategory=production is refused */
	WS_PRODUCTION_ALLOW,		/* production and test certificates */
	WS_PRODUCTION_REQUIRE,		/* only production certificates: the marker must be present */
};

/* "deny", "allow", "require" (as the policy spells them); "?" out of range. */
static inline const char *
ws_production_name(enum ws_production p)
{
	switch (p) {
	case WS_PRODUCTION_DENY:
		return "deny";
	case WS_PRODUCTION_ALLOW:
		return "allow";
	case WS_PRODUCTION_REQUIRE:
		return "require";
	}
	return "?";
}

#endif /* WS_PRODUCTION_H */
