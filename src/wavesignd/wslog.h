/*
 * wslog.h -- wavesignd's names for the shared diagnostics (ws_diag.h).
 */
#ifndef WAVESIGND_WSLOG_H
#define WAVESIGND_WSLOG_H

#include "ws_diag.h"

#define wslog_error ws_diag_error
#define wslog_warn ws_diag_warn
#define wslog_info ws_diag_info
#define sd_notify ws_sd_notify

#endif
