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

#include <stdbool.h>

#include "ws_p11.h"

#include <p11-kit/pkcs11.h>

struct ws_session {
	struct ws_token *tok;
	CK_FUNCTION_LIST *fn;		/* the token's module */
	CK_SESSION_HANDLE handle;	/* CK_INVALID_HANDLE when not open */
	bool is_main;			/* the token's own session: not closed by ws_session_close() */
};

struct ws_token {
	CK_FUNCTION_LIST **modules;	/* p11-kit's configured modules, or NULL */
	CK_FUNCTION_LIST *loaded;	/* the module loaded by path, or NULL */
	CK_FUNCTION_LIST *fn;		/* the module holding the token (one of the above) */
	CK_SLOT_ID slot;
	bool logged_in;
	char label[WS_TOKEN_LABEL_MAX + 1];
	char model[32 + 1 + 16 + 1];	/* manufacturerID, space, model */
	struct ws_session main;
};

/*
 * Copies a blank-padded CK_UTF8CHAR field of n bytes into dst (dst_size
 * bytes, NUL-terminated), without the padding; bytes that are not
 * printable ASCII become '?', so the result is safe in an error detail.
 */
void ws_p11_field_copy(char *dst, size_t dst_size, const unsigned char *src, size_t n);

/* Whether s is 1..max printable ASCII bytes without a leading or trailing space. */
bool ws_p11_label_valid(const char *s, size_t max);

#endif /* WS_P11_INTERNAL_H */
