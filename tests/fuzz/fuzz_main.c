/*
 * fuzz_main.c -- replays inputs through a libFuzzer entry point.
 *
 * Every fuzz target defines LLVMFuzzerTestOneInput(). Linked with this
 * file it becomes an ordinary program: each argument is a file (or a
 * directory of files) fed to the target once; with no argument, standard
 * input is. `make check` runs every target over its corpus this way, so
 * the targets always build and the corpus stays crash-free. With
 * --enable-fuzzing the same targets link libFuzzer instead (make fuzz).
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_INPUT_MAX (16u << 20)

static int
replay_fd(int fd, const char *name)
{
	struct ws_buf b = WS_BUF_INIT(FUZZ_INPUT_MAX);
	ws_err r = ws_buf_read_fd(&b, fd, FUZZ_INPUT_MAX);

	if (r != WS_OK) {
		fprintf(stderr, "%s: %s\n", name, ws_err_message(r));
		ws_buf_free(&b);
		return 1;
	}
	/* Hand the target an exact-size copy so ASan sees overreads. */
	uint8_t *copy = malloc(b.len ? b.len : 1);
	if (copy == NULL)
		abort();
	if (b.len)
		memcpy(copy, b.data, b.len);
	LLVMFuzzerTestOneInput(copy, b.len);
	free(copy);
	ws_buf_free(&b);
	return 0;
}

static int
replay_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fails = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((d = opendir(path)) == NULL) {
			perror(path);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			char sub[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			fails += replay_path(sub);
		}
		closedir(d);
		return fails;
	}
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	fails = replay_fd(fileno(f), path);
	fclose(f);
	return fails;
}

int
main(int argc, char **argv)
{
	int fails = 0;

	if (argc < 2)
		return replay_fd(STDIN_FILENO, "stdin");
	for (int i = 1; i < argc; i++)
		fails += replay_path(argv[i]);
	return fails ? 1 : 0;
}
