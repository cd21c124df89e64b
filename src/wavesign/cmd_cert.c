/*
 * cmd_cert.c -- wavesign cert issue|revoke: device client certificates.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char issue_usage[] =
    "usage: wavesign cert issue CSR [--production] [--out DIR]\n"
    "\n"
    "Issues a device client certificate from CSR (a PEM or DER file; - reads\n"
    "standard input). The subject must be CN=<device uuid>, OU=<factory> and,\n"
    "for a production device, businessCategory=production; it is copied byte for\n"
    "byte. The CSR is never altered: --production asserts that it carries the\n"
    "production marker, and without it the CSR must not carry one. The policy\n"
    "decides whether you may issue production certificates. Needs cert.issue.\n"
    "\n"
    "  --production  the CSR is for a production device\n"
    "  --out DIR     write client.pem, client.chained (certificate, then the device\n"
    "                CA) and root.crt into DIR (mode 0644, each replaced atomically);\n"
    "                without it the certificate is printed on standard output\n";

static const char revoke_usage[] =
    "usage: wavesign cert revoke SERIAL [--reason REASON] [--out FILE]\n"
    "\n"
    "Revokes a device certificate this appliance issued: signs, with the device\n"
    "CA key, a new device-CA CRL listing every revoked device certificate. SERIAL\n"
    "is hex (colons allowed, as openssl prints it). REASON: unspecified (default),\n"
    "key-compromise, affiliation-changed, superseded, cessation-of-operation.\n"
    "Needs ca.crl.\n"
    "\n"
    "  --reason REASON  the CRL entry's reason code\n"
    "  --out FILE       write the CRL (PEM) to FILE; without it, it is printed\n";

int
cli_write_cert_files(const char *dir, const json_t *res, const char *const *names)
{
	char path[4200];
	int code;

	if ((code = cli_make_dir(dir)) != CLI_EXIT_OK)
		return code;
	for (size_t i = 0; names[i] != NULL; i++) {
		const char *text = json_string_value(json_object_get(res, names[i]));

		if (text == NULL) {
			fprintf(stderr, "wavesign: the daemon's answer has no '%s'\n", names[i]);
			return CLI_EXIT_DAEMON;
		}
		if ((code = cli_dir_path(dir, names[i], path, sizeof(path))) != CLI_EXIT_OK ||
		    (code = cli_write_text(path, text, 0644)) != CLI_EXIT_OK)
			return code;
	}
	return CLI_EXIT_OK;
}

const char *const cli_cert_files[] = { "client.pem", "client.chained", "root.crt", NULL };

void
cli_print_cert_summary(const json_t *res, const char *dir)
{
	printf("serial      %s\n", cli_str(res, "serial"));
	printf("production  %s\n", json_is_true(json_object_get(res, "production")) ? "yes" : "no");
	printf("not after   %s\n", cli_str(res, "not_after"));
	printf("sha256      %s\n", cli_str(res, "sha256"));
	if (dir != NULL)
		for (size_t i = 0; cli_cert_files[i] != NULL; i++)
			printf("wrote %s/%s\n", dir, cli_cert_files[i]);
}

static int
cert_issue(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "production", no_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_dir = NULL;
	bool production = false;
	char *csr = NULL;
	json_t *args = NULL, *res = NULL;
	int ch, code;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': production = true; break;
		case 'o': out_dir = optarg; break;
		case 'h': fputs(issue_usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(issue_usage, "cert issue: bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(issue_usage, "cert issue takes one CSR file");
	if ((code = cli_read_csr(argv[optind], &csr)) != CLI_EXIT_OK)
		return code;
	/* The assertion is always sent: a production CSR needs --production. */
	args = json_pack("{s:s, s:b}", "csr", csr, "production", production);
	free(csr);
	if (args == NULL)
		return cli_fail(CLI_EXIT_LOCAL, "cert issue", ws_err_set(WS_ERR_NOMEM, "request"));
	code = cli_call(cli, "cert.issue", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if (out_dir != NULL && (code = cli_write_cert_files(out_dir, res, cli_cert_files)) != CLI_EXIT_OK)
		goto out;
	if (cli->json)
		cli_print_json(res);
	else if (out_dir != NULL)
		cli_print_cert_summary(res, out_dir);
	else
		fputs(cli_str(res, "client.pem"), stdout);
out:
	json_decref(res);
	return code;
}

int
cli_crl_request(struct cli *cli, const char *action, const char *serial, const char *reason,
    const char *out_file)
{
	json_t *args = json_pack("{s:s, s:s}", "action", action, "serial", serial), *res = NULL;
	int code;

	if (args == NULL || (reason != NULL && json_object_set_new(args, "reason", json_string(reason)) != 0)) {
		json_decref(args);
		return cli_fail(CLI_EXIT_LOCAL, "ca.crl", ws_err_set(WS_ERR_NOMEM, "request"));
	}
	code = cli_call(cli, "ca.crl", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if (out_file != NULL && (code = cli_write_text(out_file, cli_str(res, "crl"), 0644)) != CLI_EXIT_OK)
		goto out;
	if (cli->json)
		cli_print_json(res);
	else if (out_file != NULL)
		printf("%s CRL number %lld: %s %s; wrote %s\n", cli_str(res, "issuer"), cli_int(res, "crl_number"),
		    cli_str(res, "action"), cli_str(res, "serial"), out_file);
	else
		fputs(cli_str(res, "crl"), stdout);
out:
	json_decref(res);
	return code;
}

static int
cert_revoke(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL, *out_file = NULL;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': reason = optarg; break;
		case 'o': out_file = optarg; break;
		case 'h': fputs(revoke_usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(revoke_usage, "cert revoke: bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(revoke_usage, "cert revoke takes one SERIAL");
	return cli_crl_request(cli, "revoke-cert", argv[optind], reason, out_file);
}

int
cmd_cert(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "issue", cert_issue, "issue a device client certificate from a CSR" },
		{ "revoke", cert_revoke, "revoke a device certificate (device-CA CRL)" },
		{ NULL, NULL, NULL },
	};

	return cli_run_family(cli, "cert", cmds, argc, argv);
}
