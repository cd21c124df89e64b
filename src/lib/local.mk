# src/lib: the core every program links. One module per file pair;
# each contributor appends its own line.
noinst_LTLIBRARIES += libwavesign.la
libwavesign_la_SOURCES =
libwavesign_la_SOURCES += src/lib/ws_err.c src/lib/ws_err.h
libwavesign_la_SOURCES += src/lib/ws_buf.c src/lib/ws_buf.h
libwavesign_la_SOURCES += src/lib/ws_json.c src/lib/ws_json.h
libwavesign_la_SOURCES += src/lib/ws_cjson.c src/lib/ws_cjson.h
