/*
 * cmd_bundle.c -- wavesign bundle sign: the metadata of an offline update.
 */
#include "config.h"

#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char sign_usage[] =
    "usage: wavesign bundle sign (--wave NAME | --tag TAG) [--target NAME ...]\n"
    "                            [--expires-days N | --expires-at TIME] --out DIR\n"
    "\n"
    "Signs bundle-targets.json for an offline update bundle, as aktualizr-lite reads\n"
    "it: {\"x-fio-offline-bundle\":{\"type\":\"prod\",\"tag\",\"targets\"}} over the targets of\n"
    "an active or completed wave, or of a tag's production targets (all of them, or\n"
    "those named with --target), signed by every offline targets key in the token;\n"
    "refused unless that reaches the production root's targets threshold. Writes\n"
    "bundle-targets.json and the production root's N.root.json files into DIR.\n"
    "Needs bundle.sign.\n"
    "\n"
    "  --wave NAME        the targets of this wave\n"
    "  --tag TAG          the production targets of this tag\n"
    "  --target NAME      only this target (repeatable)\n"
    "  --expires-days N   expires N days from now (default: the policy's targets default)\n"
    "  --expires-at TIME  expires at YYYY-MM-DDTHH:MM:SSZ\n"
    "  --out DIR          where to write the files\n";

static int
bundle_sign(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wave", required_argument, NULL, 'w' },
		{ "tag", required_argument, NULL, 't' },
		{ "target", required_argument, NULL, 'n' },
		{ "expires-days", required_argument, NULL, 'd' },
		{ "expires-at", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *wave = NULL, *tag = NULL, *days = NULL, *at = NULL, *out_dir = NULL;
	json_t *args = json_object(), *targets = NULL, *res = NULL, *v;
	size_t i;
	int ch, code = CLI_EXIT_OK;

	optind = 0;
	while (code == CLI_EXIT_OK && (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w': wave = optarg; break;
		case 't': tag = optarg; break;
		case 'n':
			if (targets == NULL)
				json_object_set_new(args, "targets", targets = json_array());
			json_array_append_new(targets, json_string(optarg));
			break;
		case 'd': days = optarg; break;
		case 'a': at = optarg; break;
		case 'o': out_dir = optarg; break;
		case 'h': fputs(sign_usage, stdout); json_decref(args); return CLI_EXIT_OK;
		default: code = cli_usage_error(sign_usage, "bundle sign: bad option"); break;
		}
	}
	if (code == CLI_EXIT_OK && optind != argc)
		code = cli_usage_error(sign_usage, "bundle sign: unexpected argument '%s'", argv[optind]);
	if (code == CLI_EXIT_OK && (wave == NULL) == (tag == NULL))
		code = cli_usage_error(sign_usage, "bundle sign needs --wave NAME or --tag TAG");
	if (code == CLI_EXIT_OK && out_dir == NULL)
		code = cli_usage_error(sign_usage, "bundle sign needs --out DIR");
	if (code == CLI_EXIT_OK)
		code = cli_expires_opt(args, days, at, sign_usage);
	if (code != CLI_EXIT_OK)
		goto out;
	json_object_set_new(args, wave ? "wave" : "tag", json_string(wave ? wave : tag));
	if ((code = cli_call(cli, "bundle.sign", args, &res)) != CLI_EXIT_OK ||
	    (code = cli_files_write(out_dir, json_object_get(res, "files"), false)) != CLI_EXIT_OK)
		goto out;
	if (cli->json) {
		cli_print_json(res);
	} else {
		printf("bundle for tag %s (type %s), version %lld, expires %s, sha256 %s\n", cli_str(res, "tag"),
		    cli_str(res, "type"), cli_int(res, "version"), cli_str(res, "expires"), cli_str(res, "sha256"));
		json_array_foreach(json_object_get(res, "targets"), i, v)
			printf("  target %s\n", json_string_value(v));
		printf("wrote %s/bundle-targets.json\n", out_dir);
	}
out:
	json_decref(args);
	json_decref(res);
	return code;
}

int
cmd_bundle(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "sign", bundle_sign, "sign bundle-targets.json for an offline update" },
		{ NULL, NULL, NULL },
	};

	return cli_run_family(cli, "bundle", cmds, argc, argv);
}
