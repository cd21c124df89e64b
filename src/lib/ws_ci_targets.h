/*
 * ws_ci_targets.h -- select one build's targets from a CI targets file.
 *
 * A CI targets file is what FoundriesFactory CI produces: either signed,
 *
 *     {"signatures":[...],"signed":{"_type":"Targets",...,"targets":{NAME:TARGET,...}}}
 *
 * or unsigned (the `signed` body itself, or any object with a top-level
 * "targets" member). A wave needs the targets of one build only (100 of
 * 100,000 in a big factory), so ws_ci_targets_select() does not build the
 * tree: it scans the bytes once with a strict tokenizer, skips every target
 * that does not match without allocating, and builds a jansson value only
 * for the targets it returns.
 *
 * Strictness is the same as ws_json_parse() over the whole file, including
 * the parts that are skipped, each with its own code:
 *
 *   WS_ERR_JSON_SYNTAX         malformed JSON, control characters in
 *                              strings, bad escapes, lone surrogates,
 *                              trailing bytes after the value
 *   WS_ERR_JSON_DUPLICATE_KEY  the same key twice in one object (anywhere)
 *   WS_ERR_JSON_FLOAT          a number with a fraction or exponent, or an
 *                              integer outside int64
 *   WS_ERR_JSON_UTF8           invalid UTF-8 (overlong, surrogate, > U+10FFFF,
 *                              truncated) or \u0000 in a string
 *   WS_ERR_JSON_DEPTH          more than WS_CI_TARGETS_DEPTH_MAX nested
 *                              containers (the top-level object counts 1)
 *   WS_ERR_LIMIT               input longer than WS_CI_TARGETS_INPUT_MAX, or
 *                              an object with more than
 *                              WS_CI_TARGETS_MEMBERS_MAX members
 *
 * and the shape a Foundries targets file must have:
 *
 *   WS_ERR_JSON_TYPE           the top level is not an object; `signed`,
 *                              `targets`, a target or a target's `custom` is
 *                              not an object; custom.version is not a
 *                              string; custom.tags is not an array of strings
 *   WS_ERR_JSON_MISSING        neither signed.targets nor a top-level targets
 *   WS_ERR_TUF                 both signed.targets and a top-level targets
 *                              (which one is meant is ambiguous)
 *   WS_ERR_WAVE_NO_TARGETS     the file is valid but no target matches (the
 *                              detail says how many carried the version and
 *                              lacked the source tag)
 *
 * A target without `custom` or without custom.version is valid but never
 * matches. Every detail reads "line L, column C (byte B): what", B being
 * the 0-based offset of the offending byte, and names the target
 * ("signed.targets.\"NAME\".custom.version: ...") where there is one.
 */
#ifndef WS_CI_TARGETS_H
#define WS_CI_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ws_err.h"

/* Same nesting bound as ws_json_parse() with WS_JSON_DEPTH_DEFAULT. */
#define WS_CI_TARGETS_DEPTH_MAX 32u
/* Largest CI targets file accepted (a 100,000-target file is about 65 MB). */
#define WS_CI_TARGETS_INPUT_MAX ((size_t)512 << 20)
/* Most members in any one object (bounds the duplicate-key index). */
#define WS_CI_TARGETS_MEMBERS_MAX ((size_t)4 << 20)
/* Longest VERSION accepted: int64 has at most 19 digits. */
#define WS_CI_TARGETS_VERSION_MAX 19u

/*
 * Selects from data[0..len) every target whose custom.version equals
 * version exactly (compared as decoded strings: "42" matches "42", not
 * "042"), and, when source_tag is not NULL, whose custom.tags contains
 * source_tag.
 *
 * version: 1..WS_CI_TARGETS_VERSION_MAX decimal digits, else
 * WS_ERR_INVALID_ARGUMENT; source_tag: NULL or a non-empty string.
 *
 * On success *out is a new object (json_decref() it) mapping each selected
 * target's name to its exact content as parsed by ws_json_parse(): every
 * member, known or not, is kept; nothing is re-tagged here. On failure
 * *out is left untouched and nothing is allocated.
 */
ws_err ws_ci_targets_select(const uint8_t *data, size_t len, const char *version,
    const char *source_tag, json_t **out);

/*
 * Validates data[0..len) exactly as ws_ci_targets_select() does and selects
 * nothing: the cost of the scan alone (for the benchmark), and a quick
 * "is this a usable CI targets file" check. *n_targets (may be NULL)
 * receives the number of targets in the file.
 */
ws_err ws_ci_targets_validate(const uint8_t *data, size_t len, size_t *n_targets);

#endif /* WS_CI_TARGETS_H */
