/*
 * cmd_search.c -- wavesign-audit search: records matching every filter.
 */
#include "config.h"

#include <fnmatch.h>
#include <getopt.h>
#include <string.h>
#include <strings.h>

#include "ws_logline.h"
#include "audit.h"

static const char search_usage[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE] search [--op OP] [--client C] [--cn CN]\n"
    "                      [--serial S] [--wave W] [--decision D] [--since TIME] [--until TIME] [--json]\n";

static const char search_help[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE] search [--op OP] [--client C] [--cn CN]\n"
    "                      [--serial S] [--wave W] [--decision D] [--since TIME] [--until TIME] [--json]\n"
    "\n"
    "Prints the records that match every filter given, as a table or JSON lines.\n"
    "Does not verify the log: run verify.\n"
    "\n"
    "  --op OP          op, a shell pattern (cert.issue, 'waves.*')\n"
    "  --client C       the policy client (peer.client)\n"
    "  --cn CN          the device CN (subject.cn)\n"
    "  --serial S       a certificate serial, hex (outputs.serial or subject.serial)\n"
    "  --wave W         a wave name (subject.wave)\n"
    "  --decision D     allowed, denied or failed\n"
    "  --since TIME     records at or after TIME (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)\n"
    "  --until TIME     records at or before TIME (a date includes that whole day)\n"
    "  --json           print the matching lines as they are in the log\n";

struct search {
	const char *op, *client, *cn, *serial, *wave, *decision, *since, *until;
	bool json;
	uint64_t matches;
};

static bool
field_is(const json_t *rec, const char *path, const char *want)
{
	char buf[32];
	const char *v;

	return want == NULL || ((v = audit_record_str(rec, path, buf, sizeof(buf))) != NULL && strcmp(v, want) == 0);
}

static bool
matches(const struct search *s, const json_t *rec)
{
	char buf[32];
	const char *v, *t = audit_record_str(rec, "time", buf, sizeof(buf));

	if (s->op != NULL && ((v = audit_record_str(rec, "op", buf, sizeof(buf))) == NULL ||
	    fnmatch(s->op, v, 0) != 0))
		return false;
	if (s->serial != NULL) {
		char b1[32], b2[32];
		const char *o = audit_record_str(rec, "outputs.serial", b1, sizeof(b1));
		const char *q = audit_record_str(rec, "subject.serial", b2, sizeof(b2));

		if ((o == NULL || strcasecmp(o, s->serial) != 0) && (q == NULL || strcasecmp(q, s->serial) != 0))
			return false;
	}
	if (t == NULL)
		return false;
	/* Times compare as text; a shorter bound compares on its length (a date covers its day). */
	if (s->since != NULL && strncmp(t, s->since, strlen(s->since)) < 0)
		return false;
	if (s->until != NULL && strncmp(t, s->until, strlen(s->until)) > 0)
		return false;
	return field_is(rec, "peer.client", s->client) && field_is(rec, "subject.cn", s->cn) &&
	    field_is(rec, "subject.wave", s->wave) && field_is(rec, "decision", s->decision);
}

static bool
search_record(void *ctx, uint64_t seq, const json_t *rec, const uint8_t *line, size_t len)
{
	struct search *s = ctx;

	if (!matches(s, rec))
		return true;
	s->matches++;
	if (s->json)
		printf("%.*s\n", (int)len, (const char *)line);
	else
		audit_table_row(stdout, rec);
	return true;
}

/* A time bound: a date, or a full UTC time. */
static bool
time_bound_valid(const char *s)
{
	char full[WS_LOG_TIME_LEN + 1];

	if (strlen(s) == 10) {
		snprintf(full, sizeof(full), "%sT00:00:00Z", s);
		return ws_log_time_valid(full, WS_LOG_TIME_LEN);
	}
	return ws_log_time_valid(s, strlen(s));
}

int
cmd_search(struct audit *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "client", required_argument, NULL, 'c' },
		{ "cn", required_argument, NULL, 'n' },
		{ "serial", required_argument, NULL, 's' },
		{ "wave", required_argument, NULL, 'w' },
		{ "decision", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct search s;
	ws_err r;
	int ch;

	memset(&s, 0, sizeof(s));
	if (audit_wants_help(argc, argv, search_help))
		return AUDIT_EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': s.op = optarg; break;
		case 'c': s.client = optarg; break;
		case 'n': s.cn = optarg; break;
		case 's': s.serial = optarg; break;
		case 'w': s.wave = optarg; break;
		case 'd': s.decision = optarg; break;
		case 'S': s.since = optarg; break;
		case 'U': s.until = optarg; break;
		case 'j': s.json = true; break;
		default:
			return audit_usage_error(search_usage, "search: unknown option");
		}
	}
	if (optind != argc)
		return audit_usage_error(search_usage, "search: unexpected argument '%s'", argv[optind]);
	if (s.decision != NULL && strcmp(s.decision, "allowed") != 0 && strcmp(s.decision, "denied") != 0 &&
	    strcmp(s.decision, "failed") != 0)
		return audit_usage_error(search_usage, "search: --decision is allowed, denied or failed");
	if ((s.since != NULL && !time_bound_valid(s.since)) || (s.until != NULL && !time_bound_valid(s.until)))
		return audit_usage_error(search_usage, "search: times are YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
	if (a->log_path[0] == '\0')
		return audit_usage_error(search_usage, "search: give -d STATE_DIR or --log FILE");
	if (!s.json)
		audit_table_header(stdout);
	if ((r = audit_records_each(a->log_path, search_record, &s)) != WS_OK)
		return audit_fail("search", r);
	return AUDIT_EXIT_OK;
}
