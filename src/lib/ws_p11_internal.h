/*
 * ws_p11_internal.h -- what the files of the token layer share
 * (ws_p11_token.c, ws_p11_key.c). Not for use outside them: other modules
 * see only ws_p11.h.
 *
 * pkcs11.h (p11-kit's, in its compatibility mode) #defines common words
 * such as value, count and params; include it last.
 */
#ifndef WS_P11_INTERNAL_H
#define WS_P11_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "ws_p11.h"

#include <p11-kit/pkcs11.h>

struct ws_session {
	struct ws_token *tok;
	CK_FUNCTION_LIST *fn;		/* the token's module */
	CK_SESSION_HANDLE handle;	/* CK_INVALID_HANDLE when not open */
	unsigned long generation;	/* tok->generation when the handle was opened */
	bool is_main;			/* the token's own session: not closed by ws_session_close() */
};

#define WS_TOKEN_REASON_MAX 512

struct ws_token {
	CK_FUNCTION_LIST **modules;	/* p11-kit's configured modules, or NULL */
	CK_FUNCTION_LIST *loaded;	/* the module loaded by path, or NULL */
	CK_FUNCTION_LIST *fn;		/* the module holding the token (one of the above) */
	CK_SLOT_ID slot;
	bool logged_in;
	char label[WS_TOKEN_LABEL_MAX + 1];
	char model[32 + 1 + 16 + 1];	/* manufacturerID, space, model */
	char serial[16 + 1];		/* CK_TOKEN_INFO.serialNumber: the same token must come back */
	struct ws_session main;

	/* Outages (ws_p11.h): what a reconnect needs, and the lost mark. */
	char *uri;			/* as given to ws_token_open() */
	char *pin_file;			/* NULL when the PIN was given directly */
	unsigned long generation;	/* bumped by each successful reconnect */
	int lost;			/* read and written with __atomic builtins */
	pthread_mutex_t reason_lock;
	char reason[WS_TOKEN_REASON_MAX];	/* why it is lost; guarded by reason_lock */
	/*
	 * A PIN the token refused is not tried again until the PIN file
	 * changes: each try counts against the token's retry limit.
	 */
	unsigned long pin_refused_rv;	/* CKR_ of the refusal; CKR_OK when none */
	struct stat pin_refused_st;	/* the PIN file as it was then */
};

/*
 * The failure of a call on session s that returned rv: when rv says the
 * token is gone (ws_ckr_token_lost()) the token is marked lost and the
 * code is WS_ERR_TOKEN_UNAVAILABLE, else WS_ERR_TOKEN. The detail is the
 * formatted text and the CKR_ name, as ws_err_ckr() makes it.
 */
ws_err ws_p11_fail(struct ws_session *s, CK_RV rv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * WS_OK when s's token is not marked lost; else WS_ERR_TOKEN_UNAVAILABLE
 * naming the token and the reason. Key operations call it first.
 */
ws_err ws_p11_usable(struct ws_session *s);

/*
 * Copies a blank-padded CK_UTF8CHAR field of n bytes into dst (dst_size
 * bytes, NUL-terminated), without the padding; bytes that are not
 * printable ASCII become '?', so the result is safe in an error detail.
 */
void ws_p11_field_copy(char *dst, size_t dst_size, const unsigned char *src, size_t n);

/* Whether s is 1..max printable ASCII bytes without a leading or trailing space. */
bool ws_p11_label_valid(const char *s, size_t max);

#endif /* WS_P11_INTERNAL_H */
