/*
 * regd_config.h -- wavesign-regd's configuration file (wavesign-regd(8)).
 *
 * YAML, read with the strict loader of ws_yaml.h (unknown keys, wrong
 * types and duplicate keys are errors with FILE:LINE:COLUMN: key.path):
 *
 *   listen:
 *     address: 0.0.0.0               # default 127.0.0.1; IPv4 or IPv6 literal
 *     port: 8443                     # required, 1..65535
 *     path: /sign                    # default /sign; the DEVICE_API path
 *   wavesignd:
 *     socket: /run/wavesign/wavesignd.sock   # default
 *     timeout: 30s                   # default 30s, 1s..10m: per wait on the daemon
 *   auth:
 *     token-file: /etc/wavesign/regd.token   # required; mode 0600, owned by regd's user
 *     header: OSF-TOKEN              # default OSF-TOKEN (lmp-device-register -H)
 *   tls:                             # optional; absent: plain HTTP
 *     cert: /etc/wavesign/regd.crt   # required with tls: PEM certificate (chain)
 *     key: /etc/wavesign/regd.key    # required with tls: PEM private key
 *     client-ca: /etc/wavesign/line-ca.crt   # optional: require client certificates
 *   gateway: https://ota-lite.example.com:8443   # required: the device gateway URL
 *   allow-group: false               # default false: refuse a device-chosen group
 *   limits:
 *     max-body: 64KiB                # default 64KiB, 1KiB..1MiB
 *     max-connections: 32            # default 32, 1..1024
 *     timeout: 30s                   # default 30s, 1s..1h: idle HTTP connection
 *
 * Relative paths are resolved against the directory of the configuration
 * file; every path in the struct is absolute. The gateway URL must start
 * with http:// or https://, have a host, and hold only printable ASCII
 * without quotes, backslashes or spaces (it is written into sota.toml
 * inside a TOML basic string); a trailing '/' is dropped.
 */
#ifndef REGD_CONFIG_H
#define REGD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_err.h"

#define REGD_CONFIG_DEFAULT_ADDRESS "127.0.0.1"
#define REGD_CONFIG_DEFAULT_PATH "/sign"
#define REGD_CONFIG_DEFAULT_SOCKET "/run/wavesign/wavesignd.sock"
#define REGD_CONFIG_DEFAULT_HEADER "OSF-TOKEN"
#define REGD_CONFIG_PATH_MAX 256		/* listen.path */
#define REGD_CONFIG_GATEWAY_MAX 512		/* gateway URL */
#define REGD_CONFIG_UPSTREAM_TIMEOUT_DEFAULT_S 30u
#define REGD_CONFIG_UPSTREAM_TIMEOUT_MAX_S 600u
#define REGD_CONFIG_MAX_BODY_DEFAULT ((size_t)64 << 10)
#define REGD_CONFIG_MAX_BODY_MIN ((size_t)1 << 10)
#define REGD_CONFIG_MAX_BODY_MAX ((size_t)1 << 20)
#define REGD_CONFIG_MAX_CONNECTIONS_DEFAULT 32u
#define REGD_CONFIG_MAX_CONNECTIONS_MAX 1024u
#define REGD_CONFIG_TIMEOUT_DEFAULT_S 30u
#define REGD_CONFIG_TIMEOUT_MAX_S 3600u

struct regd_config {
	char *path;			/* the file as given to regd_config_load() */
	char *address;			/* numeric IPv4 or IPv6 address */
	uint16_t port;
	char *http_path;		/* starts with '/' */
	char *socket_path;		/* wavesignd's socket */
	unsigned upstream_timeout_ms;
	char *token_file;
	char *token_header;		/* header name, [A-Za-z0-9-] */
	char *tls_cert;			/* NULL: plain HTTP */
	char *tls_key;			/* set iff tls_cert is */
	char *tls_client_ca;		/* NULL: no client certificates asked */
	char *gateway;			/* no trailing '/' */
	bool allow_group;
	size_t max_body;
	unsigned max_connections;
	unsigned timeout_s;		/* idle HTTP connection */
};

/*
 * Loads and checks the file at path. On success *out is owned by the
 * caller (regd_config_free()). Errors: WS_ERR_CONFIG ("FILE:LINE:COLUMN:
 * key.path: what"), WS_ERR_YAML, WS_ERR_SYSTEM / WS_ERR_IO (unreadable),
 * WS_ERR_NOMEM.
 */
ws_err regd_config_load(const char *path, struct regd_config **out);

/* As regd_config_load() from memory; name is used for messages and relative paths. */
ws_err regd_config_load_mem(const char *name, const uint8_t *data, size_t len,
    struct regd_config **out);

void regd_config_free(struct regd_config *cfg);

#endif /* REGD_CONFIG_H */
