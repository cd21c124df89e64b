/* test-config.c -- the daemon configuration file (wavesignd.conf(5)). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_common.h"
#include "ws_config.h"

static struct ws_config *cfg;

static void
teardown(void)
{
	ws_config_free(cfg);
	cfg = NULL;
}

static ws_err
load(const char *text)
{
	ws_config_free(cfg);
	cfg = NULL;
	return ws_config_load_mem("/etc/wavesign/wavesignd.conf", (const uint8_t *)text, strlen(text), &cfg);
}

#define ck_assert_detail(expected) ck_assert_str_eq(ws_err_detail(), (expected))

/* Every required key, nothing else. */
#define MINIMAL \
	"socket:\n" \
	"  path: /run/wavesign/wavesignd.sock\n" \
	"state-dir: /var/lib/wavesign\n" \
	"policy: policy.yaml\n" \
	"token:\n" \
	"  uri: \"pkcs11:token=wavesign\"\n" \
	"  pin-file: pin\n"

/* MINIMAL with the token URI replaced. */
static ws_err
load_uri(const char *uri)
{
	char text[1024];

	snprintf(text, sizeof(text),
	    "socket: { path: /s }\nstate-dir: /st\npolicy: /p\ntoken:\n  uri: \"%s\"\n  pin-file: /pin\n", uri);
	return load(text);
}

START_TEST(test_minimal_defaults)
{
	ck_assert_ws_ok(load(MINIMAL));
	ck_assert_str_eq(cfg->path, "/etc/wavesign/wavesignd.conf");
	ck_assert_str_eq(cfg->socket_path, "/run/wavesign/wavesignd.sock");
	ck_assert_uint_eq(cfg->socket_mode, 0660);
	ck_assert_ptr_null(cfg->socket_group);
	ck_assert_str_eq(cfg->state_dir, "/var/lib/wavesign");
	/* Relative paths are resolved against the config file's directory. */
	ck_assert_str_eq(cfg->policy_path, "/etc/wavesign/policy.yaml");
	ck_assert_str_eq(cfg->pin_file, "/etc/wavesign/pin");
	ck_assert_str_eq(cfg->token_uri, "pkcs11:token=wavesign");
	ck_assert_ptr_null(cfg->token_module);
	ck_assert_ptr_null(cfg->softhsm2_conf);
	ck_assert_uint_eq(cfg->max_frame, 128u << 20);
	ck_assert_uint_eq(cfg->max_connections, 64);
	ck_assert_uint_eq(cfg->io_timeout_ms, 30000);
	ck_assert_uint_eq(cfg->workers, 0);
}
END_TEST

START_TEST(test_full)
{
	ck_assert_ws_ok(load(
	    "socket:\n"
	    "  path: run/wavesignd.sock\n"
	    "  mode: \"0600\"\n"
	    "  group: wavesign\n"
	    "state-dir: /var/lib/wavesign\n"
	    "policy: /etc/wavesign/policy.yaml\n"
	    "token:\n"
	    "  uri: \"pkcs11:model=SoftHSM%20v2;token=wave%20sign\"\n"
	    "  module: /usr/lib/softhsm/libsofthsm2.so\n"
	    "  pin-file: /etc/wavesign/pin\n"
	    "  softhsm2-conf: ../token/softhsm2.conf\n"
	    "limits:\n"
	    "  max-frame: 64KiB\n"
	    "  max-connections: 8\n"
	    "  io-timeout: 2m\n"
	    "  workers: 4\n"));
	ck_assert_str_eq(cfg->socket_path, "/etc/wavesign/run/wavesignd.sock");
	ck_assert_uint_eq(cfg->socket_mode, 0600);
	ck_assert_str_eq(cfg->socket_group, "wavesign");
	ck_assert_str_eq(cfg->token_module, "/usr/lib/softhsm/libsofthsm2.so");
	ck_assert_str_eq(cfg->softhsm2_conf, "/etc/wavesign/../token/softhsm2.conf");
	ck_assert_uint_eq(cfg->max_frame, 65536);
	ck_assert_uint_eq(cfg->max_connections, 8);
	ck_assert_uint_eq(cfg->io_timeout_ms, 120000);
	ck_assert_uint_eq(cfg->workers, 4);
}
END_TEST

START_TEST(test_load_file_resolves_against_its_directory)
{
	char dir[] = "/tmp/ws-test-config-XXXXXX", path[PATH_MAX], cwd[PATH_MAX], expect[PATH_MAX + 32];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/wavesignd.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(MINIMAL, f);
	fclose(f);
	ck_assert_ws_ok(ws_config_load(path, &cfg));
	snprintf(expect, sizeof(expect), "%s/policy.yaml", dir);
	ck_assert_str_eq(cfg->policy_path, expect);
	ws_config_free(cfg);
	cfg = NULL;
	/* A relative config path: resolved paths are still absolute. */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir("/tmp"), 0);
	ck_assert_ws_ok(ws_config_load(path + 5, &cfg));
	ck_assert_str_eq(cfg->policy_path, expect);
	ck_assert_int_eq(chdir(cwd), 0);
	ws_config_free(cfg);
	cfg = NULL;
	unlink(path);
	rmdir(dir);
	ck_assert_ws(ws_config_load(path, &cfg), WS_ERR_SYSTEM);
	ck_assert_ptr_null(cfg);
}
END_TEST

START_TEST(test_unknown_key)
{
	ck_assert_ws(load(MINIMAL "limits:\n  max_frame: 1MiB\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:9:3: limits.max_frame: unknown key "
	    "(allowed: max-frame, max-connections, io-timeout, workers)");
	ck_assert_ptr_null(cfg);
	ck_assert_ws(load(MINIMAL "pidfile: /run/x\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:8:1: pidfile: unknown key "
	    "(allowed: socket, state-dir, policy, token, limits, sandbox)");
}
END_TEST

START_TEST(test_wrong_type)
{
	ck_assert_ws(load("socket: /run/x.sock\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:1:9: socket: expected a mapping, got \"/run/x.sock\"");
	ck_assert_ws(load(MINIMAL "limits: { workers: many }\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:8:20: limits.workers: expected an integer from 0 to 1024, "
	    "got \"many\"");
}
END_TEST

START_TEST(test_missing_required_key)
{
	ck_assert_ws(load("socket: { path: /s }\npolicy: /p\ntoken: { uri: \"pkcs11:token=t\", pin-file: /p }\n"),
	    WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:1:1: state-dir: required key is missing");
	ck_assert_ws(load("socket: { path: /s }\nstate-dir: /s\npolicy: /p\ntoken: { uri: \"pkcs11:token=t\" }\n"),
	    WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:4:8: token.pin-file: required key is missing");
}
END_TEST

START_TEST(test_bad_pkcs11_uri)
{
	ck_assert_ws(load_uri("pkcs11:model=SoftHSM%20v2"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:5:8: token.uri: bad PKCS#11 URI \"pkcs11:model=SoftHSM%20v2\": "
	    "it must name the token (token=LABEL)");
	ck_assert_ws(load_uri("token=wavesign"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:5:8: token.uri: bad PKCS#11 URI \"token=wavesign\": "
	    "it must start with \"pkcs11:\"");
	ck_assert_ws(load_uri("pkcs11:token=wavesign?pin-value=1234"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:5:8: token.uri: bad PKCS#11 URI "
	    "\"pkcs11:token=wavesign?pin-value=1234\": \"pin-value\" is refused: the PIN comes from token.pin-file");
	ck_assert_ws(load_uri("pkcs11:token=wavesign;object=root-ca"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:5:8: token.uri: bad PKCS#11 URI "
	    "\"pkcs11:token=wavesign;object=root-ca\": \"object\" names an object; the URI names only the token "
	    "(keys are named in the policy)");
	ck_assert_ws(load_uri("pkcs11:token=wavesign?module-path=/x.so"), WS_ERR_CONFIG);
	ck_assert(strstr(ws_err_detail(), "\"module-path\" is refused: name the module with token.module") != NULL);
	ck_assert_ws(load_uri("pkcs11:token=wavesign;colour=blue"), WS_ERR_CONFIG);
	ck_assert(strstr(ws_err_detail(), ": unknown attribute \"colour\"") != NULL);
	ck_assert_ws(load_uri("pkcs11:token="), WS_ERR_CONFIG);
	ck_assert(strstr(ws_err_detail(), ": the token label is empty") != NULL);
	ck_assert_ws(load_uri("pkcs11:token=wave%zzsign"), WS_ERR_CONFIG);
	ck_assert(strncmp(ws_err_detail(), "/etc/wavesign/wavesignd.conf:5:8: token.uri: bad PKCS#11 URI "
	    "\"pkcs11:token=wave%zzsign\": ", 87) == 0);
	ck_assert_ws(ws_config_check_token_uri("pkcs11:token=wavesign;serial=abc;slot-id=1"), WS_OK);
}
END_TEST

START_TEST(test_bad_size)
{
	ck_assert_ws(load(MINIMAL "limits:\n  max-frame: 2GiB\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:9:14: limits.max-frame: expected a size from 64KiB to 1GiB, "
	    "got \"2GiB\"");
	ck_assert_ws(load(MINIMAL "limits:\n  max-frame: 128 MiB\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:9:14: limits.max-frame: expected a size (bytes, or a number "
	    "and one of KiB, MiB, GiB, TiB: 64KiB, 128MiB), got \"128 MiB\"");
}
END_TEST

START_TEST(test_bad_duration)
{
	ck_assert_ws(load(MINIMAL "limits:\n  io-timeout: 0s\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:9:15: limits.io-timeout: expected a duration greater than zero, "
	    "got \"0s\"");
	ck_assert_ws(load(MINIMAL "limits:\n  io-timeout: 2d\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:9:15: limits.io-timeout: expected a duration from 1s to 1h, "
	    "got \"2d\"");
}
END_TEST

START_TEST(test_bad_mode)
{
	ck_assert_ws(load("socket:\n  path: /s\n  mode: rw-rw----\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:3:9: socket.mode: expected an octal file mode such as \"0660\" "
	    "(at most 0777), got \"rw-rw----\"");
}
END_TEST

START_TEST(test_bad_group)
{
	ck_assert_ws(load("socket:\n  path: /s\n  group: \"wave sign\"\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:3:10: socket.group: expected a group name or number "
	    "(1 to 32 of A-Z a-z 0-9 . _ -), got \"wave sign\"");
}
END_TEST

START_TEST(test_sandbox)
{
	ck_assert_ws_ok(load(MINIMAL));
	ck_assert_int_eq(cfg->seccomp, 0);
	ck_assert_ws_ok(load(MINIMAL "sandbox:\n  seccomp: true\n"));
	ck_assert_int_eq(cfg->seccomp, 1);
	ck_assert_ws_ok(load(MINIMAL "sandbox:\n  seccomp: false\n"));
	ck_assert_int_eq(cfg->seccomp, 0);
	ck_assert_ws_ok(load(MINIMAL "sandbox: {}\n"));
	ck_assert_int_eq(cfg->seccomp, 0);
	ck_assert_ws(load(MINIMAL "sandbox:\n  seccomp: yes\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:9:12: sandbox.seccomp: expected true or false, got \"yes\"");
	ck_assert_ws(load(MINIMAL "sandbox:\n  landlock: true\n"), WS_ERR_CONFIG);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:9:3: sandbox.landlock: unknown key (allowed: seccomp)");
	ck_assert_ws(load(MINIMAL "sandbox: true\n"), WS_ERR_CONFIG);
}
END_TEST

START_TEST(test_yaml_refusals_are_yaml_errors)
{
	ck_assert_ws(load(MINIMAL "state-dir: /other\n"), WS_ERR_YAML);
	ck_assert_detail("/etc/wavesign/wavesignd.conf:8:1: state-dir: duplicate key (first at line 3, column 1)");
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_minimal_defaults);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_load_file_resolves_against_its_directory);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_wrong_type);
	tcase_add_test(tc, test_missing_required_key);
	tcase_add_test(tc, test_bad_pkcs11_uri);
	tcase_add_test(tc, test_bad_size);
	tcase_add_test(tc, test_bad_duration);
	tcase_add_test(tc, test_bad_mode);
	tcase_add_test(tc, test_bad_group);
	tcase_add_test(tc, test_sandbox);
	tcase_add_test(tc, test_yaml_refusals_are_yaml_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return ws_test_run(config_suite());
}
