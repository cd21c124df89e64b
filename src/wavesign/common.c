/*
 * common.c -- helpers every command uses: help, errors, output.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "cli.h"

bool
cli_wants_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return true;
		}
	}
	return false;
}

int
cli_fail(int code, const char *what, ws_err err)
{
	fprintf(stderr, "wavesign: %s: %s [%s]\n", what, ws_err_message(err), ws_err_code(err));
	return code;
}

int
cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("wavesign: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(usage, stderr);
	return CLI_EXIT_USAGE;
}

int
cli_run_family(struct cli *cli, const char *family, const struct cli_cmd *cmds, int argc, char **argv)
{
	FILE *f = stdout;

	if (argc >= 2 && strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--help") != 0) {
		for (const struct cli_cmd *c = cmds; c->name != NULL; c++)
			if (strcmp(c->name, argv[1]) == 0)
				return c->fn(cli, argc - 1, argv + 1);
		fprintf(stderr, "wavesign: %s: unknown command '%s'\n", family, argv[1]);
		f = stderr;
	} else if (argc < 2) {
		f = stderr;
	}
	fprintf(f, "usage: wavesign %s COMMAND [ARGS]\n\ncommands:\n", family);
	for (const struct cli_cmd *c = cmds; c->name != NULL; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'wavesign %s COMMAND --help' for a command's options.\n", family);
	return f == stdout ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

void
cli_print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (s != NULL) {
		puts(s);
		free(s);
	}
}

const char *
cli_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

long long
cli_int(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}
