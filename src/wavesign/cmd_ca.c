/*
 * cmd_ca.c -- wavesign ca init|sign|revoke|disable|enable: the factory CA.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char init_usage[] =
    "usage: wavesign ca init --owner OWNER [--out DIR]\n"
    "\n"
    "Creates the factory PKI: the self-signed root CA (CN=Factory-CA, OU=<factory>,\n"
    "20 years) and the device CA (CN=fio-<OWNER>, OU=<factory>, CA:TRUE pathlen 0,\n"
    "10 years), both ECDSA P-256. The factory comes from the policy. No key is\n"
    "generated here: the root-ca and device-ca keys must already be in the token\n"
    "(wavesign keys init). Refused if a factory CA exists. The daemon keeps both\n"
    "certificates in its state directory (pki/root.crt, pki/device-ca.crt).\n"
    "Needs ca.init.\n"
    "\n"
    "  --owner OWNER  the device CA's owner (its CN is fio-OWNER)\n"
    "  --out DIR      also write root.crt and device-ca.crt into DIR (mode 0644)\n";

static const char sign_usage[] =
    "usage: wavesign ca sign CSR --profile tls|device-ca [--out FILE]\n"
    "\n"
    "Signs a CSR (PEM or DER file; - reads standard input) with the factory root:\n"
    "  tls        a gateway TLS server certificate (keyUsage digitalSignature,\n"
    "             extKeyUsage serverAuth, the CSR's DNS and IP subjectAltNames)\n"
    "  device-ca  an additional device CA (CA:TRUE pathlen 0; its subject needs a\n"
    "             CN and OU=<factory>)\n"
    "Both: 10 years, EC P-256 keys. Needs ca.sign.\n"
    "\n"
    "  --profile P  tls or device-ca\n"
    "  --out FILE   write the certificate (PEM) to FILE; without it, it is printed\n";

static const char revoke_usage[] =
    "usage: wavesign ca revoke SERIAL [--out FILE]\n"
    "\n"
    "Revokes a device CA for good: signs, with the root key, a new root CRL on\n"
    "which the CA has reason 9 (privilegeWithdrawn). SERIAL is hex (colons\n"
    "allowed). A device certificate is revoked with wavesign cert revoke.\n"
    "Needs ca.crl.\n"
    "\n"
    "  --out FILE  write the CRL (PEM) to FILE; without it, it is printed\n";

static const char disable_usage[] =
    "usage: wavesign ca disable SERIAL [--out FILE]\n"
    "\n"
    "Disables a device CA: a new root CRL on which it has reason 6\n"
    "(certificateHold). wavesign ca enable undoes it. Needs ca.crl.\n"
    "\n"
    "  --out FILE  write the CRL (PEM) to FILE; without it, it is printed\n";

static const char enable_usage[] =
    "usage: wavesign ca enable SERIAL [--out FILE]\n"
    "\n"
    "Re-enables a disabled device CA: a new root CRL on which it has reason 8\n"
    "(removeFromCRL). Needs ca.crl.\n"
    "\n"
    "  --out FILE  write the CRL (PEM) to FILE; without it, it is printed\n";

static int
ca_init(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "owner", required_argument, NULL, 'w' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const files[] = { "root.crt", "device-ca.crt", NULL };
	const char *owner = NULL, *out_dir = NULL;
	json_t *args = NULL, *res = NULL;
	int ch, code;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w': owner = optarg; break;
		case 'o': out_dir = optarg; break;
		case 'h': fputs(init_usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(init_usage, "ca init: bad option");
		}
	}
	if (optind != argc)
		return cli_usage_error(init_usage, "ca init: unexpected argument '%s'", argv[optind]);
	if (owner == NULL)
		return cli_usage_error(init_usage, "ca init needs --owner");
	if ((args = json_pack("{s:s}", "owner", owner)) == NULL)
		return cli_fail(CLI_EXIT_LOCAL, "ca init", ws_err_set(WS_ERR_NOMEM, "request"));
	code = cli_call(cli, "ca.init", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if (out_dir != NULL && (code = cli_write_cert_files(out_dir, res, files)) != CLI_EXIT_OK)
		goto out;
	if (cli->json) {
		cli_print_json(res);
	} else {
		printf("root CA    serial %s sha256 %s until %s\n", cli_str(res, "root_serial"),
		    cli_str(res, "root_sha256"), cli_str(res, "root_not_after"));
		printf("device CA  serial %s sha256 %s until %s\n", cli_str(res, "device_ca_serial"),
		    cli_str(res, "device_ca_sha256"), cli_str(res, "device_ca_not_after"));
		for (size_t i = 0; out_dir != NULL && files[i] != NULL; i++)
			printf("wrote %s/%s\n", out_dir, files[i]);
	}
out:
	json_decref(res);
	return code;
}

static int
ca_sign(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = NULL, *out_file = NULL;
	char *csr = NULL;
	json_t *args = NULL, *res = NULL;
	int ch, code;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': profile = optarg; break;
		case 'o': out_file = optarg; break;
		case 'h': fputs(sign_usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(sign_usage, "ca sign: bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(sign_usage, "ca sign takes one CSR file");
	if (profile == NULL || (strcmp(profile, "tls") != 0 && strcmp(profile, "device-ca") != 0))
		return cli_usage_error(sign_usage, "ca sign needs --profile tls or --profile device-ca");
	if ((code = cli_read_csr(argv[optind], &csr)) != CLI_EXIT_OK)
		return code;
	args = json_pack("{s:s, s:s}", "csr", csr, "profile", profile);
	free(csr);
	if (args == NULL)
		return cli_fail(CLI_EXIT_LOCAL, "ca sign", ws_err_set(WS_ERR_NOMEM, "request"));
	code = cli_call(cli, "ca.sign", args, &res);
	json_decref(args);
	if (code != CLI_EXIT_OK)
		return code;
	if (out_file != NULL && (code = cli_write_text(out_file, cli_str(res, "certificate"), 0644)) != CLI_EXIT_OK)
		goto out;
	if (cli->json)
		cli_print_json(res);
	else if (out_file != NULL)
		printf("%s certificate serial %s sha256 %s until %s; wrote %s\n", profile, cli_str(res, "serial"),
		    cli_str(res, "sha256"), cli_str(res, "not_after"), out_file);
	else
		fputs(cli_str(res, "certificate"), stdout);
out:
	json_decref(res);
	return code;
}

/* revoke, disable, enable: one SERIAL and --out. */
static int
ca_crl_command(struct cli *cli, int argc, char **argv, const char *usage, const char *action)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_file = NULL;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': out_file = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(usage, "ca %s: bad option", argv[0]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(usage, "ca %s takes one SERIAL", argv[0]);
	return cli_crl_request(cli, action, argv[optind], NULL, out_file);
}

static int
ca_revoke(struct cli *cli, int argc, char **argv)
{
	return ca_crl_command(cli, argc, argv, revoke_usage, "revoke-ca");
}

static int
ca_disable(struct cli *cli, int argc, char **argv)
{
	return ca_crl_command(cli, argc, argv, disable_usage, "disable-ca");
}

static int
ca_enable(struct cli *cli, int argc, char **argv)
{
	return ca_crl_command(cli, argc, argv, enable_usage, "enable-ca");
}

int
cmd_ca(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "init", ca_init, "create the factory root CA and the device CA" },
		{ "sign", ca_sign, "sign a gateway TLS or an additional device CA CSR" },
		{ "revoke", ca_revoke, "revoke a device CA for good (root CRL, reason 9)" },
		{ "disable", ca_disable, "disable a device CA (root CRL, reason 6)" },
		{ "enable", ca_enable, "re-enable a disabled device CA (root CRL, reason 8)" },
		{ NULL, NULL, NULL },
	};

	return cli_run_family(cli, "ca", cmds, argc, argv);
}
