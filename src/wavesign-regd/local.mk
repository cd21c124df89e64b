# src/wavesign-regd: the registration front (lmp-device-register's HTTP API
# in front of wavesignd). Thin over src/lib; libmicrohttpd for HTTP(S),
# GnuTLS only to check client certificates on its TLS sessions.
sbin_PROGRAMS += src/wavesign-regd/wavesign-regd
src_wavesign_regd_wavesign_regd_SOURCES = \
	src/wavesign-regd/main.c \
	src/wavesign-regd/regd_config.c src/wavesign-regd/regd_config.h \
	src/wavesign-regd/regd_auth.c src/wavesign-regd/regd_auth.h \
	src/wavesign-regd/regd_request.c src/wavesign-regd/regd_request.h \
	src/wavesign-regd/regd_sota.c src/wavesign-regd/regd_sota.h \
	src/wavesign-regd/regd_upstream.c src/wavesign-regd/regd_upstream.h \
	src/wavesign-regd/regd_reply.c src/wavesign-regd/regd_reply.h \
	src/wavesign-regd/regd_register.c src/wavesign-regd/regd_register.h \
	src/wavesign-regd/regd_http.c src/wavesign-regd/regd_http.h \
	src/wavesign-regd/regd_log.h
src_wavesign_regd_wavesign_regd_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS)
src_wavesign_regd_wavesign_regd_LDADD = $(WS_LIBS) $(MHD_LIBS) $(GNUTLS_LIBS)
