/*
 * regd_log.h -- wavesign-regd's diagnostics on stderr (journald under systemd).
 *
 * One line per event, prefixed with a syslog priority ("<6>") when
 * WAVESIGN_REGD_JOURNAL is set (the unit file sets it), else with a UTC
 * time stamp and the program name. Diagnostics are for operators: never
 * pass a token, a CSR or anything else a device sends unfiltered (see
 * regd_log_clean()). The signing log, kept by wavesignd, is the record.
 */
#ifndef REGD_LOG_H
#define REGD_LOG_H

#include <stddef.h>

void regd_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void regd_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void regd_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copies at most size - 1 bytes of untrusted text s into buf, each byte
 * outside printable ASCII (and '"', '\') replaced by '?', and a trailing
 * "..." when cut. s may be NULL ("-"). Returns buf.
 */
const char *regd_log_clean(const char *s, char *buf, size_t size);

/* Tells systemd (Type=notify) a state such as "READY=1"; no-op without NOTIFY_SOCKET. */
void regd_notify(const char *state);

#endif /* REGD_LOG_H */
