# tests/fuzz: one target per parser. Each target is built twice over:
# as an ordinary check program (fuzz_main.c replays its corpus from
# tests/fuzz/corpus/NAME in `make check`), and, with --enable-fuzzing
# (clang), as a libFuzzer program that `make fuzz` runs for FUZZ_SECONDS.
#
# To add a target NAME: write tests/fuzz/fuzz-NAME.c defining
# LLVMFuzzerTestOneInput(), seed tests/fuzz/corpus/NAME/, and append
#   FUZZ_TARGETS += tests/fuzz/fuzz-NAME
#   tests_fuzz_fuzz_NAME_SOURCES = tests/fuzz/fuzz-NAME.c $(FUZZ_MAIN)
#   tests_fuzz_fuzz_NAME_CFLAGS = $(FUZZ_COMPILE_FLAGS)
#   tests_fuzz_fuzz_NAME_LDFLAGS = $(FUZZ_LINK_FLAGS)
#   tests_fuzz_fuzz_NAME_LDADD = $(WS_LIBS)
# tests/fuzz/replay-corpora.sh then replays the corpus in `make check`.
FUZZ_TARGETS =
FUZZ_SECONDS = 60
if WS_LIBFUZZER
FUZZ_MAIN =
FUZZ_COMPILE_FLAGS = $(AM_CFLAGS) -fsanitize=fuzzer-no-link
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
else
FUZZ_MAIN = tests/fuzz/fuzz_main.c
FUZZ_COMPILE_FLAGS = $(AM_CFLAGS)
FUZZ_LINK_FLAGS = $(AM_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/replay-corpora.sh tests/fuzz/corpus tests/fuzz/fuzz_main.c
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += tests/fuzz/replay-corpora.sh

fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
	  n=$${t##*/fuzz-}; mkdir -p fuzz-work/$$n; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	  ./$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 fuzz-work/$$n $(top_srcdir)/tests/fuzz/corpus/$$n || exit 1; \
	done
.PHONY: fuzz

FUZZ_TARGETS += tests/fuzz/fuzz-json
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz-json.c $(FUZZ_MAIN)
tests_fuzz_fuzz_json_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_json_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_json_LDADD = $(WS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz-policy
tests_fuzz_fuzz_policy_SOURCES = tests/fuzz/fuzz-policy.c $(FUZZ_MAIN)
tests_fuzz_fuzz_policy_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_policy_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_policy_LDADD = $(WS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz-csr
tests_fuzz_fuzz_csr_SOURCES = tests/fuzz/fuzz-csr.c $(FUZZ_MAIN)
tests_fuzz_fuzz_csr_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_csr_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_csr_LDADD = $(WS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz-ci-targets
tests_fuzz_fuzz_ci_targets_SOURCES = tests/fuzz/fuzz-ci-targets.c $(FUZZ_MAIN)
tests_fuzz_fuzz_ci_targets_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_ci_targets_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_ci_targets_LDADD = $(WS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz-tuf
tests_fuzz_fuzz_tuf_SOURCES = tests/fuzz/fuzz-tuf.c $(FUZZ_MAIN)
tests_fuzz_fuzz_tuf_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_tuf_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_tuf_LDADD = $(WS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz-request
tests_fuzz_fuzz_request_SOURCES = tests/fuzz/fuzz-request.c $(FUZZ_MAIN)
tests_fuzz_fuzz_request_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_request_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_request_LDADD = $(WS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz-logline
tests_fuzz_fuzz_logline_SOURCES = tests/fuzz/fuzz-logline.c $(FUZZ_MAIN)
tests_fuzz_fuzz_logline_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_logline_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_logline_LDADD = $(WS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz-checkpoint
tests_fuzz_fuzz_checkpoint_SOURCES = tests/fuzz/fuzz-checkpoint.c $(FUZZ_MAIN)
tests_fuzz_fuzz_checkpoint_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_checkpoint_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_checkpoint_LDADD = $(WS_LIBS)

# wavesign-regd's request body parser and sota.toml builder (issue 9).
FUZZ_TARGETS += tests/fuzz/fuzz-regd-request
tests_fuzz_fuzz_regd_request_SOURCES = tests/fuzz/fuzz-regd-request.c $(FUZZ_MAIN) \
	src/wavesign-regd/regd_request.c src/wavesign-regd/regd_sota.c
tests_fuzz_fuzz_regd_request_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/wavesign-regd
tests_fuzz_fuzz_regd_request_CFLAGS = $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_regd_request_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_regd_request_LDADD = $(WS_LIBS)
