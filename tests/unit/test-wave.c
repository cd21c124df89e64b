/* test-wave.c -- wave targets, state rules, decision records, the index. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_ci_targets.h"
#include "ws_cjson.h"
#include "ws_json.h"
#include "ws_wave.h"
#include "test_common.h"

/* CI builds 42, 43, 44, 45 for two boards; build 45 has no "devel" tag. */
#define CI_TARGET(board, ver, tags) \
	"\"" board "-lmp-" ver "\":{\"hashes\":{\"sha256\":" \
	"\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},\"length\":0," \
	"\"custom\":{\"name\":\"" board "-lmp\",\"version\":\"" ver "\",\"hardwareIds\":[\"" board "\"]," \
	"\"targetFormat\":\"OSTREE\",\"tags\":" tags ",\"lmp-ver\":\"4.0.11\"," \
	"\"x-unknown\":{\"kept\":[1,2]}}}"

static const char ci_file[] =
	"{\"signatures\":[],\"signed\":{\"_type\":\"Targets\",\"expires\":\"2030-01-01T00:00:00Z\","
	"\"targets\":{"
	CI_TARGET("rpi4", "42", "[\"main\"]") "," CI_TARGET("imx8", "42", "[\"main\",\"devel\"]") ","
	CI_TARGET("rpi4", "43", "[\"main\"]") "," CI_TARGET("imx8", "43", "[\"main\",\"devel\"]") ","
	CI_TARGET("rpi4", "44", "[\"main\"]") "," CI_TARGET("imx8", "44", "[\"main\",\"devel\"]") ","
	CI_TARGET("rpi4", "45", "[\"main\"]")
	"},\"version\":45}}";

/* 2021-03-23T10:00:00Z, and a year later. */
#define T0 INT64_C(1616493600)
#define EXPIRES (T0 + 365 * 86400)

static const char *const tags[] = { "master", "beta", "public", NULL };

static struct ws_wave_rules
default_rules(void)
{
	struct ws_wave_rules r;

	memset(&r, 0, sizeof(r));
	r.tags = tags;
	r.name_pattern = "^[a-z0-9][a-z0-9._-]{0,63}$";
	r.active = WS_WAVE_ACTIVE_ONE;
	return r;
}

/* The test's "log": every applied event, with its targets kept alive. */
struct log {
	struct ws_wave_event ev[64];
	json_t *targets[64];
	size_t n;
	uint64_t seq;
};

static struct log the_log;

static void
log_reset(void)
{
	for (size_t i = 0; i < the_log.n; i++)
		json_decref(the_log.targets[i]);
	memset(&the_log, 0, sizeof(the_log));
}

static struct ws_wave_event
event(enum ws_wave_op op, const char *wave)
{
	struct ws_wave_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.op = op;
	ev.wave = wave;
	ev.uid = 1001;
	return ev;
}

/* Check, then log and apply, as the daemon does. */
static ws_err
run(struct ws_wave_state *st, const struct ws_wave_rules *rules, struct ws_wave_event *ev)
{
	ws_err r;

	if ((r = ws_wave_check(st, rules, ev)) != WS_OK)
		return r;
	ev->seq = ++the_log.seq;
	ev->time = T0 + (int64_t)ev->seq * 60;
	if ((r = ws_wave_apply(st, ev)) != WS_OK)
		return r;
	ck_assert_uint_lt(the_log.n, 64);
	the_log.targets[the_log.n] = json_incref((json_t *)ev->signed_targets);
	the_log.ev[the_log.n++] = *ev;
	return WS_OK;
}

/* The whole of `waves init`: check, select, build, apply. */
static ws_err
init_wave(struct ws_wave_state *st, const struct ws_wave_rules *rules, const char *name, int64_t version,
    const char *tag, const int64_t *prune, size_t n_prune)
{
	struct ws_wave_event ev = event(WS_WAVE_OP_INIT, name);
	struct ws_wave_build b;
	json_t *ci = NULL, *signed_ = NULL;
	char vstr[24];
	ws_err r;

	ev.tag = tag;
	ev.version = version;
	if ((r = ws_wave_check(st, rules, &ev)) != WS_OK)
		return r;
	snprintf(vstr, sizeof(vstr), "%lld", (long long)version);
	if ((r = ws_ci_targets_select((const uint8_t *)ci_file, strlen(ci_file), vstr, NULL, &ci)) != WS_OK)
		return r;
	memset(&b, 0, sizeof(b));
	ws_wave_state_production(st, tag, &b.production_version, &b.production_targets);
	b.ci_targets = ci;
	b.version = version;
	b.tag = tag;
	b.prune = prune;
	b.n_prune = n_prune;
	b.expires = EXPIRES;
	r = ws_wave_build_targets(&b, &signed_);
	json_decref(ci);
	if (r != WS_OK)
		return r;
	ev.signed_targets = signed_;
	r = run(st, rules, &ev);
	json_decref(signed_);
	return r;
}

static ws_err
rollout(struct ws_wave_state *st, const struct ws_wave_rules *rules, const char *name, const char *group)
{
	struct ws_wave_event ev = event(WS_WAVE_OP_ROLLOUT, name);

	ev.group = group;
	ev.selection.kind = WS_WAVE_SELECT_ALL;
	return run(st, rules, &ev);
}

static ws_err
simple(struct ws_wave_state *st, const struct ws_wave_rules *rules, enum ws_wave_op op, const char *name)
{
	struct ws_wave_event ev = event(op, name);

	return run(st, rules, &ev);
}

static ws_err
approve(struct ws_wave_state *st, const struct ws_wave_rules *rules, const char *name, enum ws_wave_op op,
    uint32_t uid)
{
	struct ws_wave_event ev = event(WS_WAVE_OP_APPROVE, name);

	ev.approved_op = op;
	ev.uid = uid;
	return run(st, rules, &ev);
}

static char *
canon(const json_t *v)
{
	struct ws_buf b = WS_BUF_INIT(1 << 24);
	uint8_t *data = NULL;
	size_t len;

	ck_assert_ws_ok(ws_cjson_encode(v, WS_CJSON_CANONICAL, &b));
	ck_assert_ws_ok(ws_buf_steal(&b, &data, &len));
	return (char *)data;
}

/* Sorted target names of the tag's production, comma-joined. */
static const char *
production_names(const struct ws_wave_state *st, const char *tag, int64_t *version)
{
	static char buf[1024];
	const json_t *targets;
	const char *sorted[64], *key;
	json_t *v;
	size_t n = 0;

	buf[0] = '\0';
	ws_wave_state_production(st, tag, version, &targets);
	json_object_foreach((json_t *)targets, key, v)
		sorted[n++] = key;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
			const char *t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, sorted[i]);
	}
	return buf;
}

static const char *
field(const struct ws_wave_state *st, const char *wave, const char *key)
{
	static char buf[2048];
	json_t *show = NULL;
	char *c;

	ck_assert_ws_ok(ws_wave_show(st, wave, &show));
	c = canon(json_object_get(show, key));
	snprintf(buf, sizeof(buf), "%s", c);
	free(c);
	json_decref(show);
	return buf;
}

static char tmpdir[256];

static void
make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-wave-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	char path[512];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || strcmp(de->d_name, "..") == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(tmpdir);
}

static char *
read_text(const char *path)
{
	struct ws_buf b = WS_BUF_INIT(1 << 24);
	uint8_t *data = NULL;
	size_t len;

	ck_assert_ws_ok(ws_buf_read_file(&b, path, 1 << 24));
	ck_assert_ws_ok(ws_buf_steal(&b, &data, &len));
	return (char *)data;
}

/* ------------------------------------------------------------------ */

START_TEST(test_build_targets_shape)
{
	struct ws_wave_build b;
	json_t *ci = NULL, *out = NULL;
	char *c;

	ck_assert_ws_ok(ws_ci_targets_select((const uint8_t *)ci_file, strlen(ci_file), "45", NULL, &ci));
	memset(&b, 0, sizeof(b));
	b.ci_targets = ci;
	b.version = 45;
	b.tag = "beta";
	b.expires = EXPIRES;
	ck_assert_ws_ok(ws_wave_build_targets(&b, &out));
	c = canon(out);
	ck_assert_str_eq(c, "{\"_type\":\"Targets\",\"expires\":\"2022-03-23T10:00:00Z\",\"targets\":{"
	    "\"rpi4-lmp-45\":{\"custom\":{\"hardwareIds\":[\"rpi4\"],\"lmp-ver\":\"4.0.11\",\"name\":\"rpi4-lmp\","
	    "\"tags\":[\"beta\"],\"targetFormat\":\"OSTREE\",\"version\":\"45\",\"x-unknown\":{\"kept\":[1,2]}},"
	    "\"hashes\":{\"sha256\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
	    "\"length\":0}},\"version\":45}");
	/* The input is not modified: still tagged main. */
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(
	    json_object_get(ci, "rpi4-lmp-45"), "custom"), "tags"), 0)), "main");
	free(c);
	json_decref(out);
	json_decref(ci);
}
END_TEST

/* The seed: beta-42 .. beta-44 (beta-43 canceled), then ga-42 on public. */
START_TEST(test_seed_example)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL, *replayed = NULL, *loaded = NULL;
	json_t *list = NULL;
	int64_t version;
	char *a, *b, *c, path[300];

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));

	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_str_eq(ws_wave_state_active(st, NULL), "beta-42");
	ck_assert_ws_ok(rollout(st, &rules, "beta-42", "emea"));
	ck_assert_ws_ok(rollout(st, &rules, "beta-42", "apac"));
	ck_assert_ws_ok(rollout(st, &rules, "beta-42", "americas"));
	ck_assert_ws_ok(simple(st, &rules, WS_WAVE_OP_COMPLETE, "beta-42"));
	ck_assert_str_eq(production_names(st, "beta", &version), "imx8-lmp-42,rpi4-lmp-42");
	ck_assert_int_eq(version, 42);
	ck_assert_ptr_null(ws_wave_state_active(st, NULL));

	ck_assert_ws_ok(init_wave(st, &rules, "beta-43", 43, "beta", NULL, 0));
	ck_assert_str_eq(field(st, "beta-43", "targets"), "[\"imx8-lmp-42\",\"imx8-lmp-43\",\"rpi4-lmp-42\",\"rpi4-lmp-43\"]");
	ck_assert_ws_ok(rollout(st, &rules, "beta-43", "emea"));
	ck_assert_ws_ok(simple(st, &rules, WS_WAVE_OP_CANCEL, "beta-43"));
	/* Canceled: the tag's production targets stay where they were. */
	ck_assert_str_eq(production_names(st, "beta", &version), "imx8-lmp-42,rpi4-lmp-42");
	ck_assert_int_eq(version, 42);

	ck_assert_ws_ok(init_wave(st, &rules, "beta-44", 44, "beta", NULL, 0));
	ck_assert_str_eq(field(st, "beta-44", "targets"), "[\"imx8-lmp-42\",\"imx8-lmp-44\",\"rpi4-lmp-42\",\"rpi4-lmp-44\"]");
	ck_assert_ws_ok(rollout(st, &rules, "beta-44", "emea"));
	ck_assert_ws_ok(rollout(st, &rules, "beta-44", "apac"));
	ck_assert_ws_ok(simple(st, &rules, WS_WAVE_OP_COMPLETE, "beta-44"));
	ck_assert_str_eq(production_names(st, "beta", &version), "imx8-lmp-42,imx8-lmp-44,rpi4-lmp-42,rpi4-lmp-44");
	ck_assert_int_eq(version, 44);

	/* An old build for the public while beta is ahead. */
	ck_assert_ws_ok(init_wave(st, &rules, "ga-42", 42, "public", NULL, 0));
	ck_assert_str_eq(field(st, "ga-42", "targets"), "[\"imx8-lmp-42\",\"rpi4-lmp-42\"]");
	ck_assert_ws_ok(rollout(st, &rules, "ga-42", "emea"));
	ck_assert_ws_ok(rollout(st, &rules, "ga-42", "apac"));
	ck_assert_ws_ok(rollout(st, &rules, "ga-42", "americas"));
	ck_assert_ws_ok(simple(st, &rules, WS_WAVE_OP_COMPLETE, "ga-42"));
	ck_assert_str_eq(production_names(st, "public", &version), "imx8-lmp-42,rpi4-lmp-42");
	ck_assert_int_eq(version, 42);
	ck_assert_str_eq(production_names(st, "beta", &version), "imx8-lmp-42,imx8-lmp-44,rpi4-lmp-42,rpi4-lmp-44");
	ck_assert_int_eq(version, 44);
	/* Production targets of public are tagged public, beta's stay beta. */
	{
		const json_t *t;

		ws_wave_state_production(st, "public", &version, &t);
		ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(
		    json_object_get(t, "rpi4-lmp-42"), "custom"), "tags"), 0)), "public");
	}

	ck_assert_ws_ok(ws_wave_list(st, &list));
	a = canon(list);
	ck_assert_str_eq(a, "["
	    "{\"created\":\"2021-03-23T10:01:00Z\",\"expires\":\"2022-03-23T10:00:00Z\",\"name\":\"beta-42\",\"status\":\"Complete\",\"tag\":\"beta\",\"targets\":2,\"version\":42},"
	    "{\"created\":\"2021-03-23T10:06:00Z\",\"expires\":\"2022-03-23T10:00:00Z\",\"name\":\"beta-43\",\"status\":\"Canceled\",\"tag\":\"beta\",\"targets\":4,\"version\":43},"
	    "{\"created\":\"2021-03-23T10:09:00Z\",\"expires\":\"2022-03-23T10:00:00Z\",\"name\":\"beta-44\",\"status\":\"Complete\",\"tag\":\"beta\",\"targets\":4,\"version\":44},"
	    "{\"created\":\"2021-03-23T10:13:00Z\",\"expires\":\"2022-03-23T10:00:00Z\",\"name\":\"ga-42\",\"status\":\"Complete\",\"tag\":\"public\",\"targets\":2,\"version\":42}]");
	free(a);
	json_decref(list);
	ck_assert_str_eq(field(st, "beta-42", "groups"), "[\"emea\",\"apac\",\"americas\"]");
	ck_assert_str_eq(field(st, "beta-43", "groups"), "[\"emea\"]");
	ck_assert_str_eq(field(st, "beta-43", "ended"), "{\"op\":\"cancel\",\"seq\":8,\"time\":\"2021-03-23T10:08:00Z\",\"uid\":1001}");
	ck_assert_uint_eq(ws_wave_state_seq(st), 17);

	/* Durability: the snapshot loads back to the same state ... */
	make_tmpdir();
	ck_assert_ws_ok(ws_wave_state_save(st, tmpdir));
	ck_assert_ws_ok(ws_wave_state_load(tmpdir, &loaded));
	ck_assert_uint_eq(ws_wave_state_seq(loaded), 17);
	snprintf(path, sizeof(path), "%s/waves.json", tmpdir);
	a = read_text(path);
	ck_assert_ws_ok(ws_wave_state_save(loaded, tmpdir));
	b = read_text(path);
	ck_assert_str_eq(a, b);
	/* ... and replaying the log into an empty state gives it too. */
	ck_assert_ws_ok(ws_wave_state_new(&replayed));
	for (size_t i = 0; i < the_log.n; i++)
		ck_assert_ws_ok(ws_wave_apply(replayed, &the_log.ev[i]));
	ck_assert_ws_ok(ws_wave_state_save(replayed, tmpdir));
	c = read_text(path);
	ck_assert_str_eq(a, c);
	free(a);
	free(b);
	free(c);
	remove_tmpdir();
	ws_wave_state_free(st);
	ws_wave_state_free(loaded);
	ws_wave_state_free(replayed);
	log_reset();
}
END_TEST

/* A state with beta-42 complete and beta-43 canceled. */
static struct ws_wave_state *
after_beta_43(const struct ws_wave_rules *rules)
{
	struct ws_wave_state *st = NULL;

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws_ok(init_wave(st, rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_ws_ok(rollout(st, rules, "beta-42", "emea"));
	ck_assert_ws_ok(simple(st, rules, WS_WAVE_OP_COMPLETE, "beta-42"));
	ck_assert_ws_ok(init_wave(st, rules, "beta-43", 43, "beta", NULL, 0));
	ck_assert_ws_ok(rollout(st, rules, "beta-43", "emea"));
	ck_assert_ws_ok(simple(st, rules, WS_WAVE_OP_CANCEL, "beta-43"));
	return st;
}

START_TEST(test_refuse_version_not_greater)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = after_beta_43(&rules);

	ck_assert_ws(init_wave(st, &rules, "beta-42b", 42, "beta", NULL, 0), WS_ERR_WAVE_VERSION);
	ck_assert_str_eq(ws_err_detail(), "version 42 is not greater than the production version 42 of tag beta "
	    "(wave beta-42)");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_version_of_canceled_wave)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = after_beta_43(&rules);

	ck_assert_ws(init_wave(st, &rules, "beta-43b", 43, "beta", NULL, 0), WS_ERR_WAVE_VERSION);
	ck_assert_str_eq(ws_err_detail(), "version 43 is not greater than version 43 of Canceled wave beta-43 on "
	    "tag beta; devices it reached would have to go back");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_build_version_not_greater)
{
	struct ws_wave_build b;
	json_t *out = NULL;

	memset(&b, 0, sizeof(b));
	b.production_version = 44;
	b.version = 44;
	b.tag = "beta";
	b.expires = EXPIRES;
	ck_assert_ws(ws_wave_build_targets(&b, &out), WS_ERR_WAVE_VERSION);
	ck_assert_str_eq(ws_err_detail(), "version 44 is not greater than the production version 44 of tag beta");
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_refuse_no_target_of_version)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;
	struct ws_wave_build b;
	json_t *out = NULL, *empty = json_object();

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws(init_wave(st, &rules, "beta-46", 46, "beta", NULL, 0), WS_ERR_WAVE_NO_TARGETS);
	ck_assert_str_eq(ws_err_detail(), "none of the 7 targets in the CI targets file has custom.version \"46\"");
	memset(&b, 0, sizeof(b));
	b.ci_targets = empty;
	b.version = 46;
	b.tag = "beta";
	b.expires = EXPIRES;
	ck_assert_ws(ws_wave_build_targets(&b, &out), WS_ERR_WAVE_NO_TARGETS);
	ck_assert_str_eq(ws_err_detail(), "no CI target of version 46 was given");
	ck_assert_ptr_null(ws_wave_state_active(st, NULL));
	json_decref(empty);
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_collision)
{
	struct ws_wave_build b;
	json_t *ci = NULL, *prod = NULL, *out = NULL;
	/* A production target already named like a CI target of build 44. */
	static const char prod_text[] = "{\"rpi4-lmp-44\":{\"custom\":{\"version\":\"41\"}}}";

	ck_assert_ws_ok(ws_ci_targets_select((const uint8_t *)ci_file, strlen(ci_file), "44", NULL, &ci));
	ck_assert_ws_ok(ws_json_parse((const uint8_t *)prod_text, strlen(prod_text), WS_JSON_DEPTH_DEFAULT, &prod));
	memset(&b, 0, sizeof(b));
	b.production_targets = prod;
	b.production_version = 42;
	b.ci_targets = ci;
	b.version = 44;
	b.tag = "beta";
	b.expires = EXPIRES;
	ck_assert_ws(ws_wave_build_targets(&b, &out), WS_ERR_WAVE_COLLISION);
	ck_assert_str_eq(ws_err_detail(), "target \"rpi4-lmp-44\" is already a production target of tag beta");
	ck_assert_ptr_null(out);
	json_decref(ci);
	json_decref(prod);
}
END_TEST

START_TEST(test_refuse_ci_target_misnamed)
{
	struct ws_wave_build b;
	json_t *ci = NULL, *out = NULL;
	static const char text[] = "{\"board-9\":{\"hashes\":{\"sha256\":"
	    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},\"length\":0,"
	    "\"custom\":{\"name\":\"rpi4-lmp\",\"version\":\"9\"}}}";

	ck_assert_ws_ok(ws_json_parse((const uint8_t *)text, strlen(text), WS_JSON_DEPTH_DEFAULT, &ci));
	memset(&b, 0, sizeof(b));
	b.ci_targets = ci;
	b.version = 9;
	b.tag = "beta";
	b.expires = EXPIRES;
	ck_assert_ws(ws_wave_build_targets(&b, &out), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "CI target \"board-9\" is not named <custom.name>-<custom.version> "
	    "(\"rpi4-lmp-9\"), as Foundries targets are; refusing to guess which name devices expect");
	json_decref(ci);
}
END_TEST

START_TEST(test_refuse_ci_target_malformed)
{
	struct ws_wave_build b;
	json_t *ci = NULL, *out = NULL;
	static const char text[] = "{\"rpi4-lmp-9\":{\"hashes\":{\"sha256\":\"xyz\"},\"length\":0,"
	    "\"custom\":{\"name\":\"rpi4-lmp\",\"version\":\"9\"}}}";

	ck_assert_ws_ok(ws_json_parse((const uint8_t *)text, strlen(text), WS_JSON_DEPTH_DEFAULT, &ci));
	memset(&b, 0, sizeof(b));
	b.ci_targets = ci;
	b.version = 9;
	b.tag = "beta";
	b.expires = EXPIRES;
	ck_assert_ws(ws_wave_build_targets(&b, &out), WS_ERR_TUF);
	ck_assert_str_eq(ws_err_detail(), "CI target \"rpi4-lmp-9\" has no hashes.sha256 of 64 lowercase hex digits");
	json_decref(ci);
}
END_TEST

START_TEST(test_prune)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = after_beta_43(&rules);
	int64_t prune42[] = { 42 }, prune40[] = { 40 }, prune44[] = { 44 };

	ck_assert_ws(init_wave(st, &rules, "beta-44", 44, "beta", prune40, 1), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "prune version 40: tag beta has no production target of that version");
	ck_assert_ws(init_wave(st, &rules, "beta-44", 44, "beta", prune44, 1), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "prune version 44 is not older than the wave's version 44");
	ck_assert_ws_ok(init_wave(st, &rules, "beta-44", 44, "beta", prune42, 1));
	ck_assert_str_eq(field(st, "beta-44", "targets"), "[\"imx8-lmp-44\",\"rpi4-lmp-44\"]");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_tag_not_allowed)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws(init_wave(st, &rules, "x-42", 42, "nightly", NULL, 0), WS_ERR_POLICY_DENIED);
	ck_assert_str_eq(ws_err_detail(), "tag nightly is not one of the policy's waves.tags");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_name_taken)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = after_beta_43(&rules);

	ck_assert_ws(init_wave(st, &rules, "beta-43", 44, "beta", NULL, 0), WS_ERR_WAVE_NAME);
	ck_assert_str_eq(ws_err_detail(), "the name beta-43 is taken by an earlier wave (Canceled, version 43, tag beta); "
	    "wave names are never reused");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_name_not_matching)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws(init_wave(st, &rules, "Beta 42", 42, "beta", NULL, 0), WS_ERR_WAVE_NAME);
	ck_assert_str_eq(ws_err_detail(), "the name Beta 42 does not match the policy's pattern "
	    "'^[a-z0-9][a-z0-9._-]{0,63}$'");
	ck_assert_ws(init_wave(st, &rules, "beta\n42", 42, "beta", NULL, 0), WS_ERR_WAVE_NAME);
	ck_assert_str_eq(ws_err_detail(), "the wave name must be 1 to 128 printable ASCII characters, got \"beta\n42\"");
	rules.name_pattern = "([";
	ck_assert_ws(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0), WS_ERR_POLICY);
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_another_wave_active)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_ws(init_wave(st, &rules, "ga-42", 42, "public", NULL, 0), WS_ERR_WAVE_ACTIVE);
	ck_assert_str_eq(ws_err_detail(), "wave beta-42 (tag beta) is active; only one wave may be active at a "
	    "time: complete or cancel it first");
	/* One per tag: another tag may start, the same tag may not. */
	rules.active = WS_WAVE_ACTIVE_ONE_PER_TAG;
	ck_assert_ws_ok(init_wave(st, &rules, "ga-42", 42, "public", NULL, 0));
	ck_assert_ws(init_wave(st, &rules, "beta-43", 43, "beta", NULL, 0), WS_ERR_WAVE_ACTIVE);
	ck_assert_str_eq(ws_err_detail(), "wave beta-42 is active on tag beta; only one wave per tag may be "
	    "active: complete or cancel it first");
	ck_assert_str_eq(ws_wave_state_active(st, "public"), "ga-42");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_rollout_on_canceled)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = after_beta_43(&rules);

	ck_assert_ws(rollout(st, &rules, "beta-43", "apac"), WS_ERR_WAVE_STATE);
	ck_assert_str_eq(ws_err_detail(), "wave beta-43 is Canceled; rollout needs an Active wave");
	ck_assert_ws(simple(st, &rules, WS_WAVE_OP_COMPLETE, "beta-43"), WS_ERR_WAVE_STATE);
	ck_assert_ws(simple(st, &rules, WS_WAVE_OP_CANCEL, "beta-43"), WS_ERR_WAVE_STATE);
	ck_assert_str_eq(ws_err_detail(), "wave beta-43 is Canceled; cancel needs an Active wave");
	ck_assert_ws(rollout(st, &rules, "beta-99", "apac"), WS_ERR_NOT_FOUND);
	ck_assert_str_eq(ws_err_detail(), "no wave named beta-99");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_cancel_after_complete)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = after_beta_43(&rules);

	ck_assert_ws(simple(st, &rules, WS_WAVE_OP_CANCEL, "beta-42"), WS_ERR_WAVE_STATE);
	ck_assert_str_eq(ws_err_detail(), "wave beta-42 is Complete and cannot be canceled; to withdraw its "
	    "targets, init a new wave on tag beta that prunes version 42");
	ck_assert_ws(rollout(st, &rules, "beta-42", "apac"), WS_ERR_WAVE_STATE);
	ck_assert_str_eq(ws_err_detail(), "wave beta-42 is Complete; rollout needs an Active wave");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_approvals_short)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;

	log_reset();
	rules.approvals[WS_WAVE_OP_COMPLETE] = 2;
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_ws(simple(st, &rules, WS_WAVE_OP_COMPLETE, "beta-42"), WS_ERR_APPROVAL_NEEDED);
	ck_assert_str_eq(ws_err_detail(), "complete of wave beta-42 needs 2 approvals by distinct officers; "
	    "0 recorded: 2 more needed (wavesign waves approve beta-42 complete)");
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_COMPLETE, 1001));
	ck_assert_ws(simple(st, &rules, WS_WAVE_OP_COMPLETE, "beta-42"), WS_ERR_APPROVAL_NEEDED);
	ck_assert_str_eq(ws_err_detail(), "complete of wave beta-42 needs 2 approvals by distinct officers; "
	    "1 recorded (uid 1001): 1 more needed (wavesign waves approve beta-42 complete)");
	ck_assert_str_eq(field(st, "beta-42", "pending_approvals"),
	    "[{\"op\":\"complete\",\"seq\":2,\"time\":\"2021-03-23T10:02:00Z\",\"uid\":1001}]");
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_COMPLETE, 1002));
	ck_assert_ws_ok(simple(st, &rules, WS_WAVE_OP_COMPLETE, "beta-42"));
	ck_assert_str_eq(field(st, "beta-42", "pending_approvals"), "[]");
	ck_assert_str_eq(field(st, "beta-42", "approvals"),
	    "[{\"op\":\"complete\",\"seq\":2,\"time\":\"2021-03-23T10:02:00Z\",\"uid\":1001,\"used_seq\":4},"
	    "{\"op\":\"complete\",\"seq\":3,\"time\":\"2021-03-23T10:03:00Z\",\"uid\":1002,\"used_seq\":4}]");
	ws_wave_state_free(st);
}
END_TEST

/* The pending approvals of one step, also for the init of a wave not made yet. */
static const char *
pending_uids(const struct ws_wave_state *st, const char *wave, enum ws_wave_op op)
{
	static char buf[256];
	json_t *uids = NULL;
	char *s;

	ck_assert_ws_ok(ws_wave_pending_approvals(st, wave, op, &uids));
	s = json_dumps(uids, JSON_COMPACT);
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	json_decref(uids);
	return buf;
}

START_TEST(test_pending_approvals)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;

	log_reset();
	rules.approvals[WS_WAVE_OP_INIT] = 2;
	rules.approvals[WS_WAVE_OP_COMPLETE] = 2;
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_str_eq(pending_uids(st, "beta-42", WS_WAVE_OP_INIT), "[]");
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_INIT, 1002));
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_INIT, 1001));
	ck_assert_str_eq(pending_uids(st, "beta-42", WS_WAVE_OP_INIT), "[1002,1001]");
	ck_assert_str_eq(pending_uids(st, "beta-42", WS_WAVE_OP_COMPLETE), "[]");
	ck_assert_str_eq(pending_uids(st, "beta-43", WS_WAVE_OP_INIT), "[]");
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_str_eq(pending_uids(st, "beta-42", WS_WAVE_OP_INIT), "[]");
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_COMPLETE, 1001));
	ck_assert_str_eq(pending_uids(st, "beta-42", WS_WAVE_OP_COMPLETE), "[1001]");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_duplicate_approval)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;

	log_reset();
	rules.approvals[WS_WAVE_OP_COMPLETE] = 2;
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_COMPLETE, 1001));
	ck_assert_ws(approve(st, &rules, "beta-42", WS_WAVE_OP_COMPLETE, 1001), WS_ERR_EXISTS);
	ck_assert_str_eq(ws_err_detail(), "officer uid 1001 already approved complete of wave beta-42; approvals "
	    "count distinct officers");
	ck_assert_ws(simple(st, &rules, WS_WAVE_OP_COMPLETE, "beta-42"), WS_ERR_APPROVAL_NEEDED);
	/* Approving an op the policy does not gate is refused too. */
	ck_assert_ws(approve(st, &rules, "beta-42", WS_WAVE_OP_CANCEL, 1001), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "the policy asks no approvals for cancel");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_approvals_for_init_and_dropped_on_end)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;

	log_reset();
	rules.approvals[WS_WAVE_OP_INIT] = 1;
	rules.approvals[WS_WAVE_OP_COMPLETE] = 2;
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0), WS_ERR_APPROVAL_NEEDED);
	ck_assert_ws(approve(st, &rules, "Beta 42", WS_WAVE_OP_INIT, 1002), WS_ERR_WAVE_NAME);
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_INIT, 1002));
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_str_eq(field(st, "beta-42", "approvals"),
	    "[{\"op\":\"init\",\"seq\":1,\"time\":\"2021-03-23T10:01:00Z\",\"uid\":1002,\"used_seq\":2}]");
	/* A pending complete approval is dropped when the wave is canceled. */
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_COMPLETE, 1003));
	ck_assert_ws_ok(simple(st, &rules, WS_WAVE_OP_CANCEL, "beta-42"));
	ck_assert_str_eq(field(st, "beta-42", "pending_approvals"), "[]");
	ck_assert_ws(approve(st, &rules, "beta-42", WS_WAVE_OP_COMPLETE, 1004), WS_ERR_WAVE_STATE);
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_sign_records_keys_once)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;
	struct ws_wave_event ev = event(WS_WAVE_OP_SIGN, "beta-42");

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ev.keyid = "tuf-targets-2";
	ck_assert_ws_ok(run(st, &rules, &ev));
	ev = event(WS_WAVE_OP_SIGN, "beta-42");
	ev.keyid = "tuf-targets-2";
	ck_assert_ws(run(st, &rules, &ev), WS_ERR_EXISTS);
	ck_assert_str_eq(ws_err_detail(), "key tuf-targets-2 already signed wave beta-42");
	ck_assert_str_eq(field(st, "beta-42", "signatures"),
	    "[{\"keyid\":\"tuf-targets-2\",\"seq\":2,\"time\":\"2021-03-23T10:02:00Z\",\"uid\":1001}]");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_refuse_bad_selection)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;
	struct ws_wave_event ev = event(WS_WAVE_OP_ROLLOUT, "beta-42");
	const char *const uuids[] = { "a1", "b2", "a1" };

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ev.group = "emea";
	ev.selection.kind = WS_WAVE_SELECT_PERCENTAGE;
	ev.selection.percentage = 0;
	ck_assert_ws(run(st, &rules, &ev), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "a rollout percentage must be 1 to 100, got 0");
	ev.selection.percentage = 101;
	ck_assert_ws(run(st, &rules, &ev), WS_ERR_INVALID_ARGUMENT);
	ev.selection.kind = WS_WAVE_SELECT_LIMIT;
	ev.selection.limit = 0;
	ck_assert_ws(run(st, &rules, &ev), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "a rollout limit must be 1 or more devices, got 0");
	ev.selection.kind = WS_WAVE_SELECT_UUIDS;
	ev.selection.uuids = uuids;
	ev.selection.n_uuids = 3;
	ck_assert_ws(run(st, &rules, &ev), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "device uuid a1 is listed twice");
	ev.selection.n_uuids = 2;
	ck_assert_ws_ok(run(st, &rules, &ev));
	ev = event(WS_WAVE_OP_ROLLOUT, "beta-42");
	ev.group = "";
	ck_assert_ws(run(st, &rules, &ev), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "the group name must be 1 to 128 printable ASCII characters, got \"\"");
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_decision_record)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL;
	struct ws_wave_event ev = event(WS_WAVE_OP_ROLLOUT, "beta-42");
	const char *const uuids[] = { "dev-2", "dev-1" };
	json_t *rec = NULL;
	char sha[65], want[1024], *c;

	log_reset();
	rules.approvals[WS_WAVE_OP_ROLLOUT] = 1;
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_ws_ok(approve(st, &rules, "beta-42", WS_WAVE_OP_ROLLOUT, 1002));
	ck_assert_ws_ok(ws_wave_targets_sha256(ws_wave_state_targets(st, "beta-42"), sha));
	ev.group = "emea";
	ev.selection.kind = WS_WAVE_SELECT_UUIDS;
	ev.selection.uuids = uuids;
	ev.selection.n_uuids = 2;
	ev.time = T0;
	ck_assert_ws_ok(ws_wave_check(st, &rules, &ev));
	ck_assert_ws_ok(ws_wave_decision_record(st, &ev, &rec));
	c = canon(rec);
	snprintf(want, sizeof(want), "{\"_type\":\"WaveDecision\",\"approved_by\":[1002],\"decision\":\"rollout\","
	    "\"group\":\"emea\",\"officer\":{\"uid\":1001},\"selection\":{\"type\":\"uuids\",\"uuids\":[\"dev-2\","
	    "\"dev-1\"]},\"tag\":\"beta\",\"targets_sha256\":\"%s\",\"time\":\"2021-03-23T10:00:00Z\",\"version\":42,"
	    "\"wave\":\"beta-42\"}", sha);
	ck_assert_str_eq(c, want);
	free(c);
	json_decref(rec);
	/* Cancel's record has no group or selection. */
	ev = event(WS_WAVE_OP_CANCEL, "beta-42");
	ev.time = T0;
	ck_assert_ws_ok(ws_wave_decision_record(st, &ev, &rec));
	ck_assert_ptr_null(json_object_get(rec, "group"));
	ck_assert_str_eq(json_string_value(json_object_get(rec, "decision")), "cancel");
	json_decref(rec);
	ev = event(WS_WAVE_OP_INIT, "beta-42");
	ck_assert_ws(ws_wave_decision_record(st, &ev, &rec), WS_ERR_INVALID_ARGUMENT);
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_apply_refuses_stale_seq_and_bad_digest)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL, *fresh = NULL;
	struct ws_wave_event ev;

	st = after_beta_43(&rules);
	ev = the_log.ev[0];
	ck_assert_ws(ws_wave_apply(st, &ev), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_err_detail(), "event seq 1 is not after the state's seq 6 (already applied?)");
	ck_assert_ws_ok(ws_wave_state_new(&fresh));
	ev.targets_sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	ck_assert_ws(ws_wave_apply(fresh, &ev), WS_ERR_LOG_CORRUPT);
	ck_assert_ptr_null(ws_wave_state_active(fresh, NULL));
	ck_assert_uint_eq(ws_wave_state_seq(fresh), 0);
	ws_wave_state_free(st);
	ws_wave_state_free(fresh);
}
END_TEST

START_TEST(test_snapshot_files)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = after_beta_43(&rules), *loaded = NULL;
	char path[300];
	struct stat sb;
	DIR *d;
	struct dirent *de;
	int files = 0;
	FILE *f;

	make_tmpdir();
	ck_assert_ws(ws_wave_state_load(tmpdir, &loaded), WS_ERR_NOT_FOUND);
	ck_assert_ws_ok(ws_wave_state_save(st, tmpdir));
	ck_assert_ws_ok(ws_wave_state_save(st, tmpdir));
	snprintf(path, sizeof(path), "%s/waves.json", tmpdir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	/* No temp file left behind. */
	d = opendir(tmpdir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			files++;
	closedir(d);
	ck_assert_int_eq(files, 1);
	/* The Active-wave's targets travel in the snapshot. */
	ck_assert_ws_ok(ws_wave_state_load(tmpdir, &loaded));
	ck_assert_str_eq(field(loaded, "beta-43", "status"), "\"Canceled\"");
	ws_wave_state_free(loaded);
	loaded = NULL;
	/* A damaged or foreign snapshot does not load. */
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{\"format\":\"wavesign-waves\",\"format_version\":1,\"seq\":", f);
	fclose(f);
	ck_assert_ws(ws_wave_state_load(tmpdir, &loaded), WS_ERR_JSON_SYNTAX);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{\"format\":\"other\",\"format_version\":1}", f);
	fclose(f);
	ck_assert_ws(ws_wave_state_load(tmpdir, &loaded), WS_ERR_LOG_CORRUPT);
	ck_assert_ptr_nonnull(strstr(ws_err_detail(), "waves.json is format other version 1, expected "
	    "wavesign-waves version 1"));
	ck_assert_ptr_null(loaded);
	/* Saving into a directory that does not exist fails with the path. */
	ck_assert_ws(ws_wave_state_save(st, "/nonexistent-wavesign-dir"), WS_ERR_SYSTEM);
	remove_tmpdir();
	ws_wave_state_free(st);
}
END_TEST

START_TEST(test_active_wave_survives_snapshot)
{
	struct ws_wave_rules rules = default_rules();
	struct ws_wave_state *st = NULL, *loaded = NULL;
	char *a, *b;

	log_reset();
	ck_assert_ws_ok(ws_wave_state_new(&st));
	ck_assert_ws_ok(init_wave(st, &rules, "beta-42", 42, "beta", NULL, 0));
	ck_assert_ws_ok(rollout(st, &rules, "beta-42", "emea"));
	make_tmpdir();
	ck_assert_ws_ok(ws_wave_state_save(st, tmpdir));
	ck_assert_ws_ok(ws_wave_state_load(tmpdir, &loaded));
	a = canon(ws_wave_state_targets(st, "beta-42"));
	b = canon(ws_wave_state_targets(loaded, "beta-42"));
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* The loaded state goes on where the saved one stopped. */
	ck_assert_ws_ok(simple(loaded, &rules, WS_WAVE_OP_COMPLETE, "beta-42"));
	/* An Active wave's targets altered in the snapshot do not load. */
	{
		struct ws_wave_state *bad = NULL;
		char path[300], *text, *at;
		FILE *f;

		snprintf(path, sizeof(path), "%s/waves.json", tmpdir);
		text = read_text(path);
		ck_assert_ptr_nonnull(at = strstr(text, "\"length\":0"));
		at[9] = '1';
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(text, f);
		fclose(f);
		free(text);
		ck_assert_ws(ws_wave_state_load(tmpdir, &bad), WS_ERR_LOG_CORRUPT);
		ck_assert_ptr_nonnull(strstr(ws_err_detail(), "the targets of wave beta-42 in the snapshot have SHA-256"));
		ck_assert_ptr_null(bad);
	}
	ck_assert_ptr_null(ws_wave_state_targets(loaded, "beta-42"));
	ck_assert_str_eq(production_names(loaded, "beta", &(int64_t){ 0 }), "imx8-lmp-42,rpi4-lmp-42");
	remove_tmpdir();
	ws_wave_state_free(st);
	ws_wave_state_free(loaded);
}
END_TEST

START_TEST(test_names_and_time)
{
	enum ws_wave_op op;
	char buf[WS_WAVE_TIME_LEN + 1];

	ck_assert_ws_ok(ws_wave_op_from_name("complete", &op));
	ck_assert_int_eq(op, WS_WAVE_OP_COMPLETE);
	ck_assert_str_eq(ws_wave_op_name(WS_WAVE_OP_ROLLOUT), "rollout");
	ck_assert_ws(ws_wave_op_from_name("delete", &op), WS_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(ws_wave_status_name(WS_WAVE_STATUS_CANCELED), "Canceled");
	ck_assert_ws_ok(ws_wave_format_time(0, buf));
	ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	ck_assert_ws_ok(ws_wave_format_time(INT64_C(253402300799), buf));
	ck_assert_str_eq(buf, "9999-12-31T23:59:59Z");
	ck_assert_ws(ws_wave_format_time(INT64_C(253402300800), buf), WS_ERR_INVALID_ARGUMENT);
	ck_assert_ws(ws_wave_format_time(-1, buf), WS_ERR_INVALID_ARGUMENT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("wave");
	TCase *tc = tcase_create("core");
	TCase *refused = tcase_create("refused");

	tcase_add_test(tc, test_build_targets_shape);
	tcase_add_test(tc, test_seed_example);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_approvals_for_init_and_dropped_on_end);
	tcase_add_test(tc, test_sign_records_keys_once);
	tcase_add_test(tc, test_decision_record);
	tcase_add_test(tc, test_snapshot_files);
	tcase_add_test(tc, test_active_wave_survives_snapshot);
	tcase_add_test(tc, test_names_and_time);
	suite_add_tcase(s, tc);

	tcase_add_test(refused, test_refuse_version_not_greater);
	tcase_add_test(refused, test_refuse_version_of_canceled_wave);
	tcase_add_test(refused, test_refuse_build_version_not_greater);
	tcase_add_test(refused, test_refuse_no_target_of_version);
	tcase_add_test(refused, test_refuse_collision);
	tcase_add_test(refused, test_refuse_ci_target_misnamed);
	tcase_add_test(refused, test_refuse_ci_target_malformed);
	tcase_add_test(refused, test_refuse_tag_not_allowed);
	tcase_add_test(refused, test_refuse_name_taken);
	tcase_add_test(refused, test_refuse_name_not_matching);
	tcase_add_test(refused, test_refuse_another_wave_active);
	tcase_add_test(refused, test_refuse_rollout_on_canceled);
	tcase_add_test(refused, test_refuse_cancel_after_complete);
	tcase_add_test(refused, test_refuse_approvals_short);
	tcase_add_test(refused, test_refuse_duplicate_approval);
	tcase_add_test(refused, test_pending_approvals);
	tcase_add_test(refused, test_refuse_bad_selection);
	tcase_add_test(refused, test_apply_refuses_stale_seq_and_bad_digest);
	suite_add_tcase(s, refused);
	return ws_test_run(s);
}
