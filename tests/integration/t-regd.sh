#!/bin/sh
# wavesign-regd end to end: what lmp-device-register sends (health check,
# then the registration with its fields and OSF-TOKEN header), with and
# without the production marker, against the real front running as its
# own unix user and the real wavesignd; the files it answers with checked
# by openssl, sota.toml checked line by line, every decision found in the
# signing log under the front's own policy client.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/regd-lib.sh"

GW=https://ota-lite.acme.example:8443
regd_appliance
regd_config
regd_start

# The health check: HEAD without credentials.
expect_eq "HEAD answered" "$(python3 "$LMP" head "$REGD_URL")" 200

# A test device, as lmp-device-register registers it by default.
device test1
register test1
expect_status 201
expect_eq "files in the answer" \
	"$(python3 -c 'import json, sys; print(" ".join(sorted(json.load(open(sys.argv[1])))))' "$T/body")" \
	"client.chained client.pem root.crt sota.toml"
verify_device test1
{ sota_toml "$GW" /var/sota intel-corei7-64 | sed '/^compose_apps_root/a tags = "master"'; } >"$T/want.toml"
expect_eq "sota.toml of a test device" "$(cat "$T/dev/test1/sota.toml")" "$(cat "$T/want.toml")"
expect_eq "sota.toml ends with exactly one newline" \
	"$(python3 -c 'import sys; t = open(sys.argv[1]).read(); print(t.endswith("\n") and not t.endswith("\n\n"))' "$T/dev/test1/sota.toml")" True

# A production device (PRODUCTION set on the device), its key in an HSM
# (lmp-device-register's HSM overrides), another sota dir and hardware id.
device prod1 --production
register prod1 --hsm --sota-dir /data/sota --hwid imx8mm-lpddr4-evk --tags master,beta
expect_status 201
verify_device prod1 --production
sota_toml "$GW" /data/sota imx8mm-lpddr4-evk |
	sed -e 's/^pkey_source = "file"/pkey_source = "pkcs11"/' -e 's/^cert_source = "file"/cert_source = "pkcs11"/' \
	    -e '/^compose_apps_root/a tags = "master,beta"' \
	    -e 's/^tls_pkey_path = .*/# tls_pkey_path is not set/' \
	    -e 's/^tls_clientcert_path = .*/# tls_clientcert_path is not set/' \
	    -e '/^path = /a # tls_pkey_path is not set\n# tls_clientcert_path is not set' >"$T/want.toml"
expect_eq "sota.toml with the HSM overrides" "$(cat "$T/dev/prod1/sota.toml")" "$(cat "$T/want.toml")"

# The same registration sent again (the answer was lost): the same
# certificate comes back, nothing is signed twice.
cp "$T/dev/test1/client.pem" "$T/test1-first.pem"
grep -o 'POST /sign: 201 ok hardware-id=intel-corei7-64 uuid=[^ ]* record=[0-9]*' "$T/regd.log" | head -n 1 |
	sed 's/.*record=\([0-9]*\)/{"record": \1}/' >"$T/first-reply.json"
register test1
expect_status 201
expect_eq "a retried CSR gets the same certificate" "$(cat "$T/dev/test1/client.pem")" "$(cat "$T/test1-first.pem")"

# Bearer instead of OSF-TOKEN (-H Authorization), and a device choosing its
# name but no tags.
device bearer1
register bearer1 --bearer --name "line 7 / unit 42" --tags ""
expect_status 201
verify_device bearer1
expect_eq "sota.toml without overrides" "$(cat "$T/dev/bearer1/sota.toml")" "$(sota_toml "$GW" /var/sota intel-corei7-64)"

# The front's diagnostics: one line per request, never the token.
grep -q "$REGD_TOKEN" "$T/regd.log" && fail "the token appears in wavesign-regd's log"
grep -qF "POST /sign: 201 ok hardware-id=imx8mm-lpddr4-evk uuid=$(cat "$T/dev/prod1/uuid") record=" "$T/regd.log" ||
	fail "no diagnostic line for prod1: $(cat "$T/regd.log")"

# A clean stop on SIGTERM.
regd_stop
expect_eq "wavesign-regd exit status" "$REGD_STATUS" 0
grep -q "stopping on SIGTERM" "$T/regd.log" || fail "no stop line in wavesign-regd's log"

# Every decision is in the signing log, under the policy client `regd`:
# the health check's status, three certificates, the retry answered from
# the first record (no new signature).
log_records | grep ' regd$' >"$T/records"
# (a healthy answer is reused for a second, so there are at most as many
# status records as health checks)
n_status=$(grep -c ' status allowed - regd$' "$T/records")
n_head=$(grep -c 'HEAD /sign: 200 ok$' "$T/regd.log")
CHECKS=$((CHECKS + 1))
[ "$n_status" -ge 1 ] && [ "$n_status" -le "$n_head" ] ||
	fail "status records of regd: $n_status for $n_head health checks"
expect_eq "cert.issue records of regd" "$(grep -c ' cert.issue allowed - regd$' "$T/records")" 4
python3 - "$T/state/log" >"$T/issued" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("op") == "cert.issue" and r["peer"].get("client") == "regd":
        out = r.get("outputs", {})
        print("replay of %d" % out["replay_of"] if "replay_of" in out else "signed %s" % out["serial"])
PY
expect_eq "signatures made" "$(grep -c '^signed ' "$T/issued")" 3
expect_eq "the retry signed nothing" "$(sed -n 3p "$T/issued")" "replay of $(json_get "$T/first-reply.json" record 2>/dev/null || echo '?')"
ws_stop
expect_exit 0 "$WAVESIGN_AUDIT" -d "$T/state" --key "$T/state/audit.vkey" verify

ws_finish
