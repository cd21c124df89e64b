/*
 * token-stub.c -- a stand-in for the wavesign CLI in hsm-token-init.sh:
 *
 *   token-stub token init --module M --label L --so-pin-file F --pin-file F
 *       what `wavesign token init` does: ws_token_setup();
 *   token-stub token open --module M --uri U --pin-file F
 *       opens and logs in to the token, prints its label.
 *
 * If $TOKEN_STUB_ARGV_LOG is set, the arguments are appended to that file,
 * so that the test can check no PIN was passed on the command line.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_p11.h"
#include "ws_token_setup.h"

static const char *
option(int argc, char **argv, const char *name)
{
	for (int i = 3; i + 1 < argc; i += 2)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *log_path = getenv("TOKEN_STUB_ARGV_LOG");
	struct ws_token_params p = { NULL, NULL, NULL, NULL };
	struct ws_token *tok = NULL;
	ws_err err;
	FILE *f;

	if (log_path != NULL && (f = fopen(log_path, "a")) != NULL) {
		for (int i = 0; i < argc; i++)
			fprintf(f, "%s%s", i > 0 ? " " : "", argv[i]);
		fputc('\n', f);
		fclose(f);
	}
	if (argc < 3 || strcmp(argv[1], "token") != 0) {
		fprintf(stderr, "usage: token-stub token init|open OPTIONS\n");
		return 2;
	}
	if (strcmp(argv[2], "init") == 0) {
		err = ws_token_setup(option(argc, argv, "--module"), option(argc, argv, "--label"),
		    option(argc, argv, "--so-pin-file"), option(argc, argv, "--pin-file"));
	} else if (strcmp(argv[2], "open") == 0) {
		p.module = option(argc, argv, "--module");
		p.uri = option(argc, argv, "--uri");
		p.pin_file = option(argc, argv, "--pin-file");
		err = ws_token_open(&p, &tok);
		if (err == WS_OK)
			printf("%s\n", ws_token_label(tok));
		ws_token_close(tok);
	} else {
		fprintf(stderr, "token-stub: unknown command %s\n", argv[2]);
		return 2;
	}
	if (err != WS_OK) {
		fprintf(stderr, "token-stub: %s\n", ws_err_message(err));
		return 1;
	}
	return 0;
}
