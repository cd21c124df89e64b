# tests/bench (issue 10): wavesign-bench and its driver. Not a test: it
# asserts nothing about time. `make bench` builds it and runs
# tests/bench/run-bench.sh, which prints one table, each figure beside its
# limit measured in the same run (BENCH_ARGS=--quick for a short run).
noinst_PROGRAMS += tests/bench/wavesign-bench
tests_bench_wavesign_bench_SOURCES = \
	tests/bench/bench.h \
	tests/bench/bench_main.c \
	tests/bench/bench_csr.c \
	tests/bench/bench_load.c \
	tests/bench/bench_proto.c \
	tests/bench/bench_limit.c \
	tests/bench/bench_ci.c
tests_bench_wavesign_bench_LDADD = $(WS_LIBS)
EXTRA_DIST += tests/bench/run-bench.sh tests/bench/table.py tests/bench/gen-ci-targets.py \
	tests/bench/policy.yaml

BENCH_ARGS =
bench: tests/bench/wavesign-bench src/wavesignd/wavesignd src/wavesign/wavesign \
	src/wavesign-audit/wavesign-audit hsm/wavesign-token-init tests/integration/log-fixture
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	SOFTHSM2_MODULE='$(SOFTHSM2_MODULE)' \
	$(SHELL) $(top_srcdir)/tests/bench/run-bench.sh $(BENCH_ARGS)

.PHONY: bench
