# tests/integration: a real SoftHSM2 token and a real daemon per test.
