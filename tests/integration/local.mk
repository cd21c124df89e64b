# tests/integration: a real SoftHSM2 token and a real daemon per test.
EXTRA_DIST += tests/integration/lib.sh tests/integration/fixtures tests/integration/rawframe.py tests/integration/burst.py tests/integration/issue_load.py
INTEGRATION_TESTS =
INTEGRATION_TESTS += tests/integration/t-daemon-basics.sh
INTEGRATION_TESTS += tests/integration/t-protocol-errors.sh
INTEGRATION_TESTS += tests/integration/t-startup-refusals.sh
INTEGRATION_TESTS += tests/integration/t-policy-reload.sh
INTEGRATION_TESTS += tests/integration/t-retry-and-rate.sh
INTEGRATION_TESTS += tests/integration/t-disk-full.sh
INTEGRATION_TESTS += tests/integration/t-daemon-kill9.sh
INTEGRATION_TESTS += tests/integration/t-rebuild-indexes.sh
INTEGRATION_TESTS += tests/integration/t-load.sh
INTEGRATION_TESTS += tests/integration/t-register-pkcs11.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS)

# TUF (issue 5): repositories written by the library through a test-only
# generator (in-memory keys), read by independent verifiers: tuf-js (npm,
# tests/integration/tuf-js), python3-securesystemslib, Debian's jsoncpp
# (optional at configure time: tests/integration/jsoncpp-canon) and
# python3-cryptography.
check_PROGRAMS += tests/integration/tuf-repo-gen
tests_integration_tuf_repo_gen_SOURCES = tests/integration/tuf-repo-gen.c tests/unit/tuf_helpers.c tests/unit/tuf_helpers.h
tests_integration_tuf_repo_gen_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_integration_tuf_repo_gen_LDADD = $(WS_LIBS)
if HAVE_JSONCPP
check_PROGRAMS += tests/integration/jsoncpp-canon
tests_integration_jsoncpp_canon_SOURCES = tests/integration/jsoncpp-canon.cc
tests_integration_jsoncpp_canon_CXXFLAGS = $(JSONCPP_CFLAGS)
tests_integration_jsoncpp_canon_LDADD = $(JSONCPP_LIBS)
endif
INTEGRATION_TESTS += tests/integration/t-tuf-js.sh tests/integration/t-tuf-foundries.sh
EXTRA_DIST += tests/integration/tuf-lib.sh tests/integration/tuf_foundries_check.py \
	tests/integration/tuf_sslib_check.py tests/integration/tuf-js/package.json \
	tests/integration/tuf-js/check-repos.js

# signing log (issue 7): wavesign-audit against logs made by a test-only
# helper (library + in-memory key; no token, no daemon).
check_PROGRAMS += tests/integration/log-fixture
tests_integration_log_fixture_SOURCES = tests/integration/log-fixture.c tests/unit/log_key.c tests/unit/log_key.h
tests_integration_log_fixture_LDADD = $(WS_LIBS)
INTEGRATION_TESTS += tests/integration/t-audit-commands.sh tests/integration/t-audit-tamper.sh
INTEGRATION_TESTS += tests/integration/t-log-kill9.sh
EXTRA_DIST += tests/integration/audit-lib.sh

# factory PKI (issue 4): ca init, cert issue, register, ca sign, CRLs and
# every refusal, checked by openssl, GnuTLS certtool and python3-cryptography.
INTEGRATION_TESTS += tests/integration/t-pki.sh tests/integration/t-cert-refusals.sh \
	tests/integration/t-cert-profiles.sh
EXTRA_DIST += tests/integration/pki-lib.sh tests/integration/pki_check.py

# waves and the TUF ops (issues 5 and 6) against a real daemon and token:
# the seed's whole example, every refusal, M-of-N approvals, and a
# tuf-dialect repository; outputs checked by wave_check.py
# (python3-cryptography), Debian's jsoncpp and the npm tuf-js client.
INTEGRATION_TESTS += tests/integration/t-waves-seed.sh tests/integration/t-waves-refusals.sh \
	tests/integration/t-waves-approvals.sh tests/integration/t-waves-tuf.sh
EXTRA_DIST += tests/integration/waves-lib.sh tests/integration/wave_check.py \
	tests/integration/fixtures/waves-foundries.yaml tests/integration/fixtures/waves-approvals.yaml \
	tests/integration/fixtures/waves-tuf.yaml tests/integration/tuf-js/check-wave.js

# wavesign-regd (issue 9): lmp_register.py plays lmp-device-register against
# the real front (as uid 65534) and the real daemon.
INTEGRATION_TESTS += tests/integration/t-regd.sh tests/integration/t-regd-errors.sh tests/integration/t-regd-tls.sh \
	tests/integration/t-regd-config.sh
EXTRA_DIST += tests/integration/regd-lib.sh tests/integration/lmp_register.py

# hardening (issue 8): the token goes away and comes back. p11-fault.so is a
# PKCS#11 module for the tests only: it passes every call to SoftHSM2 and
# makes the token lose its login, leave its slot or come back as another
# token when its control file says so. Built without libtool (which would
# build no shared object with disable-shared).
check_DATA = tests/integration/p11-fault.so
tests/integration/p11-fault.so: tests/integration/p11-fault.c config.h
	$(AM_V_CC)$(MKDIR_P) tests/integration && \
	$(CC) $(DEFS) -DWS_SOFTHSM2_MODULE='"$(SOFTHSM2_MODULE)"' -I$(top_builddir) $(CPPFLAGS) \
		$(AM_CFLAGS) $(CFLAGS) -fPIC -shared -o $@ $(top_srcdir)/tests/integration/p11-fault.c \
		$(AM_LDFLAGS) $(LDFLAGS)
CLEANFILES += tests/integration/p11-fault.so
EXTRA_DIST += tests/integration/p11-fault.c
INTEGRATION_TESTS += tests/integration/t-token-faults.sh
INTEGRATION_TESTS += tests/integration/t-sandbox.sh
