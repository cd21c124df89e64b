/*
 * regd_log.h -- wavesign-regd's names for the shared diagnostics (ws_diag.h).
 * Never pass a token, a CSR or anything else a device sends unfiltered:
 * regd_log_clean() first.
 */
#ifndef REGD_LOG_H
#define REGD_LOG_H

#include "ws_diag.h"

#define regd_log_error ws_diag_error
#define regd_log_warn ws_diag_warn
#define regd_log_info ws_diag_info
#define regd_log_clean ws_diag_clean
#define regd_notify ws_sd_notify

#endif /* REGD_LOG_H */
