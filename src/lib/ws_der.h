/*
 * ws_der.h -- a minimal, strict DER reader and writer.
 *
 * Reading works on a struct ws_reader (ws_buf.h): each ws_der_read*()
 * takes one element (tag, length, value) off the reader and moves the
 * offset only when the whole element is present and well formed, so a
 * failed read leaves the reader where it was. Nesting: ws_der_enter()
 * reads a constructed element and sets up a sub-reader over its contents;
 * ws_der_end() checks that a sub-reader has been read completely.
 *
 * What is refused (DER, X.690 §10, restricted to what X.509 needs):
 *   - high tag numbers (tag number >= 31): WS_ERR_DER_MALFORMED;
 *   - indefinite lengths, lengths of more than 4 bytes, non-minimal length
 *     encodings: WS_ERR_DER_MALFORMED;
 *   - an element longer than what is left in the reader: WS_ERR_TRUNCATED;
 *   - in the typed readers: non-minimal INTEGERs, BOOLEANs other than
 *     00/FF, BIT STRINGs with non-zero padding bits, malformed OIDs, times
 *     not in the RFC 5280 form (YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ).
 * The detail (ws_err_detail()) says what was expected and what was found.
 * Length arithmetic is done against the bytes left, so it cannot overflow.
 *
 * Writing appends TLVs to a struct ws_buf (bounded; WS_ERR_LIMIT or
 * WS_ERR_NOMEM from the buffer). A constructed element is built by
 * remembering b->len, appending the contents, then ws_der_wrap() (or
 * ws_der_wrap_seq()) inserts the header in front of them.
 *
 * Nothing here allocates except through the ws_buf; readers borrow the
 * caller's bytes, and every pointer handed out points into them.
 */
#ifndef WS_DER_H
#define WS_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ws_buf.h"
#include "ws_err.h"

/* Universal tags (class and constructed bit included). */
#define WS_DER_BOOLEAN		0x01
#define WS_DER_INTEGER		0x02
#define WS_DER_BIT_STRING	0x03
#define WS_DER_OCTET_STRING	0x04
#define WS_DER_NULL		0x05
#define WS_DER_OID		0x06
#define WS_DER_ENUMERATED	0x0a
#define WS_DER_UTF8STRING	0x0c
#define WS_DER_PRINTABLESTRING	0x13
#define WS_DER_T61STRING	0x14
#define WS_DER_IA5STRING	0x16
#define WS_DER_UTCTIME		0x17
#define WS_DER_GENERALIZEDTIME	0x18
#define WS_DER_BMPSTRING	0x1e
#define WS_DER_SEQUENCE		0x30
#define WS_DER_SET		0x31
/* Context-specific tags [n]: primitive (IMPLICIT) and constructed. */
#define WS_DER_CONTEXT(n)	((uint8_t)(0x80 | (n)))
#define WS_DER_CONTEXT_CONS(n)	((uint8_t)(0xa0 | (n)))

/* Longest header ws_der_put_header() writes: tag + 0x84 + 4 length bytes. */
#define WS_DER_HEADER_MAX 6

/* Room for a dotted OID string ("1.2.840.113549.1.9.14"); longer ones are cut with "...". */
#define WS_DER_OID_STR_MAX 64

/* One element as read: all pointers into the reader's bytes. */
struct ws_der_tlv {
	uint8_t tag;
	const uint8_t *tlv;	/* the whole element, header included */
	size_t tlv_len;
	const uint8_t *val;	/* the contents */
	size_t len;
};

/* ---- reading ---- */

/* Reads one element of any tag. */
ws_err ws_der_read(struct ws_reader *r, struct ws_der_tlv *out);

/* Reads one element that must have tag `tag` (else WS_ERR_DER_MALFORMED). */
ws_err ws_der_read_tag(struct ws_reader *r, uint8_t tag, struct ws_der_tlv *out);

/* Reads an element with tag `tag` and points *sub at its contents. */
ws_err ws_der_enter(struct ws_reader *r, uint8_t tag, struct ws_reader *sub);

/* The tag of the next element, or -1 when the reader is empty. */
int ws_der_peek_tag(const struct ws_reader *r);

/* WS_OK when r is exhausted; else WS_ERR_DER_MALFORMED naming `what`. */
ws_err ws_der_end(const struct ws_reader *r, const char *what);

/* OBJECT IDENTIFIER: oid and len get the contents (well-formed base-128). */
ws_err ws_der_read_oid(struct ws_reader *r, const uint8_t **oid, size_t *len);

/* BOOLEAN: 00 or FF only. */
ws_err ws_der_read_bool(struct ws_reader *r, bool *v);

/* NULL with empty contents. */
ws_err ws_der_read_null(struct ws_reader *r);

/*
 * INTEGER, minimally encoded: p and len get the contents (two's complement,
 * sign byte included).
 */
ws_err ws_der_read_int(struct ws_reader *r, const uint8_t **p, size_t *len);

/* A non-negative INTEGER that fits in 64 bits. */
ws_err ws_der_read_uint(struct ws_reader *r, uint64_t *v);

/*
 * BIT STRING: bits and len get the bytes after the unused-bits octet,
 * *unused the number of padding bits (0..7; padding bits must be zero).
 */
ws_err ws_der_read_bit_string(struct ws_reader *r, const uint8_t **bits, size_t *len,
    unsigned *unused);

/* UTCTime or GeneralizedTime in the RFC 5280 form, as seconds since the epoch. */
ws_err ws_der_read_time(struct ws_reader *r, time_t *t);

/* ---- helpers ---- */

/* True when the OID contents (oid, len) equal the constant (want, want_len). */
bool ws_der_oid_eq(const uint8_t *oid, size_t len, const uint8_t *want, size_t want_len);
#define WS_DER_OID_EQ(oid, len, constant) ws_der_oid_eq((oid), (len), (constant), sizeof(constant))

/*
 * Writes OID contents in dotted form into out (always NUL-terminated);
 * out must hold WS_DER_OID_STR_MAX bytes. Returns out.
 */
char *ws_der_oid_str(const uint8_t *oid, size_t len, char *out);

/*
 * Checks text for valid UTF-8 (no overlong forms, no surrogates, at most
 * U+10FFFF) without control characters (C0, DEL, C1). Returns the offset
 * of the first bad byte, or len when the whole text is fine.
 */
size_t ws_der_text_check(const uint8_t *p, size_t len);

/* A name for a tag, for messages: "SEQUENCE", "UTF8String", "[0]", "tag 0x45". */
const char *ws_der_tag_name(uint8_t tag, char buf[16]);

/* ---- writing ---- */

/* Appends a tag and a (minimal) length. */
ws_err ws_der_put_header(struct ws_buf *b, uint8_t tag, size_t len);

/* Appends tag, length and the contents val[0..len). */
ws_err ws_der_put(struct ws_buf *b, uint8_t tag, const void *val, size_t len);

/* Appends an OBJECT IDENTIFIER from its contents. */
ws_err ws_der_put_oid(struct ws_buf *b, const uint8_t *oid, size_t len);

/* Appends a BOOLEAN (FF or 00). */
ws_err ws_der_put_bool(struct ws_buf *b, bool v);

/*
 * Appends a non-negative INTEGER from a big-endian magnitude (leading zero
 * bytes stripped, a 00 sign byte added when the top bit is set). An empty
 * or all-zero magnitude encodes 0.
 */
ws_err ws_der_put_uint_bytes(struct ws_buf *b, const uint8_t *mag, size_t len);

/* Appends a non-negative INTEGER. */
ws_err ws_der_put_uint(struct ws_buf *b, uint64_t v);

/* Appends a BIT STRING with `unused` padding bits (0..7) in its last byte. */
ws_err ws_der_put_bit_string(struct ws_buf *b, const uint8_t *bits, size_t len, unsigned unused);

/*
 * Appends t as UTCTime (years 1950..2049) or GeneralizedTime (otherwise,
 * up to 9999), RFC 5280 §4.1.2.5. WS_ERR_INVALID_ARGUMENT out of range.
 */
ws_err ws_der_put_time(struct ws_buf *b, time_t t);

/*
 * Turns b->data[start..b->len) into the contents of one element with tag
 * `tag`: inserts the header at start. WS_ERR_INVALID_ARGUMENT if start >
 * b->len.
 */
ws_err ws_der_wrap(struct ws_buf *b, size_t start, uint8_t tag);

/* ws_der_wrap() with SEQUENCE. */
ws_err ws_der_wrap_seq(struct ws_buf *b, size_t start);

#endif /* WS_DER_H */
