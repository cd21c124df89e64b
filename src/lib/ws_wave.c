/*
 * ws_wave.c -- waves: targets building, state rules, index (see ws_wave.h).
 *
 * The state keeps typed fields for what the rules read (name, tag,
 * version, status, pending approvals, production per tag) and jansson
 * arrays for the append-only history that is only shown and saved
 * (rollouts, approvals used, signatures). Every mutation prepares all it
 * allocates first and commits with steps that cannot fail, so a failed
 * apply leaves the state as it was.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ws_buf.h"
#include "ws_cjson.h"
#include "ws_json.h"
#include "ws_file.h"
#include "ws_wave.h"

#define STATE_FORMAT "wavesign-waves"
#define STATE_FORMAT_VERSION 1
/* The snapshot nests a CI target two levels deeper than a CI file does. */
#define STATE_DEPTH_MAX (WS_JSON_DEPTH_DEFAULT + 8)
/* Largest time ws_wave_format_time() accepts: 9999-12-31T23:59:59Z. */
#define TIME_MAX INT64_C(253402300799)

struct wave {
	char *name;
	char *tag;
	int64_t version;
	enum ws_wave_status status;
	char expires[WS_WAVE_TIME_LEN + 1];
	char sha256[65];
	json_t *signed_targets;	/* while Active; then the tag's production */
	json_t *target_names;	/* sorted array of strings */
	json_t *created;	/* {"seq","time","uid"} */
	json_t *ended;		/* NULL, or {"op","seq","time","uid"} */
	json_t *rollouts;	/* [{"group","selection","seq","time","uid","approved_by"}] */
	json_t *approvals;	/* used: [{"op","uid","time","seq","used_seq"}] */
	json_t *signatures;	/* [{"keyid","seq","time","uid"}] */
};

struct production {
	char *tag;
	int64_t version;
	char *wave;
	json_t *targets;	/* name -> target */
};

struct pending {
	char *wave;
	enum ws_wave_op op;
	uint32_t uid;
	uint64_t seq;
	char time[WS_WAVE_TIME_LEN + 1];
};

struct ws_wave_state {
	uint64_t seq;
	struct wave **waves;	/* oldest first */
	size_t n_waves, cap_waves;
	struct production *prod;
	size_t n_prod, cap_prod;
	struct pending *pending;
	size_t n_pending, cap_pending;
};

static const char *const op_names[WS_WAVE_OP_COUNT] = {
	"init", "sign", "rollout", "complete", "cancel", "approve",
};

const char *
ws_wave_op_name(enum ws_wave_op op)
{
	return (unsigned)op < WS_WAVE_OP_COUNT ? op_names[op] : "unknown";
}

ws_err
ws_wave_op_from_name(const char *name, enum ws_wave_op *op)
{
	for (unsigned i = 0; name != NULL && i < WS_WAVE_OP_COUNT; i++) {
		if (strcmp(op_names[i], name) == 0) {
			*op = (enum ws_wave_op)i;
			return WS_OK;
		}
	}
	return ws_err_set(WS_ERR_INVALID_ARGUMENT, "unknown wave operation \"%.40s\" (one of init, sign, "
	    "rollout, complete, cancel, approve)", name ? name : "(null)");
}

const char *
ws_wave_status_name(enum ws_wave_status status)
{
	switch (status) {
	case WS_WAVE_STATUS_ACTIVE: return "Active";
	case WS_WAVE_STATUS_COMPLETE: return "Complete";
	case WS_WAVE_STATUS_CANCELED: return "Canceled";
	}
	return "unknown";
}

static ws_err
status_from_name(const char *name, enum ws_wave_status *status)
{
	static const enum ws_wave_status all[] = { WS_WAVE_STATUS_ACTIVE, WS_WAVE_STATUS_COMPLETE, WS_WAVE_STATUS_CANCELED };

	for (size_t i = 0; i < 3; i++) {
		if (strcmp(ws_wave_status_name(all[i]), name) == 0) {
			*status = all[i];
			return WS_OK;
		}
	}
	return ws_err_set(WS_ERR_LOG_CORRUPT, "unknown wave status \"%.40s\"", name);
}

ws_err
ws_wave_format_time(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || t > TIME_MAX || gmtime_r(&tt, &tm) == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "time %" PRId64 " is outside years 1970..9999", t);
	/* strftime: the range check above keeps %Y at four digits. */
	if (strftime(buf, WS_WAVE_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) != WS_WAVE_TIME_LEN)
		return ws_err_set(WS_ERR_INTERNAL, "formatting time %" PRId64, t);
	return WS_OK;
}

/* 1..max printable ASCII bytes. */
static bool
printable(const char *s, size_t max)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || i >= max)
			return false;
	return i > 0;
}

static ws_err
check_printable(const char *what, const char *s, size_t max, ws_err code)
{
	if (printable(s, max))
		return WS_OK;
	return ws_err_set(code, "the %s must be 1 to %zu printable ASCII characters, got \"%.64s\"", what, max,
	    s ? s : "(none)");
}

static bool
is_hex64(const char *s)
{
	return s != NULL && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* Parses a custom.version string: decimal digits only, fits int64. */
static bool
parse_version(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* ---------------------------------------------------------------------
 * Building targets
 * --------------------------------------------------------------------- */

/* A CI target must be a Foundries target entry of the wave's version. */
static ws_err
ci_target_check(const char *name, const json_t *t, const char *version)
{
	json_t *hashes, *custom, *len;
	const char *sha, *cname, *cversion;
	size_t nlen;

	if (!json_is_object(t))
		return ws_err_set(WS_ERR_TUF, "CI target \"%.80s\" is %s, not a target object", name,
		    ws_json_type_name(t));
	hashes = json_object_get(t, "hashes");
	sha = json_string_value(json_object_get(hashes, "sha256"));
	if (!json_is_object(hashes) || !is_hex64(sha))
		return ws_err_set(WS_ERR_TUF, "CI target \"%.80s\" has no hashes.sha256 of 64 lowercase hex "
		    "digits", name);
	len = json_object_get(t, "length");
	if (!json_is_integer(len) || json_integer_value(len) < 0)
		return ws_err_set(WS_ERR_TUF, "CI target \"%.80s\" has no length (an integer >= 0)", name);
	custom = json_object_get(t, "custom");
	if (!json_is_object(custom))
		return ws_err_set(WS_ERR_TUF, "CI target \"%.80s\" has no custom object", name);
	cname = json_string_value(json_object_get(custom, "name"));
	cversion = json_string_value(json_object_get(custom, "version"));
	if (cname == NULL || cname[0] == '\0')
		return ws_err_set(WS_ERR_TUF, "CI target \"%.80s\" has no custom.name", name);
	if (cversion == NULL || strcmp(cversion, version) != 0)
		return ws_err_set(WS_ERR_TUF, "CI target \"%.80s\" has custom.version %s%.40s%s, not \"%s\"",
		    name, cversion ? "\"" : "", cversion ? cversion : "(none)", cversion ? "\"" : "", version);
	nlen = strlen(cname);
	if (strncmp(name, cname, nlen) != 0 || name[nlen] != '-' || strcmp(name + nlen + 1, version) != 0)
		return ws_err_set(WS_ERR_TUF, "CI target \"%.80s\" is not named <custom.name>-<custom.version> "
		    "(\"%.80s-%s\"), as Foundries targets are; refusing to guess which name devices expect",
		    name, cname, version);
	return WS_OK;
}

ws_err
ws_wave_build_targets(const struct ws_wave_build *in, json_t **signed_out)
{
	json_t *targets = NULL, *result = NULL, *copy = NULL, *tags = NULL, *t;
	const char *name;
	bool *pruned = NULL;
	char version[24], expires[WS_WAVE_TIME_LEN + 1];
	ws_err r;

	if (in->version < 1 || in->version <= in->production_version) {
		r = ws_err_set(WS_ERR_WAVE_VERSION, "version %" PRId64 " is not greater than the production "
		    "version %" PRId64 " of tag %.64s", in->version, in->production_version,
		    in->tag ? in->tag : "(none)");
		goto out;
	}
	if ((r = check_printable("tag", in->tag, WS_WAVE_TAG_MAX, WS_ERR_INVALID_ARGUMENT)) != WS_OK ||
	    (r = ws_wave_format_time(in->expires, expires)) != WS_OK)
		goto out;
	snprintf(version, sizeof(version), "%" PRId64, in->version);
	if (!json_is_object(in->ci_targets) || json_object_size(in->ci_targets) == 0) {
		r = ws_err_set(WS_ERR_WAVE_NO_TARGETS, "no CI target of version %s was given", version);
		goto out;
	}
	json_object_foreach((json_t *)in->ci_targets, name, t)
		if ((r = ci_target_check(name, t, version)) != WS_OK)
			goto out;
	for (size_t i = 0; i < in->n_prune; i++) {
		if (in->prune[i] >= in->version) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "prune version %" PRId64 " is not older than "
			    "the wave's version %s", in->prune[i], version);
			goto out;
		}
	}
	if ((targets = json_object()) == NULL ||
	    (in->n_prune > 0 && (pruned = calloc(in->n_prune, sizeof(*pruned))) == NULL)) {
		r = ws_err_set(WS_ERR_NOMEM, "building the wave's targets");
		goto out;
	}
	if (in->production_targets != NULL) {
		json_object_foreach((json_t *)in->production_targets, name, t) {
			const char *pv = json_string_value(json_object_get(json_object_get(t, "custom"), "version"));
			int64_t v;
			bool drop = false;

			if (!parse_version(pv, &v)) {
				r = ws_err_set(WS_ERR_TUF, "production target \"%.80s\" of tag %s has no "
				    "custom.version of decimal digits", name, in->tag);
				goto out;
			}
			for (size_t i = 0; i < in->n_prune; i++) {
				if (in->prune[i] == v) {
					pruned[i] = true;
					drop = true;
				}
			}
			if (drop)
				continue;
			if ((copy = json_deep_copy(t)) == NULL)
				goto nomem;
			if (json_object_set_new(targets, name, copy) != 0) {
				copy = NULL;	/* jansson released it */
				goto nomem;
			}
			copy = NULL;
		}
	}
	for (size_t i = 0; i < in->n_prune; i++) {
		if (!pruned[i]) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "prune version %" PRId64 ": tag %s has no "
			    "production target of that version", in->prune[i], in->tag);
			goto out;
		}
	}
	json_object_foreach((json_t *)in->ci_targets, name, t) {
		if (json_object_get(targets, name) != NULL) {
			r = ws_err_set(WS_ERR_WAVE_COLLISION, "target \"%.80s\" is already a production target "
			    "of tag %s", name, in->tag);
			goto out;
		}
		if ((copy = json_deep_copy(t)) == NULL || (tags = json_array()) == NULL ||
		    json_array_append_new(tags, json_string(in->tag)) != 0 ||
		    json_object_set(json_object_get(copy, "custom"), "tags", tags) != 0)
			goto nomem;
		if (json_object_set_new(targets, name, copy) != 0) {
			copy = NULL;	/* jansson released it */
			goto nomem;
		}
		copy = NULL;
		json_decref(tags);
		tags = NULL;
	}
	if ((result = json_object()) == NULL ||
	    json_object_set_new(result, "_type", json_string("Targets")) != 0 ||
	    json_object_set_new(result, "expires", json_string(expires)) != 0 ||
	    json_object_set(result, "targets", targets) != 0 ||
	    json_object_set_new(result, "version", json_integer(in->version)) != 0) {
		r = ws_err_set(WS_ERR_NOMEM, "building the wave's signed object");
		goto out;
	}
	*signed_out = result;
	result = NULL;
	r = WS_OK;
	goto out;
nomem:
	r = ws_err_set(WS_ERR_NOMEM, "building the wave's targets");
out:
	json_decref(copy);
	json_decref(tags);
	json_decref(targets);
	json_decref(result);
	free(pruned);
	return r;
}

ws_err
ws_wave_targets_sha256(const json_t *signed_targets, char *hex)
{
	struct ws_buf b = WS_BUF_INIT(WS_WAVE_STATE_FILE_MAX);
	unsigned char md[32];
	ws_err r;

	if ((r = ws_cjson_encode(signed_targets, WS_CJSON_CANONICAL, &b)) != WS_OK)
		goto out;
	if (EVP_Digest(b.data, b.len, md, NULL, EVP_sha256(), NULL) != 1) {
		r = ws_err_crypto(WS_ERR_CRYPTO, "SHA-256 of the wave's targets");
		goto out;
	}
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
out:
	ws_buf_free(&b);
	return r;
}

/* ---------------------------------------------------------------------
 * State helpers
 * --------------------------------------------------------------------- */

static void
wave_free(struct wave *w)
{
	if (w == NULL)
		return;
	free(w->name);
	free(w->tag);
	json_decref(w->signed_targets);
	json_decref(w->target_names);
	json_decref(w->created);
	json_decref(w->ended);
	json_decref(w->rollouts);
	json_decref(w->approvals);
	json_decref(w->signatures);
	free(w);
}

ws_err
ws_wave_state_new(struct ws_wave_state **out)
{
	struct ws_wave_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return ws_err_set(WS_ERR_NOMEM, "allocating the wave state");
	*out = st;
	return WS_OK;
}

void
ws_wave_state_free(struct ws_wave_state *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n_waves; i++)
		wave_free(st->waves[i]);
	for (size_t i = 0; i < st->n_prod; i++) {
		free(st->prod[i].tag);
		free(st->prod[i].wave);
		json_decref(st->prod[i].targets);
	}
	for (size_t i = 0; i < st->n_pending; i++)
		free(st->pending[i].wave);
	free(st->waves);
	free(st->prod);
	free(st->pending);
	free(st);
}

uint64_t
ws_wave_state_seq(const struct ws_wave_state *st)
{
	return st->seq;
}

static struct wave *
find_wave(const struct ws_wave_state *st, const char *name)
{
	for (size_t i = 0; name != NULL && i < st->n_waves; i++)
		if (strcmp(st->waves[i]->name, name) == 0)
			return st->waves[i];
	return NULL;
}

static struct production *
find_production(const struct ws_wave_state *st, const char *tag)
{
	for (size_t i = 0; tag != NULL && i < st->n_prod; i++)
		if (strcmp(st->prod[i].tag, tag) == 0)
			return &st->prod[i];
	return NULL;
}

void
ws_wave_state_production(const struct ws_wave_state *st, const char *tag, int64_t *version,
    const json_t **targets)
{
	const struct production *p = find_production(st, tag);

	*version = p ? p->version : 0;
	*targets = p ? p->targets : NULL;
}

const char *
ws_wave_state_active(const struct ws_wave_state *st, const char *tag)
{
	for (size_t i = 0; i < st->n_waves; i++) {
		const struct wave *w = st->waves[i];

		if (w->status == WS_WAVE_STATUS_ACTIVE && (tag == NULL || strcmp(w->tag, tag) == 0))
			return w->name;
	}
	return NULL;
}

const json_t *
ws_wave_state_targets(const struct ws_wave_state *st, const char *wave)
{
	const struct wave *w = find_wave(st, wave);

	return w && w->status == WS_WAVE_STATUS_ACTIVE ? w->signed_targets : NULL;
}

/* Grows an array of n elements of size sz to hold one more. */
static ws_err
grow(void **items, size_t *cap, size_t n, size_t sz)
{
	void *p;
	size_t c;

	if (n < *cap)
		return WS_OK;
	c = *cap ? *cap * 2 : 8;
	if ((p = realloc(*items, c * sz)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "growing the wave state");
	*items = p;
	*cap = c;
	return WS_OK;
}

/* {"seq","time","uid"} (+ "op") for the event. */
static ws_err
mark_json(const struct ws_wave_event *ev, bool with_op, json_t **out)
{
	char when[WS_WAVE_TIME_LEN + 1];
	json_t *m;
	ws_err r;

	if ((r = ws_wave_format_time(ev->time, when)) != WS_OK)
		return r;
	m = json_pack("{s:I,s:s,s:I}", "seq", (json_int_t)ev->seq, "time", when, "uid", (json_int_t)ev->uid);
	if (m != NULL && with_op && json_object_set_new(m, "op", json_string(ws_wave_op_name(ev->op))) != 0) {
		json_decref(m);
		m = NULL;
	}
	if (m == NULL)
		return ws_err_set(WS_ERR_NOMEM, "recording the event");
	*out = m;
	return WS_OK;
}

/* ---------------------------------------------------------------------
 * Rules shared by check and apply
 * --------------------------------------------------------------------- */

/* Name well-formed and never used (apply); check also runs the pattern. */
static ws_err
rule_name_new(const struct ws_wave_state *st, const char *name)
{
	const struct wave *w;
	ws_err r;

	if ((r = check_printable("wave name", name, WS_WAVE_NAME_MAX, WS_ERR_WAVE_NAME)) != WS_OK)
		return r;
	if ((w = find_wave(st, name)) != NULL)
		return ws_err_set(WS_ERR_WAVE_NAME, "the name %s is taken by an earlier wave (%s, version %" PRId64
		    ", tag %s); wave names are never reused", name, ws_wave_status_name(w->status), w->version, w->tag);
	return WS_OK;
}

static ws_err
rule_name_pattern(const struct ws_wave_rules *rules, const char *name)
{
	char msg[256];
	regex_t re;
	int rc;

	if (rules->name_pattern == NULL)
		return WS_OK;
	if ((rc = regcomp(&re, rules->name_pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		return ws_err_set(WS_ERR_POLICY, "waves.name pattern '%.100s' does not compile: %s",
		    rules->name_pattern, msg);
	}
	rc = regexec(&re, name, 0, NULL, 0);
	regfree(&re);
	if (rc != 0)
		return ws_err_set(WS_ERR_WAVE_NAME, "the name %s does not match the policy's pattern '%.100s'",
		    name, rules->name_pattern);
	return WS_OK;
}

/* A new wave's version must exceed everything the tag has seen. */
static ws_err
rule_version(const struct ws_wave_state *st, const char *tag, int64_t version)
{
	const struct production *p = find_production(st, tag);

	if (version < 1)
		return ws_err_set(WS_ERR_WAVE_VERSION, "version %" PRId64 " must be 1 or more", version);
	if (p != NULL && version <= p->version)
		return ws_err_set(WS_ERR_WAVE_VERSION, "version %" PRId64 " is not greater than the production "
		    "version %" PRId64 " of tag %s (wave %s)", version, p->version, tag, p->wave);
	for (size_t i = 0; i < st->n_waves; i++) {
		const struct wave *w = st->waves[i];

		if (strcmp(w->tag, tag) == 0 && version <= w->version)
			return ws_err_set(WS_ERR_WAVE_VERSION, "version %" PRId64 " is not greater than version %"
			    PRId64 " of %s wave %s on tag %s; devices it reached would have to go back",
			    version, w->version, ws_wave_status_name(w->status), w->name, tag);
	}
	return WS_OK;
}

/* The wave exists and is Active. */
static ws_err
rule_active_wave(const struct ws_wave_state *st, const char *name, enum ws_wave_op op, struct wave **out)
{
	struct wave *w = find_wave(st, name);

	if (w == NULL)
		return ws_err_set(WS_ERR_NOT_FOUND, "no wave named %.128s", name ? name : "(none)");
	if (w->status == WS_WAVE_STATUS_COMPLETE && op == WS_WAVE_OP_CANCEL)
		return ws_err_set(WS_ERR_WAVE_STATE, "wave %s is Complete and cannot be canceled; to withdraw "
		    "its targets, init a new wave on tag %s that prunes version %" PRId64, w->name, w->tag,
		    w->version);
	if (w->status != WS_WAVE_STATUS_ACTIVE)
		return ws_err_set(WS_ERR_WAVE_STATE, "wave %s is %s; %s needs an Active wave", w->name,
		    ws_wave_status_name(w->status), ws_wave_op_name(op));
	*out = w;
	return WS_OK;
}

static ws_err
rule_keyid(const struct wave *w, const char *keyid)
{
	size_t i;
	json_t *s;
	ws_err r;

	if ((r = check_printable("key id", keyid, WS_WAVE_KEYID_MAX, WS_ERR_INVALID_ARGUMENT)) != WS_OK)
		return r;
	json_array_foreach(w->signatures, i, s)
		if (strcmp(json_string_value(json_object_get(s, "keyid")), keyid) == 0)
			return ws_err_set(WS_ERR_EXISTS, "key %s already signed wave %s", keyid, w->name);
	return WS_OK;
}

static int
strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Validates a selection and renders it {"type":...}. */
static ws_err
selection_json(const struct ws_wave_selection *sel, json_t **out)
{
	const char **sorted = NULL;
	json_t *v = NULL, *list = NULL;
	ws_err r = WS_OK;

	switch (sel->kind) {
	case WS_WAVE_SELECT_ALL:
		v = json_pack("{s:s}", "type", "all");
		break;
	case WS_WAVE_SELECT_LIMIT:
		if (sel->limit < 1 || sel->limit > INT64_MAX) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "a rollout limit must be 1 or more devices, got %"
			    PRIu64, sel->limit);
			goto out;
		}
		v = json_pack("{s:s,s:I}", "type", "limit", "limit", (json_int_t)sel->limit);
		break;
	case WS_WAVE_SELECT_PERCENTAGE:
		if (sel->percentage < 1 || sel->percentage > 100) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "a rollout percentage must be 1 to 100, got %u",
			    sel->percentage);
			goto out;
		}
		v = json_pack("{s:s,s:I}", "type", "percentage", "percentage", (json_int_t)sel->percentage);
		break;
	case WS_WAVE_SELECT_UUIDS:
		if (sel->n_uuids == 0 || sel->uuids == NULL) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "a rollout by uuids needs at least one device uuid");
			goto out;
		}
		if ((sorted = calloc(sel->n_uuids, sizeof(*sorted))) == NULL || (list = json_array()) == NULL) {
			r = ws_err_set(WS_ERR_NOMEM, "checking %zu uuids", sel->n_uuids);
			goto out;
		}
		for (size_t i = 0; i < sel->n_uuids; i++) {
			if ((r = check_printable("device uuid", sel->uuids[i], WS_WAVE_UUID_MAX,
			    WS_ERR_INVALID_ARGUMENT)) != WS_OK)
				goto out;
			if (json_array_append_new(list, json_string(sel->uuids[i])) != 0) {
				r = ws_err_set(WS_ERR_NOMEM, "listing uuids");
				goto out;
			}
			sorted[i] = sel->uuids[i];
		}
		qsort(sorted, sel->n_uuids, sizeof(*sorted), strptr_cmp);
		for (size_t i = 1; i < sel->n_uuids; i++) {
			if (strcmp(sorted[i - 1], sorted[i]) == 0) {
				r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "device uuid %s is listed twice", sorted[i]);
				goto out;
			}
		}
		v = json_pack("{s:s,s:O}", "type", "uuids", "uuids", list);
		break;
	default:
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "unknown rollout selection %d", (int)sel->kind);
		goto out;
	}
	if (v == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "rendering the rollout selection");
		goto out;
	}
	*out = v;
	v = NULL;
out:
	json_decref(v);
	json_decref(list);
	free(sorted);
	return r;
}

static ws_err
rule_rollout(const struct ws_wave_event *ev, json_t **selection)
{
	ws_err r;

	if ((r = check_printable("group name", ev->group, WS_WAVE_GROUP_MAX, WS_ERR_INVALID_ARGUMENT)) != WS_OK)
		return r;
	return selection_json(&ev->selection, selection);
}

static bool
pending_matches(const struct pending *p, const char *wave, enum ws_wave_op op)
{
	return p->op == op && strcmp(p->wave, wave) == 0;
}

static ws_err
rule_approval_new(const struct ws_wave_state *st, const struct ws_wave_event *ev)
{
	if ((unsigned)ev->approved_op >= WS_WAVE_OP_APPROVE)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "approve takes one of init, sign, rollout, complete, "
		    "cancel");
	for (size_t i = 0; i < st->n_pending; i++)
		if (pending_matches(&st->pending[i], ev->wave, ev->approved_op) && st->pending[i].uid == ev->uid)
			return ws_err_set(WS_ERR_EXISTS, "officer uid %" PRIu32 " already approved %s of wave %s; "
			    "approvals count distinct officers", ev->uid, ws_wave_op_name(ev->approved_op), ev->wave);
	return WS_OK;
}

/* What an approve event needs of the wave it names, policy aside. */
static ws_err
rule_approve_target(const struct ws_wave_state *st, const struct ws_wave_event *ev)
{
	struct wave *w;
	ws_err r;

	if ((unsigned)ev->approved_op >= WS_WAVE_OP_APPROVE)
		return rule_approval_new(st, ev);
	if (ev->approved_op == WS_WAVE_OP_INIT)
		r = rule_name_new(st, ev->wave);
	else
		r = rule_active_wave(st, ev->wave, ev->approved_op, &w);
	return r != WS_OK ? r : rule_approval_new(st, ev);
}

ws_err
ws_wave_pending_approvals(const struct ws_wave_state *st, const char *wave, enum ws_wave_op op, json_t **out)
{
	json_t *uids = json_array();

	for (size_t i = 0; uids != NULL && i < st->n_pending; i++) {
		if (!pending_matches(&st->pending[i], wave, op))
			continue;
		if (json_array_append_new(uids, json_integer((json_int_t)st->pending[i].uid)) != 0) {
			json_decref(uids);
			uids = NULL;
		}
	}
	if (uids == NULL)
		return ws_err_set(WS_ERR_NOMEM, "listing approvals");
	*out = uids;
	return WS_OK;
}

ws_err
ws_wave_check(const struct ws_wave_state *st, const struct ws_wave_rules *rules, const struct ws_wave_event *ev)
{
	json_t *selection = NULL;
	struct wave *w = NULL;
	unsigned need, have = 0;
	char uids[160] = "";
	ws_err r;

	switch (ev->op) {
	case WS_WAVE_OP_INIT:
		if ((r = rule_name_new(st, ev->wave)) != WS_OK || (r = rule_name_pattern(rules, ev->wave)) != WS_OK)
			goto out;
		if ((r = check_printable("tag", ev->tag, WS_WAVE_TAG_MAX, WS_ERR_POLICY_DENIED)) != WS_OK)
			goto out;
		for (size_t i = 0; rules->tags != NULL && rules->tags[i] != NULL; i++)
			if (strcmp(rules->tags[i], ev->tag) == 0)
				goto tag_ok;
		r = ws_err_set(WS_ERR_POLICY_DENIED, "tag %s is not one of the policy's waves.tags", ev->tag);
		goto out;
	tag_ok:
		for (size_t i = 0; i < st->n_waves; i++) {
			const struct wave *a = st->waves[i];

			if (a->status != WS_WAVE_STATUS_ACTIVE)
				continue;
			if (rules->active == WS_WAVE_ACTIVE_ONE) {
				r = ws_err_set(WS_ERR_WAVE_ACTIVE, "wave %s (tag %s) is active; only one wave may be "
				    "active at a time: complete or cancel it first", a->name, a->tag);
				goto out;
			}
			if (strcmp(a->tag, ev->tag) == 0) {
				r = ws_err_set(WS_ERR_WAVE_ACTIVE, "wave %s is active on tag %s; only one wave per "
				    "tag may be active: complete or cancel it first", a->name, a->tag);
				goto out;
			}
		}
		if ((r = rule_version(st, ev->tag, ev->version)) != WS_OK)
			goto out;
		break;
	case WS_WAVE_OP_SIGN:
		if ((r = rule_active_wave(st, ev->wave, ev->op, &w)) != WS_OK || (r = rule_keyid(w, ev->keyid)) != WS_OK)
			goto out;
		break;
	case WS_WAVE_OP_ROLLOUT:
		if ((r = rule_active_wave(st, ev->wave, ev->op, &w)) != WS_OK ||
		    (r = rule_rollout(ev, &selection)) != WS_OK)
			goto out;
		break;
	case WS_WAVE_OP_COMPLETE:
	case WS_WAVE_OP_CANCEL:
		if ((r = rule_active_wave(st, ev->wave, ev->op, &w)) != WS_OK)
			goto out;
		break;
	case WS_WAVE_OP_APPROVE:
		if ((unsigned)ev->approved_op < WS_WAVE_OP_APPROVE && rules->approvals[ev->approved_op] == 0) {
			r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "the policy asks no approvals for %s",
			    ws_wave_op_name(ev->approved_op));
			goto out;
		}
		if ((r = rule_approve_target(st, ev)) != WS_OK)
			goto out;
		if (ev->approved_op == WS_WAVE_OP_INIT && (r = rule_name_pattern(rules, ev->wave)) != WS_OK)
			goto out;
		r = WS_OK;
		goto out;
	default:
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "unknown wave operation %d", (int)ev->op);
		goto out;
	}
	need = rules->approvals[ev->op];
	for (size_t i = 0; i < st->n_pending; i++) {
		if (!pending_matches(&st->pending[i], ev->wave, ev->op))
			continue;
		have++;
		snprintf(uids + strlen(uids), sizeof(uids) - strlen(uids), "%s%" PRIu32, have > 1 ? ", " : "",
		    st->pending[i].uid);
	}
	if (have < need) {
		r = ws_err_set(WS_ERR_APPROVAL_NEEDED, "%s of wave %s needs %u approval%s by distinct officers; "
		    "%u recorded%s%s%s: %u more needed (wavesign waves approve %s %s)", ws_wave_op_name(ev->op),
		    ev->wave, need, need == 1 ? "" : "s", have, have ? " (uid " : "", uids, have ? ")" : "",
		    need - have, ev->wave, ws_wave_op_name(ev->op));
		goto out;
	}
	r = WS_OK;
out:
	json_decref(selection);
	return r;
}

/* ---------------------------------------------------------------------
 * Apply
 * --------------------------------------------------------------------- */

/*
 * The pending approvals of (wave, op) as used-approval records, for the
 * wave's history (*used) and as a uid list (*uids). Does not remove them.
 */
static ws_err
approvals_take(const struct ws_wave_state *st, const char *wave, enum ws_wave_op op, uint64_t used_seq,
    json_t **used, json_t **uids)
{
	json_t *u = json_array(), *ids = json_array();
	ws_err r = WS_OK;

	if (u == NULL || ids == NULL)
		goto nomem;
	for (size_t i = 0; i < st->n_pending; i++) {
		const struct pending *p = &st->pending[i];

		if (!pending_matches(p, wave, op))
			continue;
		if (json_array_append_new(u, json_pack("{s:s,s:I,s:s,s:I,s:I}", "op", ws_wave_op_name(op),
		    "uid", (json_int_t)p->uid, "time", p->time, "seq", (json_int_t)p->seq,
		    "used_seq", (json_int_t)used_seq)) != 0 ||
		    json_array_append_new(ids, json_integer(p->uid)) != 0)
			goto nomem;
	}
	*used = u;
	*uids = ids;
	return WS_OK;
nomem:
	r = ws_err_set(WS_ERR_NOMEM, "recording approvals");
	json_decref(u);
	json_decref(ids);
	return r;
}

/* Removes the pending approvals of wave (all ops when all_ops, else op). */
static void
approvals_drop(struct ws_wave_state *st, const char *wave, enum ws_wave_op op, bool all_ops)
{
	size_t k = 0;

	for (size_t i = 0; i < st->n_pending; i++) {
		struct pending *p = &st->pending[i];

		if (strcmp(p->wave, wave) == 0 && (all_ops || p->op == op)) {
			free(p->wave);
			continue;
		}
		st->pending[k++] = *p;
	}
	st->n_pending = k;
}

/* The sorted names of a targets object. */
static ws_err
target_names(const json_t *targets, json_t **out)
{
	const char **names = NULL;
	json_t *list = NULL, *t;
	const char *name;
	size_t n = json_object_size(targets), i = 0;
	ws_err r = WS_OK;

	if ((list = json_array()) == NULL || (n > 0 && (names = calloc(n, sizeof(*names))) == NULL))
		goto nomem;
	json_object_foreach((json_t *)targets, name, t)
		names[i++] = name;
	if (n > 1)
		qsort(names, n, sizeof(*names), strptr_cmp);
	for (i = 0; i < n; i++)
		if (json_array_append_new(list, json_string(names[i])) != 0)
			goto nomem;
	*out = list;
	list = NULL;
	goto out;
nomem:
	r = ws_err_set(WS_ERR_NOMEM, "listing target names");
out:
	json_decref(list);
	free(names);
	return r;
}

/* The signed targets of an init event, checked against tag and version. */
static ws_err
init_targets_check(const struct ws_wave_event *ev, char *sha256)
{
	const json_t *s = ev->signed_targets;
	const char *expires = json_string_value(json_object_get(s, "expires"));
	json_t *targets = json_object_get(s, "targets"), *t;
	const char *name;
	ws_err r;

	if (!json_is_object(s) || !json_is_integer(json_object_get(s, "version")) ||
	    json_integer_value(json_object_get(s, "version")) != ev->version)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the targets of wave %s are missing or not of version %"
		    PRId64, ev->wave, ev->version);
	if (expires == NULL || strlen(expires) != WS_WAVE_TIME_LEN)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the targets of wave %s have no expires "
		    "YYYY-MM-DDTHH:MM:SSZ", ev->wave);
	if (!json_is_object(targets) || json_object_size(targets) == 0)
		return ws_err_set(WS_ERR_WAVE_NO_TARGETS, "the signed targets of wave %s list no target", ev->wave);
	json_object_foreach(targets, name, t) {
		json_t *tags = json_object_get(json_object_get(t, "custom"), "tags");

		if (json_array_size(tags) != 1 || !json_is_string(json_array_get(tags, 0)) ||
		    strcmp(json_string_value(json_array_get(tags, 0)), ev->tag) != 0)
			return ws_err_set(WS_ERR_INVALID_ARGUMENT, "target \"%.80s\" of wave %s is not tagged "
			    "[\"%s\"]", name, ev->wave, ev->tag);
	}
	if ((r = ws_wave_targets_sha256(s, sha256)) != WS_OK)
		return r;
	if (ev->targets_sha256 != NULL && strcmp(ev->targets_sha256, sha256) != 0)
		return ws_err_set(WS_ERR_LOG_CORRUPT, "the targets given for wave %s have SHA-256 %s, the log "
		    "recorded %.64s", ev->wave, sha256, ev->targets_sha256);
	return WS_OK;
}

static ws_err
apply_init(struct ws_wave_state *st, const struct ws_wave_event *ev)
{
	struct wave *w = NULL;
	json_t *ids = NULL;
	ws_err r;

	if ((r = rule_name_new(st, ev->wave)) != WS_OK ||
	    (r = check_printable("tag", ev->tag, WS_WAVE_TAG_MAX, WS_ERR_INVALID_ARGUMENT)) != WS_OK ||
	    (r = rule_version(st, ev->tag, ev->version)) != WS_OK)
		goto out;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "allocating wave %s", ev->wave);
		goto out;
	}
	if ((r = init_targets_check(ev, w->sha256)) != WS_OK)
		goto out;
	w->version = ev->version;
	w->status = WS_WAVE_STATUS_ACTIVE;
	snprintf(w->expires, sizeof(w->expires), "%s", json_string_value(json_object_get(ev->signed_targets,
	    "expires")));
	if ((w->name = strdup(ev->wave)) == NULL || (w->tag = strdup(ev->tag)) == NULL ||
	    (w->signed_targets = json_deep_copy(ev->signed_targets)) == NULL ||
	    (w->rollouts = json_array()) == NULL || (w->signatures = json_array()) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "allocating wave %s", ev->wave);
		goto out;
	}
	if ((r = target_names(json_object_get(w->signed_targets, "targets"), &w->target_names)) != WS_OK ||
	    (r = mark_json(ev, false, &w->created)) != WS_OK ||
	    (r = approvals_take(st, ev->wave, WS_WAVE_OP_INIT, ev->seq, &w->approvals, &ids)) != WS_OK ||
	    (r = grow((void **)&st->waves, &st->cap_waves, st->n_waves, sizeof(*st->waves))) != WS_OK)
		goto out;
	/* Commit: nothing below fails. */
	st->waves[st->n_waves++] = w;
	w = NULL;
	approvals_drop(st, ev->wave, WS_WAVE_OP_INIT, false);
out:
	wave_free(w);
	json_decref(ids);
	return r;
}

/* Appends to a wave's history after the op's approvals are taken. */
static ws_err
apply_on_active(struct ws_wave_state *st, const struct ws_wave_event *ev)
{
	json_t *rec = NULL, *used = NULL, *ids = NULL, *selection = NULL;
	struct production *p = NULL;
	char *tag = NULL, *wave = NULL;
	struct wave *w;
	size_t used_before;
	ws_err r;

	if ((r = rule_active_wave(st, ev->wave, ev->op, &w)) != WS_OK)
		goto out;
	if ((r = approvals_take(st, ev->wave, ev->op, ev->seq, &used, &ids)) != WS_OK)
		goto out;
	switch (ev->op) {
	case WS_WAVE_OP_SIGN:
		if ((r = rule_keyid(w, ev->keyid)) != WS_OK || (r = mark_json(ev, false, &rec)) != WS_OK)
			goto out;
		if (json_object_set_new(rec, "keyid", json_string(ev->keyid)) != 0)
			goto nomem;
		break;
	case WS_WAVE_OP_ROLLOUT:
		if ((r = rule_rollout(ev, &selection)) != WS_OK || (r = mark_json(ev, false, &rec)) != WS_OK)
			goto out;
		if (json_object_set_new(rec, "group", json_string(ev->group)) != 0 ||
		    json_object_set(rec, "selection", selection) != 0 ||
		    json_object_set(rec, "approved_by", ids) != 0)
			goto nomem;
		break;
	default:
		if ((r = mark_json(ev, true, &rec)) != WS_OK)
			goto out;
		if (ev->op == WS_WAVE_OP_COMPLETE && (p = find_production(st, w->tag)) == NULL) {
			if ((tag = strdup(w->tag)) == NULL)
				goto nomem;
			if ((r = grow((void **)&st->prod, &st->cap_prod, st->n_prod, sizeof(*st->prod))) != WS_OK)
				goto out;
		}
		if (ev->op == WS_WAVE_OP_COMPLETE && (wave = strdup(w->name)) == NULL)
			goto nomem;
		break;
	}
	used_before = json_array_size(w->approvals);
	if (json_array_extend(w->approvals, used) != 0)
		goto nomem;
	if (ev->op == WS_WAVE_OP_SIGN && json_array_append(w->signatures, rec) != 0) {
		goto undo;
	} else if (ev->op == WS_WAVE_OP_ROLLOUT && json_array_append(w->rollouts, rec) != 0) {
		goto undo;
	}
	/* Commit: nothing below fails. */
	if (ev->op == WS_WAVE_OP_COMPLETE || ev->op == WS_WAVE_OP_CANCEL) {
		w->status = ev->op == WS_WAVE_OP_COMPLETE ? WS_WAVE_STATUS_COMPLETE : WS_WAVE_STATUS_CANCELED;
		w->ended = rec;
		rec = NULL;
		if (ev->op == WS_WAVE_OP_COMPLETE) {
			if (p == NULL) {
				p = &st->prod[st->n_prod++];
				p->tag = tag;
				tag = NULL;
			} else {
				free(p->wave);
				json_decref(p->targets);
			}
			p->version = w->version;
			p->wave = wave;
			wave = NULL;
			p->targets = json_incref(json_object_get(w->signed_targets, "targets"));
		}
		json_decref(w->signed_targets);
		w->signed_targets = NULL;
		approvals_drop(st, ev->wave, ev->op, true);
	} else {
		approvals_drop(st, ev->wave, ev->op, false);
	}
	r = WS_OK;
	goto out;
undo:
	while (json_array_size(w->approvals) > used_before)
		json_array_remove(w->approvals, json_array_size(w->approvals) - 1);
nomem:
	r = ws_err_set(WS_ERR_NOMEM, "recording %s of wave %s", ws_wave_op_name(ev->op), ev->wave);
out:
	json_decref(rec);
	json_decref(used);
	json_decref(ids);
	json_decref(selection);
	free(tag);
	free(wave);
	return r;
}

static ws_err
apply_approve(struct ws_wave_state *st, const struct ws_wave_event *ev)
{
	struct pending *p;
	char *wave = NULL;
	ws_err r;

	if ((r = rule_approve_target(st, ev)) != WS_OK ||
	    (r = grow((void **)&st->pending, &st->cap_pending, st->n_pending, sizeof(*st->pending))) != WS_OK)
		goto out;
	if ((wave = strdup(ev->wave)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "recording an approval");
		goto out;
	}
	p = &st->pending[st->n_pending];
	if ((r = ws_wave_format_time(ev->time, p->time)) != WS_OK)
		goto out;
	p->wave = wave;
	wave = NULL;
	p->op = ev->approved_op;
	p->uid = ev->uid;
	p->seq = ev->seq;
	st->n_pending++;
out:
	free(wave);
	return r;
}

ws_err
ws_wave_apply(struct ws_wave_state *st, const struct ws_wave_event *ev)
{
	char when[WS_WAVE_TIME_LEN + 1];
	ws_err r;

	if (ev->seq <= st->seq)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "event seq %" PRIu64 " is not after the state's seq %"
		    PRIu64 " (already applied?)", ev->seq, st->seq);
	if ((r = ws_wave_format_time(ev->time, when)) != WS_OK)
		return r;
	if (ev->wave == NULL)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the event names no wave");
	switch (ev->op) {
	case WS_WAVE_OP_INIT:
		r = apply_init(st, ev);
		break;
	case WS_WAVE_OP_SIGN:
	case WS_WAVE_OP_ROLLOUT:
	case WS_WAVE_OP_COMPLETE:
	case WS_WAVE_OP_CANCEL:
		r = apply_on_active(st, ev);
		break;
	case WS_WAVE_OP_APPROVE:
		r = apply_approve(st, ev);
		break;
	default:
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "unknown wave operation %d", (int)ev->op);
		break;
	}
	if (r == WS_OK)
		st->seq = ev->seq;
	return r;
}

/* ---------------------------------------------------------------------
 * Decision records, list and show
 * --------------------------------------------------------------------- */

ws_err
ws_wave_decision_record(const struct ws_wave_state *st, const struct ws_wave_event *ev, json_t **out)
{
	json_t *rec = NULL, *selection = NULL, *used = NULL, *ids = NULL;
	char when[WS_WAVE_TIME_LEN + 1];
	struct wave *w;
	ws_err r;

	if (ev->op != WS_WAVE_OP_ROLLOUT && ev->op != WS_WAVE_OP_COMPLETE && ev->op != WS_WAVE_OP_CANCEL) {
		r = ws_err_set(WS_ERR_INVALID_ARGUMENT, "%s has no decision record", ws_wave_op_name(ev->op));
		goto out;
	}
	if ((r = rule_active_wave(st, ev->wave, ev->op, &w)) != WS_OK ||
	    (r = ws_wave_format_time(ev->time, when)) != WS_OK ||
	    (ev->op == WS_WAVE_OP_ROLLOUT && (r = rule_rollout(ev, &selection)) != WS_OK) ||
	    (r = approvals_take(st, ev->wave, ev->op, 0, &used, &ids)) != WS_OK)
		goto out;
	rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:{s:I},s:O}", "_type", "WaveDecision",
	    "decision", ws_wave_op_name(ev->op), "wave", w->name, "tag", w->tag, "version",
	    (json_int_t)w->version, "targets_sha256", w->sha256, "time", when, "officer", "uid",
	    (json_int_t)ev->uid, "approved_by", ids);
	if (rec == NULL || (selection != NULL && (json_object_set_new(rec, "group", json_string(ev->group)) != 0 ||
	    json_object_set(rec, "selection", selection) != 0))) {
		r = ws_err_set(WS_ERR_NOMEM, "building the decision record");
		goto out;
	}
	*out = rec;
	rec = NULL;
out:
	json_decref(rec);
	json_decref(selection);
	json_decref(used);
	json_decref(ids);
	return r;
}

ws_err
ws_wave_list(const struct ws_wave_state *st, json_t **out)
{
	json_t *list = json_array();

	if (list == NULL)
		goto nomem;
	for (size_t i = 0; i < st->n_waves; i++) {
		const struct wave *w = st->waves[i];

		if (json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:s,s:s,s:O,s:I}", "name", w->name,
		    "status", ws_wave_status_name(w->status), "version", (json_int_t)w->version, "tag", w->tag,
		    "expires", w->expires, "created", json_object_get(w->created, "time"), "targets",
		    (json_int_t)json_array_size(w->target_names))) != 0)
			goto nomem;
	}
	*out = list;
	return WS_OK;
nomem:
	json_decref(list);
	return ws_err_set(WS_ERR_NOMEM, "listing waves");
}

ws_err
ws_wave_show(const struct ws_wave_state *st, const char *wave, json_t **out)
{
	const struct wave *w = find_wave(st, wave);
	json_t *v = NULL, *groups = NULL, *pending = NULL, *roll;
	ws_err r = WS_OK;
	size_t i, j;

	if (w == NULL)
		return ws_err_set(WS_ERR_NOT_FOUND, "no wave named %.128s", wave ? wave : "(none)");
	if ((groups = json_array()) == NULL || (pending = json_array()) == NULL)
		goto nomem;
	json_array_foreach(w->rollouts, i, roll) {
		const char *g = json_string_value(json_object_get(roll, "group"));
		json_t *seen;

		json_array_foreach(groups, j, seen)
			if (strcmp(json_string_value(seen), g) == 0)
				break;
		if (j == json_array_size(groups) && json_array_append_new(groups, json_string(g)) != 0)
			goto nomem;
	}
	for (i = 0; i < st->n_pending; i++) {
		const struct pending *p = &st->pending[i];

		if (strcmp(p->wave, w->name) == 0 &&
		    json_array_append_new(pending, json_pack("{s:s,s:I,s:s,s:I}", "op", ws_wave_op_name(p->op),
		    "uid", (json_int_t)p->uid, "time", p->time, "seq", (json_int_t)p->seq)) != 0)
			goto nomem;
	}
	v = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "name", w->name, "status",
	    ws_wave_status_name(w->status), "version", (json_int_t)w->version, "tag", w->tag, "expires",
	    w->expires, "targets_sha256", w->sha256, "targets", w->target_names, "groups", groups,
	    "rollouts", w->rollouts, "approvals", w->approvals, "pending_approvals", pending,
	    "signatures", w->signatures, "created", w->created);
	if (v == NULL || (w->ended != NULL && json_object_set(v, "ended", w->ended) != 0))
		goto nomem;
	/* The caller gets its own copy: nothing it does reaches the state. */
	if ((*out = json_deep_copy(v)) == NULL)
		goto nomem;
	goto out;
nomem:
	r = ws_err_set(WS_ERR_NOMEM, "showing wave %s", w->name);
out:
	json_decref(v);
	json_decref(groups);
	json_decref(pending);
	return r;
}

/* ---------------------------------------------------------------------
 * Snapshot
 * --------------------------------------------------------------------- */

static ws_err
state_to_json(const struct ws_wave_state *st, json_t **out)
{
	json_t *doc = NULL, *waves = NULL, *prod = NULL, *pending = NULL, *w_json;
	ws_err r = WS_OK;

	if ((waves = json_array()) == NULL || (prod = json_object()) == NULL || (pending = json_array()) == NULL)
		goto nomem;
	for (size_t i = 0; i < st->n_waves; i++) {
		const struct wave *w = st->waves[i];

		w_json = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:O}", "name", w->name, "tag",
		    w->tag, "version", (json_int_t)w->version, "status", ws_wave_status_name(w->status),
		    "expires", w->expires, "targets_sha256", w->sha256, "target_names", w->target_names,
		    "created", w->created, "rollouts", w->rollouts, "approvals", w->approvals,
		    "signatures", w->signatures);
		if (w_json == NULL || json_array_append_new(waves, w_json) != 0 ||
		    (w->ended != NULL && json_object_set(w_json, "ended", w->ended) != 0) ||
		    (w->signed_targets != NULL && json_object_set(w_json, "signed", w->signed_targets) != 0))
			goto nomem;
	}
	for (size_t i = 0; i < st->n_prod; i++) {
		const struct production *p = &st->prod[i];

		if (json_object_set_new(prod, p->tag, json_pack("{s:I,s:s,s:O}", "version",
		    (json_int_t)p->version, "wave", p->wave, "targets", p->targets)) != 0)
			goto nomem;
	}
	for (size_t i = 0; i < st->n_pending; i++) {
		const struct pending *p = &st->pending[i];

		if (json_array_append_new(pending, json_pack("{s:s,s:s,s:I,s:s,s:I}", "wave", p->wave, "op",
		    ws_wave_op_name(p->op), "uid", (json_int_t)p->uid, "time", p->time, "seq",
		    (json_int_t)p->seq)) != 0)
			goto nomem;
	}
	doc = json_pack("{s:s,s:i,s:I,s:O,s:O,s:O}", "format", STATE_FORMAT, "format_version",
	    STATE_FORMAT_VERSION, "seq", (json_int_t)st->seq, "waves", waves, "production", prod,
	    "pending_approvals", pending);
	if (doc == NULL)
		goto nomem;
	*out = doc;
	goto out;
nomem:
	r = ws_err_set(WS_ERR_NOMEM, "serialising the wave state");
out:
	json_decref(waves);
	json_decref(prod);
	json_decref(pending);
	return r;
}

ws_err
ws_wave_state_save(const struct ws_wave_state *st, const char *index_dir)
{
	struct ws_buf b = WS_BUF_INIT(WS_WAVE_STATE_FILE_MAX);
	char *path = NULL;
	json_t *doc = NULL;
	ws_err r;

	if ((r = state_to_json(st, &doc)) != WS_OK ||
	    (r = ws_cjson_encode(doc, WS_CJSON_VALID_JSON, &b)) != WS_OK ||
	    (r = ws_buf_put_u8(&b, '\n')) != WS_OK)
		goto out;
	if (asprintf(&path, "%s/%s", index_dir, WS_WAVE_STATE_FILE) < 0) {
		path = NULL;
		r = ws_err_set(WS_ERR_NOMEM, "naming the state file");
		goto out;
	}
	r = ws_file_write_atomic(path, b.data, b.len, 0600);
out:
	free(path);
	json_decref(doc);
	ws_buf_free(&b);
	return r;
}

/* Loads one wave of the snapshot. */
static ws_err
wave_from_json(const json_t *j, struct wave **out)
{
	const char *name, *tag, *status, *expires, *sha;
	json_t *names, *created, *ended = NULL, *rollouts, *approvals, *signatures, *signed_ = NULL, *v;
	struct wave *w = NULL;
	int64_t version;
	size_t i;
	ws_err r;

	if ((r = ws_json_get_str(j, "wave", "name", &name)) != WS_OK ||
	    (r = ws_json_get_str(j, "wave", "tag", &tag)) != WS_OK ||
	    (r = ws_json_get_int(j, "wave", "version", &version)) != WS_OK ||
	    (r = ws_json_get_str(j, "wave", "status", &status)) != WS_OK ||
	    (r = ws_json_get_str(j, "wave", "expires", &expires)) != WS_OK ||
	    (r = ws_json_get_str(j, "wave", "targets_sha256", &sha)) != WS_OK ||
	    (r = ws_json_get_array(j, "wave", "target_names", &names)) != WS_OK ||
	    (r = ws_json_get_obj(j, "wave", "created", &created)) != WS_OK ||
	    (r = ws_json_get_obj_opt(j, "wave", "ended", &ended)) != WS_OK ||
	    (r = ws_json_get_array(j, "wave", "rollouts", &rollouts)) != WS_OK ||
	    (r = ws_json_get_array(j, "wave", "approvals", &approvals)) != WS_OK ||
	    (r = ws_json_get_array(j, "wave", "signatures", &signatures)) != WS_OK ||
	    (r = ws_json_get_obj_opt(j, "wave", "signed", &signed_)) != WS_OK)
		goto out;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "loading wave %.64s", name);
		goto out;
	}
	if ((r = status_from_name(status, &w->status)) != WS_OK)
		goto out;
	if (!printable(name, WS_WAVE_NAME_MAX) || !printable(tag, WS_WAVE_TAG_MAX) || version < 1 ||
	    strlen(expires) != WS_WAVE_TIME_LEN || !is_hex64(sha) ||
	    (w->status == WS_WAVE_STATUS_ACTIVE) != (signed_ != NULL) || (w->status == WS_WAVE_STATUS_ACTIVE) != (ended == NULL)) {
		r = ws_err_set(WS_ERR_LOG_CORRUPT, "wave %.64s is inconsistent in the snapshot", name);
		goto out;
	}
	json_array_foreach(names, i, v)
		if (!json_is_string(v))
			goto corrupt;
	json_array_foreach(rollouts, i, v)
		if (!json_is_string(json_object_get(v, "group")))
			goto corrupt;
	json_array_foreach(signatures, i, v)
		if (!json_is_string(json_object_get(v, "keyid")))
			goto corrupt;
	if (!json_is_string(json_object_get(created, "time")))
		goto corrupt;
	if (signed_ != NULL) {
		char actual[65];

		/* An Active wave's targets are what it will complete with. */
		if ((r = ws_wave_targets_sha256(signed_, actual)) != WS_OK)
			goto out;
		if (strcmp(actual, sha) != 0) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "the targets of wave %.64s in the snapshot have SHA-256 "
			    "%s, not the recorded %s", name, actual, sha);
			goto out;
		}
	}
	w->version = version;
	snprintf(w->expires, sizeof(w->expires), "%s", expires);
	snprintf(w->sha256, sizeof(w->sha256), "%s", sha);
	if ((w->name = strdup(name)) == NULL || (w->tag = strdup(tag)) == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "loading wave %.64s", name);
		goto out;
	}
	w->target_names = json_incref(names);
	w->created = json_incref(created);
	w->ended = json_incref(ended);
	w->rollouts = json_incref(rollouts);
	w->approvals = json_incref(approvals);
	w->signatures = json_incref(signatures);
	w->signed_targets = json_incref(signed_);
	*out = w;
	w = NULL;
	r = WS_OK;
	goto out;
corrupt:
	r = ws_err_set(WS_ERR_LOG_CORRUPT, "the history of wave %.64s is malformed in the snapshot", name);
out:
	wave_free(w);
	return r;
}

static ws_err
state_from_json(const json_t *doc, struct ws_wave_state *st)
{
	const char *format, *tag;
	json_t *waves, *prod, *pending, *v;
	int64_t fv, seq;
	size_t i;
	ws_err r;

	if ((r = ws_json_get_str(doc, "waves.json", "format", &format)) != WS_OK ||
	    (r = ws_json_get_int(doc, "waves.json", "format_version", &fv)) != WS_OK)
		return r;
	if (strcmp(format, STATE_FORMAT) != 0 || fv != STATE_FORMAT_VERSION)
		return ws_err_set(WS_ERR_LOG_CORRUPT, "waves.json is format %.40s version %" PRId64 ", expected "
		    STATE_FORMAT " version %d", format, fv, STATE_FORMAT_VERSION);
	if ((r = ws_json_get_int(doc, "waves.json", "seq", &seq)) != WS_OK ||
	    (r = ws_json_get_array(doc, "waves.json", "waves", &waves)) != WS_OK ||
	    (r = ws_json_get_obj(doc, "waves.json", "production", &prod)) != WS_OK ||
	    (r = ws_json_get_array(doc, "waves.json", "pending_approvals", &pending)) != WS_OK)
		return r;
	if (seq < 0)
		return ws_err_set(WS_ERR_LOG_CORRUPT, "waves.json has a negative seq");
	st->seq = (uint64_t)seq;
	json_array_foreach(waves, i, v) {
		struct wave *w = NULL;

		if ((r = grow((void **)&st->waves, &st->cap_waves, st->n_waves, sizeof(*st->waves))) != WS_OK ||
		    (r = wave_from_json(v, &w)) != WS_OK)
			return r;
		if (find_wave(st, w->name) != NULL) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "wave %s appears twice in waves.json", w->name);
			wave_free(w);
			return r;
		}
		st->waves[st->n_waves++] = w;
	}
	json_object_foreach(prod, tag, v) {
		struct production *p;
		const char *wave;
		json_t *targets;
		int64_t version;
		const struct wave *w;

		if ((r = ws_json_get_int(v, "production", "version", &version)) != WS_OK ||
		    (r = ws_json_get_str(v, "production", "wave", &wave)) != WS_OK ||
		    (r = ws_json_get_obj(v, "production", "targets", &targets)) != WS_OK)
			return r;
		if ((w = find_wave(st, wave)) == NULL || w->status != WS_WAVE_STATUS_COMPLETE || strcmp(w->tag, tag) != 0 ||
		    w->version != version)
			return ws_err_set(WS_ERR_LOG_CORRUPT, "production of tag %.64s names wave %.64s, which is "
			    "not a Complete wave of that tag and version", tag, wave);
		if ((r = grow((void **)&st->prod, &st->cap_prod, st->n_prod, sizeof(*st->prod))) != WS_OK)
			return r;
		p = &st->prod[st->n_prod];
		memset(p, 0, sizeof(*p));
		if ((p->tag = strdup(tag)) == NULL || (p->wave = strdup(wave)) == NULL) {
			free(p->tag);
			return ws_err_set(WS_ERR_NOMEM, "loading production of tag %.64s", tag);
		}
		p->version = version;
		p->targets = json_incref(targets);
		st->n_prod++;
	}
	json_array_foreach(pending, i, v) {
		const char *wave, *op, *when;
		int64_t uid, pseq;
		struct pending *p;
		enum ws_wave_op o;

		if ((r = ws_json_get_str(v, "pending_approvals", "wave", &wave)) != WS_OK ||
		    (r = ws_json_get_str(v, "pending_approvals", "op", &op)) != WS_OK ||
		    (r = ws_json_get_int(v, "pending_approvals", "uid", &uid)) != WS_OK ||
		    (r = ws_json_get_str(v, "pending_approvals", "time", &when)) != WS_OK ||
		    (r = ws_json_get_int(v, "pending_approvals", "seq", &pseq)) != WS_OK)
			return r;
		if ((r = ws_wave_op_from_name(op, &o)) != WS_OK || o == WS_WAVE_OP_APPROVE || uid < 0 ||
		    uid > UINT32_MAX || pseq < 0 || strlen(when) != WS_WAVE_TIME_LEN)
			return ws_err_set(WS_ERR_LOG_CORRUPT, "a pending approval of wave %.64s is malformed", wave);
		if ((r = grow((void **)&st->pending, &st->cap_pending, st->n_pending, sizeof(*st->pending))) != WS_OK)
			return r;
		p = &st->pending[st->n_pending];
		if ((p->wave = strdup(wave)) == NULL)
			return ws_err_set(WS_ERR_NOMEM, "loading approvals");
		p->op = o;
		p->uid = (uint32_t)uid;
		p->seq = (uint64_t)pseq;
		snprintf(p->time, sizeof(p->time), "%s", when);
		st->n_pending++;
	}
	return WS_OK;
}

ws_err
ws_wave_state_load(const char *index_dir, struct ws_wave_state **out)
{
	struct ws_buf b = WS_BUF_INIT(WS_WAVE_STATE_FILE_MAX);
	struct ws_wave_state *st = NULL;
	json_t *doc = NULL;
	char *path = NULL;
	int fd = -1;
	ws_err r;

	if (asprintf(&path, "%s/%s", index_dir, WS_WAVE_STATE_FILE) < 0) {
		path = NULL;
		r = ws_err_set(WS_ERR_NOMEM, "naming the state file");
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		r = errno == ENOENT ? ws_err_set(WS_ERR_NOT_FOUND, "%s does not exist", path) :
		    ws_err_errno("opening %s", path);
		goto out;
	}
	if ((r = ws_buf_read_fd(&b, fd, WS_WAVE_STATE_FILE_MAX)) != WS_OK ||
	    (r = ws_json_parse(b.data, b.len, STATE_DEPTH_MAX, &doc)) != WS_OK ||
	    (r = ws_wave_state_new(&st)) != WS_OK)
		goto out;
	if ((r = state_from_json(doc, st)) != WS_OK)
		goto out;
	*out = st;
	st = NULL;
out:
	if (r != WS_OK && path != NULL && r != WS_ERR_NOT_FOUND)
		ws_err_prefix("%s", path);
	if (fd >= 0)
		close(fd);
	ws_wave_state_free(st);
	json_decref(doc);
	free(path);
	ws_buf_free(&b);
	return r;
}
