/*
 * wavesign-regd -- the registration front of the wavesign appliance
 * (wavesign-regd(8)).
 *
 * Speaks the registration API of lmp-device-register (COMPAT.md 2a) over
 * HTTP(S) and turns each registration into a cert.issue request to
 * wavesignd on its Unix socket. It holds no keys: wavesignd knows it as a
 * policy client by its unix user, and the policy decides what it gets.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "regd_auth.h"
#include "regd_config.h"
#include "regd_http.h"
#include "regd_log.h"

#define DEFAULT_CONFIG WS_SYSCONFDIR "/wavesign/regd.yaml"

/* Exit codes (wavesign-regd(8)). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* could not start */
	EXIT_USAGE = 2,
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wavesign-regd [-c CONFIG] [--check]\n"
	    "\n"
	    "The registration front of the wavesign appliance: answers\n"
	    "lmp-device-register's health check (HEAD) and registrations (POST) over\n"
	    "HTTP(S) and has each device certificate issued by wavesignd, as a policy\n"
	    "client of its own. Holds no keys. Runs in the foreground.\n"
	    "\n"
	    "  -c, --config FILE  configuration (default %s)\n"
	    "  -t, --check        check the configuration and the token file, then exit\n"
	    "  -h, --help         show this help\n"
	    "  -V, --version      show the version\n"
	    "\n"
	    "Signals: SIGTERM/SIGINT stop after the requests in flight.\n"
	    "Exit status: 0 stopped cleanly or check passed, 1 error, 2 usage.\n"
	    "See wavesign-regd(8).\n",
	    DEFAULT_CONFIG);
}

static void
harden_process(sigset_t *mask)
{
	struct rlimit no_core = { 0, 0 };

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &no_core);
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	/* Waited for by main() with sigwait(); every thread (started later) blocks them. */
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, mask, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct regd_server srv = { .health = REGD_HEALTH_INIT };
	const char *config_path = DEFAULT_CONFIG;
	struct regd_config *cfg = NULL;
	struct regd_token *token = NULL;
	bool check_only = false;
	int ch, sig = 0, status = EXIT_FAIL;
	sigset_t mask;
	ws_err r;

	ws_diag_setup("wavesign-regd", "WAVESIGN_REGD_JOURNAL");
	while ((ch = getopt_long(argc, argv, "c:thV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("wavesign-regd %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	harden_process(&mask);
	if ((r = regd_config_load(config_path, &cfg)) != WS_OK) {
		regd_log_error("config: %s", ws_err_message(r));
		goto out;
	}
	if ((r = regd_token_load(cfg->token_file, &token)) != WS_OK) {
		regd_log_error("token: %s", ws_err_message(r));
		goto out;
	}
	if (check_only) {
		printf("configuration and token file are in order\n");
		status = EXIT_OK;
		goto out;
	}
	srv.cfg = cfg;
	srv.token = token;
	if ((r = regd_http_start(&srv)) != WS_OK) {
		regd_log_error("%s", ws_err_message(r));
		goto out;
	}
	regd_log_info("listening on %s port %u (%s), path %s; wavesignd at %s", cfg->address,
	    (unsigned)cfg->port, cfg->tls_cert != NULL ? (cfg->tls_client_ca != NULL ?
	    "HTTPS, client certificates required" : "HTTPS") : "plain HTTP", cfg->http_path, cfg->socket_path);
	regd_notify("READY=1");
	for (;;) {
		if (sigwait(&mask, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			regd_log_info("SIGHUP ignored: restart wavesign-regd to read its configuration again");
			continue;
		}
		break;
	}
	regd_notify("STOPPING=1");
	regd_log_info("stopping on %s after the requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
	regd_http_stop(&srv);
	status = EXIT_OK;
out:
	regd_http_stop(&srv);
	regd_token_free(token);
	regd_config_free(cfg);
	return status;
}
