/*
 * cmd_show.c -- wavesign-audit show [SEQ]: one record in full, or all of
 * them as a table.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>

#include "audit.h"

static const char show_usage[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE] show [--json] [SEQ]\n";

static const char show_help[] =
    "usage: wavesign-audit [-d STATE_DIR | --log FILE] show [--json] [SEQ]\n"
    "\n"
    "With SEQ, prints that record, one member per line (peer.client: registrar);\n"
    "without, prints every record as a table. Does not verify the log: run verify.\n"
    "\n"
    "  --json  print the records' lines as they are in the log (JSON lines)\n";

struct show {
	bool json;
	bool all;
	uint64_t seq;
	bool found;
	uint64_t records;
};

static bool
show_record(void *ctx, uint64_t seq, const json_t *rec, const uint8_t *line, size_t len)
{
	struct show *s = ctx;

	s->records = seq + 1;
	if (!s->all && seq != s->seq)
		return true;
	if (s->json)
		printf("%.*s\n", (int)len, (const char *)line);
	else if (s->all)
		audit_table_row(stdout, rec);
	else
		audit_record_full(stdout, rec);
	s->found = true;
	return s->all;
}

int
cmd_show(struct audit *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct show s = { false, true, 0, false, 0 };
	ws_err r;
	int ch;

	if (audit_wants_help(argc, argv, show_help))
		return AUDIT_EXIT_OK;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (ch != 'j')
			return audit_usage_error(show_usage, "show: unknown option");
		s.json = true;
	}
	if (argc - optind > 1)
		return audit_usage_error(show_usage, "show: too many arguments");
	if (argc - optind == 1) {
		if (!audit_parse_u64(argv[optind], &s.seq))
			return audit_usage_error(show_usage, "show: '%s' is not a sequence number", argv[optind]);
		s.all = false;
	}
	if (a->log_path[0] == '\0')
		return audit_usage_error(show_usage, "show: give -d STATE_DIR or --log FILE");
	if (s.all && !s.json)
		audit_table_header(stdout);
	if ((r = audit_records_each(a->log_path, show_record, &s)) != WS_OK)
		return audit_fail("show", r);
	if (!s.all && !s.found) {
		fprintf(stderr, "wavesign-audit: show: no record %" PRIu64 " (the log has %" PRIu64 ")\n", s.seq,
		    s.records);
		return AUDIT_EXIT_FAILED;
	}
	return AUDIT_EXIT_OK;
}
