#!/bin/sh
# t-waves-refusals.sh -- every way the appliance refuses a wave step, each
# its own case against a real daemon: exit status 1, the exact message and
# code, a signing log record with that code and decision, and the waves
# exactly as they were (waves list before = after).
#
# Not here: a target name collision (wave-target-collision). CI targets
# must be named <custom.name>-<custom.version> and a wave's version must
# exceed every earlier one on its tag, so a CI target can never carry the
# name of a production target; the build refusal is the unit suite's
# (test-wave: test_refuse_collision). Approvals: t-waves-approvals.sh.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/waves-lib.sh"

ws_setup "$FIXTURES/waves-foundries.yaml"
ws_start
expect_exit 0 ws keys init
online_keys
$GEN_CI --builds 45 --hwids 2 "$T/ci.json"

# --- before any root
expect_refusal waves.init not-found \
	"not found: there is no production root yet: sign one first (wavesign tuf root sign --production)" \
	ws waves init beta-42 42 beta --ci-targets "$T/ci.json"
expect_refusal tuf.root invalid-argument \
	"invalid argument: the production root needs snapshot keys: the policy names none (tuf.snapshot) and no online snapshot key was given (--online-key snapshot=FILE)" \
	ws tuf root sign --production --online-key targets="$T/online-targets.pem" \
	--online-key timestamp="$T/online-timestamp.pem"
expect_exit 0 ws tuf root sign $ONLINE_KEYS
expect_refusal tuf.root exists "already exists: the production root v1 exists; --rotate signs v2" \
	ws tuf root sign $ONLINE_KEYS
expect_refusal tuf.root not-found \
	"not found: there is no ci root to rotate; sign v1 first (without --rotate)" ws tuf root sign --ci --rotate
expect_refusal tuf.root tuf-bad-expiry \
	"~the expiry is outside the policy's window: expires 2000-01-01T00:00:00Z is not after now \\([0-9T:-]+Z\\)" \
	ws tuf root sign --ci $ONLINE_KEYS --expires-at 2000-01-01T00:00:00Z

# --- waves init
expect_refusal waves.init policy-denied \
	"the policy does not allow this request: tag nightly is not one of the policy's waves.tags" \
	ws waves init beta-42 42 nightly --ci-targets "$T/ci.json"
expect_refusal waves.init wave-name \
	"the wave name is taken or not allowed: the name Beta_42 does not match the policy's pattern '^[a-z0-9][a-z0-9._-]{0,63}\$'" \
	ws waves init Beta_42 42 beta --ci-targets "$T/ci.json"
expect_refusal waves.init wave-no-targets \
	"the CI targets hold no target of that version: CI targets: none of the 90 targets in the CI targets file has custom.version \"99\"" \
	ws waves init beta-99 99 beta --ci-targets "$T/ci.json"
expect_refusal waves.init wave-no-targets \
	"the CI targets hold no target of that version: CI targets: 2 targets of the 90 in the CI targets file have custom.version \"42\" but none carries the source tag \"nosuch\"" \
	ws waves init beta-42 42 beta --ci-targets "$T/ci.json" --source-tag nosuch
printf '{"targets":{' >"$T/truncated.json"
expect_refusal waves.init json-syntax \
	"malformed JSON: CI targets: line 1, column 13 (byte 12): unexpected end of input (expected a key)" \
	ws waves init beta-42 42 beta --ci-targets "$T/truncated.json"
expect_refusal waves.init tuf-bad-expiry \
	"~the expiry is outside the policy's window: targets v42: expires 2099-01-01T00:00:00Z is more than 63072000 seconds after now \\([0-9T:-]+Z\\)" \
	ws waves init beta-42 42 beta --ci-targets "$T/ci.json" --expires-at 2099-01-01T00:00:00Z
expect_refusal waves.init invalid-argument \
	"invalid argument: prune version 41: tag beta has no production target of that version" \
	ws waves init beta-42 42 beta --ci-targets "$T/ci.json" --prune 41

expect_exit 0 ws waves init beta-42 42 beta --ci-targets "$T/ci.json" --out "$T/beta-42.json"
keyid1=$(json_get "$T/beta-42.json" targets.signatures.0.keyid)
expect_refusal waves.init wave-name \
	"the wave name is taken or not allowed: the name beta-42 is taken by an earlier wave (Active, version 42, tag beta); wave names are never reused" \
	ws waves init beta-42 43 beta --ci-targets "$T/ci.json"
expect_refusal waves.init wave-active \
	"another wave is active: wave beta-42 (tag beta) is active; only one wave may be active at a time: complete or cancel it first" \
	ws waves init beta-43 43 beta --ci-targets "$T/ci.json"
expect_refusal waves.init wave-active \
	"another wave is active: wave beta-42 (tag beta) is active; only one wave may be active at a time: complete or cancel it first" \
	ws waves init ga-42 42 public --ci-targets "$T/ci.json"

# --- waves sign
expect_refusal waves.sign exists \
	"already exists: targets v42 already carries a signature by key $keyid1" \
	ws waves sign beta-42 --key tuf-targets-1
expect_refusal waves.sign invalid-argument \
	"invalid argument: key 'tuf-root-1' is not one of the policy's targets keys (tuf.targets.keys in $T/policy.yaml)" \
	ws waves sign beta-42 --key tuf-root-1
expect_exit 0 ws waves sign beta-42 --key tuf-targets-2 --out "$T/beta-42.json"
keyid2=$(json_get "$T/beta-42.json" targets.signatures.1.keyid)
expect_refusal waves.sign exists "already exists: key $keyid2 already signed wave beta-42" \
	ws waves sign beta-42 --key tuf-targets-2

# --- rollout, approve on an active wave
expect_refusal waves.rollout not-found "not found: no wave named nosuch" ws waves rollout nosuch emea
printf '0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b\n0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b\n' >"$T/dup-uuids"
expect_refusal waves.rollout invalid-argument \
	"invalid argument: device uuid 0b6f4a5e-2c1d-4e8f-9a7b-3c2d1e0f9a8b is listed twice" \
	ws waves rollout beta-42 emea --uuids "$T/dup-uuids"
expect_refusal waves.approve invalid-argument "invalid argument: the policy asks no approvals for complete" \
	ws waves approve beta-42 complete

# --- a completed wave: no cancel, nothing more
expect_exit 0 ws waves rollout beta-42 emea
expect_exit 0 ws waves complete beta-42
expect_refusal waves.cancel wave-state \
	"the wave is not in a state that allows this: wave beta-42 is Complete and cannot be canceled; to withdraw its targets, init a new wave on tag beta that prunes version 42" \
	ws waves cancel beta-42
expect_refusal waves.rollout wave-state \
	"the wave is not in a state that allows this: wave beta-42 is Complete; rollout needs an Active wave" \
	ws waves rollout beta-42 apac
expect_refusal waves.sign wave-state \
	"the wave is not in a state that allows this: wave beta-42 is Complete; sign needs an Active wave" \
	ws waves sign beta-42 --key tuf-targets-2
expect_refusal waves.init wave-version \
	"the wave version must exceed the tag's production version: version 41 is not greater than the production version 42 of tag beta (wave beta-42)" \
	ws waves init beta-41 41 beta --ci-targets "$T/ci.json"

# --- a canceled wave: nothing more, and its version stays used
expect_exit 0 ws waves init beta-43 43 beta --ci-targets "$T/ci.json"
expect_exit 0 ws waves cancel beta-43
expect_refusal waves.rollout wave-state \
	"the wave is not in a state that allows this: wave beta-43 is Canceled; rollout needs an Active wave" \
	ws waves rollout beta-43 emea
expect_refusal waves.complete wave-state \
	"the wave is not in a state that allows this: wave beta-43 is Canceled; complete needs an Active wave" \
	ws waves complete beta-43
expect_refusal waves.cancel wave-state \
	"the wave is not in a state that allows this: wave beta-43 is Canceled; cancel needs an Active wave" \
	ws waves cancel beta-43
expect_refusal waves.init wave-version \
	"the wave version must exceed the tag's production version: version 43 is not greater than version 43 of Canceled wave beta-43 on tag beta; devices it reached would have to go back" \
	ws waves init beta-43b 43 beta --ci-targets "$T/ci.json"
expect_refusal waves.init wave-name \
	"the wave name is taken or not allowed: the name beta-43 is taken by an earlier wave (Canceled, version 43, tag beta); wave names are never reused" \
	ws waves init beta-43 44 beta --ci-targets "$T/ci.json"

# --- bundles and snapshots of what the appliance did not sign
expect_refusal bundle.sign wave-state \
	"the wave is not in a state that allows this: wave beta-43 was canceled; its targets are withdrawn" \
	ws bundle sign --wave beta-43 --out "$T/b"
expect_refusal bundle.sign not-found "not found: tag public has no production targets yet (complete a wave)" \
	ws bundle sign --tag public --out "$T/b"
expect_refusal tuf.snapshot tuf-invalid \
	"~the TUF metadata is invalid: targets.json v45 \\(signed part SHA-256 [0-9a-f]{64}\\) was not signed by this appliance; a snapshot only lists targets it signed" \
	ws tuf snapshot --targets "$T/ci.json"

expect_eq "waves list" "$(wave_list)" "beta-42 Complete 42 beta
beta-43 Canceled 43 beta"

# A retry (the same --id) gets the recorded answer: nothing is signed or
# applied twice, also when the state is rebuilt from the log.
expect_exit 0 ws --id retry-44 waves init beta-44 44 beta --ci-targets "$T/ci.json" --out "$T/beta-44a.json"
expect_exit 0 ws --id retry-44 waves init beta-44 44 beta --ci-targets "$T/ci.json" --out "$T/beta-44b.json"
expect_eq "the retry's payload is the first's" "$(cat "$T/beta-44b.json")" "$(cat "$T/beta-44a.json")"
ws_stop
rm "$T/state/index/waves.json"
ws_start
expect_eq "waves list after the retry and a rebuild" "$(wave_list)" "beta-42 Complete 42 beta
beta-43 Canceled 43 beta
beta-44 Active 44 beta"
ws_finish
