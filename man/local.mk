# man: mdoc pages, one per program and file format.
dist_man_MANS += man/wavesignd.8 man/wavesign.1 man/wavesign-protocol.7
