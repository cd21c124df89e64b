/*
 * ws_policy_describe.c -- a readable summary of what a policy allows, for
 * `wavesign policy check FILE` and for officers reviewing a change.
 *
 * Wildcards in allow lists are shown as written and expanded, so that the
 * reader sees the exact ops each client gets.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ws_policy.h"
#include "ws_yaml.h"

#define LINE_WIDTH 96

#define PUT(...) do { if ((r = ws_buf_printf(out, __VA_ARGS__)) != WS_OK) return r; } while (0)

static const char *
dur(uint64_t s, char *buf, size_t size)
{
	ws_format_duration(s, buf, size);
	return buf;
}

/* TUF expiries read best in days ("365d"), as policies write them. */
static const char *
days(uint64_t s, char *buf, size_t size)
{
	if (s % 86400 == 0)
		snprintf(buf, size, "%llud", (unsigned long long)(s / 86400));
	else
		ws_format_duration(s, buf, size);
	return buf;
}

static ws_err
describe_keys(const struct ws_policy *p, struct ws_buf *out)
{
	ws_err r;

	PUT("\nkeys (%zu, by token label):\n", p->n_keys);
	for (size_t i = 0; i < p->n_keys; i++) {
		const struct ws_policy_key *k = &p->keys[i];

		if (k->id_len == 0) {
			PUT("  %-16s %s", k->label, ws_policy_key_type_name(k->kind));
		} else {
			PUT("  %-16s %-9s id ", k->label, ws_policy_key_type_name(k->kind));
			for (size_t j = 0; j < k->id_len; j++)
				PUT("%02x", k->id[j]);
		}
		PUT("\n");
	}
	return WS_OK;
}

static ws_err
describe_principal(struct ws_buf *out, const char *what, const char *name, unsigned long id)
{
	ws_err r;

	if (name != NULL)
		PUT("%s %s", what, name);
	else
		PUT("%s %lu", what, id);
	return WS_OK;
}

static ws_err
describe_client(const struct ws_policy_client *c, struct ws_buf *out)
{
	ws_err r;

	PUT("  %s: ", c->name);
	if (c->has_user && (r = describe_principal(out, "unix-user", c->user_name,
	    (unsigned long)c->uid)) != WS_OK)
		return r;
	if (c->has_user && c->has_group)
		PUT(" in ");
	if (c->has_group && (r = describe_principal(out, "unix-group", c->group_name,
	    (unsigned long)c->gid)) != WS_OK)
		return r;
	if (c->officer)
		PUT("; officer");
	PUT("\n    allow:");
	if (c->n_allow == 0)
		PUT(" nothing (every request is denied)");
	for (size_t i = 0; i < c->n_allow; i++)
		PUT("%s %s", i ? "," : "", c->allow[i]);
	PUT("\n");
	if (c->ops != 0) {
		size_t col = 8;

		PUT("    ops:");
		for (int op = 0; op < WS_OP_COUNT; op++) {
			if (!(c->ops & WS_OP_BIT(op)))
				continue;
			if (col + 1 + strlen(ws_op_name(op)) > LINE_WIDTH) {
				PUT("\n        ");
				col = 8;
			}
			PUT(" %s", ws_op_name(op));
			col += 1 + strlen(ws_op_name(op));
		}
		PUT("\n");
	}
	if (c->ops & WS_OP_BIT(WS_OP_CERT_ISSUE)) {
		switch (c->production) {
		case WS_PRODUCTION_DENY:
			PUT("    production certificates: denied (test devices only)\n");
			break;
		case WS_PRODUCTION_ALLOW:
			PUT("    production certificates: allowed (test or production)\n");
			break;
		case WS_PRODUCTION_REQUIRE:
			PUT("    production certificates: required (production devices only)\n");
			break;
		}
	}
	if (c->rate_count > 0)
		PUT("    rate: at most %u requests per %s\n", c->rate_count,
		    c->rate_period_s == 1 ? "second" : c->rate_period_s == 60 ? "minute" : "hour");
	else
		PUT("    rate: unlimited\n");
	return WS_OK;
}

static ws_err
describe_certificates(const struct ws_policy *p, struct ws_buf *out)
{
	const struct ws_policy_certificates *c = &p->certificates;
	const struct ws_policy_device_profile *d = &c->device;
	char a[32];
	bool first = true;
	ws_err r;

	if (!c->present) {
		PUT("\ncertificates: none (no certificates section: ca.* and cert.issue have nothing to sign with)\n");
		return WS_OK;
	}
	PUT("\ncertificates (OU of every CA and device certificate: %s):\n", p->factory);
	PUT("  root CA:     key %s, valid %s\n", c->root_ca_key->label, dur(c->root_ca_validity_s, a, sizeof(a)));
	PUT("  device CA:   key %s, valid %s\n", c->device_ca_key->label,
	    dur(c->device_ca_validity_s, a, sizeof(a)));
	PUT("  gateway TLS: valid %s\n", dur(c->tls_validity_s, a, sizeof(a)));
	PUT("  device:      CN ");
	switch (d->cn_mode) {
	case WS_CN_UUID:
		PUT("a UUID");
		break;
	case WS_CN_ANY:
		PUT("anything non-empty");
		break;
	case WS_CN_REGEX:
		PUT("matching %s", d->cn_pattern);
		break;
	}
	PUT("; keys");
	for (int t = 0; t < WS_PKEY_COUNT; t++)
		if (d->key_types & (1u << t)) {
			PUT("%s %s", first ? "" : ",", ws_policy_key_type_name(t));
			first = false;
		}
	PUT("; valid %s; reissue %s\n", dur(d->validity_s, a, sizeof(a)), d->reissue ? "allowed" : "denied");
	return WS_OK;
}

static ws_err
describe_tuf(const struct ws_policy *p, struct ws_buf *out)
{
	const struct ws_policy_tuf *t = &p->tuf;
	char a[32], b[32];
	ws_err r;

	if (!t->present) {
		PUT("\ntuf: none (no tuf section: TUF and wave ops have no keys)\n");
		return WS_OK;
	}
	PUT("\ntuf (dialect %s):\n", ws_tuf_dialect_name(t->dialect));
	for (int i = 0; i < WS_TUF_ROLE_COUNT; i++) {
		const struct ws_policy_tuf_role *role = &t->roles[i];

		PUT("  %-10s", ws_tuf_role_name(i));
		if (!role->present) {
			PUT("not signed here\n");
			continue;
		}
		PUT("keys");
		for (size_t k = 0; k < role->n_keys; k++)
			PUT("%s %s", k ? "," : "", role->keys[k]->label);
		PUT("; threshold %u of %zu; expires in %s by default, at most %s\n", role->threshold,
		    role->n_keys, days(role->expires_default_s, a, sizeof(a)),
		    days(role->expires_max_s, b, sizeof(b)));
	}
	if (t->dialect == WS_TUF_FOUNDRIES)
		PUT("  production root: targets threshold %u (offline targets keys + the back end's online key)\n",
		    t->production_targets_threshold);
	return WS_OK;
}

static ws_err
describe_waves(const struct ws_policy *p, struct ws_buf *out)
{
	const struct ws_policy_waves *w = &p->waves;
	ws_err r;

	PUT("\nwaves%s:\n", w->present ? "" : " (defaults)");
	PUT("  active: %s\n", w->active == WS_WAVES_ONE ? "one wave at a time" : "one wave per tag at a time");
	PUT("  tags:");
	for (size_t i = 0; i < w->n_tags; i++)
		PUT("%s %s", i ? "," : "", w->tags[i]);
	PUT("\n  name: %s\n", w->name_pattern);
	PUT("  approvals by distinct officers:");
	for (int s = 0; s < WS_WAVE_STEP_COUNT; s++)
		PUT("%s %s %u", s ? "," : "", ws_wave_step_name(s), w->approvals[s]);
	PUT("\n");
	return WS_OK;
}

/* Warnings last, after a blank line, so that they stand out. */
static ws_err
describe_warnings(const struct ws_policy *p, struct ws_buf *out)
{
	struct ws_buf w = WS_BUF_INIT(out->max);
	unsigned n = 0;
	ws_err r;

	if ((r = ws_policy_warnings(p, &w, &n)) == WS_OK && n > 0 &&
	    (r = ws_buf_put_str(out, "\n")) == WS_OK)
		r = ws_buf_put(out, w.data, w.len);
	ws_buf_free(&w);
	return r;
}

ws_err
ws_policy_describe(const struct ws_policy *p, struct ws_buf *out)
{
	ws_err r;

	PUT("policy: %s\n", p->path);
	PUT("sha256: %s\n", p->sha256);
	PUT("factory: %s\n", p->factory);
	if ((r = describe_keys(p, out)) != WS_OK)
		return r;
	PUT("\nclients (matched by the peer's uid/gid; the first match wins; anyone else is refused):\n");
	for (size_t i = 0; i < p->n_clients; i++)
		if ((r = describe_client(&p->clients[i], out)) != WS_OK)
			return r;
	if ((r = describe_certificates(p, out)) != WS_OK || (r = describe_tuf(p, out)) != WS_OK ||
	    (r = describe_waves(p, out)) != WS_OK)
		return r;
	PUT("\naudit: checkpoints signed by key %s every %u records\n", p->audit.key->label,
	    p->audit.checkpoint_every);
	return describe_warnings(p, out);
}
