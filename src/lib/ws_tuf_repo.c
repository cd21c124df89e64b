/*
 * ws_tuf_repo.c -- writing and verifying a TUF repository directory
 * (see ws_tuf_repo.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_buf.h"
#include "ws_file.h"
#include "ws_tuf_repo.h"
#include "ws_tuf_roles.h"
#include "ws_tuf_root.h"

#define ROOT_VERSIONS_MAX 10000

ws_err
ws_tuf_repo_write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[PATH_MAX];

	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "\"%.64s\" is not a plain file name", name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return ws_err_set(WS_ERR_LIMIT, "path %s/%s is too long", dir, name);
	return ws_file_write_atomic(path, data, len, 0644);
}

ws_err
ws_tuf_repo_write_doc(const char *dir, const struct ws_tuf_doc *doc)
{
	const char *role = ws_tuf_role_name(doc->role);
	char name[64];
	bool versioned = doc->role == WS_TUF_ROOT ||
	    (doc->dialect == WS_TUF_SPEC && doc->role != WS_TUF_TIMESTAMP);
	ws_err r;

	if (versioned) {
		snprintf(name, sizeof(name), "%" PRId64 ".%s.json", doc->version, role);
		if ((r = ws_tuf_repo_write_file(dir, name, doc->file, doc->file_len)) != WS_OK)
			return r;
	}
	snprintf(name, sizeof(name), "%s.json", role);
	return ws_tuf_repo_write_file(dir, name, doc->file, doc->file_len);
}

ws_err
ws_tuf_repo_write(const char *dir, const struct ws_tuf_repo *repo)
{
	const struct ws_tuf_doc *rest[] = { repo->targets, repo->snapshot, repo->timestamp };
	ws_err r;

	for (size_t i = 0; i < repo->nroots; i++)
		if ((r = ws_tuf_repo_write_doc(dir, repo->roots[i])) != WS_OK)
			return r;
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		if (rest[i] != NULL && (r = ws_tuf_repo_write_doc(dir, rest[i])) != WS_OK)
			return r;
	return WS_OK;
}

/* ---- verification ----------------------------------------------------- */

struct verify_state {
	const char *dir;
	enum ws_tuf_dialect dialect;
	time_t now;
	struct ws_tuf_repo_report *report;
	struct ws_tuf_root *root;	/* the newest verified root */
};

/* Reads dir/name into b. WS_ERR_NOT_FOUND when it does not exist. */
static ws_err
read_file(struct verify_state *st, const char *name, struct ws_buf *b)
{
	char path[PATH_MAX];
	struct stat sb;

	snprintf(st->report->file, sizeof(st->report->file), "%s", name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", st->dir, name) >= sizeof(path))
		return ws_err_set(WS_ERR_LIMIT, "path %s/%s is too long", st->dir, name);
	if (stat(path, &sb) < 0 && errno == ENOENT)
		return ws_err_set(WS_ERR_NOT_FOUND, "%s does not exist", path);
	return ws_buf_read_file(b, path, WS_TUF_FILE_MAX);
}

static bool
exists(const struct verify_state *st, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	return stat(path, &sb) == 0;
}

static ws_err
verify_roots(struct verify_state *st)
{
	struct ws_buf b = WS_BUF_INIT(WS_TUF_FILE_MAX), latest = WS_BUF_INIT(WS_TUF_FILE_MAX);
	struct ws_tuf_root *next = NULL;
	char name[64];
	ws_err r;

	if ((r = read_file(st, "1.root.json", &b)) != WS_OK ||
	    (r = ws_tuf_root_parse(st->dialect, b.data, b.len, &st->root)) != WS_OK)
		goto out;
	if (st->root->doc->version != 1) {
		r = ws_err_set(WS_ERR_TUF_VERSION, "1.root.json holds root version %" PRId64,
		    st->root->doc->version);
		goto out;
	}
	if ((r = ws_tuf_root_verify_self(st->root)) != WS_OK)
		goto out;
	st->report->roots = 1;
	for (int64_t v = 2; ; v++) {
		snprintf(name, sizeof(name), "%" PRId64 ".root.json", v);
		if (!exists(st, name))
			break;
		if (v > ROOT_VERSIONS_MAX) {
			r = ws_err_set(WS_ERR_LIMIT, "more than %d root versions", ROOT_VERSIONS_MAX);
			goto out;
		}
		ws_buf_reset(&b);
		if ((r = read_file(st, name, &b)) != WS_OK ||
		    (r = ws_tuf_root_parse(st->dialect, b.data, b.len, &next)) != WS_OK ||
		    (r = ws_tuf_root_verify_next(st->root, next)) != WS_OK)
			goto out;
		ws_tuf_root_free(st->root);
		st->root = next;
		next = NULL;
		st->report->roots++;
	}
	if ((r = read_file(st, "root.json", &latest)) != WS_OK)
		goto out;
	if (latest.len != st->root->doc->file_len ||
	    memcmp(latest.data, st->root->doc->file, latest.len) != 0) {
		r = ws_err_set(WS_ERR_TUF, "root.json is not the same file as %" PRId64 ".root.json, "
		    "the newest root", st->root->doc->version);
		goto out;
	}
	snprintf(name, sizeof(name), "%" PRId64 ".root.json", st->root->doc->version);
	snprintf(st->report->file, sizeof(st->report->file), "%s", name);
	if ((r = ws_tuf_doc_check_expiry(st->root->doc, st->now)) != WS_OK)
		goto out;
	st->report->version[WS_TUF_ROOT] = st->root->doc->version;
	st->report->expires[WS_TUF_ROOT] = st->root->doc->expires;
out:
	ws_tuf_root_free(next);
	ws_buf_free(&b);
	ws_buf_free(&latest);
	return r;
}

/*
 * Reads the file a parent's meta entry names, checks its bytes, parses,
 * verifies and dates it. role.json, or N.role.json with consistent
 * snapshots (then role.json, when present, must be the same bytes).
 */
static ws_err
verify_listed(struct verify_state *st, const struct ws_tuf_doc *parent, enum ws_tuf_role role,
    struct ws_tuf_doc **out)
{
	struct ws_buf b = WS_BUF_INIT(WS_TUF_FILE_MAX), plain = WS_BUF_INIT(WS_TUF_FILE_MAX);
	struct ws_tuf_meta_entry e;
	struct ws_tuf_doc *doc = NULL;
	char listed[64], file[96];
	ws_err r;

	snprintf(listed, sizeof(listed), "%s.json", ws_tuf_role_name(role));
	snprintf(st->report->file, sizeof(st->report->file), "%s", listed);
	if ((r = ws_tuf_meta_entry_get(parent, listed, &e)) != WS_OK)
		goto out;
	if (st->root->consistent_snapshot)
		snprintf(file, sizeof(file), "%" PRId64 ".%s", e.version, listed);
	else
		snprintf(file, sizeof(file), "%s", listed);
	if ((r = read_file(st, file, &b)) != WS_OK ||
	    (r = ws_tuf_meta_entry_check_file(parent, file, &e, b.data, b.len)) != WS_OK ||
	    (r = ws_tuf_doc_parse(st->dialect, role, b.data, b.len, &doc)) != WS_OK ||
	    (r = ws_tuf_root_verify_doc(st->root, role, doc)) != WS_OK)
		goto out;
	if (doc->version != e.version) {
		r = ws_err_set(WS_ERR_TUF, "%s is version %" PRId64 ", but %s v%" PRId64 " records %" PRId64,
		    file, doc->version, ws_tuf_role_name(parent->role), parent->version, e.version);
		goto out;
	}
	if ((r = ws_tuf_doc_check_expiry(doc, st->now)) != WS_OK)
		goto out;
	if (st->root->consistent_snapshot && exists(st, listed)) {
		if ((r = read_file(st, listed, &plain)) != WS_OK)
			goto out;
		if (plain.len != b.len || memcmp(plain.data, b.data, b.len) != 0) {
			r = ws_err_set(WS_ERR_TUF, "%s is not the same file as %s, which %s v%" PRId64
			    " names", listed, file, ws_tuf_role_name(parent->role), parent->version);
			goto out;
		}
		snprintf(st->report->file, sizeof(st->report->file), "%s", file);
	}
	st->report->version[role] = doc->version;
	st->report->expires[role] = doc->expires;
	*out = doc;
	doc = NULL;
out:
	ws_tuf_doc_free(doc);
	ws_buf_free(&b);
	ws_buf_free(&plain);
	return r;
}

/* Refuses what the verifier would otherwise pass unchecked: delegated roles. */
static ws_err
check_no_delegations(const struct ws_tuf_doc *snapshot, const struct ws_tuf_doc *targets,
    struct verify_state *st)
{
	const char *name;
	json_t *v;

	json_object_foreach(json_object_get(snapshot->body, "meta"), name, v) {
		if (strcmp(name, "targets.json") != 0) {
			snprintf(st->report->file, sizeof(st->report->file), "snapshot.json");
			return ws_err_set(WS_ERR_TUF, "snapshot v%" PRId64 " lists %.64s besides "
			    "targets.json: wavesign verifies targets.json only (not delegated roles, "
			    "nor root.json in snapshot meta), so the repository is refused",
			    snapshot->version, name);
		}
	}
	if (targets != NULL && json_object_get(targets->body, "delegations") != NULL)
		return ws_err_set(WS_ERR_TUF, "targets v%" PRId64 " declares delegations: delegated "
		    "targets roles are not verified by wavesign, so the repository is refused",
		    targets->version);
	return WS_OK;
}

/* No role older than an earlier verification saw. */
static ws_err
check_rollback(const struct ws_tuf_repo_report *trusted, struct ws_tuf_repo_report *seen)
{
	static const char *const files[WS_TUF_ROLE_COUNT] = {
		"root.json", "targets.json", "snapshot.json", "timestamp.json",
	};

	/* Timestamp first: that is the order a client meets them in. */
	for (int i = WS_TUF_ROLE_COUNT - 1; i >= 0; i--) {
		if (seen->version[i] >= trusted->version[i])
			continue;
		snprintf(seen->file, sizeof(seen->file), "%s", files[i]);
		return ws_err_set(WS_ERR_TUF_VERSION, "%s v%" PRId64 " is older than v%" PRId64
		    ", which was verified before (a rollback)", ws_tuf_role_name((enum ws_tuf_role)i),
		    seen->version[i], trusted->version[i]);
	}
	return WS_OK;
}

ws_err
ws_tuf_repo_verify(const char *dir, enum ws_tuf_dialect dialect, time_t now,
    const struct ws_tuf_repo_report *trusted, struct ws_tuf_repo_report *report)
{
	struct ws_tuf_repo_report scratch, prev;
	struct verify_state st = { dir, dialect, now, report ? report : &scratch, NULL };
	struct ws_buf b = WS_BUF_INIT(WS_TUF_FILE_MAX);
	struct ws_tuf_doc *timestamp = NULL, *snapshot = NULL, *targets = NULL;
	ws_err r;

	memset(&prev, 0, sizeof(prev));
	if (trusted != NULL)
		prev = *trusted;
	memset(st.report, 0, sizeof(*st.report));
	if ((r = verify_roots(&st)) != WS_OK)
		goto out;
	if ((r = read_file(&st, "timestamp.json", &b)) != WS_OK ||
	    (r = ws_tuf_doc_parse(dialect, WS_TUF_TIMESTAMP, b.data, b.len, &timestamp)) != WS_OK ||
	    (r = ws_tuf_root_verify_doc(st.root, WS_TUF_TIMESTAMP, timestamp)) != WS_OK ||
	    (r = ws_tuf_doc_check_expiry(timestamp, now)) != WS_OK)
		goto out;
	if (json_object_size(json_object_get(timestamp->body, "meta")) != 1) {
		r = ws_err_set(WS_ERR_TUF, "timestamp v%" PRId64 ": meta must hold snapshot.json and "
		    "nothing else", timestamp->version);
		goto out;
	}
	st.report->version[WS_TUF_TIMESTAMP] = timestamp->version;
	st.report->expires[WS_TUF_TIMESTAMP] = timestamp->expires;
	if ((r = verify_listed(&st, timestamp, WS_TUF_SNAPSHOT, &snapshot)) != WS_OK ||
	    (r = check_no_delegations(snapshot, NULL, &st)) != WS_OK ||
	    (r = verify_listed(&st, snapshot, WS_TUF_TARGETS, &targets)) != WS_OK ||
	    (r = check_no_delegations(snapshot, targets, &st)) != WS_OK ||
	    (r = ws_tuf_targets_check_entries(dialect, json_object_get(targets->body, "targets"))) != WS_OK)
		goto out;
	st.report->targets = json_object_size(json_object_get(targets->body, "targets"));
	st.report->file[0] = '\0';
	r = check_rollback(&prev, st.report);
out:
	if (r != WS_OK && st.report->file[0] != '\0')
		ws_err_prefix("%s", st.report->file);
	ws_tuf_root_free(st.root);
	ws_tuf_doc_free(timestamp);
	ws_tuf_doc_free(snapshot);
	ws_tuf_doc_free(targets);
	ws_buf_free(&b);
	return r;
}
