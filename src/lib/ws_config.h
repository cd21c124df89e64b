/*
 * ws_config.h -- the daemon's configuration file (wavesignd.conf(5)).
 *
 * The configuration says WHERE things are (socket, state directory, policy
 * file, token); the policy (ws_policy.h) says WHAT may be done. The file is
 * YAML, read with the strict loader of ws_yaml.h:
 *
 *   socket:
 *     path: /run/wavesign/wavesignd.sock      # required
 *     mode: "0660"                             # default 0660
 *     group: wavesign                          # optional: group owner of the socket
 *   state-dir: /var/lib/wavesign               # required
 *   policy: /etc/wavesign/policy.yaml          # required
 *   token:
 *     uri: "pkcs11:token=wavesign"             # required, RFC 7512, must name token=
 *     module: /usr/lib/softhsm/libsofthsm2.so  # optional; default: p11-kit's modules
 *     pin-file: /etc/wavesign/pin              # required
 *     softhsm2-conf: /var/lib/wavesign/token/softhsm2.conf   # optional
 *   limits:
 *     max-frame: 128MiB        # default 128MiB, 64KiB..1GiB
 *     max-connections: 64      # default 64, 1..65536
 *     io-timeout: 30s          # default 30s, 1s..1h
 *     workers: 0               # default 0 = eight per online CPU (at most 64), at most 1024
 *   sandbox:
 *     seccomp: false            # default false: true installs wavesignd's system call filter
 *
 * Every mapping refuses keys it does not know. Relative paths are resolved
 * against the directory of the configuration file, and every path in the
 * struct is absolute. The token URI is checked with p11-kit's parser; it
 * must name the token (token=LABEL) and must not carry a PIN (pin-value,
 * pin-source: the PIN comes from pin-file) nor name objects (object, id,
 * type) or a module (module-name, module-path: use token.module).
 */
#ifndef WS_CONFIG_H
#define WS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ws_err.h"

#define WS_CONFIG_SOCKET_MODE_DEFAULT 0660
#define WS_CONFIG_MAX_FRAME_DEFAULT ((size_t)128 << 20)
#define WS_CONFIG_MAX_FRAME_MIN ((size_t)64 << 10)
#define WS_CONFIG_MAX_FRAME_MAX ((size_t)1 << 30)
#define WS_CONFIG_MAX_CONNECTIONS_DEFAULT 64u
#define WS_CONFIG_MAX_CONNECTIONS_MAX 65536u
#define WS_CONFIG_IO_TIMEOUT_DEFAULT_S 30u
#define WS_CONFIG_IO_TIMEOUT_MAX_S 3600u
#define WS_CONFIG_WORKERS_MAX 1024u

struct ws_config {
	char *path;		/* the file as given to ws_config_load() */
	char *socket_path;
	mode_t socket_mode;
	char *socket_group;	/* name or decimal gid; NULL: leave the group as created */
	char *state_dir;
	char *policy_path;
	char *token_uri;
	char *token_module;	/* NULL: the modules p11-kit is configured with */
	char *pin_file;
	char *softhsm2_conf;	/* NULL: do not set SOFTHSM2_CONF */
	size_t max_frame;
	unsigned max_connections;
	unsigned io_timeout_ms;
	unsigned workers;	/* 0: eight per online CPU, at most 64 */
	bool seccomp;		/* sandbox.seccomp: install the system call filter */
};

/*
 * Loads and checks the configuration file at path. On success *out is owned
 * by the caller (ws_config_free()).
 * Errors: WS_ERR_CONFIG (schema: "FILE:LINE:COLUMN: key.path: what"),
 * WS_ERR_YAML (malformed or refused YAML), WS_ERR_SYSTEM / WS_ERR_IO (the
 * file cannot be read), WS_ERR_NOMEM.
 */
ws_err ws_config_load(const char *path, struct ws_config **out);

/* As ws_config_load() from memory; name is used for messages and to resolve relative paths. */
ws_err ws_config_load_mem(const char *name, const uint8_t *data, size_t len, struct ws_config **out);

void ws_config_free(struct ws_config *cfg);

/*
 * Checks a PKCS#11 token URI as the config requires (see above). On failure
 * returns WS_ERR_INVALID_ARGUMENT with a detail saying what is wrong.
 */
ws_err ws_config_check_token_uri(const char *uri);

#endif /* WS_CONFIG_H */
