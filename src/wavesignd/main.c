/*
 * wavesignd -- the wavesign signing daemon (wavesignd(8)).
 *
 * Start-up order matters: nothing touches the token before the config, the
 * policy and the state directory check out, and no socket exists before
 * every configured key has been found safe.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "pki.h"
#include "replay.h"
#include "tuf_state.h"
#include "waves_state.h"
#include "ws_wave.h"
#include "wslog.h"

#define DEFAULT_CONFIG WS_SYSCONFDIR "/wavesign/wavesignd.yaml"

/* Exit codes (wavesignd(8)). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* could not start or stopped on an error */
	EXIT_USAGE = 2,
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: wavesignd [-c CONFIG] [--check | --rebuild-indexes]\n"
	    "\n"
	    "The wavesign signing daemon: holds the token session, serves signing\n"
	    "requests on a Unix socket, checks each against the policy and records\n"
	    "every decision in the signing log. Runs in the foreground.\n"
	    "\n"
	    "  -c, --config FILE  daemon configuration (default %s)\n"
	    "  -t, --check        check config, policy, state dir, token, keys and signing\n"
	    "                     log, then exit\n"
	    "  -R, --rebuild-indexes\n"
	    "                     rebuild every index in the state directory from the verified\n"
	    "                     signing log alone (the daemon must be stopped), then exit\n"
	    "  -h, --help         show this help\n"
	    "  -V, --version      show the version\n"
	    "\n"
	    "Signals: SIGTERM/SIGINT stop after the requests in flight; SIGHUP reloads the policy.\n"
	    "Exit status: 0 stopped cleanly or check passed, 1 error, 2 usage.\n"
	    "See wavesignd(8), wavesignd.conf(5), wavesign-policy(5).\n",
	    DEFAULT_CONFIG);
}

static void
harden_process(void)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t mask;

	/* Secrets (the PIN) must never reach a core dump or a ptrace peer. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &no_core);
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	/* A full disk or a file size limit must fail a write (EFBIG), not kill the daemon. */
	signal(SIGXFSZ, SIG_IGN);
	/* Delivered through a signalfd in the event loop; every thread blocks them. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
}

static ws_err
resolve_group(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	char buf[4096], *end;
	unsigned long n;

	*gid = (gid_t)-1;
	if (name == NULL)
		return WS_OK;
	n = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0') {
		*gid = (gid_t)n;
		return WS_OK;
	}
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
		return ws_err_set(WS_ERR_CONFIG, "socket.group: no group named '%s' on this host", name);
	*gid = gr.gr_gid;
	return WS_OK;
}

/*
 * Workers wait for the signing log's group commit as often as they sign, so
 * with one per CPU the CPUs sit idle during every fdatasync: eight per CPU
 * keep them busy (measured: about +45% certificates per second on 2 CPUs).
 */
static unsigned
worker_count(const struct ws_config *cfg)
{
	long n;

	if (cfg->workers > 0)
		return cfg->workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > 8 ? 64 : (unsigned)n * 8;	/* one token session each */
}

/*
 * --rebuild-indexes: removes the index snapshots in STATE/index, so that the
 * normal start-up rebuilds every index from the verified signing log alone
 * and writes them afresh.
 */
static ws_err
drop_index_snapshots(const char *state_dir)
{
	static const char *const files[] = { WS_WAVE_STATE_FILE, "certs.jsonl", NULL };
	char path[4096];

	for (size_t i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/index/%s", state_dir, files[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			return ws_err_errno("removing %s", path);
	}
	return WS_OK;
}

/* Opens the signing log, creating it (with a fresh origin) on first start. */
static ws_err
daemon_open_log(struct ws_daemon *d, struct ws_log_recovery *rec)
{
	char origin[WS_CHECKPOINT_ORIGIN_MAX + 1];
	ws_err r;

	r = ws_log_open(d->config->state_dir, NULL, &d->log, rec);
	if (r == WS_ERR_NOT_FOUND) {
		if ((r = ws_log_origin_new(d->policy->factory, origin)) != WS_OK)
			return r;
		r = ws_log_open(d->config->state_dir, origin, &d->log, rec);
		if (r == WS_OK)
			wslog_info("signing log created with origin %s", origin);
	}
	if (r == WS_OK)
		ws_log_set_checkpoint_interval(d->log, d->policy->audit.checkpoint_every);
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "rebuild-indexes", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ws_daemon d = { .lock_fd = -1 };
	struct ws_token_params tp = { 0 };
	const char *config_path = DEFAULT_CONFIG;
	struct ws_log_recovery recovery = { 0 };
	bool check_only = false, rebuild = false;
	int listen_fd = -1, ch, status = EXIT_FAIL;
	gid_t sock_gid;
	ws_err r;

	while ((ch = getopt_long(argc, argv, "c:tRhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'R':
			rebuild = check_only = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("wavesignd %s\n", PACKAGE_VERSION);
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
	ws_diag_setup("wavesignd", "WAVESIGND_JOURNAL");
	harden_process();
	pthread_rwlock_init(&d.policy_lock, NULL);
	token_guard_init(&d);
	keyring_init(&d.keyring);
	d.config_path = config_path;
	d.started = time(NULL);

	if ((r = ws_config_load(config_path, &d.config)) != WS_OK) {
		wslog_error("config: %s", ws_err_message(r));
		goto out;
	}
	if ((r = ws_policy_load(d.config->policy_path, &d.policy)) != WS_OK) {
		wslog_error("policy: %s", ws_err_message(r));
		goto out;
	}
	if ((r = statedir_open(d.config->state_dir, &d.lock_fd)) != WS_OK) {
		wslog_error("state directory: %s", ws_err_message(r));
		goto out;
	}
	if (d.config->softhsm2_conf != NULL && setenv("SOFTHSM2_CONF", d.config->softhsm2_conf, 1) != 0) {
		wslog_error("cannot set SOFTHSM2_CONF");
		goto out;
	}
	tp.uri = d.config->token_uri;
	tp.module = d.config->token_module;
	tp.pin_file = d.config->pin_file;
	if ((r = ws_token_open(&tp, &d.token)) != WS_OK) {
		wslog_error("token: %s", ws_err_message(r));
		goto out;
	}
	if ((r = keyring_load(&d.keyring, ws_token_main_session(d.token), d.policy)) != WS_OK) {
		wslog_error("keys: %s; refusing to start", ws_err_message(r));
		goto out;
	}
	for (size_t i = 0; i < d.policy->n_keys; i++) {
		const struct ws_key *k = keyring_get(&d.keyring, d.policy->keys[i].label);

		if (k != NULL)
			wslog_info("key %s: %s sha256:%s", k->label, ws_key_type_name(k->type), k->fingerprint);
		else
			wslog_info("key %s: not in the token yet (wavesign keys init makes it)",
			    d.policy->keys[i].label);
	}
	if ((r = pki_open(d.config->state_dir, &d.pki)) != WS_OK ||
	    (r = pki_check_keys(d.pki, &d, d.policy)) != WS_OK) {
		wslog_error("factory PKI: %s; refusing to start", ws_err_message(r));
		goto out;
	}
	if ((r = daemon_open_log(&d, &recovery)) != WS_OK) {
		wslog_error("signing log: %s; refusing to start", ws_err_message(r));
		goto out;
	}
	if (recovery.truncated_bytes > 0)
		wslog_warn("signing log: removed a partial last line of %llu bytes at offset %llu left by a crash "
		    "(it was never acknowledged)", (unsigned long long)recovery.truncated_bytes,
		    (unsigned long long)recovery.truncated_offset);
	if (recovery.checkpoints_restored)
		wslog_warn("signing log: the checkpoints file was older than the log; rewritten from the log");
	if (rebuild && (r = drop_index_snapshots(d.config->state_dir)) != WS_OK) {
		wslog_error("indexes: %s", ws_err_message(r));
		goto out;
	}
	if ((r = replay_new(d.config->state_dir, &d.replay)) != WS_OK ||
	    (r = tuf_state_open(d.config->state_dir, &d.tuf)) != WS_OK ||
	    (r = waves_state_open(d.config->state_dir, &d.waves)) != WS_OK ||
	    (r = index_rebuild(&d)) != WS_OK) {
		wslog_error("indexes: %s; refusing to start", ws_err_message(r));
		goto out;
	}
	if ((r = ws_rate_new(d.policy, NULL, NULL, &d.rate)) != WS_OK) {
		wslog_error("rate limits: %s", ws_err_message(r));
		goto out;
	}
	if (rebuild) {
		printf("wavesignd: indexes rebuilt from the signing log (%llu records)\n",
		    (unsigned long long)ws_log_size(d.log));
		status = EXIT_OK;
		goto out;
	}
	if (check_only) {
		printf("wavesignd: configuration, policy (sha256 %s), state directory, token, keys and signing log are in order\n",
		    ws_policy_sha256(d.policy));
		status = EXIT_OK;
		goto out;
	}
	if ((r = resolve_group(d.config->socket_group, &sock_gid)) != WS_OK ||
	    (r = ws_sock_listen(d.config->socket_path, d.config->socket_mode, sock_gid, 128, &listen_fd)) != WS_OK) {
		wslog_error("socket: %s", ws_err_message(r));
		goto out;
	}
	d.workers = worker_count(d.config);
	wslog_info("policy %s sha256 %s; token '%s'", d.policy->path, ws_policy_sha256(d.policy),
	    ws_token_label(d.token));
	if (d.config->seccomp) {
		if ((r = sandbox_seccomp_apply()) != WS_OK) {
			wslog_error("sandbox: %s", ws_err_message(r));
			goto out;
		}
		wslog_info("sandbox: seccomp filter installed; a system call serving does not need "
		    "kills the daemon");
	}
	r = server_run(&d, listen_fd);
	if (r != WS_OK)
		wslog_error("stopped: %s", ws_err_message(r));
	else
		status = EXIT_OK;
	wslog_info("stopped");
out:
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(d.config->socket_path);
	}
	if (d.log != NULL)
		ws_log_close(d.log);
	replay_free(d.replay);
	pki_free(d.pki);
	waves_state_free(d.waves);
	tuf_state_free(d.tuf);
	ws_rate_free(d.rate);
	keyring_free(&d.keyring);
	if (d.token != NULL)
		ws_token_close(d.token);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	ws_policy_free(d.policy);
	ws_config_free(d.config);
	token_guard_destroy(&d);
	pthread_rwlock_destroy(&d.policy_lock);
	return status;
}
