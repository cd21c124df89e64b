/*
 * pki_int.h -- what pki.c, pki_certs.c and pki_crl.c share: the state
 * behind struct pki. pki.h is the contract for the rest of the daemon.
 *
 * Locks: ca_lock guards the CA pointers (written once, by ca.init);
 * lock guards everything derived from the log (issued CNs, device CAs,
 * revocations, CRL numbers, certs.jsonl); crl_lock serialises ca.crl from
 * its check to its record; init_lock serialises ca.init. Order, where two
 * are held: crl_lock, then lock.
 */
#ifndef WAVESIGND_PKI_INT_H
#define WAVESIGND_PKI_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "pki.h"

#define PKI_PATH_MAX 4096
#define PKI_CA_FILE_MAX (64 * 1024)
#define PKI_INDEX_LINE_MAX 4096
#define CN_KEY_LEN 16

struct cn_slot {
	uint8_t key[CN_KEY_LEN];
	uint32_t issued;	/* certificates issued for the CN */
	uint32_t pending;	/* reservations in flight */
	uint64_t record;	/* the latest issuance's log record */
	bool used;
};

struct ca_entry {
	char serial[PKI_SERIAL_HEX_MAX + 1];
	enum pki_ca_state state;
	time_t changed_at;
};

struct revoked_entry {
	char serial[PKI_SERIAL_HEX_MAX + 1];
	time_t at;
	enum ws_crl_reason reason;
};

struct pki {
	char pki_dir[PKI_PATH_MAX];
	char index_path[PKI_PATH_MAX];

	pthread_rwlock_t ca_lock;		/* guards the four members below */
	struct ws_ca *root, *device_ca;		/* installed once; freed by pki_free() */
	char *root_pem, *device_ca_pem;
	pthread_mutex_t init_lock;		/* ca.init */

	pthread_mutex_t lock;			/* everything below */
	struct cn_slot *slots;
	size_t cap, used;
	uint64_t n_certs;
	int index_fd;				/* certs.jsonl, O_APPEND; -1 while rebuilding */
	int rebuild_fd;				/* the new certs.jsonl during a rebuild */
	char rebuild_path[PKI_PATH_MAX + 16];
	struct ca_entry *cas;			/* device CAs this appliance signed */
	size_t n_cas, cap_cas;
	struct revoked_entry *revoked;		/* device certificates on the device-CA CRL */
	size_t n_revoked, cap_revoked;
	uint64_t root_crl_number, device_crl_number;	/* the last ones used (0: none yet) */

	pthread_mutex_t crl_lock;		/* ca.crl, from check to record */
};

/* pki.c */
bool pki_time_parse(const char *s, time_t *out);		/* "YYYY-MM-DDTHH:MM:SSZ" */
const char *pki_json_str(const json_t *obj, const char *key);	/* NULL unless a string */
/* A record whose members the daemon wrote is malformed: WS_ERR_LOG_CORRUPT. */
ws_err pki_bad_record(uint64_t seq, const char *what);

/* pki_crl.c (the _locked ones under pki->lock) */
ws_err pki_ca_entry_add_locked(struct pki *pki, const char *serial);
void pki_crl_reset_locked(struct pki *pki);
/* Rebuild: one allowed ca.crl record. */
ws_err pki_crl_note(struct pki *pki, uint64_t seq, const json_t *subject, const json_t *outputs);

#endif /* WAVESIGND_PKI_INT_H */
