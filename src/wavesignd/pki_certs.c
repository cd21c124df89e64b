/*
 * pki_certs.c -- the issued device certificates (contract in pki.h):
 * the CN reservations and the index, rebuilt from the signing log.
 *
 * Issued CNs are kept as a hash table of SHA-256(CN) truncated to 16
 * bytes with two counters (issued, in flight): enough to answer "was this
 * CN issued" for millions of devices in little memory. Everything else
 * about a certificate is in certs.jsonl and in the log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pki_int.h"
#include "ws_file.h"
#include "ws_sha256.h"
#include "wslog.h"

/* --------------------------------------------------- issued certificates */

static void
cn_key(const char *cn, uint8_t key[CN_KEY_LEN])
{
	uint8_t md[WS_SHA256_LEN];

	ws_sha256(cn, strlen(cn), md);
	memcpy(key, md, CN_KEY_LEN);
}

static struct cn_slot *
cn_lookup(struct pki *pki, const uint8_t key[CN_KEY_LEN])
{
	size_t i, h;

	memcpy(&h, key, sizeof(h));
	i = h & (pki->cap - 1);
	while (pki->slots[i].used && memcmp(pki->slots[i].key, key, CN_KEY_LEN) != 0)
		i = (i + 1) & (pki->cap - 1);
	return &pki->slots[i];
}

/* The slot for key, created if need be (the table grows at half load). */
static ws_err
cn_slot_get(struct pki *pki, const uint8_t key[CN_KEY_LEN], struct cn_slot **out)
{
	struct cn_slot *s;

	if (2 * (pki->used + 1) > pki->cap) {
		struct cn_slot *old = pki->slots;
		size_t old_cap = pki->cap, cap = old_cap ? 2 * old_cap : 1024;

		if ((pki->slots = calloc(cap, sizeof(*pki->slots))) == NULL) {
			pki->slots = old;
			return ws_err_set(WS_ERR_NOMEM, "index of issued CNs");
		}
		pki->cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].used)
				*cn_lookup(pki, old[i].key) = old[i];
		free(old);
	}
	s = cn_lookup(pki, key);
	if (!s->used) {
		memcpy(s->key, key, CN_KEY_LEN);
		s->used = true;
		pki->used++;
	}
	*out = s;
	return WS_OK;
}

ws_err
pki_cn_reserve(struct pki *pki, const char *cn, bool reissue)
{
	uint8_t key[CN_KEY_LEN];
	struct cn_slot *s = NULL;
	ws_err r;

	cn_key(cn, key);
	pthread_mutex_lock(&pki->lock);
	if ((r = cn_slot_get(pki, key, &s)) != WS_OK)
		goto out;
	if (!reissue && s->issued > 0) {
		r = ws_err_set(WS_ERR_ALREADY_ISSUED, "CN \"%.80s\": issued in signing log record %llu "
		    "(certificates.device.reissue: deny)", cn, (unsigned long long)s->record);
		goto out;
	}
	if (!reissue && s->pending > 0) {
		r = ws_err_set(WS_ERR_ALREADY_ISSUED, "CN \"%.80s\": being issued by another request "
		    "(certificates.device.reissue: deny)", cn);
		goto out;
	}
	s->pending++;
out:
	pthread_mutex_unlock(&pki->lock);
	return r;
}

void
pki_cn_release(struct pki *pki, const char *cn)
{
	uint8_t key[CN_KEY_LEN];
	struct cn_slot *s;

	cn_key(cn, key);
	pthread_mutex_lock(&pki->lock);
	if (pki->cap > 0 && (s = cn_lookup(pki, key))->used && s->pending > 0)
		s->pending--;
	pthread_mutex_unlock(&pki->lock);
}

/* One certs.jsonl line for e, '\n'-terminated, malloc'd. */
static char *
index_line(const struct pki_cert_entry *e)
{
	json_t *o = json_pack("{s:s, s:s, s:b, s:I, s:s, s:s}", "cn", e->cn, "not_after", e->not_after,
	    "production", e->production, "record", (json_int_t)e->record, "serial", e->serial,
	    "sha256", e->sha256);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL, *line = NULL;

	json_decref(o);
	if (s != NULL && (line = malloc(strlen(s) + 2)) != NULL) {
		strcpy(line, s);
		strcat(line, "\n");
	}
	free(s);
	return line;
}

static ws_err
write_line(int fd, const char *path, const char *line)
{
	size_t len = strlen(line), off = 0;

	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ws_err_errno("writing %s", path);
		off += (size_t)n;
	}
	return WS_OK;
}

/* Under pki->lock: counts the issuance and writes its line to fd. */
static ws_err
cert_note_locked(struct pki *pki, const struct pki_cert_entry *e, bool was_reserved, int fd,
    const char *path)
{
	uint8_t key[CN_KEY_LEN];
	struct cn_slot *s = NULL;
	char *line = NULL;
	ws_err r;

	cn_key(e->cn, key);
	if ((r = cn_slot_get(pki, key, &s)) != WS_OK)
		return r;
	if (was_reserved && s->pending > 0)
		s->pending--;
	s->issued++;
	s->record = e->record;
	pki->n_certs++;
	if (fd < 0)
		return WS_OK;
	if ((line = index_line(e)) == NULL)
		return ws_err_set(WS_ERR_NOMEM, "index line");
	r = write_line(fd, path, line);
	free(line);
	return r;
}

void
pki_cn_commit(struct pki *pki, const struct pki_cert_entry *e)
{
	ws_err r;

	pthread_mutex_lock(&pki->lock);
	r = cert_note_locked(pki, e, true, pki->index_fd, pki->index_path);
	pthread_mutex_unlock(&pki->lock);
	/* The log has the issuance; the index file is rebuilt from it at the next start. */
	if (r != WS_OK)
		wslog_error("index of issued certificates: %s (rebuilt from the signing log at the next start)",
		    ws_err_message(r));
}

ws_err
pki_cert_find(struct pki *pki, const char *serial, struct pki_cert_entry *e, char *cn_buf, size_t cn_size)
{
	char line[PKI_INDEX_LINE_MAX];
	FILE *f = NULL;
	ws_err r = WS_OK;
	bool found = false;

	/* Written under pki->lock: reading under it sees whole lines only. */
	pthread_mutex_lock(&pki->lock);
	if ((f = fopen(pki->index_path, "re")) == NULL) {
		r = errno == ENOENT ? WS_OK : ws_err_errno("%s", pki->index_path);
		goto out;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		json_t *o;
		const char *s, *cn, *na, *sha;

		if (strstr(line, serial) == NULL)
			continue;	/* cheap pre-filter: most lines are other serials */
		if ((o = json_loads(line, 0, NULL)) == NULL)
			continue;
		s = json_string_value(json_object_get(o, "serial"));
		cn = json_string_value(json_object_get(o, "cn"));
		na = json_string_value(json_object_get(o, "not_after"));
		sha = json_string_value(json_object_get(o, "sha256"));
		if (s != NULL && cn != NULL && na != NULL && sha != NULL && strcmp(s, serial) == 0) {
			snprintf(cn_buf, cn_size, "%s", cn);
			e->cn = cn_buf;
			e->production = json_is_true(json_object_get(o, "production"));
			snprintf(e->serial, sizeof(e->serial), "%s", s);
			snprintf(e->not_after, sizeof(e->not_after), "%s", na);
			snprintf(e->sha256, sizeof(e->sha256), "%s", sha);
			e->record = (uint64_t)json_integer_value(json_object_get(o, "record"));
			found = true;
		}
		json_decref(o);
	}
out:
	if (f != NULL)
		fclose(f);
	pthread_mutex_unlock(&pki->lock);
	if (r == WS_OK && !found)
		r = ws_err_set(WS_ERR_NOT_FOUND, "no device certificate with serial %s was issued by this "
		    "appliance", serial);
	return r;
}

/* ------------------------------------------------------- rebuild (index.c) */

ws_err
pki_index_begin(struct pki *pki)
{
	struct pki_cas cas;
	char serial[PKI_SERIAL_HEX_MAX + 1];
	ws_err r = WS_OK;

	pthread_mutex_lock(&pki->lock);
	free(pki->slots);
	pki->slots = NULL;
	pki->cap = pki->used = 0;
	pki->n_certs = 0;
	pki_crl_reset_locked(pki);
	if (pki->index_fd >= 0) {
		close(pki->index_fd);
		pki->index_fd = -1;
	}
	snprintf(pki->rebuild_path, sizeof(pki->rebuild_path), "%s.rebuild", pki->index_path);
	if ((pki->rebuild_fd = open(pki->rebuild_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0)
		r = ws_err_errno("creating %s", pki->rebuild_path);
	pthread_mutex_unlock(&pki->lock);
	pki_cas(pki, &cas);
	if (r == WS_OK && cas.device_ca != NULL) {
		pki_ca_serial(cas.device_ca, serial);
		pthread_mutex_lock(&pki->lock);
		r = pki_ca_entry_add_locked(pki, serial);
		pthread_mutex_unlock(&pki->lock);
	}
	return r;
}

static bool
member_is(const json_t *obj, const char *key, const char *want)
{
	const char *s = pki_json_str(obj, key);

	return s != NULL && strcmp(s, want) == 0;
}

static ws_err
note_cert_issue(struct pki *pki, uint64_t seq, const json_t *subject, const json_t *outputs)
{
	struct pki_cert_entry e = { .record = seq };
	const char *serial = pki_json_str(outputs, "serial"), *sha = pki_json_str(outputs, "cert_sha256");
	const char *na = pki_json_str(outputs, "not_after");
	ws_err r;

	e.cn = pki_json_str(subject, "cn");
	if (e.cn == NULL || serial == NULL || sha == NULL || na == NULL ||
	    !json_is_boolean(json_object_get(subject, "production")) ||
	    strlen(serial) > PKI_SERIAL_HEX_MAX || strlen(sha) != 64 || strlen(na) >= sizeof(e.not_after))
		return pki_bad_record(seq, "cert.issue without cn, production, serial, cert_sha256 and not_after");
	e.production = json_is_true(json_object_get(subject, "production"));
	strcpy(e.serial, serial);
	strcpy(e.sha256, sha);
	strcpy(e.not_after, na);
	pthread_mutex_lock(&pki->lock);
	r = cert_note_locked(pki, &e, false, pki->rebuild_fd, pki->rebuild_path);
	pthread_mutex_unlock(&pki->lock);
	return r;
}

ws_err
pki_index_note(struct pki *pki, uint64_t seq, const json_t *record)
{
	const char *op = pki_json_str(record, "op");
	json_t *subject = json_object_get(record, "subject"), *outputs = json_object_get(record, "outputs");

	if (op == NULL || json_object_get(outputs, "replay_of") != NULL)
		return WS_OK;	/* a replayed answer issued nothing new */
	if (strcmp(op, "cert.issue") == 0)
		return note_cert_issue(pki, seq, subject, outputs);
	if (strcmp(op, "ca.crl") == 0)
		return pki_crl_note(pki, seq, subject, outputs);
	if (strcmp(op, "ca.sign") == 0 && member_is(subject, "profile", "device-ca")) {
		const char *serial = pki_json_str(outputs, "serial");
		ws_err r;

		if (serial == NULL || strlen(serial) > PKI_SERIAL_HEX_MAX)
			return pki_bad_record(seq, "ca.sign without serial");
		pthread_mutex_lock(&pki->lock);
		r = pki_ca_entry_add_locked(pki, serial);
		pthread_mutex_unlock(&pki->lock);
		return r;
	}
	return WS_OK;
}

ws_err
pki_index_end(struct pki *pki)
{
	ws_err r = WS_OK;
	int fd;

	pthread_mutex_lock(&pki->lock);
	fd = pki->rebuild_fd;
	pki->rebuild_fd = -1;
	if (fd < 0) {
		r = ws_err_set(WS_ERR_INTERNAL, "pki_index_end without pki_index_begin");
		goto out;
	}
	if (fsync(fd) < 0) {
		r = ws_err_errno("fsync %s", pki->rebuild_path);
		close(fd);
		goto out;
	}
	close(fd);
	if (rename(pki->rebuild_path, pki->index_path) < 0) {
		r = ws_err_errno("renaming %s to %s", pki->rebuild_path, pki->index_path);
		goto out;
	}
	if ((r = ws_file_sync_dir(pki->index_path)) != WS_OK)
		goto out;
	if ((pki->index_fd = open(pki->index_path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)) < 0)
		r = ws_err_errno("opening %s", pki->index_path);
out:
	if (r != WS_OK)
		unlink(pki->rebuild_path);
	pthread_mutex_unlock(&pki->lock);
	return r;
}
