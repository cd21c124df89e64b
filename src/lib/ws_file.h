/*
 * ws_file.h -- files written so that a crash leaves the old or the new
 * version, never a mix: write a temporary file beside the target, fsync
 * it, rename it over the target, fsync the directory.
 */
#ifndef WS_FILE_H
#define WS_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "ws_err.h"

/*
 * Replaces path with data[0..len) atomically and durably, with the given
 * mode. The temporary file (path + ".tmp-<pid>-<n>") is removed on
 * failure. Errors: WS_ERR_SYSTEM (the detail names the step and the path).
 */
ws_err ws_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* fsync()s the directory holding path (after a rename or a create). */
ws_err ws_file_sync_dir(const char *path);

/* mkdir -p with the given mode for each directory created. */
ws_err ws_file_mkdirs(const char *path, mode_t mode);

#endif
