# src/wavesignd: the daemon. Thin over src/lib; see daemon.h for the parts.
sbin_PROGRAMS += src/wavesignd/wavesignd
src_wavesignd_wavesignd_SOURCES = \
	src/wavesignd/daemon.h \
	src/wavesignd/main.c \
	src/wavesignd/statedir.c \
	src/wavesignd/keyring.c \
	src/wavesignd/reload.c \
	src/wavesignd/server.c \
	src/wavesignd/workers.c \
	src/wavesignd/token_guard.c \
	src/wavesignd/sandbox.c \
	src/wavesignd/dispatch.c \
	src/wavesignd/checkpoint.c \
	src/wavesignd/index.c \
	src/wavesignd/replay.c src/wavesignd/replay.h \
	src/wavesignd/op_status.c \
	src/wavesignd/op_keys.c \
	src/wavesignd/pki.h src/wavesignd/pki_int.h \
	src/wavesignd/pki.c src/wavesignd/pki_certs.c src/wavesignd/pki_crl.c \
	src/wavesignd/op_ca.c \
	src/wavesignd/op_cert.c \
	src/wavesignd/tuf_state.c src/wavesignd/tuf_state.h \
	src/wavesignd/waves_state.c src/wavesignd/waves_state.h \
	src/wavesignd/op_tuf.c \
	src/wavesignd/op_waves.c \
	src/wavesignd/op_bundle.c \
	src/wavesignd/wslog.h
src_wavesignd_wavesignd_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
src_wavesignd_wavesignd_LDADD = $(WS_LIBS) $(SECCOMP_LIBS)
