#!/bin/sh
# t-waves-approvals.sh -- M-of-N approvals by distinct officers, with real
# peers: root (uid 0, an officer who may run everything), nobody (uid
# 65534, an officer who may only approve and look) and uid 1 (allowed to
# roll out and complete, not an officer), each talking to the daemon's
# 0666 socket as itself (setpriv). The policy asks two officers for init
# and complete (fixtures/waves-approvals.yaml); an officer who runs a step
# counts as one of them unless they approved it already.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/waves-lib.sh"
need_tools
command -v setpriv >/dev/null 2>&1 || skip_or_fail "setpriv is missing (util-linux)"
[ "$(id -u)" = 0 ] || skip_or_fail "this test runs peers as other uids: run it as root"

# ws_as UID ARGS...: wavesign as another uid (no groups).
ws_as() {
	uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups "$WAVESIGN" -s "$SOCK" "$@"
}

ws_setup "$FIXTURES/waves-approvals.yaml"
ws_start
expect_exit 0 ws keys init
online_keys
expect_exit 0 ws tuf root sign --production --online-key targets="$T/online-targets.pem" \
	--online-key snapshot="$T/online-snapshot.pem" --online-key timestamp="$T/online-timestamp.pem" --out "$T/prod"
$GEN_CI --builds 45 --hwids 2 "$T/ci.json"
mkdir -m 1777 "$T/peers"	# where the other uids write their outputs

# --- init needs two officers
expect_refusal waves.init approval-needed \
	"more approvals by distinct officers are needed: init of wave beta-42 needs 1 approval by distinct officers; 0 recorded: 1 more needed (wavesign waves approve beta-42 init)" \
	ws waves init beta-42 42 beta --ci-targets "$T/ci.json"
expect_exit 0 ws waves approve beta-42 init
expect_line "$T/out" "approved init of wave beta-42 (uid 0); approvals so far: uid 0; the policy asks 2 officers"
# Approving your own step does not make you two officers.
expect_refusal waves.init approval-needed \
	"more approvals by distinct officers are needed: init of wave beta-42 needs 2 approvals by distinct officers; 1 recorded (uid 0): 1 more needed (wavesign waves approve beta-42 init)" \
	ws waves init beta-42 42 beta --ci-targets "$T/ci.json"
expect_refusal waves.approve exists \
	"already exists: officer uid 0 already approved init of wave beta-42; approvals count distinct officers" \
	ws waves approve beta-42 init
# The second officer approves; may not run the step itself.
expect_exit 0 ws_as 65534 waves approve beta-42 init
expect_line "$T/out" "approved init of wave beta-42 (uid 65534); approvals so far: uid 0 uid 65534; the policy asks 2 officers"
expect_refusal waves.approve exists \
	"already exists: officer uid 65534 already approved init of wave beta-42; approvals count distinct officers" \
	ws_as 65534 waves approve beta-42 init
expect_refusal waves.init policy-denied \
	"the policy does not allow this request: client 'second-officer' (clients.second-officer.allow) does not allow 'waves.init'" \
	ws_as 65534 waves init beta-42 42 beta --ci-targets "$T/ci.json"
# uid 1 is no officer: its approval is refused by the policy.
expect_refusal waves.approve policy-denied \
	"the policy does not allow this request: client 'operator' (clients.operator.allow) does not allow 'waves.approve'" \
	ws_as 1 waves approve beta-42 init
expect_exit 0 ws waves init beta-42 42 beta --ci-targets "$T/ci.json" --out "$T/beta-42.json"
verified "beta-42 payload" $WAVE_CHECK targets "$T/beta-42.json" "$T/prod/root.json" --min-sigs 1
expect_eq "init approvals used" "$(ws --json waves show beta-42 | python3 -c 'import json,sys
w = json.load(sys.stdin)
print(" ".join("%s:%s" % (a["op"], a["uid"]) for a in w["approvals"]), len(w["pending_approvals"]))')" "init:0 init:65534 0"

# --- rollout needs one: anyone allowed may run it; nobody may approve it
expect_refusal waves.approve invalid-argument "invalid argument: the policy asks no approvals for rollout" \
	ws_as 65534 waves approve beta-42 rollout
expect_exit 0 ws_as 1 waves rollout beta-42 emea --out "$T/peers/rollout.json"
verified "rollout by uid 1" $WAVE_CHECK decision "$T/peers/rollout.json" "$T/prod/root.json" --wave beta-42 --op rollout \
	--group emea

# --- complete by uid 1, who is no officer: two officers must approve
expect_exit 0 ws_as 65534 waves approve beta-42 complete
expect_refusal waves.complete approval-needed \
	"more approvals by distinct officers are needed: complete of wave beta-42 needs 2 approvals by distinct officers; 1 recorded (uid 65534): 1 more needed (wavesign waves approve beta-42 complete)" \
	ws_as 1 waves complete beta-42
# The approvals survive a restart (they are in the signing log).
ws_stop
ws_start
expect_exit 0 ws waves approve beta-42 complete
expect_exit 0 ws_as 1 waves complete beta-42 --out "$T/peers/complete.json"
verified "complete by uid 1 after two officers" $WAVE_CHECK decision "$T/peers/complete.json" "$T/prod/root.json" \
	--wave beta-42 --op complete
expect_eq "complete's record names both approvers" "$(json_get "$T/peers/complete.json" signed.approved_by)" "[65534, 0]"
expect_eq "complete's record names who ran it" "$(json_get "$T/peers/complete.json" signed.officer.uid)" 1

# --- an officer who runs a step counts as one: root after nobody's approval
expect_exit 0 ws_as 65534 waves approve beta-43 init
ws_stop
rm "$T/state/index/waves.json"
ws_start
expect_exit 0 ws waves init beta-43 43 beta --ci-targets "$T/ci.json"
expect_exit 0 ws_as 65534 waves approve beta-43 complete
expect_exit 0 ws waves complete beta-43
expect_eq "waves list" "$(wave_list)" "beta-42 Complete 42 beta
beta-43 Complete 43 beta"
expect_eq "nothing left pending" "$(ws --json waves show beta-43 | python3 -c 'import json,sys
w = json.load(sys.stdin)
print(" ".join("%s:%s" % (a["op"], a["uid"]) for a in w["approvals"]), len(w["pending_approvals"]))')" "init:65534 complete:65534 0"
ws_finish
