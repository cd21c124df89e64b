/*
 * ws_diag.h -- the programs' diagnostics on stderr (journald under systemd)
 * and the systemd readiness notification.
 *
 * Diagnostics are for operators; the signing log is for auditors. Library
 * modules never call these: they return codes and details, and the
 * programs (wavesignd, wavesign-regd) report. Nothing secret is ever
 * passed here, and untrusted text goes through ws_diag_clean() first.
 *
 * Format: "<prio>message" (a syslog priority journald understands) when
 * the environment variable named at setup is set (the unit files set it),
 * else "YYYY-MM-DDTHH:MM:SSZ program[pid]: level: message". Thread-safe:
 * one line per call, never interleaved.
 */
#ifndef WS_DIAG_H
#define WS_DIAG_H

#include <stddef.h>

/* Names the program and the variable that selects journald's format. */
void ws_diag_setup(const char *program, const char *journal_env);

/* One line at syslog priority prio (3 error, 4 warning, 6 info). */
void ws_diag(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ws_diag_error(...) ws_diag(3, __VA_ARGS__)
#define ws_diag_warn(...) ws_diag(4, __VA_ARGS__)
#define ws_diag_info(...) ws_diag(6, __VA_ARGS__)

/*
 * Copies at most size - 1 bytes of untrusted text s into buf, each byte
 * outside printable ASCII (and '"', '\') replaced by '?', and a trailing
 * "..." when cut. s may be NULL ("-"). Returns buf.
 */
const char *ws_diag_clean(const char *s, char *buf, size_t size);

/* Tells systemd (Type=notify) a state such as "READY=1"; no-op without NOTIFY_SOCKET. */
void ws_sd_notify(const char *state);

#endif /* WS_DIAG_H */
