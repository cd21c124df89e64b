#!/bin/sh
# wavesign-regd: every bad registration gets the status a client expects
# and a JSON error {"error", "code"[, "record"]}; none stops the front, and
# every refusal wavesignd decides is in the signing log, under the front's
# policy client. Each case below is its own check.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/regd-lib.sh"

regd_appliance
regd_config
regd_start

# body FILE JSON: a request body as lmp-device-register would send it, but
# with JSON of the test's own making.
body() {
	printf '%s' "$2" >"$T/$1"
}

# csr_body NAME: $T/b-NAME, a minimal registration body with device NAME's CSR.
csr_body() {
	python3 -c 'import json, sys; print(json.dumps({"csr": open(sys.argv[1]).read(), "hardware-id": "intel"}))' \
		"$T/dev/$1/device.csr" >"$T/b-$1"
}

# expect_record: the last refusal was decided by wavesignd and logged.
expect_record() {
	CHECKS=$((CHECKS + 1))
	rec=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])).get("record"); print(r if isinstance(r, int) else "none")' "$T/body")
	[ "$rec" != none ] || { fail "no signing-log record in $(cat "$T/body")"; return 1; }
	grep -q "^$rec cert.issue " "$T/records.now" 2>/dev/null || { log_records >"$T/records.now"; }
	grep -q "^$rec cert.issue denied\|^$rec cert.issue failed" "$T/records.now" ||
		fail "record $rec is not a cert.issue refusal: $(grep "^$rec " "$T/records.now")"
}

device good
CSR=$(python3 -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$T/dev/good/device.csr")
UUID_GOOD=$(cat "$T/dev/good/uuid")

# --- credentials (401): decided by the front, before the body is used.
register good --no-token
expect_error 401 unauthorized "no registration token: send it in the OSF-TOKEN header (lmp-device-register -T) or as Authorization: Bearer"
python3 "$LMP" register "$REGD_URL" wrong-token-0123456789 "$T/dev/good" "$UUID_GOOD" >"$T/reply"
head -n 1 "$T/reply" >"$T/status"; tail -n +2 "$T/reply" >"$T/body"
expect_error 401 unauthorized "the registration token is wrong"
python3 "$LMP" register "$REGD_URL" wrong-token-0123456789 "$T/dev/good" "$UUID_GOOD" --bearer >"$T/reply"
head -n 1 "$T/reply" >"$T/status"; tail -n +2 "$T/reply" >"$T/body"
expect_error 401 unauthorized "the registration token is wrong"
register good --header X-Other-Token
expect_error 401 unauthorized "no registration token: send it in the OSF-TOKEN header (lmp-device-register -T) or as Authorization: Bearer"

# --- malformed requests (400).
body b-no-csr '{"use-ostree-server": "true", "sota-config-dir": "/var/sota", "hardware-id": "intel", "name": "n", "uuid": "u"}'
register good --body "$T/b-no-csr"
expect_error 400 json-missing-member "a required JSON member is missing: csr is required"
body b-no-hwid "{\"use-ostree-server\": \"true\", \"csr\": $CSR, \"uuid\": \"$UUID_GOOD\"}"
register good --body "$T/b-no-hwid"
expect_error 400 json-missing-member "a required JSON member is missing: hardware-id is required"
body b-empty-csr '{"csr": "", "hardware-id": "intel"}'
register good --body "$T/b-empty-csr"
expect_error 400 json-missing-member "a required JSON member is missing: csr: is empty"
body b-empty-hwid "{\"csr\": $CSR, \"hardware-id\": \"\"}"
register good --body "$T/b-empty-hwid"
expect_error 400 json-missing-member "a required JSON member is missing: hardware-id: is empty"
body b-syntax '{"csr": "x", "hardware-id": "intel",'
register good --body "$T/b-syntax"
expect_status 400
expect_eq "malformed JSON code" "$(json_get "$T/body" code)" json-syntax
body b-not-object '["csr"]'
register good --body "$T/b-not-object"
expect_error 400 json-wrong-type "JSON member has the wrong type: the body: expected an object, got an array"
body b-csr-number '{"csr": 42, "hardware-id": "intel"}'
register good --body "$T/b-csr-number"
expect_status 400
expect_eq "csr as a number" "$(json_get "$T/body" code)" json-wrong-type
body b-overrides-type "{\"csr\": $CSR, \"hardware-id\": \"intel\", \"overrides\": {\"pacman\": {\"tags\": 1}}}"
register good --body "$T/b-overrides-type"
expect_error 400 json-wrong-type "JSON member has the wrong type: overrides.pacman.tags: expected a string, got an integer"
body b-unknown "{\"csr\": $CSR, \"hardware-id\": \"intel\", \"extra\": \"x\"}"
register good --body "$T/b-unknown"
expect_status 400
expect_eq "unknown member" "$(json_get "$T/body" code)" request-malformed
body b-dup '{"csr": "a", "csr": "b", "hardware-id": "intel"}'
register good --body "$T/b-dup"
expect_status 400
expect_eq "duplicate member" "$(json_get "$T/body" code)" json-duplicate-key
body b-inject "{\"csr\": $CSR, \"hardware-id\": \"intel\", \"overrides\": {\"pacman\": {\"tags\": \"\\\"x\\\"\\n[tls]\"}}}"
register good --body "$T/b-inject"
expect_error 400 request-malformed "the request is not a valid wavesign request: overrides.pacman.tags: expected at most 1024 bytes without control characters"
body b-hwid "{\"csr\": $CSR, \"hardware-id\": \"a\\\"b\"}"
register good --body "$T/b-hwid"
expect_error 400 request-malformed "the request is not a valid wavesign request: hardware-id: expected 1 to 128 characters from [A-Za-z0-9._+-]"
register good --body /dev/null
expect_status 400
expect_eq "empty body" "$(json_get "$T/body" code)" json-syntax

# --- too large (413): over max-body (16 KiB) but read, and far over it (not read).
python3 -c 'import sys; sys.stdout.write("{\"csr\": \"" + "A" * 20000 + "\", \"hardware-id\": \"intel\"}")' >"$T/b-large"
register good --body "$T/b-large"
expect_error 413 limit-exceeded "the body is larger than 16384 bytes (limits.max-body)"
python3 -c 'import sys; sys.stdout.write("{\"csr\": \"" + "A" * 200000 + "\"}")' >"$T/b-huge"
register good --body "$T/b-huge" >/dev/null 2>&1 || true
expect_error 413 limit-exceeded "the body is larger than 16384 bytes (limits.max-body)"

# --- refused by the front's own config (403): a device-chosen group.
register good --group line-7
expect_error 403 policy-denied "a device may not choose its own group (the registration front's allow-group is off); register without -g/--device-group"

# --- refused by wavesignd's policy (403), each with its signing-log record.
device other-ou --ou globex
register other-ou
expect_error 403 csr-bad-subject
expect_record
device bad-cn --cn not-a-uuid
register bad-cn
expect_error 403 csr-bad-subject
expect_record
body b-garbage "{\"csr\": \"-----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n-----END CERTIFICATE REQUEST-----\\n\", \"hardware-id\": \"intel\"}"
register good --body "$T/b-garbage"
expect_error 400 csr-malformed
expect_record

# --- the same device again with a new key (409): reissue is denied.
register good
expect_status 201
UUID_SAVE=$UUID_GOOD
device again --cn "$UUID_SAVE"
register again
expect_error 409 already-issued
expect_record

# --- wrong path (404) and method (405).
python3 "$LMP" raw "http://127.0.0.1:$REGD_PORT/other" "$REGD_TOKEN" POST "$T/b-no-csr" >"$T/reply"
head -n 1 "$T/reply" >"$T/status"; tail -n +2 "$T/reply" >"$T/body"
expect_error 404 not-found "no registration endpoint at this path"
python3 "$LMP" raw "$REGD_URL" "$REGD_TOKEN" GET >"$T/reply"
head -n 1 "$T/reply" >"$T/status"; tail -n +2 "$T/reply" >"$T/body"
expect_error 405 request-malformed "only HEAD (health check) and POST (registration) are served here"

# --- the policy decides what the front may hand out (SIGHUP reloads it):
# production not granted (403), a rate limit (429), the front unknown (403).
wait_daemon_log() {
	i=0
	while ! grep -qF -- "$1" "$T/daemon.log"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { fail "daemon log never said: $1"; return 1; }
		sleep 0.05
	done
}
reload_policy() {
	sha=$(sha256sum <"$T/policy.yaml" | cut -d' ' -f1)
	kill -HUP "$DAEMON_PID"
	wait_daemon_log "sha256 $sha"
}
cp "$T/policy.yaml" "$T/policy.orig"
sed '/unix-user: 65534/,/production:/ s/production: allow/production: deny/' "$T/policy.orig" >"$T/policy.yaml"
reload_policy
device prod-denied --production
register prod-denied
expect_error 403 production-denied
expect_record
device test-ok
register test-ok
expect_status 201

sed '/unix-user: 65534/,/production:/ s/production: allow/production: allow\n    rate: 1\/h/' "$T/policy.orig" >"$T/policy.yaml"
reload_policy
# (straight POSTs: a health check would count against the rate too)
device rate1
csr_body rate1
python3 "$LMP" raw "$REGD_URL" "$REGD_TOKEN" POST "$T/b-rate1" >"$T/reply"
head -n 1 "$T/reply" >"$T/status"; tail -n +2 "$T/reply" >"$T/body"
expect_status 201
device rate2
csr_body rate2
python3 "$LMP" raw "$REGD_URL" "$REGD_TOKEN" POST "$T/b-rate2" >"$T/reply"
head -n 1 "$T/reply" >"$T/status"; tail -n +2 "$T/reply" >"$T/body"
expect_error 429 rate-limited

sed '/^  regd:/,/production: allow/d' "$T/policy.orig" >"$T/policy.yaml"
reload_policy
sleep 1.1	# past the health check's cache
# The health check already fails (wavesignd refuses the front's status),
# and a registration sent anyway is refused and logged.
expect_eq "HEAD when the front is not a client" "$(python3 "$LMP" head "$REGD_URL")" 503
device stranger
csr_body stranger
python3 "$LMP" raw "$REGD_URL" "$REGD_TOKEN" POST "$T/b-stranger" >"$T/reply"
head -n 1 "$T/reply" >"$T/status"; tail -n +2 "$T/reply" >"$T/body"
expect_error 403 unknown-peer
expect_record
cp "$T/policy.orig" "$T/policy.yaml"
reload_policy
sleep 1.1	# past the health check's cache
expect_eq "HEAD after all of the above" "$(python3 "$LMP" head "$REGD_URL")" 200

# --- the appliance unreachable (503): HEAD and POST.
ws_stop
sleep 1.1	# past the health check's cache
expect_eq "HEAD with wavesignd stopped" "$(python3 "$LMP" head "$REGD_URL")" 503
python3 "$LMP" raw "$REGD_URL" "$REGD_TOKEN" POST "$T/b-garbage" >"$T/reply"
head -n 1 "$T/reply" >"$T/status"; tail -n +2 "$T/reply" >"$T/body"
expect_error 503 daemon-unreachable "the signing appliance is unreachable; try again later"

# None of it stopped the front.
kill -0 "$REGD_PID" || fail "wavesign-regd died"
regd_stop
expect_eq "wavesign-regd exit status" "$REGD_STATUS" 0

ws_finish
