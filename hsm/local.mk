# hsm: the embedded SoftHSM2 token set-up.
# wavesign-token-init is generated from its .in here (not by configure) so
# that it carries the installation directories as make knows them.
dist_pkgdata_DATA += hsm/softhsm2.conf.in hsm/p11-kit/wavesign-hsm.module.example
nodist_pkgdata_SCRIPTS += hsm/wavesign-token-init
EXTRA_DIST += hsm/wavesign-token-init.in hsm/README.md
CLEANFILES += hsm/wavesign-token-init

hsm/wavesign-token-init: $(top_srcdir)/hsm/wavesign-token-init.in Makefile
	$(AM_V_GEN)$(MKDIR_P) hsm && rm -f $@ $@.tmp && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
	    -e 's|@pkgdatadir[@]|$(pkgdatadir)|g' \
	    -e 's|@SOFTHSM2_MODULE[@]|$(SOFTHSM2_MODULE)|g' \
	    $(top_srcdir)/hsm/wavesign-token-init.in >$@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@
