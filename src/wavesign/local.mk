# src/wavesign: the command line. main.c + one file per command family.
bin_PROGRAMS += src/wavesign/wavesign
src_wavesign_wavesign_SOURCES = \
	src/wavesign/cli.h \
	src/wavesign/main.c \
	src/wavesign/client.c \
	src/wavesign/common.c \
	src/wavesign/cmd_status.c \
	src/wavesign/cmd_keys.c \
	src/wavesign/cmd_token.c \
	src/wavesign/cmd_policy.c \
	src/wavesign/cli_files.c \
	src/wavesign/cmd_ca.c \
	src/wavesign/cmd_cert.c \
	src/wavesign/cmd_register.c \
	src/wavesign/cli_out.c \
	src/wavesign/cmd_tuf.c \
	src/wavesign/cmd_waves.c \
	src/wavesign/cmd_bundle.c
src_wavesign_wavesign_LDADD = $(WS_LIBS)
