# dist: the systemd unit and an example daemon configuration, with the
# install paths substituted.
nodist_pkgdata_DATA += dist/wavesignd.service dist/wavesignd.yaml
EXTRA_DIST += dist/wavesignd.service.in dist/wavesignd.yaml.in
CLEANFILES += dist/wavesignd.service dist/wavesignd.yaml
dist/wavesignd.service dist/wavesignd.yaml: Makefile
	$(AM_V_GEN)mkdir -p dist && sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    -e 's|@SOFTHSM2_MODULE[@]|$(SOFTHSM2_MODULE)|g' $(srcdir)/$@.in >$@

# wavesign-regd (issue 9): its unit and an example configuration.
nodist_pkgdata_DATA += dist/wavesign-regd.service dist/wavesign-regd.yaml
EXTRA_DIST += dist/wavesign-regd.service.in dist/wavesign-regd.yaml.in
CLEANFILES += dist/wavesign-regd.service dist/wavesign-regd.yaml
dist/wavesign-regd.service dist/wavesign-regd.yaml: Makefile
	$(AM_V_GEN)mkdir -p dist && sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    $(srcdir)/$@.in >$@
