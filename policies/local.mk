# policies: the default policy and examples.
policiesdir = $(pkgdatadir)/policies
policiesexamplesdir = $(pkgdatadir)/policies/examples
dist_policies_DATA = policies/default.yaml
dist_policiesexamples_DATA = policies/examples/master-only.yaml \
	policies/examples/beta-and-public.yaml policies/examples/two-officers.yaml
