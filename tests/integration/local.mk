# tests/integration: a real SoftHSM2 token and a real daemon per test.
EXTRA_DIST += tests/integration/lib.sh tests/integration/fixtures
INTEGRATION_TESTS =
INTEGRATION_TESTS += tests/integration/t-daemon-basics.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS)
