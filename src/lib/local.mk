# src/lib: the core every program links. One module per file pair;
# each contributor appends its own line.
noinst_LTLIBRARIES += libwavesign.la
libwavesign_la_SOURCES =
libwavesign_la_SOURCES += src/lib/ws_err.c src/lib/ws_err.h
libwavesign_la_SOURCES += src/lib/ws_buf.c src/lib/ws_buf.h
libwavesign_la_SOURCES += src/lib/ws_json.c src/lib/ws_json.h
libwavesign_la_SOURCES += src/lib/ws_cjson.c src/lib/ws_cjson.h
libwavesign_la_SOURCES += src/lib/ws_frame.c src/lib/ws_frame.h
libwavesign_la_SOURCES += src/lib/ws_proto.c src/lib/ws_proto.h
libwavesign_la_SOURCES += src/lib/ws_sock.c src/lib/ws_sock.h
libwavesign_la_SOURCES += src/lib/ws_yaml.c src/lib/ws_yaml.h src/lib/ws_config.c src/lib/ws_config.h src/lib/ws_policy.h src/lib/ws_policy_load.c src/lib/ws_policy_match.c src/lib/ws_policy_describe.c src/lib/ws_rate.c src/lib/ws_rate.h
libwavesign_la_SOURCES += src/lib/ws_der.c src/lib/ws_der.h src/lib/ws_oid.h src/lib/ws_pem.c src/lib/ws_pem.h \
	src/lib/ws_spki.c src/lib/ws_spki.h src/lib/ws_csr.c src/lib/ws_csr.h \
	src/lib/ws_cert.c src/lib/ws_cert.h src/lib/ws_crl.c src/lib/ws_crl.h
libwavesign_la_SOURCES += src/lib/ws_production.h
libwavesign_la_SOURCES += src/lib/ws_ci_targets.c src/lib/ws_ci_targets.h
libwavesign_la_SOURCES += src/lib/ws_wave.c src/lib/ws_wave.h
libwavesign_la_SOURCES += src/lib/ws_tuf.c src/lib/ws_tuf.h src/lib/ws_tuf_key.c src/lib/ws_tuf_key.h src/lib/ws_tuf_doc.c src/lib/ws_tuf_doc.h src/lib/ws_tuf_root.c src/lib/ws_tuf_root.h src/lib/ws_tuf_roles.h src/lib/ws_tuf_targets.c src/lib/ws_tuf_meta.c src/lib/ws_tuf_repo.c src/lib/ws_tuf_repo.h
libwavesign_la_SOURCES += src/lib/ws_p11.h src/lib/ws_p11_internal.h src/lib/ws_p11_token.c src/lib/ws_p11_key.c src/lib/ws_pin.c src/lib/ws_token_setup.c src/lib/ws_token_setup.h
libwavesign_la_SOURCES += src/lib/ws_file.c src/lib/ws_file.h

# signing log (issue 7): encodings, hashing, Merkle tree, signed notes and
# checkpoints, log lines, reader, verifier, writer, walk.
libwavesign_la_SOURCES += src/lib/ws_encode.c src/lib/ws_encode.h src/lib/ws_sha256.c src/lib/ws_sha256.h
libwavesign_la_SOURCES += src/lib/ws_merkle.c src/lib/ws_merkle.h
libwavesign_la_SOURCES += src/lib/ws_note.c src/lib/ws_note.h src/lib/ws_checkpoint.c src/lib/ws_checkpoint.h
libwavesign_la_SOURCES += src/lib/ws_logline.c src/lib/ws_logline.h src/lib/ws_log_reader.c src/lib/ws_log_reader.h
libwavesign_la_SOURCES += src/lib/ws_log_verify.c src/lib/ws_log_verify.h src/lib/ws_log_blocks.c src/lib/ws_log_blocks.h
libwavesign_la_SOURCES += src/lib/ws_log.c src/lib/ws_log.h src/lib/ws_log_int.h src/lib/ws_log_append.c src/lib/ws_log_walk.c
libwavesign_la_SOURCES += src/lib/ws_diag.c src/lib/ws_diag.h
