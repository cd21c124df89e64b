/*
 * p11-fault.c -- test tooling: a PKCS#11 module that passes every call to a
 * real module (SoftHSM2) and, on request, makes its token go away, lose its
 * login, or come back as another token. Not part of the product.
 *
 * Environment (read when the module is loaded):
 *   WS_P11_FAULT_MODULE  the real module (default: the configured SoftHSM2)
 *   WS_P11_FAULT_FILE    the control file, read before every call:
 *     missing or empty   pass everything through
 *     "removed"          the token is out of its slot. On entering this state
 *                        the real module's sessions are all closed (as a
 *                        removal does, which also ends the login); meanwhile
 *                        slot lists show no token, C_GetTokenInfo and
 *                        C_OpenSession answer CKR_TOKEN_NOT_PRESENT and every
 *                        session call CKR_DEVICE_REMOVED.
 *     "logout"           once: the real module logs the application out
 *                        (C_Logout on a session of its own, so SoftHSM2 itself
 *                        drops the login and the private key handles); the
 *                        file is then emptied and calls pass through.
 *     "other-serial"     pass through, but C_GetTokenInfo reports another
 *                        serial number: a different token with the same label.
 *     "other-key"        pass through, but every P-256 public key reads as
 *                        the curve's base point: the same token with other
 *                        keys under the same labels.
 *
 * Only the calls wavesign makes are interposed; the rest go straight to the
 * real module.
 */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#ifndef WS_SOFTHSM2_MODULE
#define WS_SOFTHSM2_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#endif

enum fault { FAULT_NONE, FAULT_REMOVED, FAULT_LOGOUT, FAULT_OTHER_SERIAL, FAULT_OTHER_KEY };

/* The P-256 base point G, 04 || x || y: a valid public key no token here holds. */
static const unsigned char p256_g[65] = {
	0x04,
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
	0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
	0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
	0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};

static CK_FUNCTION_LIST *real;		/* the real module's list */
static CK_FUNCTION_LIST shim;		/* ours: a copy of real's with some entries replaced */
static void *real_handle;
static char control[4096];

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);
static int was_removed;

static enum fault
fault_read(void)
{
	char buf[32] = "";
	ssize_t n = 0;
	int fd;

	if (control[0] == '\0' || (fd = open(control, O_RDONLY | O_CLOEXEC)) < 0)
		return FAULT_NONE;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return FAULT_NONE;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strcmp(buf, "removed") == 0)
		return FAULT_REMOVED;
	if (strcmp(buf, "logout") == 0)
		return FAULT_LOGOUT;
	if (strcmp(buf, "other-serial") == 0)
		return FAULT_OTHER_SERIAL;
	if (strcmp(buf, "other-key") == 0)
		return FAULT_OTHER_KEY;
	return FAULT_NONE;
}

/* Runs fn on every slot of the real module that holds a token. */
static void
each_token_slot(void (*fn)(CK_SLOT_ID))
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64;

	if (real->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return;
	for (CK_ULONG i = 0; i < n; i++)
		fn(slots[i]);
}

static void
close_all(CK_SLOT_ID slot)
{
	(void)real->C_CloseAllSessions(slot);
}

static void
logout(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE h;

	if (real->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK)
		return;
	(void)real->C_Logout(h);
	(void)real->C_CloseSession(h);
}

/* The state for this call; performs the transitions. */
static enum fault
fault_now(void)
{
	enum fault f = fault_read();
	int fd;

	/* Several threads call at once: exactly one of them does the removal. */
	if (__atomic_exchange_n(&was_removed, f == FAULT_REMOVED, __ATOMIC_ACQ_REL) == 0 &&
	    f == FAULT_REMOVED)
		each_token_slot(close_all);
	if (f == FAULT_LOGOUT) {
		each_token_slot(logout);
		if ((fd = open(control, O_WRONLY | O_TRUNC | O_CLOEXEC)) >= 0)
			close(fd);
		f = FAULT_NONE;
	}
	return f;
}

#define REMOVED_SESSION_CALL(call) \
	do { \
		if (fault_now() == FAULT_REMOVED) \
			return CKR_DEVICE_REMOVED; \
		return call; \
	} while (0)

static CK_RV
shim_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	if (fault_now() == FAULT_REMOVED && present) {
		*count = 0;
		return CKR_OK;
	}
	return real->C_GetSlotList(present, list, count);
}

static CK_RV
shim_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	enum fault f = fault_now();
	CK_RV rv;

	if (f == FAULT_REMOVED)
		return CKR_TOKEN_NOT_PRESENT;
	rv = real->C_GetTokenInfo(slot, info);
	if (rv == CKR_OK && f == FAULT_OTHER_SERIAL)
		memcpy(info->serialNumber, "0ther5eria1t0ken", sizeof(info->serialNumber));
	return rv;
}

static CK_RV
shim_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
    CK_SESSION_HANDLE_PTR h)
{
	if (fault_now() == FAULT_REMOVED)
		return CKR_TOKEN_NOT_PRESENT;
	return real->C_OpenSession(slot, flags, app, notify, h);
}

static CK_RV
shim_CloseAllSessions(CK_SLOT_ID slot)
{
	if (fault_now() == FAULT_REMOVED)
		return CKR_TOKEN_NOT_PRESENT;
	return real->C_CloseAllSessions(slot);
}

static CK_RV
shim_CloseSession(CK_SESSION_HANDLE h)
{
	REMOVED_SESSION_CALL(real->C_CloseSession(h));
}

static CK_RV
shim_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	REMOVED_SESSION_CALL(real->C_GetSessionInfo(h, info));
}

static CK_RV
shim_Login(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	REMOVED_SESSION_CALL(real->C_Login(h, type, pin, len));
}

static CK_RV
shim_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	REMOVED_SESSION_CALL(real->C_FindObjectsInit(h, t, n));
}

static CK_RV
shim_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG max, CK_ULONG_PTR n)
{
	REMOVED_SESSION_CALL(real->C_FindObjects(h, o, max, n));
}

static CK_RV
shim_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	enum fault f = fault_now();
	CK_RV rv;

	if (f == FAULT_REMOVED)
		return CKR_DEVICE_REMOVED;
	rv = real->C_GetAttributeValue(h, o, t, n);
	if (rv != CKR_OK || f != FAULT_OTHER_KEY)
		return rv;
	/* CKA_EC_POINT as SoftHSM2 gives it: an OCTET STRING of 65 bytes. */
	for (CK_ULONG i = 0; i < n; i++)
		if (t[i].type == CKA_EC_POINT && t[i].pValue != NULL && t[i].ulValueLen == 67 &&
		    ((unsigned char *)t[i].pValue)[0] == 0x04 && ((unsigned char *)t[i].pValue)[1] == 65)
			memcpy((unsigned char *)t[i].pValue + 2, p256_g, sizeof(p256_g));
	return rv;
}

static CK_RV
shim_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	REMOVED_SESSION_CALL(real->C_SignInit(h, m, k));
}

static CK_RV
shim_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl)
{
	REMOVED_SESSION_CALL(real->C_Sign(h, d, dl, s, sl));
}

static CK_RV
shim_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
    CK_ATTRIBUTE_PTR kt, CK_ULONG kn, CK_OBJECT_HANDLE_PTR pub, CK_OBJECT_HANDLE_PTR priv)
{
	REMOVED_SESSION_CALL(real->C_GenerateKeyPair(h, m, pt, pn, kt, kn, pub, priv));
}

/*
 * Loads the real module and builds the shim's list from its list: p11-kit
 * copies a module's entries when it loads it, so the list must be complete
 * before C_Initialize.
 */
static CK_RV
shim_load(void)
{
	const char *path = getenv("WS_P11_FAULT_MODULE");
	const char *ctl = getenv("WS_P11_FAULT_FILE");
	CK_C_GetFunctionList get;

	if (real != NULL)
		return CKR_OK;
	real_handle = dlopen(path != NULL ? path : WS_SOFTHSM2_MODULE, RTLD_NOW | RTLD_LOCAL);
	if (real_handle == NULL)
		return CKR_GENERAL_ERROR;
	get = (CK_C_GetFunctionList)dlsym(real_handle, "C_GetFunctionList");
	if (get == NULL || get(&real) != CKR_OK)
		return CKR_GENERAL_ERROR;
	snprintf(control, sizeof(control), "%s", ctl != NULL ? ctl : "");
	/* Everything the shim does not replace goes straight to the real module. */
	shim = *real;
	shim.C_GetFunctionList = C_GetFunctionList;
	shim.C_GetSlotList = shim_GetSlotList;
	shim.C_GetTokenInfo = shim_GetTokenInfo;
	shim.C_OpenSession = shim_OpenSession;
	shim.C_CloseSession = shim_CloseSession;
	shim.C_CloseAllSessions = shim_CloseAllSessions;
	shim.C_GetSessionInfo = shim_GetSessionInfo;
	shim.C_Login = shim_Login;
	shim.C_FindObjectsInit = shim_FindObjectsInit;
	shim.C_FindObjects = shim_FindObjects;
	shim.C_GetAttributeValue = shim_GetAttributeValue;
	shim.C_SignInit = shim_SignInit;
	shim.C_Sign = shim_Sign;
	shim.C_GenerateKeyPair = shim_GenerateKeyPair;
	return CKR_OK;
}

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	CK_RV rv = shim_load();

	if (rv != CKR_OK)
		return rv;
	*list = &shim;
	return CKR_OK;
}
