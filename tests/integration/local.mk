# tests/integration: a real SoftHSM2 token and a real daemon per test.
EXTRA_DIST += tests/integration/lib.sh tests/integration/fixtures tests/integration/rawframe.py
INTEGRATION_TESTS =
INTEGRATION_TESTS += tests/integration/t-daemon-basics.sh
INTEGRATION_TESTS += tests/integration/t-protocol-errors.sh
INTEGRATION_TESTS += tests/integration/t-startup-refusals.sh
INTEGRATION_TESTS += tests/integration/t-policy-reload.sh
INTEGRATION_TESTS += tests/integration/t-retry-and-rate.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS)
