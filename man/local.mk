# man: mdoc pages, one per program and file format.
dist_man_MANS += man/wavesignd.8 man/wavesign.1 man/wavesign-protocol.7
dist_man_MANS += man/wavesign-policy.5 man/wavesignd.conf.5

dist_man_MANS += man/wavesign-audit.1 man/wavesign-log.5
dist_man_MANS += man/wavesign-regd.8
