/*
 * ws_p11_token.c -- loading the module through p11-kit, finding the token
 * by URI, logging in once, sessions, and initialising a new token.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "ws_p11_internal.h"

/* How many bytes of "labels seen" an error detail carries. */
#define LABELS_SEEN_MAX 512

void
ws_p11_field_copy(char *dst, size_t dst_size, const unsigned char *src, size_t n)
{
	size_t len = n;

	if (dst_size == 0)
		return;
	while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\0'))
		len--;
	if (len > dst_size - 1)
		len = dst_size - 1;
	for (size_t i = 0; i < len; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[len] = '\0';
}

bool
ws_p11_label_valid(const char *s, size_t max)
{
	size_t len;

	if (s == NULL)
		return false;
	len = strlen(s);
	if (len == 0 || len > max || s[0] == ' ' || s[len - 1] == ' ')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* The labels of the initialised tokens seen while searching, for the error detail. */
struct labels_seen {
	char text[LABELS_SEEN_MAX];
	size_t len;
	unsigned count;
};

static void
labels_seen_add(struct labels_seen *seen, const char *label)
{
	int n;

	seen->count++;
	if (seen->len >= sizeof(seen->text) - 1)
		return;
	n = snprintf(seen->text + seen->len, sizeof(seen->text) - seen->len, "%s'%s'",
	    seen->count > 1 ? ", " : "", label);
	if (n < 0 || (size_t)n >= sizeof(seen->text) - seen->len) {
		/* Truncated: end with an ellipsis that fits. */
		seen->len = sizeof(seen->text) - 1;
		memcpy(seen->text + sizeof(seen->text) - 4, "...", 4);
		return;
	}
	seen->len += (size_t)n;
}

static const char *
labels_seen_text(const struct labels_seen *seen)
{
	return seen->count == 0 ? "none" : seen->text;
}

/*
 * Parses uri_str and refuses every way of naming a token other than by its
 * label. module is the caller's module path (or NULL), checked against the
 * URI's module-path= and module-name=.
 */
static ws_err
uri_parse_token(const char *uri_str, const char *module, P11KitUri **out)
{
	P11KitUri *uri = NULL;
	CK_TOKEN_INFO *ti;
	CK_SLOT_INFO *si;
	CK_ULONG n_attrs = 0;
	const char *mpath, *mname;
	bool blank = true;
	ws_err err;
	int rc;

	uri = p11_kit_uri_new();
	if (uri == NULL) {
		err = ws_err_set(WS_ERR_NOMEM, "p11_kit_uri_new");
		goto out;
	}
	rc = p11_kit_uri_parse(uri_str, P11_KIT_URI_FOR_ANY, uri);
	if (rc != P11_KIT_URI_OK) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "token URI '%s': %s", uri_str,
		    p11_kit_uri_message(rc));
		goto out;
	}
	if (p11_kit_uri_any_unrecognized(uri)) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "token URI '%s' has a part p11-kit does not recognise or a value that is too long",
		    uri_str);
		goto out;
	}
	si = p11_kit_uri_get_slot_info(uri);
	if (p11_kit_uri_get_slot_id(uri) != (CK_SLOT_ID)-1 || si->slotDescription[0] != 0 ||
	    si->manufacturerID[0] != 0) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "token URI '%s' selects a slot; slot numbers and descriptions are not stable, "
		    "name the token by its label (token=LABEL) instead", uri_str);
		goto out;
	}
	p11_kit_uri_get_attributes(uri, &n_attrs);
	if (n_attrs > 0) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "token URI '%s' names an object (object=, id= or type=); it must name only the "
		    "token, keys are named by label in the policy", uri_str);
		goto out;
	}
	if (p11_kit_uri_get_pin_value(uri) != NULL || p11_kit_uri_get_pin_source(uri) != NULL) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "token URI '%s' carries a PIN (pin-value= or pin-source=); give the PIN in a "
		    "PIN file instead", uri_str);
		goto out;
	}
	ti = p11_kit_uri_get_token_info(uri);
	for (size_t i = 0; i < sizeof(ti->label); i++)
		if (ti->label[i] != ' ' && ti->label[i] != 0)
			blank = false;
	if (ti->label[0] == 0 || blank) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "token URI '%s' has no token label; add token=LABEL (e.g. pkcs11:token=wavesign)",
		    uri_str);
		goto out;
	}
	mpath = p11_kit_uri_get_module_path(uri);
	mname = p11_kit_uri_get_module_name(uri);
	if (mname != NULL && (module != NULL || mpath != NULL)) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "token URI '%s' has module-name= but a module path is also given; use one",
		    uri_str);
		goto out;
	}
	if (mpath != NULL && module != NULL && strcmp(mpath, module) != 0) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT,
		    "token URI '%s' names module %s but the configured module is %s", uri_str,
		    mpath, module);
		goto out;
	}

	*out = uri;
	uri = NULL;
	err = WS_OK;
out:
	p11_kit_uri_free(uri);
	return err;
}

/* Loads and initialises one module by path, managed by p11-kit. */
static ws_err
module_load_path(const char *path, CK_FUNCTION_LIST **out)
{
	CK_FUNCTION_LIST *mod = NULL;
	const char *msg;
	ws_err err;
	CK_RV rv;

	mod = p11_kit_module_load(path, 0);
	if (mod == NULL) {
		msg = p11_kit_message();
		err = ws_err_set(WS_ERR_TOKEN, "cannot load PKCS#11 module %s: %s", path,
		    msg != NULL ? msg : "unknown reason");
		goto out;
	}
	rv = p11_kit_module_initialize(mod);
	if (rv != CKR_OK) {
		err = ws_err_ckr(WS_ERR_TOKEN, rv, "cannot initialise PKCS#11 module %s", path);
		goto out;
	}
	*out = mod;
	mod = NULL;
	err = WS_OK;
out:
	if (mod != NULL)
		p11_kit_module_release(mod);
	return err;
}

/*
 * The slots of fn that hold a token. *out is malloc'ed (free it); it may be
 * NULL when *n_out is 0.
 */
static ws_err
module_token_slots(CK_FUNCTION_LIST *fn, CK_SLOT_ID **out, CK_ULONG *n_out)
{
	CK_SLOT_ID *slots = NULL, *grown;
	CK_ULONG n = 0;
	CK_RV rv = CKR_OK;
	ws_err err;

	/* The list may grow between the two calls (a token inserted): retry a few times. */
	for (int attempt = 0; attempt < 4; attempt++) {
		rv = fn->C_GetSlotList(CK_TRUE, NULL, &n);
		if (rv != CKR_OK) {
			err = ws_err_ckr(WS_ERR_TOKEN, rv, "C_GetSlotList");
			goto out;
		}
		if (n == 0)
			break;
		grown = realloc(slots, n * sizeof(*slots));
		if (grown == NULL) {
			err = ws_err_set(WS_ERR_NOMEM, "slot list of %lu", (unsigned long)n);
			goto out;
		}
		slots = grown;
		rv = fn->C_GetSlotList(CK_TRUE, slots, &n);
		if (rv == CKR_BUFFER_TOO_SMALL)
			continue;
		if (rv != CKR_OK) {
			err = ws_err_ckr(WS_ERR_TOKEN, rv, "C_GetSlotList");
			goto out;
		}
		break;
	}
	if (rv == CKR_BUFFER_TOO_SMALL) {
		err = ws_err_ckr(WS_ERR_TOKEN, rv, "C_GetSlotList kept growing");
		goto out;
	}
	*out = slots;
	*n_out = n;
	slots = NULL;
	err = WS_OK;
out:
	free(slots);
	return err;
}

/* Whether fn passes the URI's module parts (module-name=, library-*). */
static bool
module_matches(CK_FUNCTION_LIST *fn, P11KitUri *uri)
{
	const char *want = p11_kit_uri_get_module_name(uri);
	CK_INFO info;
	bool ok = true;
	char *name;

	if (want != NULL) {
		name = p11_kit_module_get_name(fn);
		ok = name != NULL && strcmp(name, want) == 0;
		free(name);
	}
	if (ok) {
		memset(&info, 0, sizeof(info));
		ok = fn->C_GetInfo(&info) == CKR_OK && p11_kit_uri_match_module_info(uri, &info);
	}
	return ok;
}

/* Finds exactly one initialised token matching uri among the modules in mods. */
static ws_err
token_find(struct ws_token *tok, CK_FUNCTION_LIST **mods, P11KitUri *uri, const char *uri_str)
{
	struct labels_seen seen;
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n_slots = 0;
	CK_TOKEN_INFO info;
	char label[WS_TOKEN_LABEL_MAX + 1];
	char manufacturer[33], model[17];
	unsigned matches = 0;
	ws_err err;

	memset(&seen, 0, sizeof(seen));
	for (size_t m = 0; mods[m] != NULL; m++) {
		if (!module_matches(mods[m], uri))
			continue;
		free(slots);
		slots = NULL;
		/* A module that cannot list its slots offers no token; the others may. */
		if (module_token_slots(mods[m], &slots, &n_slots) != WS_OK)
			continue;
		for (CK_ULONG i = 0; i < n_slots; i++) {
			memset(&info, 0, sizeof(info));
			if (mods[m]->C_GetTokenInfo(slots[i], &info) != CKR_OK)
				continue;
			if ((info.flags & CKF_TOKEN_INITIALIZED) == 0)
				continue;
			ws_p11_field_copy(label, sizeof(label), info.label, sizeof(info.label));
			labels_seen_add(&seen, label);
			if (!p11_kit_uri_match_token_info(uri, &info))
				continue;
			matches++;
			tok->fn = mods[m];
			tok->slot = slots[i];
			memcpy(tok->label, label, sizeof(label));
			ws_p11_field_copy(manufacturer, sizeof(manufacturer), info.manufacturerID,
			    sizeof(info.manufacturerID));
			ws_p11_field_copy(model, sizeof(model), info.model, sizeof(info.model));
			snprintf(tok->model, sizeof(tok->model), "%s %s", manufacturer, model);
			ws_p11_field_copy(tok->serial, sizeof(tok->serial), info.serialNumber,
			    sizeof(info.serialNumber));
		}
	}
	if (matches == 0) {
		err = ws_err_set(WS_ERR_TOKEN_NOT_FOUND, "no initialised token matches '%s'; "
		    "token labels seen: %s", uri_str, labels_seen_text(&seen));
		goto out;
	}
	if (matches > 1) {
		err = ws_err_set(WS_ERR_TOKEN_NOT_FOUND, "%u tokens match '%s'; add serial= to "
		    "choose one; token labels seen: %s", matches, uri_str, labels_seen_text(&seen));
		goto out;
	}
	err = WS_OK;
out:
	free(slots);
	return err;
}

/* Opens the main session on the token found (failure: code, with the CKR_). */
static ws_err
main_session_open(struct ws_token *tok, ws_err code)
{
	CK_RV rv;

	tok->main.fn = tok->fn;
	rv = tok->fn->C_OpenSession(tok->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
	    &tok->main.handle);
	if (rv != CKR_OK) {
		tok->main.handle = CK_INVALID_HANDLE;
		return ws_err_ckr(code, rv, "token '%s': C_OpenSession", tok->label);
	}
	return WS_OK;
}

ws_err
ws_token_open(const struct ws_token_params *params, struct ws_token **out)
{
	struct ws_token *tok = NULL;
	CK_FUNCTION_LIST *one[2] = { NULL, NULL };
	P11KitUri *uri = NULL;
	char pin_buf[WS_PIN_MAX + 1];
	const char *pin = NULL, *path;
	const char *msg;
	ws_err err;
	CK_RV rv;

	pin_buf[0] = '\0';
	if (params == NULL || params->uri == NULL || out == NULL) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "ws_token_open: no token URI");
		goto out;
	}
	err = uri_parse_token(params->uri, params->module, &uri);
	if (err != WS_OK)
		goto out;

	/* The PIN first: a configuration mistake should not wait for the module. */
	if (params->pin_file != NULL) {
		err = ws_pin_read_file(params->pin_file, pin_buf, sizeof(pin_buf));
		if (err != WS_OK)
			goto out;
		pin = pin_buf;
	} else if (params->pin != NULL) {
		pin = params->pin;
	} else {
		err = ws_err_set(WS_ERR_PIN, "no PIN for token '%s': configure a PIN file",
		    params->uri);
		goto out;
	}
	if (pin[0] == '\0' || strlen(pin) > WS_PIN_MAX) {
		err = ws_err_set(WS_ERR_PIN, "the PIN must be 1..%d bytes", WS_PIN_MAX);
		goto out;
	}

	tok = calloc(1, sizeof(*tok));
	if (tok == NULL) {
		err = ws_err_set(WS_ERR_NOMEM, "ws_token_open");
		goto out;
	}
	tok->main.tok = tok;
	tok->main.handle = CK_INVALID_HANDLE;
	tok->main.is_main = true;
	pthread_mutex_init(&tok->reason_lock, NULL);
	tok->uri = strdup(params->uri);
	tok->pin_file = params->pin_file != NULL ? strdup(params->pin_file) : NULL;
	if (tok->uri == NULL || (params->pin_file != NULL && tok->pin_file == NULL)) {
		err = ws_err_set(WS_ERR_NOMEM, "ws_token_open");
		goto out;
	}

	path = params->module != NULL ? params->module : p11_kit_uri_get_module_path(uri);
	if (path != NULL) {
		err = module_load_path(path, &tok->loaded);
		if (err != WS_OK)
			goto out;
		one[0] = tok->loaded;
		err = token_find(tok, one, uri, params->uri);
	} else {
		tok->modules = p11_kit_modules_load_and_initialize(0);
		if (tok->modules == NULL) {
			msg = p11_kit_message();
			err = ws_err_set(WS_ERR_TOKEN, "p11-kit could not load its configured "
			    "modules: %s", msg != NULL ? msg : "unknown reason");
			goto out;
		}
		err = token_find(tok, tok->modules, uri, params->uri);
	}
	if (err != WS_OK)
		goto out;
	if ((err = main_session_open(tok, WS_ERR_TOKEN)) != WS_OK)
		goto out;
	rv = tok->fn->C_Login(tok->main.handle, CKU_USER, (CK_UTF8CHAR *)pin,
	    (CK_ULONG)strlen(pin));
	if (rv == CKR_OK) {
		tok->logged_in = true;
	} else if (rv != CKR_USER_ALREADY_LOGGED_IN) {
		err = ws_err_ckr(WS_ERR_TOKEN_LOGIN, rv, "token '%s': C_Login", tok->label);
		goto out;
	}

	*out = tok;
	tok = NULL;
	err = WS_OK;
out:
	explicit_bzero(pin_buf, sizeof(pin_buf));
	p11_kit_uri_free(uri);
	ws_token_close(tok);
	return err;
}

void
ws_token_close(struct ws_token *tok)
{
	if (tok == NULL)
		return;
	if (tok->main.handle != CK_INVALID_HANDLE) {
		if (tok->logged_in)
			(void)tok->fn->C_Logout(tok->main.handle);
		(void)tok->fn->C_CloseSession(tok->main.handle);
	}
	if (tok->modules != NULL)
		p11_kit_modules_finalize_and_release(tok->modules);
	if (tok->loaded != NULL) {
		(void)p11_kit_module_finalize(tok->loaded);
		p11_kit_module_release(tok->loaded);
	}
	free(tok->uri);
	free(tok->pin_file);
	pthread_mutex_destroy(&tok->reason_lock);
	free(tok);
}

const char *
ws_token_label(const struct ws_token *tok)
{
	return tok->label;
}

const char *
ws_token_model(const struct ws_token *tok)
{
	return tok->model;
}

struct ws_session *
ws_token_main_session(struct ws_token *tok)
{
	return &tok->main;
}

ws_err
ws_session_open(struct ws_token *tok, struct ws_session **out)
{
	struct ws_session *s = NULL;
	ws_err err;
	CK_RV rv;

	if (tok == NULL || out == NULL) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "ws_session_open: no token");
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		err = ws_err_set(WS_ERR_NOMEM, "ws_session_open");
		goto out;
	}
	s->tok = tok;
	s->fn = tok->fn;
	s->generation = tok->generation;
	rv = tok->fn->C_OpenSession(tok->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
	    &s->handle);
	if (rv != CKR_OK) {
		err = ws_p11_fail(s, rv, "token '%s': C_OpenSession", tok->label);
		goto out;
	}
	*out = s;
	s = NULL;
	err = WS_OK;
out:
	free(s);
	return err;
}

void
ws_session_close(struct ws_session *s)
{
	if (s == NULL || s->is_main)
		return;
	/* A stale handle was closed by the reconnect; its number may be another's now. */
	if (s->handle != CK_INVALID_HANDLE && !ws_session_stale(s))
		(void)s->fn->C_CloseSession(s->handle);
	free(s);
}

bool
ws_ckr_token_lost(unsigned long ckr)
{
	switch (ckr) {
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_DEVICE_ERROR:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED:
	case CKR_USER_NOT_LOGGED_IN:
	case CKR_KEY_HANDLE_INVALID:
	case CKR_OBJECT_HANDLE_INVALID:
	case CKR_SLOT_ID_INVALID:
		return true;
	default:
		return false;
	}
}

bool
ws_token_lost(const struct ws_token *tok)
{
	return __atomic_load_n(&tok->lost, __ATOMIC_ACQUIRE) != 0;
}

/*
 * Marks tok lost. A failed call keeps the first reason of an outage
 * (first_only); a failed reconnect or a refusal says what is true now.
 */
static void
token_set_lost(struct ws_token *tok, const char *reason, bool first_only)
{
	pthread_mutex_lock(&tok->reason_lock);
	if (!first_only || !ws_token_lost(tok))
		snprintf(tok->reason, sizeof(tok->reason), "%s", reason != NULL ? reason : "");
	__atomic_store_n(&tok->lost, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&tok->reason_lock);
}

void
ws_token_mark_lost(struct ws_token *tok, const char *reason)
{
	token_set_lost(tok, reason, false);
}

static void
token_mark_found(struct ws_token *tok)
{
	pthread_mutex_lock(&tok->reason_lock);
	tok->reason[0] = '\0';
	__atomic_store_n(&tok->lost, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&tok->reason_lock);
}

bool
ws_token_state(struct ws_token *tok, char *reason, size_t reason_size)
{
	bool lost;

	pthread_mutex_lock(&tok->reason_lock);
	lost = ws_token_lost(tok);
	if (reason_size > 0)
		snprintf(reason, reason_size, "%s", lost ? tok->reason : "");
	pthread_mutex_unlock(&tok->reason_lock);
	return lost;
}

ws_err
ws_p11_fail(struct ws_session *s, CK_RV rv, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	ws_err err;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ws_ckr_token_lost(rv))
		return ws_err_ckr(WS_ERR_TOKEN, rv, "%s", what);
	err = ws_err_ckr(WS_ERR_TOKEN_UNAVAILABLE, rv, "%s", what);
	token_set_lost(s->tok, ws_err_detail(), true);
	return err;
}

ws_err
ws_p11_usable(struct ws_session *s)
{
	char reason[WS_TOKEN_REASON_MAX];

	if (!ws_token_state(s->tok, reason, sizeof(reason)))
		return WS_OK;
	return ws_err_set(WS_ERR_TOKEN_UNAVAILABLE, "token '%s' is marked unavailable until it "
	    "answers again (%s)", s->tok->label, reason);
}

/* The session states in which a user may sign. */
static const char *
session_state_name(CK_STATE state)
{
	switch (state) {
	case CKS_RO_PUBLIC_SESSION:
		return "CKS_RO_PUBLIC_SESSION";
	case CKS_RO_USER_FUNCTIONS:
		return "CKS_RO_USER_FUNCTIONS";
	case CKS_RW_PUBLIC_SESSION:
		return "CKS_RW_PUBLIC_SESSION";
	case CKS_RW_USER_FUNCTIONS:
		return "CKS_RW_USER_FUNCTIONS";
	case CKS_RW_SO_FUNCTIONS:
		return "CKS_RW_SO_FUNCTIONS";
	default:
		return "an unknown state";
	}
}

ws_err
ws_session_check(struct ws_session *s)
{
	CK_SESSION_INFO info;
	ws_err err;
	CK_RV rv;

	if ((err = ws_p11_usable(s)) != WS_OK)
		return err;
	memset(&info, 0, sizeof(info));
	rv = s->fn->C_GetSessionInfo(s->handle, &info);
	if (rv != CKR_OK) {
		/* Whatever it says, a session that cannot describe itself cannot sign. */
		err = ws_err_ckr(WS_ERR_TOKEN_UNAVAILABLE, rv, "token '%s': C_GetSessionInfo",
		    s->tok->label);
		token_set_lost(s->tok, ws_err_detail(), true);
		return err;
	}
	if (info.state != CKS_RO_USER_FUNCTIONS && info.state != CKS_RW_USER_FUNCTIONS) {
		err = ws_err_set(WS_ERR_TOKEN_UNAVAILABLE, "token '%s' is no longer logged in "
		    "(session in %s)", s->tok->label, session_state_name(info.state));
		token_set_lost(s->tok, ws_err_detail(), true);
		return err;
	}
	return WS_OK;
}

bool
ws_session_stale(const struct ws_session *s)
{
	return s->generation != s->tok->generation;
}

ws_err
ws_session_renew(struct ws_session *s)
{
	struct ws_token *tok = s->tok;
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
	CK_RV rv;

	if (!ws_session_stale(s))
		return WS_OK;
	s->handle = CK_INVALID_HANDLE;
	s->fn = tok->fn;
	rv = tok->fn->C_OpenSession(tok->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h);
	if (rv != CKR_OK)
		return ws_p11_fail(s, rv, "token '%s': C_OpenSession", tok->label);
	s->handle = h;
	s->generation = tok->generation;
	return WS_OK;
}

/* Whether the token's answer to C_Login says the PIN itself is wrong. */
static bool
ckr_pin_refused(CK_RV rv)
{
	return rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
	    rv == CKR_PIN_EXPIRED || rv == CKR_PIN_LOCKED;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Logs in on the main session with the PIN read again from the PIN file.
 * A PIN the token refused is not sent again while the file is unchanged.
 */
static ws_err
token_login_again(struct ws_token *tok)
{
	char pin[WS_PIN_MAX + 1];
	struct stat st;
	ws_err err;
	CK_RV rv;

	pin[0] = '\0';
	if (tok->pin_file == NULL)
		return ws_err_set(WS_ERR_PIN, "token '%s': cannot log in again: the PIN was not "
		    "given in a PIN file, and it is not kept in memory", tok->label);
	if (tok->pin_refused_rv != CKR_OK && stat(tok->pin_file, &st) == 0 &&
	    same_file(&st, &tok->pin_refused_st))
		return ws_err_set(WS_ERR_TOKEN_LOGIN, "token '%s' refused the PIN in %s (%s); it is "
		    "not tried again until the file changes", tok->label, tok->pin_file,
		    ws_ckr_name(tok->pin_refused_rv));
	if ((err = ws_pin_read_file(tok->pin_file, pin, sizeof(pin))) != WS_OK)
		goto out;
	rv = tok->fn->C_Login(tok->main.handle, CKU_USER, (CK_UTF8CHAR *)pin, (CK_ULONG)strlen(pin));
	if (rv == CKR_OK)
		tok->logged_in = true;
	else if (rv != CKR_USER_ALREADY_LOGGED_IN) {
		if (ckr_pin_refused(rv) && stat(tok->pin_file, &tok->pin_refused_st) == 0)
			tok->pin_refused_rv = rv;
		err = ws_ckr_token_lost(rv) ?
		    ws_err_ckr(WS_ERR_TOKEN_UNAVAILABLE, rv, "token '%s': C_Login", tok->label) :
		    ws_err_ckr(WS_ERR_TOKEN_LOGIN, rv, "token '%s': C_Login with the PIN in %s",
		    tok->label, tok->pin_file);
		goto out;
	}
	tok->pin_refused_rv = CKR_OK;
	err = WS_OK;
out:
	explicit_bzero(pin, sizeof(pin));
	return err;
}

/* What ws_token_reconnect() may change, to put back when it fails. */
struct token_found {
	CK_FUNCTION_LIST *fn;
	CK_SLOT_ID slot;
	char label[WS_TOKEN_LABEL_MAX + 1];
	char model[32 + 1 + 16 + 1];
	char serial[16 + 1];
};

static void
token_found_save(const struct ws_token *tok, struct token_found *f)
{
	f->fn = tok->fn;
	f->slot = tok->slot;
	memcpy(f->label, tok->label, sizeof(f->label));
	memcpy(f->model, tok->model, sizeof(f->model));
	memcpy(f->serial, tok->serial, sizeof(f->serial));
}

static void
token_found_restore(struct ws_token *tok, const struct token_found *f)
{
	tok->fn = f->fn;
	tok->slot = f->slot;
	tok->main.fn = f->fn;
	memcpy(tok->label, f->label, sizeof(f->label));
	memcpy(tok->model, f->model, sizeof(f->model));
	memcpy(tok->serial, f->serial, sizeof(f->serial));
}

ws_err
ws_token_reconnect(struct ws_token *tok)
{
	CK_FUNCTION_LIST *one[2] = { tok->loaded, NULL };
	struct token_found before;
	P11KitUri *uri = NULL;
	ws_err err;

	/*
	 * Close what the process had: after a logout the sessions are still
	 * open, and leaving them would let their numbers alias new ones. From
	 * here every session opened before is stale, whatever the outcome.
	 */
	token_found_save(tok, &before);
	if (tok->fn != NULL)
		(void)tok->fn->C_CloseAllSessions(tok->slot);
	tok->main.handle = CK_INVALID_HANDLE;
	tok->logged_in = false;
	tok->generation++;

	if ((err = uri_parse_token(tok->uri, NULL, &uri)) != WS_OK)
		goto out;
	err = token_find(tok, tok->loaded != NULL ? one : tok->modules, uri, tok->uri);
	if (err == WS_ERR_TOKEN_NOT_FOUND)
		err = ws_err_set(WS_ERR_TOKEN_UNAVAILABLE, "token '%s' is not present: %s",
		    before.label, ws_err_detail());
	if (err != WS_OK)
		goto out;
	if (strcmp(before.serial, tok->serial) != 0) {
		err = ws_err_set(WS_ERR_TOKEN_UNAVAILABLE, "token '%s' came back with serial '%s', "
		    "not '%s': not the token the process started with", before.label, tok->serial,
		    before.serial);
		goto out;
	}
	if ((err = main_session_open(tok, WS_ERR_TOKEN_UNAVAILABLE)) != WS_OK ||
	    (err = token_login_again(tok)) != WS_OK)
		goto out;
	tok->main.generation = tok->generation;
	token_mark_found(tok);
	err = WS_OK;
out:
	if (err != WS_OK) {
		if (tok->main.handle != CK_INVALID_HANDLE)
			(void)tok->fn->C_CloseSession(tok->main.handle);
		tok->main.handle = CK_INVALID_HANDLE;
		/* Nothing of a token that was refused stays: status shows the one we had. */
		token_found_restore(tok, &before);
		ws_token_mark_lost(tok, ws_err_detail());
	}
	p11_kit_uri_free(uri);
	return err;
}

/*
 * Finds, among the tokens of fn, the initialised one labelled label (count
 * says how many) and the first uninitialised one.
 */
static ws_err
slots_scan(CK_FUNCTION_LIST *fn, const char *label, CK_SLOT_ID *labelled, unsigned *count,
    CK_SLOT_ID *fresh, bool *have_fresh)
{
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0;
	CK_TOKEN_INFO info;
	char seen[WS_TOKEN_LABEL_MAX + 1];
	ws_err err;

	*count = 0;
	*have_fresh = false;
	err = module_token_slots(fn, &slots, &n);
	if (err != WS_OK)
		goto out;
	for (CK_ULONG i = 0; i < n; i++) {
		memset(&info, 0, sizeof(info));
		if (fn->C_GetTokenInfo(slots[i], &info) != CKR_OK)
			continue;
		if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) {
			if (!*have_fresh) {
				*fresh = slots[i];
				*have_fresh = true;
			}
			continue;
		}
		ws_p11_field_copy(seen, sizeof(seen), info.label, sizeof(info.label));
		if (strcmp(seen, label) == 0) {
			*labelled = slots[i];
			(*count)++;
		}
	}
	err = WS_OK;
out:
	free(slots);
	return err;
}

ws_err
ws_token_init_new(const char *module, const char *label, const char *so_pin,
    const char *user_pin)
{
	CK_FUNCTION_LIST *fn = NULL;
	CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
	CK_UTF8CHAR padded[WS_TOKEN_LABEL_MAX];
	CK_SLOT_ID labelled = 0, fresh = 0;
	bool have_fresh = false, so_logged_in = false;
	unsigned count = 0;
	ws_err err;
	CK_RV rv;

	if (module == NULL || module[0] == '\0') {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "no PKCS#11 module path given");
		goto out;
	}
	if (!ws_p11_label_valid(label, WS_TOKEN_LABEL_MAX)) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "token label '%s' must be 1..%d printable "
		    "ASCII characters without leading or trailing spaces", label ? label : "",
		    WS_TOKEN_LABEL_MAX);
		goto out;
	}
	if (so_pin == NULL || so_pin[0] == '\0' || user_pin == NULL || user_pin[0] == '\0') {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "the SO PIN and the user PIN must not be empty");
		goto out;
	}

	err = module_load_path(module, &fn);
	if (err != WS_OK)
		goto out;
	err = slots_scan(fn, label, &labelled, &count, &fresh, &have_fresh);
	if (err != WS_OK)
		goto out;
	if (count > 0) {
		err = ws_err_set(WS_ERR_EXISTS, "a token labelled '%s' already exists in %s",
		    label, module);
		goto out;
	}
	if (!have_fresh) {
		err = ws_err_set(WS_ERR_TOKEN_NOT_FOUND, "module %s offers no uninitialised token",
		    module);
		goto out;
	}

	memset(padded, ' ', sizeof(padded));
	memcpy(padded, label, strlen(label));
	rv = fn->C_InitToken(fresh, (CK_UTF8CHAR *)so_pin, (CK_ULONG)strlen(so_pin), padded);
	if (rv != CKR_OK) {
		err = ws_err_ckr(WS_ERR_TOKEN, rv, "C_InitToken '%s'", label);
		goto out;
	}

	/* SoftHSM2 moves the new token to a slot numbered after its serial: look again. */
	err = slots_scan(fn, label, &labelled, &count, &fresh, &have_fresh);
	if (err != WS_OK)
		goto out;
	if (count != 1) {
		err = ws_err_set(WS_ERR_TOKEN, "token '%s' initialised but found %u times after",
		    label, count);
		goto out;
	}
	rv = fn->C_OpenSession(labelled, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &session);
	if (rv != CKR_OK) {
		session = CK_INVALID_HANDLE;
		err = ws_err_ckr(WS_ERR_TOKEN, rv, "token '%s': C_OpenSession", label);
		goto out;
	}
	rv = fn->C_Login(session, CKU_SO, (CK_UTF8CHAR *)so_pin, (CK_ULONG)strlen(so_pin));
	if (rv != CKR_OK) {
		err = ws_err_ckr(WS_ERR_TOKEN, rv, "token '%s': C_Login as SO", label);
		goto out;
	}
	so_logged_in = true;
	rv = fn->C_InitPIN(session, (CK_UTF8CHAR *)user_pin, (CK_ULONG)strlen(user_pin));
	if (rv != CKR_OK) {
		err = ws_err_ckr(WS_ERR_TOKEN, rv, "token '%s': C_InitPIN", label);
		goto out;
	}
	err = WS_OK;
out:
	if (so_logged_in)
		(void)fn->C_Logout(session);
	if (session != CK_INVALID_HANDLE)
		(void)fn->C_CloseSession(session);
	if (fn != NULL) {
		(void)p11_kit_module_finalize(fn);
		p11_kit_module_release(fn);
	}
	return err;
}
