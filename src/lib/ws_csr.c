/*
 * ws_csr.c -- PKCS#10 parsing, self-signature check and profile checks
 * (contract in ws_csr.h).
 *
 * CertificationRequest ::= SEQUENCE {
 *     certificationRequestInfo  SEQUENCE {
 *         version        INTEGER (0),
 *         subject        Name,
 *         subjectPKInfo  SubjectPublicKeyInfo,
 *         attributes     [0] IMPLICIT SET OF Attribute },
 *     signatureAlgorithm AlgorithmIdentifier,
 *     signature          BIT STRING }
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csr.h"
#include "ws_oid.h"
#include "ws_pem.h"

#define CSR_EXT_MAX 32	/* requested extensions */
#define MSG_VALUE_MAX 64	/* bytes of a subject value quoted in a message */

/* Errors of the DER layer inside a complete CSR mean the CSR is malformed. */
static ws_err
malformed(ws_err e)
{
	return (e == WS_ERR_DER_MALFORMED || e == WS_ERR_TRUNCATED) ? WS_ERR_CSR_MALFORMED : e;
}

const char *
ws_name_attr_label(const struct ws_name_attr *a, char buf[WS_DER_OID_STR_MAX])
{
	static const struct { const uint8_t *oid; size_t len; const char *name; } names[] = {
		{ WS_OID_CN, sizeof(WS_OID_CN), "CN" },
		{ WS_OID_OU, sizeof(WS_OID_OU), "OU" },
		{ WS_OID_O, sizeof(WS_OID_O), "O" },
		{ WS_OID_C, sizeof(WS_OID_C), "C" },
		{ WS_OID_L, sizeof(WS_OID_L), "L" },
		{ WS_OID_ST, sizeof(WS_OID_ST), "ST" },
		{ WS_OID_SERIAL_NUMBER, sizeof(WS_OID_SERIAL_NUMBER), "serialNumber" },
		{ WS_OID_BUSINESS_CATEGORY, sizeof(WS_OID_BUSINESS_CATEGORY), "businessCategory" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ws_der_oid_eq(a->oid, a->oid_len, names[i].oid, names[i].len))
			return names[i].name;
	return ws_der_oid_str(a->oid, a->oid_len, buf);
}

static bool
printable_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr(" '()+,-./:=?", c) != NULL);
}

static ws_err
check_value(const struct ws_name_attr *a, size_t idx, const uint8_t *v, size_t len)
{
	char lb[WS_DER_OID_STR_MAX];
	size_t bad;

	if (len == 0)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "RDN %zu (%s) has an empty value", idx + 1,
		    ws_name_attr_label(a, lb));
	if (a->string_tag == WS_DER_PRINTABLESTRING) {
		for (size_t i = 0; i < len; i++)
			if (!printable_char(v[i]))
				return ws_err_set(WS_ERR_CSR_SUBJECT, "RDN %zu (%s): byte 0x%02x is not "
				    "allowed in a PrintableString", idx + 1, ws_name_attr_label(a, lb), v[i]);
		return WS_OK;
	}
	if ((bad = ws_der_text_check(v, len)) != len)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "RDN %zu (%s): invalid UTF-8 or a control character "
		    "at byte %zu", idx + 1, ws_name_attr_label(a, lb), bad);
	return WS_OK;
}

static ws_err
parse_subject(struct ws_csr *csr, const struct ws_der_tlv *name)
{
	struct ws_reader r, rdn, atv;
	struct ws_der_tlv val;
	char lb[WS_DER_OID_STR_MAX], tb[16];
	size_t spos = 0;
	ws_err e;

	if (name->tlv_len > WS_CSR_SUBJECT_MAX)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "the subject is %zu bytes (at most %d)",
		    name->tlv_len, WS_CSR_SUBJECT_MAX);
	ws_reader_init(&r, name->val, name->len);
	while (ws_reader_left(&r) > 0) {
		struct ws_name_attr *a = &csr->attrs[csr->n_attrs];
		size_t idx = csr->n_attrs;

		if (csr->n_attrs == WS_CSR_RDN_MAX)
			return ws_err_set(WS_ERR_CSR_SUBJECT, "the subject has more than %d RDNs", WS_CSR_RDN_MAX);
		memset(a, 0, sizeof(*a));
		if ((e = ws_der_enter(&r, WS_DER_SET, &rdn)) != WS_OK ||
		    (e = ws_der_enter(&rdn, WS_DER_SEQUENCE, &atv)) != WS_OK ||
		    (e = ws_der_read_oid(&atv, &a->oid, &a->oid_len)) != WS_OK ||
		    (e = ws_der_read(&atv, &val)) != WS_OK ||
		    (e = ws_der_end(&atv, "an AttributeTypeAndValue")) != WS_OK) {
			ws_err_prefix("subject RDN %zu", idx + 1);
			return malformed(e);
		}
		if (ws_reader_left(&rdn) > 0)
			return ws_err_set(WS_ERR_CSR_SUBJECT, "RDN %zu (%s) is multi-valued; each attribute "
			    "must be its own RDN", idx + 1, ws_name_attr_label(a, lb));
		if (WS_DER_OID_EQ(a->oid, a->oid_len, WS_OID_CN))
			a->type = WS_ATTR_CN;
		else if (WS_DER_OID_EQ(a->oid, a->oid_len, WS_OID_OU))
			a->type = WS_ATTR_OU;
		else if (WS_DER_OID_EQ(a->oid, a->oid_len, WS_OID_BUSINESS_CATEGORY))
			a->type = WS_ATTR_BUSINESS_CATEGORY;
		else
			a->type = WS_ATTR_OTHER;
		for (size_t i = 0; i < idx; i++)
			if (ws_der_oid_eq(csr->attrs[i].oid, csr->attrs[i].oid_len, a->oid, a->oid_len))
				return ws_err_set(WS_ERR_CSR_SUBJECT, "attribute %s appears twice (RDNs %zu "
				    "and %zu)", ws_name_attr_label(a, lb), i + 1, idx + 1);
		if (val.tag != WS_DER_UTF8STRING && val.tag != WS_DER_PRINTABLESTRING)
			return ws_err_set(WS_ERR_CSR_SUBJECT, "RDN %zu (%s) is encoded as %s; only "
			    "UTF8String and PrintableString are accepted", idx + 1, ws_name_attr_label(a, lb),
			    ws_der_tag_name(val.tag, tb));
		a->string_tag = val.tag;
		if ((e = check_value(a, idx, val.val, val.len)) != WS_OK)
			return e;
		/* The subject is at most WS_CSR_SUBJECT_MAX bytes, so the copies fit. */
		if (val.len >= sizeof(csr->strings) - spos)
			return ws_err_set(WS_ERR_INTERNAL, "subject string storage");
		memcpy(csr->strings + spos, val.val, val.len);
		csr->strings[spos + val.len] = '\0';
		a->value = csr->strings + spos;
		a->value_len = val.len;
		spos += val.len + 1;
		csr->n_attrs++;
		if (a->type == WS_ATTR_CN)
			csr->cn = a;
		else if (a->type == WS_ATTR_OU)
			csr->ou = a;
		else if (a->type == WS_ATTR_BUSINESS_CATEGORY)
			csr->business_category = a;
	}
	return WS_OK;
}

static ws_err
parse_ext_value(struct ws_csr *csr, const uint8_t *oid, size_t oid_len, const uint8_t *v, size_t len)
{
	struct ws_reader r, seq;
	const uint8_t *bits = NULL, *o = NULL;
	size_t nbits = 0, olen = 0;
	unsigned unused = 0;
	uint64_t pathlen = 0;
	bool ca = false;
	struct ws_der_tlv gn;
	ws_err e;

	ws_reader_init(&r, v, len);
	if (WS_DER_OID_EQ(oid, oid_len, WS_OID_KEY_USAGE)) {
		if ((e = ws_der_read_bit_string(&r, &bits, &nbits, &unused)) != WS_OK)
			return e;
		csr->key_usage_bits = nbits > 0 ? bits[0] : 0;
	} else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_BASIC_CONSTRAINTS)) {
		if ((e = ws_der_enter(&r, WS_DER_SEQUENCE, &seq)) != WS_OK)
			return e;
		if (ws_der_peek_tag(&seq) == WS_DER_BOOLEAN && (e = ws_der_read_bool(&seq, &ca)) != WS_OK)
			return e;
		if (ws_der_peek_tag(&seq) == WS_DER_INTEGER && (e = ws_der_read_uint(&seq, &pathlen)) != WS_OK)
			return e;
		if ((e = ws_der_end(&seq, "basicConstraints")) != WS_OK)
			return e;
		csr->ca = ca;
	} else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_EXT_KEY_USAGE)) {
		if ((e = ws_der_enter(&r, WS_DER_SEQUENCE, &seq)) != WS_OK)
			return e;
		if (ws_reader_left(&seq) == 0)
			return ws_err_set(WS_ERR_DER_MALFORMED, "empty extendedKeyUsage");
		while (ws_reader_left(&seq) > 0)
			if ((e = ws_der_read_oid(&seq, &o, &olen)) != WS_OK)
				return e;
	} else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_SAN)) {
		if ((e = ws_der_enter(&r, WS_DER_SEQUENCE, &seq)) != WS_OK)
			return e;
		if (ws_reader_left(&seq) == 0)
			return ws_err_set(WS_ERR_DER_MALFORMED, "empty subjectAltName");
		while (ws_reader_left(&seq) > 0)
			if ((e = ws_der_read(&seq, &gn)) != WS_OK)
				return e;
	}
	return ws_der_end(&r, "the extension value");
}

static ws_err
parse_extensions(struct ws_csr *csr, struct ws_reader *exts)
{
	const uint8_t *seen[CSR_EXT_MAX];
	size_t seen_len[CSR_EXT_MAX], n = 0;
	char os[WS_DER_OID_STR_MAX];
	ws_err e;

	while (ws_reader_left(exts) > 0) {
		struct ws_reader ext;
		struct ws_der_tlv value;
		struct ws_csr_ext *slot = NULL;
		const uint8_t *oid = NULL;
		size_t oid_len = 0;
		bool critical = false;

		if (n == CSR_EXT_MAX)
			return ws_err_set(WS_ERR_CSR_EXTENSION, "more than %d extensions requested", CSR_EXT_MAX);
		if ((e = ws_der_enter(exts, WS_DER_SEQUENCE, &ext)) != WS_OK ||
		    (e = ws_der_read_oid(&ext, &oid, &oid_len)) != WS_OK ||
		    (ws_der_peek_tag(&ext) == WS_DER_BOOLEAN && (e = ws_der_read_bool(&ext, &critical)) != WS_OK) ||
		    (e = ws_der_read_tag(&ext, WS_DER_OCTET_STRING, &value)) != WS_OK ||
		    (e = ws_der_end(&ext, "an Extension")) != WS_OK) {
			ws_err_prefix("requested extension %zu", n + 1);
			return malformed(e);
		}
		for (size_t i = 0; i < n; i++)
			if (ws_der_oid_eq(seen[i], seen_len[i], oid, oid_len))
				return ws_err_set(WS_ERR_CSR_EXTENSION, "extension %s is requested twice",
				    ws_der_oid_str(oid, oid_len, os));
		seen[n] = oid;
		seen_len[n] = oid_len;
		n++;
		if (WS_DER_OID_EQ(oid, oid_len, WS_OID_KEY_USAGE))
			slot = &csr->key_usage;
		else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_EXT_KEY_USAGE))
			slot = &csr->ext_key_usage;
		else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_BASIC_CONSTRAINTS))
			slot = &csr->basic_constraints;
		else if (WS_DER_OID_EQ(oid, oid_len, WS_OID_SAN))
			slot = &csr->subject_alt_name;
		else
			continue;	/* never copied into a certificate */
		if ((e = parse_ext_value(csr, oid, oid_len, value.val, value.len)) != WS_OK) {
			ws_err_prefix("requested extension %s", ws_der_oid_str(oid, oid_len, os));
			return malformed(e);
		}
		slot->present = true;
		slot->critical = critical;
		slot->value = value.val;
		slot->len = value.len;
	}
	return WS_OK;
}

static ws_err
parse_attributes(struct ws_csr *csr, struct ws_reader *attrs)
{
	bool have_ext_req = false;
	ws_err e;

	while (ws_reader_left(attrs) > 0) {
		struct ws_reader attr, values, exts;
		const uint8_t *oid = NULL;
		size_t oid_len = 0;

		if ((e = ws_der_enter(attrs, WS_DER_SEQUENCE, &attr)) != WS_OK ||
		    (e = ws_der_read_oid(&attr, &oid, &oid_len)) != WS_OK ||
		    (e = ws_der_enter(&attr, WS_DER_SET, &values)) != WS_OK ||
		    (e = ws_der_end(&attr, "an Attribute")) != WS_OK) {
			ws_err_prefix("CSR attributes");
			return malformed(e);
		}
		if (!WS_DER_OID_EQ(oid, oid_len, WS_OID_EXTENSION_REQUEST))
			continue;	/* challengePassword and the like: ignored */
		if (have_ext_req)
			return ws_err_set(WS_ERR_CSR_EXTENSION, "two extensionRequest attributes");
		have_ext_req = true;
		if ((e = ws_der_enter(&values, WS_DER_SEQUENCE, &exts)) != WS_OK ||
		    (e = ws_der_end(&values, "extensionRequest (one Extensions value)")) != WS_OK) {
			ws_err_prefix("CSR extensionRequest");
			return malformed(e);
		}
		if ((e = parse_extensions(csr, &exts)) != WS_OK)
			return e;
	}
	return WS_OK;
}

static ws_err
parse_info(struct ws_csr *csr, const struct ws_der_tlv *info)
{
	struct ws_reader r, attrs;
	struct ws_der_tlv subject, spki;
	uint64_t version = 0;
	ws_err e;

	ws_reader_init(&r, info->val, info->len);
	if ((e = ws_der_read_uint(&r, &version)) != WS_OK) {
		ws_err_prefix("CSR version");
		return malformed(e);
	}
	if (version != 0)
		return ws_err_set(WS_ERR_CSR_MALFORMED, "CSR version %llu (only 0, PKCS#10 v1, exists)",
		    (unsigned long long)version);
	if ((e = ws_der_read_tag(&r, WS_DER_SEQUENCE, &subject)) != WS_OK) {
		ws_err_prefix("CSR subject");
		return malformed(e);
	}
	csr->subject = subject.tlv;
	csr->subject_len = subject.tlv_len;
	if ((e = ws_der_read_tag(&r, WS_DER_SEQUENCE, &spki)) != WS_OK) {
		ws_err_prefix("CSR public key");
		return malformed(e);
	}
	csr->spki = spki.tlv;
	csr->spki_len = spki.tlv_len;
	if ((e = ws_der_enter(&r, WS_DER_CONTEXT_CONS(0), &attrs)) != WS_OK ||
	    (e = ws_der_end(&r, "CertificationRequestInfo")) != WS_OK) {
		ws_err_prefix("CSR attributes");
		return malformed(e);
	}
	if ((e = parse_subject(csr, &subject)) != WS_OK)
		return e;
	if ((e = ws_spki_parse(spki.tlv, spki.tlv_len, &csr->key)) != WS_OK) {
		ws_err_prefix("CSR");
		return malformed(e);
	}
	return parse_attributes(csr, &attrs);
}

static ws_err
parse_der(struct ws_csr *csr)
{
	struct ws_reader r, req;
	struct ws_der_tlv top, info;
	unsigned unused = 0;
	ws_err e;

	ws_reader_init(&r, csr->der, csr->der_len);
	if ((e = ws_der_read_tag(&r, WS_DER_SEQUENCE, &top)) != WS_OK) {
		/* A short outer element is a truncated CSR; anything else is not a CSR. */
		ws_err_prefix("CSR");
		return e == WS_ERR_TRUNCATED ? e : malformed(e);
	}
	if (ws_reader_left(&r) > 0)
		return ws_err_set(WS_ERR_CSR_MALFORMED, "%zu trailing bytes after the CSR", ws_reader_left(&r));
	ws_reader_init(&req, top.val, top.len);
	if ((e = ws_der_read_tag(&req, WS_DER_SEQUENCE, &info)) != WS_OK) {
		ws_err_prefix("CSR CertificationRequestInfo");
		return malformed(e);
	}
	csr->info = info.tlv;
	csr->info_len = info.tlv_len;
	if ((e = ws_sigalg_read(&req, &csr->sig_alg)) != WS_OK) {
		ws_err_prefix("CSR");
		return e == WS_ERR_KEY_TYPE ? WS_ERR_CSR_SIGNATURE : malformed(e);
	}
	if ((e = ws_der_read_bit_string(&req, &csr->sig, &csr->sig_len, &unused)) != WS_OK ||
	    (e = ws_der_end(&req, "CertificationRequest")) != WS_OK) {
		ws_err_prefix("CSR signature");
		return malformed(e);
	}
	if (unused != 0)
		return ws_err_set(WS_ERR_CSR_MALFORMED, "CSR signature BIT STRING has %u unused bits", unused);
	return parse_info(csr, &info);
}

ws_err
ws_csr_parse(const uint8_t *in, size_t len, struct ws_csr **out)
{
	struct ws_buf der = WS_BUF_INIT(WS_CSR_MAX);
	struct ws_csr *csr = NULL;
	ws_err e;

	if (len > WS_CSR_MAX) {
		e = ws_err_set(WS_ERR_LIMIT, "the CSR is %zu bytes (at most %d)", len, WS_CSR_MAX);
		goto out;
	}
	if (len == 0) {
		e = ws_err_set(WS_ERR_CSR_MALFORMED, "the CSR is empty");
		goto out;
	}
	if (in[0] == WS_DER_SEQUENCE) {
		e = ws_buf_put(&der, in, len);
	} else if (ws_pem_looks_like(in, len)) {
		e = ws_pem_decode(in, len, WS_CSR_PEM_LABEL, WS_ERR_CSR_MALFORMED, &der);
		if (e != WS_OK)
			ws_err_prefix("CSR");
	} else {
		e = ws_err_set(WS_ERR_CSR_MALFORMED, "the CSR is neither DER (starting with a SEQUENCE, "
		    "0x30) nor PEM (\"-----BEGIN %s-----\")", WS_CSR_PEM_LABEL);
	}
	if (e != WS_OK)
		goto out;
	if ((csr = calloc(1, sizeof(*csr))) == NULL) {
		e = ws_err_set(WS_ERR_NOMEM, "allocating a CSR");
		goto out;
	}
	if ((e = ws_buf_steal(&der, &csr->der, &csr->der_len)) != WS_OK)
		goto out;
	if ((e = parse_der(csr)) != WS_OK)
		goto out;
	*out = csr;
	csr = NULL;
out:
	ws_csr_free(csr);
	ws_buf_free(&der);
	return e;
}

void
ws_csr_free(struct ws_csr *csr)
{
	if (csr == NULL)
		return;
	free(csr->der);
	free(csr);
}

ws_err
ws_csr_verify(struct ws_csr *csr)
{
	EVP_PKEY *pkey = NULL;
	ws_err e;

	csr->verified = false;
	if ((e = ws_spki_pkey(&csr->key, &pkey)) != WS_OK) {
		ws_err_prefix("CSR public key");
		e = WS_ERR_CSR_KEY;
		goto out;
	}
	e = ws_sig_verify(pkey, csr->key.type, csr->sig_alg, csr->info, csr->info_len, csr->sig, csr->sig_len);
	if (e != WS_OK) {
		ws_err_prefix("CSR self-signature");
		e = e == WS_ERR_NOMEM ? e : WS_ERR_CSR_SIGNATURE;
		goto out;
	}
	csr->verified = true;
out:
	EVP_PKEY_free(pkey);
	return e;
}

/* ---- profile checks ---- */

static ws_err
check_key(const struct ws_csr *csr, unsigned allowed)
{
	char list[80] = "";
	static const enum ws_pubkey_type types[] = { WS_PUBKEY_EC_P256, WS_PUBKEY_ED25519, WS_PUBKEY_RSA };

	if (allowed == 0)
		allowed = WS_CSR_KEYS_DEFAULT;
	if (allowed & WS_PUBKEY_BIT(csr->key.type) && csr->key.type != WS_PUBKEY_OTHER)
		return WS_OK;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (!(allowed & WS_PUBKEY_BIT(types[i])))
			continue;
		if (list[0] != '\0')
			strcat(list, ", ");
		strcat(list, ws_pubkey_type_name(types[i]));
	}
	return ws_err_set(WS_ERR_CSR_KEY, "key %s is not allowed by this profile (allowed: %s)",
	    csr->key.desc, list[0] ? list : "none");
}

static ws_err
check_not_ca(const struct ws_csr *csr)
{
	if (csr->ca)
		return ws_err_set(WS_ERR_CSR_EXTENSION, "the CSR requests a CA certificate "
		    "(basicConstraints CA:TRUE)");
	if (csr->key_usage.present && (csr->key_usage_bits & (WS_KU_KEY_CERT_SIGN | WS_KU_CRL_SIGN)))
		return ws_err_set(WS_ERR_CSR_EXTENSION, "the CSR requests CA key usages "
		    "(keyCertSign or cRLSign)");
	return WS_OK;
}

/* "CN, OU, O" -- the subject's attribute types, for messages. */
static const char *
subject_shape(const struct ws_csr *csr, char *buf, size_t size)
{
	char lb[WS_DER_OID_STR_MAX];
	size_t pos = 0;

	buf[0] = '\0';
	if (csr->n_attrs == 0)
		return "an empty subject";
	for (size_t i = 0; i < csr->n_attrs && pos < size; i++) {
		int n = snprintf(buf + pos, size - pos, "%s%s", i ? ", " : "",
		    ws_name_attr_label(&csr->attrs[i], lb));

		if (n < 0)
			break;
		pos += (size_t)n;
	}
	return buf;
}

static bool
is_canonical_uuid(const char *s, size_t len)
{
	if (len != 36)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

static ws_err
check_cn(const struct ws_name_attr *cn, const regex_t *pattern)
{
	regmatch_t m;
	int rc;

	if (pattern == NULL) {
		if (!is_canonical_uuid(cn->value, cn->value_len))
			return ws_err_set(WS_ERR_CSR_SUBJECT, "CN \"%.*s\" is not a canonical lower-case UUID "
			    "(8-4-4-4-12 hex digits)", MSG_VALUE_MAX, cn->value);
		return WS_OK;
	}
	m.rm_so = -1;
	m.rm_eo = -1;
	rc = regexec(pattern, cn->value, 1, &m, 0);
	if (rc == 0 && m.rm_so == -1)
		return ws_err_set(WS_ERR_INVALID_ARGUMENT, "the CN pattern was compiled with REG_NOSUB");
	if (rc != 0 || m.rm_so != 0 || (size_t)m.rm_eo != cn->value_len)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "CN \"%.*s\" does not match the profile's pattern",
		    MSG_VALUE_MAX, cn->value);
	return WS_OK;
}

static ws_err
check_ou(const struct ws_name_attr *ou, const char *factory)
{
	if (ou->value_len != strlen(factory) || memcmp(ou->value, factory, ou->value_len) != 0)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "OU is \"%.*s\", expected the factory \"%s\"",
		    MSG_VALUE_MAX, ou->value, factory);
	return WS_OK;
}

ws_err
ws_csr_check_device(const struct ws_csr *csr, const char *factory, const regex_t *cn_pattern,
    unsigned allowed_keys, enum ws_production grant, bool *is_production)
{
	const struct ws_name_attr *a = csr->attrs;
	char shape[256];
	bool production;
	ws_err e;

	if ((e = check_key(csr, allowed_keys)) != WS_OK || (e = check_not_ca(csr)) != WS_OK)
		return e;
	if (csr->n_attrs < 2 || csr->n_attrs > 3 || a[0].type != WS_ATTR_CN || a[1].type != WS_ATTR_OU ||
	    (csr->n_attrs == 3 && a[2].type != WS_ATTR_BUSINESS_CATEGORY))
		return ws_err_set(WS_ERR_CSR_SUBJECT, "the subject must be CN=<device>, OU=<factory>"
		    "[, businessCategory=production] in this order; it is %s",
		    subject_shape(csr, shape, sizeof(shape)));
	if ((e = check_ou(&a[1], factory)) != WS_OK || (e = check_cn(&a[0], cn_pattern)) != WS_OK)
		return e;
	production = csr->n_attrs == 3;
	if (production && strcmp(a[2].value, "production") != 0)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "businessCategory is \"%.*s\"; the only value "
		    "accepted is \"production\"", MSG_VALUE_MAX, a[2].value);
	if (production && grant == WS_PRODUCTION_DENY)
		return ws_err_set(WS_ERR_PRODUCTION_DENIED, "the CSR carries businessCategory=production "
		    "and this client is not granted production certificates");
	if (!production && grant == WS_PRODUCTION_REQUIRE)
		return ws_err_set(WS_ERR_PRODUCTION_REQUIRED, "the CSR lacks businessCategory=production, "
		    "which this client must send");
	*is_production = production;
	return WS_OK;
}

static bool
dns_name_ok(const uint8_t *p, size_t len)
{
	size_t label = 0;

	if (len >= 2 && p[0] == '*' && p[1] == '.') {
		p += 2;
		len -= 2;
	}
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && p[len - 1] != '-';
}

static ws_err
check_san(const struct ws_csr *csr)
{
	struct ws_reader r, seq;
	struct ws_der_tlv gn;
	size_t n = 0;
	char tb[16];

	if (!csr->subject_alt_name.present)
		return ws_err_set(WS_ERR_CSR_EXTENSION, "a TLS CSR must request a subjectAltName with DNS "
		    "names or IP addresses");
	/* Structure was checked by the parser. */
	ws_reader_init(&r, csr->subject_alt_name.value, csr->subject_alt_name.len);
	if (ws_der_enter(&r, WS_DER_SEQUENCE, &seq) != WS_OK)
		return ws_err_set(WS_ERR_INTERNAL, "subjectAltName not parsed");
	while (ws_reader_left(&seq) > 0) {
		if (ws_der_read(&seq, &gn) != WS_OK)
			return ws_err_set(WS_ERR_INTERNAL, "subjectAltName not parsed");
		n++;
		if (gn.tag == WS_DER_CONTEXT(2)) {
			if (!dns_name_ok(gn.val, gn.len))
				return ws_err_set(WS_ERR_CSR_EXTENSION, "subjectAltName entry %zu: \"%.*s\" is not "
				    "a valid DNS name", n, (int)(gn.len > MSG_VALUE_MAX ? MSG_VALUE_MAX : gn.len),
				    ws_der_text_check(gn.val, gn.len) == gn.len ? (const char *)gn.val : "?");
		} else if (gn.tag == WS_DER_CONTEXT(7)) {
			if (gn.len != 4 && gn.len != 16)
				return ws_err_set(WS_ERR_CSR_EXTENSION, "subjectAltName entry %zu: an IP address "
				    "of %zu bytes", n, gn.len);
		} else {
			return ws_err_set(WS_ERR_CSR_EXTENSION, "subjectAltName entry %zu is of type %s; only "
			    "DNS names ([2]) and IP addresses ([7]) are accepted", n, ws_der_tag_name(gn.tag, tb));
		}
	}
	return WS_OK;
}

ws_err
ws_csr_check_tls(const struct ws_csr *csr, unsigned allowed_keys)
{
	ws_err e;

	if ((e = check_key(csr, allowed_keys)) != WS_OK || (e = check_not_ca(csr)) != WS_OK)
		return e;
	if (csr->n_attrs == 0)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "the subject is empty");
	return check_san(csr);
}

ws_err
ws_csr_check_device_ca(const struct ws_csr *csr, const char *factory, unsigned allowed_keys)
{
	ws_err e;

	if ((e = check_key(csr, allowed_keys)) != WS_OK)
		return e;
	if (csr->cn == NULL)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "a device CA subject needs a CN");
	if (csr->ou == NULL)
		return ws_err_set(WS_ERR_CSR_SUBJECT, "a device CA subject needs OU=%s", factory);
	return check_ou(csr->ou, factory);
}
