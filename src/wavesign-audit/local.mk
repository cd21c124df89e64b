# src/wavesign-audit: offline verification and queries of the signing log.
# main.c + one file per command; links no PKCS#11 code at run time (only
# OpenSSL verifies).
bin_PROGRAMS += src/wavesign-audit/wavesign-audit
src_wavesign_audit_wavesign_audit_SOURCES = \
	src/wavesign-audit/audit.h \
	src/wavesign-audit/main.c \
	src/wavesign-audit/common.c \
	src/wavesign-audit/records.c \
	src/wavesign-audit/lines.c \
	src/wavesign-audit/cmd_verify.c \
	src/wavesign-audit/cmd_show.c \
	src/wavesign-audit/cmd_search.c \
	src/wavesign-audit/cmd_prove.c \
	src/wavesign-audit/cmd_verify_proof.c \
	src/wavesign-audit/cmd_consistency.c
# No $(P11KIT_LIBS): the auditor needs only the log, the checkpoints and a
# public key, and must run where no PKCS#11 library is installed.
src_wavesign_audit_wavesign_audit_LDADD = libwavesign.la $(OPENSSL_LIBS) $(YAML_LIBS) $(JANSSON_LIBS) $(PTHREAD_LIBS)
