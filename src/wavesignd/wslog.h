/*
 * wslog.h -- the daemon's diagnostics on stderr (journald under systemd).
 *
 * Diagnostics are for operators; the signing log is for auditors. Nothing
 * secret is ever passed here. Lines carry a syslog priority prefix ("<3>")
 * that journald understands when WAVESIGND_JOURNAL is set by the unit file.
 */
#ifndef WAVESIGND_WSLOG_H
#define WAVESIGND_WSLOG_H

void wslog_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wslog_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wslog_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Tells systemd (Type=notify) a state such as "READY=1"; no-op without NOTIFY_SOCKET. */
void sd_notify(const char *state);

#endif
