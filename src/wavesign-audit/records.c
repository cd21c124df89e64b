/*
 * records.c -- showing log records: a table row, or every member.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "ws_cjson.h"
#include "ws_log_reader.h"
#include "ws_logline.h"
#include "audit.h"

const char *
audit_record_str(const json_t *rec, const char *path, char *buf, size_t len)
{
	char part[128];
	const char *dot;
	const json_t *v = rec;

	while (v != NULL && *path != '\0') {
		dot = strchr(path, '.');
		snprintf(part, sizeof(part), "%.*s", dot ? (int)(dot - path) : (int)strlen(path), path);
		v = json_object_get(v, part);
		path = dot ? dot + 1 : "";
	}
	if (v == NULL)
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

void
audit_table_header(FILE *f)
{
	fprintf(f, "%-8s %-20s %-16s %-12s %-8s %s\n", "SEQ", "TIME", "OP", "CLIENT", "DECISION", "DETAIL");
}

/* The decisive fields, "cn=... serial=... error=...". */
static void
row_detail(const json_t *rec, char *out, size_t len)
{
	static const char *const fields[] = {
		"subject.cn", "subject.production", "subject.wave", "subject.version", "subject.tag",
		"subject.group", "subject.key", "outputs.serial", "checkpoint.size", "origin", "error",
	};
	char num[32];
	const char *v;
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]) && n < len; i++) {
		const char *name = strrchr(fields[i], '.');

		if ((v = audit_record_str(rec, fields[i], num, sizeof(num))) == NULL)
			continue;
		n += (size_t)snprintf(out + n, len - n, "%s%s=%s", n ? " " : "", name ? name + 1 : fields[i], v);
	}
}

void
audit_table_row(FILE *f, const json_t *rec)
{
	static const char *const cols[] = { "seq", "time", "op", "peer.client", "decision" };
	char buf[5][32], detail[512];
	const char *v[5];
	size_t i;

	for (i = 0; i < 5; i++)
		if ((v[i] = audit_record_str(rec, cols[i], buf[i], sizeof(buf[i]))) == NULL)
			v[i] = "-";
	row_detail(rec, detail, sizeof(detail));
	fprintf(f, "%-8s %-20s %-16s %-12s %-8s %s\n", v[0], v[1], v[2], v[3], v[4], detail);
}

/* Prints every scalar as "path: value"; strings that are not plain text as JSON. */
static void
full_value(FILE *f, const char *path, const json_t *v)
{
	struct ws_buf b = WS_BUF_INIT(1 << 20);
	char sub[512];
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			full_value(f, sub, child);
		}
		return;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			full_value(f, sub, child);
		}
		return;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		bool plain = true;

		for (i = 0; s[i]; i++)
			if ((unsigned char)s[i] < 0x20)
				plain = false;
		if (plain) {
			fprintf(f, "%s: %s\n", path, s);
			return;
		}
	}
	if (ws_cjson_encode(v, WS_CJSON_VALID_JSON, &b) == WS_OK)
		fprintf(f, "%s: %.*s\n", path, (int)b.len, (const char *)b.data);
	ws_buf_free(&b);
}

void
audit_record_full(FILE *f, const json_t *rec)
{
	full_value(f, "", rec);
}

ws_err
audit_records_each(const char *log_path, audit_record_cb cb, void *ctx)
{
	struct ws_log_reader *rd = NULL;
	const uint8_t *line;
	json_t *rec = NULL;
	uint64_t seq;
	size_t len;
	ws_err r;

	if ((r = ws_log_reader_open(log_path, &rd)) != WS_OK)
		goto out;
	for (seq = 0;; seq++) {
		r = ws_log_reader_next(rd, &line, &len);
		if (r == WS_ERR_TRUNCATED) {
			fprintf(stderr, "wavesign-audit: note: the log ends in a partial line (%llu bytes), not shown\n",
			    (unsigned long long)ws_log_reader_partial(rd));
			r = WS_OK;
			break;
		}
		if (r == WS_ERR_LIMIT) {
			r = ws_err_set(WS_ERR_LOG_CORRUPT, "seq %" PRIu64 ": the line is longer than %zu bytes", seq,
			    WS_LOG_LINE_MAX);
			goto out;
		}
		if (r != WS_OK || line == NULL)
			break;
		if ((r = ws_logline_parse(line, len, &rec)) != WS_OK) {
			ws_err_prefix("seq %" PRIu64, seq);
			goto out;
		}
		if (!cb(ctx, seq, rec, line, len))
			break;
		json_decref(rec);
		rec = NULL;
	}
out:
	json_decref(rec);
	ws_log_reader_free(rd);
	return r;
}
