# tests/unit: one Check suite per module. Each suite appends itself to
# UNIT_TESTS (which `make memcheck` reruns under valgrind).
UNIT_TESTS =
UNIT_COMPILE_FLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"' -DTEST_BUILDDIR='"$(abs_top_builddir)"'
UNIT_LINK_LIBS = $(WS_LIBS) $(CHECK_LIBS)
EXTRA_DIST += tests/unit/test_common.h tests/valgrind.supp

UNIT_TESTS += tests/unit/test-err
tests_unit_test_err_SOURCES = tests/unit/test-err.c
tests_unit_test_err_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_err_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-buf
tests_unit_test_buf_SOURCES = tests/unit/test-buf.c
tests_unit_test_buf_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_buf_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-json
tests_unit_test_json_SOURCES = tests/unit/test-json.c
tests_unit_test_json_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_json_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-p11
tests_unit_test_p11_SOURCES = tests/unit/test-p11.c
tests_unit_test_p11_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_p11_LDADD = $(UNIT_LINK_LIBS)

# hsm/wavesign-token-init against a real SoftHSM2 token; token-stub plays
# `wavesign token init` (the same ws_token_setup() call).
check_PROGRAMS += tests/unit/token-stub
tests_unit_token_stub_SOURCES = tests/unit/token-stub.c
tests_unit_token_stub_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_token_stub_LDADD = $(WS_LIBS)
TESTS += tests/unit/hsm-token-init.sh
EXTRA_DIST += tests/unit/hsm-token-init.sh

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_TESTS += tests/unit/test-yaml
tests_unit_test_yaml_SOURCES = tests/unit/test-yaml.c
tests_unit_test_yaml_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_yaml_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-config
tests_unit_test_config_SOURCES = tests/unit/test-config.c
tests_unit_test_config_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_config_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-policy
tests_unit_test_policy_SOURCES = tests/unit/test-policy.c
tests_unit_test_policy_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_policy_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-rate
tests_unit_test_rate_SOURCES = tests/unit/test-rate.c
tests_unit_test_rate_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_rate_LDADD = $(UNIT_LINK_LIBS)

# X.509 suites (der, csr, cert, crl) share test tooling that makes keys and
# CSRs with OpenSSL's high-level API; it stays out of src/.
X509_TEST_HELPERS = tests/unit/x509_helpers.c tests/unit/x509_helpers.h
UNIT_TESTS += tests/unit/test-der tests/unit/test-csr tests/unit/test-cert tests/unit/test-crl
tests_unit_test_der_SOURCES = tests/unit/test-der.c
tests_unit_test_der_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_der_LDADD = $(UNIT_LINK_LIBS)
tests_unit_test_csr_SOURCES = tests/unit/test-csr.c $(X509_TEST_HELPERS)
tests_unit_test_csr_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_csr_LDADD = $(UNIT_LINK_LIBS)
tests_unit_test_cert_SOURCES = tests/unit/test-cert.c $(X509_TEST_HELPERS)
tests_unit_test_cert_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_cert_LDADD = $(UNIT_LINK_LIBS)
tests_unit_test_crl_SOURCES = tests/unit/test-crl.c $(X509_TEST_HELPERS)
tests_unit_test_crl_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_crl_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-ci-targets
tests_unit_test_ci_targets_SOURCES = tests/unit/test-ci-targets.c
tests_unit_test_ci_targets_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_ci_targets_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-wave
tests_unit_test_wave_SOURCES = tests/unit/test-wave.c
tests_unit_test_wave_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_wave_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-tuf
tests_unit_test_tuf_SOURCES = tests/unit/test-tuf.c tests/unit/tuf_helpers.c tests/unit/tuf_helpers.h
tests_unit_test_tuf_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_tuf_LDADD = $(UNIT_LINK_LIBS)

# signing log (issue 7)
UNIT_TESTS += tests/unit/test-merkle
tests_unit_test_merkle_SOURCES = tests/unit/test-merkle.c
tests_unit_test_merkle_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_merkle_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-checkpoint
tests_unit_test_checkpoint_SOURCES = tests/unit/test-checkpoint.c tests/unit/log_key.c tests/unit/log_key.h
tests_unit_test_checkpoint_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_checkpoint_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-logline
tests_unit_test_logline_SOURCES = tests/unit/test-logline.c
tests_unit_test_logline_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_logline_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-log
tests_unit_test_log_SOURCES = tests/unit/test-log.c tests/unit/log_fixture.c tests/unit/log_fixture.h \
	tests/unit/log_key.c tests/unit/log_key.h
tests_unit_test_log_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_log_LDADD = $(UNIT_LINK_LIBS)

UNIT_TESTS += tests/unit/test-log-tamper
tests_unit_test_log_tamper_SOURCES = tests/unit/test-log-tamper.c tests/unit/log_fixture.c tests/unit/log_fixture.h \
	tests/unit/log_key.c tests/unit/log_key.h
tests_unit_test_log_tamper_CFLAGS = $(UNIT_COMPILE_FLAGS)
tests_unit_test_log_tamper_LDADD = $(UNIT_LINK_LIBS)
