/*
 * ws_yaml.h -- a strict YAML loader and typed getters for configuration files.
 *
 * The loader drives libyaml's event parser and builds a small tree of
 * nodes: scalars, mappings and sequences, each with the 1-based line and
 * column where it starts. It accepts the plain subset of YAML that a
 * configuration file needs and refuses, with WS_ERR_YAML:
 *
 *   - anchors (&a), aliases (*a), explicit tags (!!str, !foo) and %TAG;
 *   - more than one document in the stream;
 *   - keys that are not scalars, and duplicate keys in one mapping;
 *   - nesting deeper than WS_YAML_DEPTH_MAX collections;
 *   - input larger than WS_YAML_INPUT_MAX bytes, NUL bytes in scalars;
 *   - anything libyaml reports as a syntax or encoding error.
 *
 * Every error detail (ws_err_detail()) has one form, so that a person can
 * jump to the spot in an editor:
 *
 *     FILE:LINE:COLUMN: key.path: what is wrong
 *
 * e.g. "policy.yaml:12:5: clients.registrar.rate: expected COUNT/min|s|h,
 * got "fast"". The key path joins mapping keys with '.' and sequence
 * positions as "[N]" (0-based); the document's top node is "(document)".
 *
 * Typed getters (ws_yaml_str() ... ws_yaml_rate()) check one node and fail
 * with the document's schema code (given at load time, e.g. WS_ERR_POLICY
 * or WS_ERR_CONFIG) and a detail in the same form. They never print.
 *
 * Scalars: "plain" (unquoted) or quoted. Strings accept both; booleans and
 * integers accept only plain scalars (a quoted "2" is a string, not a
 * number). A plain scalar that is empty, "~" or "null" is YAML's null and
 * is refused where a value is expected.
 *
 * Ownership: a struct ws_yaml_doc owns every node and string in it; all
 * pointers handed out by the getters stay valid until ws_yaml_free().
 */
#ifndef WS_YAML_H
#define WS_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ws_buf.h"
#include "ws_err.h"

#define WS_YAML_INPUT_MAX (1024u * 1024u)	/* 1 MiB */
#define WS_YAML_DEPTH_MAX 32			/* nested mappings/sequences */

enum ws_yaml_kind {
	WS_YAML_SCALAR = 1,
	WS_YAML_MAP,
	WS_YAML_SEQ,
};

struct ws_yaml_doc;

struct ws_yaml_node {
	enum ws_yaml_kind kind;
	unsigned line, column;			/* 1-based, where the node starts */
	const struct ws_yaml_doc *doc;
	const struct ws_yaml_node *parent;	/* NULL for the top node */
	const struct ws_yaml_node *key;		/* a mapping value's key, else NULL */
	size_t index;				/* a sequence item's position */

	/* WS_YAML_SCALAR: NUL-terminated (NUL never occurs inside). */
	char *str;
	size_t len;
	bool plain;				/* unquoted (plain) scalar */

	/* WS_YAML_MAP: keys[i] -> values[i]; WS_YAML_SEQ: values[i]. */
	struct ws_yaml_node **keys;
	struct ws_yaml_node **values;
	size_t count;
	size_t cap;
};

struct ws_yaml_doc {
	char *name;			/* the file name used in messages */
	struct ws_yaml_node *root;	/* NULL for an empty stream */
	ws_err schema_err;		/* what the typed getters fail with */
	/* private */
	struct ws_yaml_node **all;
	size_t n_all, cap_all;
};

/*
 * Parses len bytes of YAML. name is used in messages (usually the file
 * path as the user gave it). schema_err is the code the typed getters fail
 * with. On success *out is owned by the caller (ws_yaml_free()).
 * Errors: WS_ERR_YAML (every refusal above), WS_ERR_NOMEM.
 */
ws_err ws_yaml_load_mem(const char *name, const uint8_t *data, size_t len, ws_err schema_err,
    struct ws_yaml_doc **out);

/*
 * Reads a file of at most WS_YAML_INPUT_MAX bytes into b (replacing its
 * contents). A larger file fails with WS_ERR_YAML; a missing or unreadable
 * one with WS_ERR_SYSTEM or WS_ERR_IO (detail names the path).
 */
ws_err ws_yaml_read_file(const char *path, struct ws_buf *b);

/* ws_yaml_read_file() then ws_yaml_load_mem() with name = path. */
ws_err ws_yaml_load_file(const char *path, ws_err schema_err, struct ws_yaml_doc **out);

void ws_yaml_free(struct ws_yaml_doc *doc);

/*
 * Writes the key path of n ("clients.registrar.rate", "waves.tags[1]",
 * "(document)") into buf (always NUL-terminated, truncated to fit).
 */
void ws_yaml_path(const struct ws_yaml_node *n, char *buf, size_t size);

/*
 * Records "FILE:LINE:COLUMN: PATH: <formatted text>" for node n and
 * returns n's document schema code. The typed getters use it; loaders use
 * it for their own cross-checks.
 */
ws_err ws_yaml_fail(const struct ws_yaml_node *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * As ws_yaml_fail() for the key `key` of mapping `map` that is missing: the
 * location is the mapping's, the path is the mapping's path plus ".key".
 */
ws_err ws_yaml_fail_key(const struct ws_yaml_node *map, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "a mapping", "a sequence", "null", or the scalar quoted ("\"fast\""), for messages. */
void ws_yaml_describe(const struct ws_yaml_node *n, char *buf, size_t size);

/* True for a plain empty, "~" or "null" scalar. */
bool ws_yaml_is_null(const struct ws_yaml_node *n);

/*
 * The top node of the document, which must be a mapping. An empty
 * document fails with "(document): expected a mapping, got nothing".
 */
ws_err ws_yaml_root_map(const struct ws_yaml_doc *doc, const struct ws_yaml_node **out);

/* Fails unless n is a mapping / a sequence ("expected a mapping, got ..."). */
ws_err ws_yaml_expect_map(const struct ws_yaml_node *n);
ws_err ws_yaml_expect_seq(const struct ws_yaml_node *n);

/*
 * Checks that every key of mapping `map` is in the NULL-terminated list
 * `allowed`; else fails at the first unknown key with
 * "unknown key (allowed: a, b, c)". map must be a mapping.
 */
ws_err ws_yaml_check_keys(const struct ws_yaml_node *map, const char *const *allowed);

/* The value of key in mapping map, or NULL (also when map is not a mapping). */
const struct ws_yaml_node *ws_yaml_find(const struct ws_yaml_node *map, const char *key);

/* As ws_yaml_find(), but a missing key fails with "required key is missing". */
ws_err ws_yaml_require(const struct ws_yaml_node *map, const char *key,
    const struct ws_yaml_node **out);

/*
 * Typed getters. Each checks node n and writes *out only on success.
 */

/* A non-null scalar (plain or quoted). *out points into the document. */
ws_err ws_yaml_str(const struct ws_yaml_node *n, const char **out);

/* As ws_yaml_str(), copied: *out is owned by the caller (free()). */
ws_err ws_yaml_strdup(const struct ws_yaml_node *n, char **out);

/*
 * A string of 1..max_len bytes from [A-Za-z0-9._-] (names, labels, tags).
 * what names the thing in the message ("a client name").
 */
ws_err ws_yaml_name(const struct ws_yaml_node *n, size_t max_len, const char *what,
    const char **out);

/* Plain true or false, nothing else ("expected true or false, got ..."). */
ws_err ws_yaml_bool(const struct ws_yaml_node *n, bool *out);

/* A plain decimal integer in [min, max] (no sign, no leading zeros). */
ws_err ws_yaml_uint(const struct ws_yaml_node *n, uint64_t min, uint64_t max, uint64_t *out);

/* As ws_yaml_uint() for unsigned. */
ws_err ws_yaml_unsigned(const struct ws_yaml_node *n, unsigned min, unsigned max, unsigned *out);

/*
 * One of the NULL-terminated names; *out is its index.
 * Message: "expected one of a | b | c, got ...".
 */
ws_err ws_yaml_enum(const struct ws_yaml_node *n, const char *const *names, int *out);

/* A duration (see ws_parse_duration()) in seconds, within [min, max]. */
ws_err ws_yaml_duration(const struct ws_yaml_node *n, uint64_t min, uint64_t max, uint64_t *out);

/* A size (see ws_parse_size()) in bytes, within [min, max]. */
ws_err ws_yaml_size(const struct ws_yaml_node *n, uint64_t min, uint64_t max, uint64_t *out);

/* A file mode (see ws_parse_mode()). */
ws_err ws_yaml_mode(const struct ws_yaml_node *n, mode_t *out);

/* A rate (see ws_parse_rate()). */
ws_err ws_yaml_rate(const struct ws_yaml_node *n, unsigned *count, unsigned *period_s);

/*
 * Parsers for the value syntaxes, usable on their own (e.g. for command
 * line options). Each fails with WS_ERR_INVALID_ARGUMENT and a detail that
 * says what was expected (without location), and writes *out only on
 * success.
 *
 * ws_parse_duration: NUMBER followed by one unit: s, m (minutes), h, d, w
 *   (7 days), y (365 days): "30s", "10m", "7d", "20y". No sign, no space,
 *   no fraction. Zero and results over 2^62 seconds are refused.
 * ws_parse_size: plain bytes ("65536") or NUMBER followed by KiB, MiB, GiB
 *   or TiB: "64KiB", "128MiB". Overflow refused.
 * ws_parse_mode: 3 or 4 octal digits ("660", "0660"), at most 0777.
 * ws_parse_rate: COUNT/s, COUNT/min or COUNT/h ("600/min"); COUNT 1..1000000.
 */
#define WS_DURATION_MAX ((uint64_t)1 << 62)
#define WS_RATE_COUNT_MAX 1000000u
ws_err ws_parse_duration(const char *s, uint64_t *out);
ws_err ws_parse_size(const char *s, uint64_t *out);
ws_err ws_parse_mode(const char *s, mode_t *out);
ws_err ws_parse_rate(const char *s, unsigned *count, unsigned *period_s);

/* Formats seconds as the largest exact unit ("20y", "30d", "90s"). */
void ws_format_duration(uint64_t seconds, char *buf, size_t size);

/* Formats bytes as the largest exact unit ("128MiB", "1000"). */
void ws_format_size(uint64_t bytes, char *buf, size_t size);

#endif /* WS_YAML_H */
