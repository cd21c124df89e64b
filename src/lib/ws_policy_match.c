/*
 * ws_policy_match.c -- the op table, matching peers to clients, and the
 * questions ops ask the policy.
 *
 * User and group names are resolved at match time, with the reentrant
 * getpw*_r / getgr*_r calls since requests are served by several threads.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ws_policy.h"

#define OP_NAME_ITEM(e, name, text) name,
static const char *const op_names[] = { WS_OP_LIST(OP_NAME_ITEM) };
#undef OP_NAME_ITEM
#define OP_TEXT_ITEM(e, name, text) text,
static const char *const op_texts[] = { WS_OP_LIST(OP_TEXT_ITEM) };
#undef OP_TEXT_ITEM

_Static_assert(WS_OP_COUNT <= 32, "ws_op_set holds at most 32 ops");

const char *
ws_op_name(enum ws_op op)
{
	return (unsigned)op < WS_OP_COUNT ? op_names[op] : NULL;
}

const char *
ws_op_text(enum ws_op op)
{
	return (unsigned)op < WS_OP_COUNT ? op_texts[op] : NULL;
}

ws_err
ws_op_from_name(const char *name, enum ws_op *out)
{
	for (int op = 0; op < WS_OP_COUNT; op++)
		if (strcmp(op_names[op], name) == 0) {
			*out = (enum ws_op)op;
			return WS_OK;
		}
	return ws_err_set(WS_ERR_UNKNOWN_OP, "'%.64s' is not an operation", name);
}

bool
ws_op_pattern_match(const char *pattern, const char *op)
{
	size_t plen = strlen(pattern);

	if (strcmp(pattern, "*") == 0)
		return true;
	if (plen >= 2 && pattern[plen - 1] == '*' && pattern[plen - 2] == '.')
		return strncmp(pattern, op, plen - 1) == 0 && op[plen - 1] != '\0';
	return strcmp(pattern, op) == 0;
}

bool
ws_policy_client_allows(const struct ws_policy_client *client, enum ws_op op)
{
	return (unsigned)op < WS_OP_COUNT && (client->ops & WS_OP_BIT(op)) != 0;
}

ws_err
ws_policy_check_op(const struct ws_policy *p, const struct ws_policy_client *client, const char *op)
{
	enum ws_op o = WS_OP_STATUS;
	ws_err r;

	(void)p;
	if ((r = ws_op_from_name(op, &o)) != WS_OK)
		return r;
	if (ws_policy_client_allows(client, o))
		return WS_OK;
	return ws_err_set(WS_ERR_POLICY_DENIED, "client '%s' (clients.%s.allow) does not allow '%s'",
	    client->name, client->name, op);
}

/* ------------------------------------------------- name resolution */

/* Scratch buffers for the *_r calls, grown on ERANGE. */
struct nss_buf {
	char *data;
	size_t size;
};

static bool
nss_grow(struct nss_buf *b)
{
	size_t size = b->size ? b->size * 2 : 4096;
	char *d;

	if (size > (1u << 20) || (d = realloc(b->data, size)) == NULL)
		return false;
	b->data = d;
	b->size = size;
	return true;
}

/* 1 found, 0 not found, -1 failure. */
static int
lookup_user_by_name(const char *name, uid_t *uid)
{
	struct nss_buf b = { NULL, 0 };
	struct passwd pw, *res = NULL;
	int rc, ret = -1;

	while (nss_grow(&b)) {
		rc = getpwnam_r(name, &pw, b.data, b.size, &res);
		if (rc == ERANGE)
			continue;
		if (rc == 0 && res != NULL) {
			*uid = res->pw_uid;
			ret = 1;
		} else {
			ret = (rc == 0 || rc == ENOENT || rc == ESRCH) ? 0 : -1;
		}
		break;
	}
	free(b.data);
	return ret;
}

static int
lookup_group_by_name(const char *name, gid_t *gid)
{
	struct nss_buf b = { NULL, 0 };
	struct group gr, *res = NULL;
	int rc, ret = -1;

	while (nss_grow(&b)) {
		rc = getgrnam_r(name, &gr, b.data, b.size, &res);
		if (rc == ERANGE)
			continue;
		if (rc == 0 && res != NULL) {
			*gid = res->gr_gid;
			ret = 1;
		} else {
			ret = (rc == 0 || rc == ENOENT || rc == ESRCH) ? 0 : -1;
		}
		break;
	}
	free(b.data);
	return ret;
}

/* The peer's passwd entry and its groups, looked up once per match. */
struct peer {
	uid_t uid;
	gid_t gid;
	bool looked_up;
	bool has_user;
	char name[256];
	gid_t *groups;
	int n_groups;
};

static void
peer_lookup(struct peer *pe)
{
	struct nss_buf b = { NULL, 0 };
	struct passwd pw, *res = NULL;
	gid_t pw_gid = 0;
	int rc, n;

	if (pe->looked_up)
		return;
	pe->looked_up = true;
	while (nss_grow(&b)) {
		rc = getpwuid_r(pe->uid, &pw, b.data, b.size, &res);
		if (rc == ERANGE)
			continue;
		if (rc == 0 && res != NULL && strlen(res->pw_name) < sizeof(pe->name)) {
			strcpy(pe->name, res->pw_name);
			pw_gid = res->pw_gid;
			pe->has_user = true;
		}
		break;
	}
	free(b.data);
	if (!pe->has_user)
		return;
	n = 32;
	for (int tries = 0; tries < 8; tries++) {
		gid_t *g = realloc(pe->groups, (size_t)n * sizeof(*g));
		int want = n;

		if (g == NULL)
			return;
		pe->groups = g;
		if (getgrouplist(pe->name, pw_gid, pe->groups, &want) >= 0) {
			pe->n_groups = want;
			return;
		}
		n = want > n ? want : n * 2;
	}
}

static bool
client_matches(const struct ws_policy_client *c, struct peer *pe)
{
	if (c->has_user) {
		uid_t uid = c->uid;

		if (c->user_name != NULL && lookup_user_by_name(c->user_name, &uid) != 1)
			return false;
		if (uid != pe->uid)
			return false;
	}
	if (c->has_group) {
		gid_t gid = c->gid;
		bool member = false;

		if (c->group_name != NULL && lookup_group_by_name(c->group_name, &gid) != 1)
			return false;
		if (gid == pe->gid)
			member = true;
		if (!member) {
			peer_lookup(pe);
			for (int i = 0; i < pe->n_groups; i++)
				if (pe->groups[i] == gid) {
					member = true;
					break;
				}
		}
		if (!member)
			return false;
	}
	return true;
}

ws_err
ws_policy_match_client(const struct ws_policy *p, uid_t uid, gid_t gid,
    const struct ws_policy_client **out)
{
	struct peer pe;
	ws_err r;

	memset(&pe, 0, sizeof(pe));
	pe.uid = uid;
	pe.gid = gid;
	for (size_t i = 0; i < p->n_clients; i++)
		if (client_matches(&p->clients[i], &pe)) {
			*out = &p->clients[i];
			r = WS_OK;
			goto out;
		}
	peer_lookup(&pe);
	if (pe.has_user)
		r = ws_err_set(WS_ERR_UNKNOWN_PEER, "uid %lu (%s), gid %lu matches no client of %s",
		    (unsigned long)uid, pe.name, (unsigned long)gid, p->path);
	else
		r = ws_err_set(WS_ERR_UNKNOWN_PEER, "uid %lu, gid %lu matches no client of %s",
		    (unsigned long)uid, (unsigned long)gid, p->path);
out:
	free(pe.groups);
	return r;
}

ws_err
ws_policy_warnings(const struct ws_policy *p, struct ws_buf *out, unsigned *count)
{
	unsigned n = 0;
	ws_err r;

	for (size_t i = 0; i < p->n_clients; i++) {
		const struct ws_policy_client *c = &p->clients[i];
		uid_t uid;
		gid_t gid;

		if (c->user_name != NULL && lookup_user_by_name(c->user_name, &uid) != 1) {
			if ((r = ws_buf_printf(out, "warning: clients.%s.unix-user: no user '%s' on this host; "
			    "the client matches nobody here\n", c->name, c->user_name)) != WS_OK)
				return r;
			n++;
		}
		if (c->group_name != NULL && lookup_group_by_name(c->group_name, &gid) != 1) {
			if ((r = ws_buf_printf(out, "warning: clients.%s.unix-group: no group '%s' on this host; "
			    "the client matches nobody here\n", c->name, c->group_name)) != WS_OK)
				return r;
			n++;
		}
	}
	if (count != NULL)
		*count = n;
	return WS_OK;
}

/* ------------------------------------------------ content questions */

/* Lower-case hex only: the canonical UUID text form, as the CSR check (ws_csr.c) requires. */
static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool
ws_policy_cn_ok(const struct ws_policy_device_profile *profile, const char *cn)
{
	switch (profile->cn_mode) {
	case WS_CN_UUID:
		if (strlen(cn) != 36)
			return false;
		for (size_t i = 0; i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23) {
				if (cn[i] != '-')
					return false;
			} else if (!is_hex(cn[i])) {
				return false;
			}
		}
		return true;
	case WS_CN_ANY:
		return cn[0] != '\0';
	case WS_CN_REGEX:
		return profile->cn_pattern != NULL && cn[0] != '\0' &&
		    regexec(&profile->cn_regex, cn, 0, NULL, 0) == 0;
	}
	return false;
}

bool
ws_policy_wave_tag_ok(const struct ws_policy *p, const char *tag)
{
	for (size_t i = 0; i < p->waves.n_tags; i++)
		if (strcmp(p->waves.tags[i], tag) == 0)
			return true;
	return false;
}

bool
ws_policy_wave_name_ok(const struct ws_policy *p, const char *name)
{
	return p->waves.name_pattern != NULL && regexec(&p->waves.name_regex, name, 0, NULL, 0) == 0;
}
