#!/usr/bin/env bats
# `pause` and `resume` (runc's command line; the runtime-spec has no such operation):
# `state` says "paused", and nothing in the container runs until `resume`. A paused
# container can still be killed and force-deleted. runc and crun freeze the
# container's cgroup (v1 freezer.state, v2 cgroup.freeze); that is their means, not
# the property: runsc stops the processes inside its own kernel and leaves the
# sandbox's cgroup thawed. The cases check what runs (a ticking process), not the
# freezer file.
load helpers.bash

setup() {
	common_setup
	requires op:pause op:resume
	if probe_is cgroup v2; then
		requires_cgroup cgroup_writable
	else
		requires_cgroup freezer
	fi
}

# A container whose process is a child of the init that ticks: /t.N for tick N,
# every 20 ms, /tick the last N. /ready once it ticks.
TICKER=(sh -c 'i=0; while :; do i=$((i+1)); touch /t.$i; echo $i > /tick.new; mv /tick.new /tick
[ $i -ne 1 ] || echo ready > /ready; usleep 20000; done &
wait')

start_ticker() {
	set_args "${TICKER[@]}"
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
}

# assert_ticks_stopped: no tick two past the last one appears within a second (one
# may have been on its way when the freeze came).
assert_ticks_stopped() {
	local last
	last=$(cat "$BUNDLE/rootfs/tick")
	! "$OCITEST" wait --timeout 1 --file "$BUNDLE/rootfs/t.$((last + 2))" ||
		fail "the container's process still runs while paused (tick $last, then $((last + 2)))"
}

# assert_status_is ID STATUS: the state document says STATUS (paused is runc's, not in
# the state schema, so plain jq).
assert_status_is() {
	runtime -0 state "$1"
	[ "$(jq -r .status <<<"$output")" = "$2" ] || fail "state of $1: status $(jq -r .status <<<"$output"), want $2"
}

# bats test_tags=de-facto,req:cli:pause
@test "pause [running container: state paused, processes frozen]" {
	start_ticker
	runtime -0 pause "$id"
	assert_status_is "$id" paused
	assert_ticks_stopped
	assert_status_is "$id" paused
}

# bats test_tags=de-facto,req:cli:resume
@test "resume [paused container: state running, processes run again]" {
	start_ticker
	runtime -0 pause "$id"
	assert_ticks_stopped
	last=$(cat "$BUNDLE/rootfs/tick")
	runtime -0 resume "$id"
	assert_status_is "$id" running
	wait_file "$BUNDLE/rootfs/t.$((last + 3))" || fail "the container's process did not run again after resume"
}

# bats test_tags=de-facto,req:cli:pause
@test "pause [paused twice: the second fails, still paused; resumed twice: the second fails]" {
	start_ticker
	runtime -0 pause "$id"
	runtime pause "$id"
	assert_error "pause of a paused container"
	assert_status_is "$id" paused
	runtime -0 resume "$id"
	runtime resume "$id"
	assert_error "resume of a running container"
	assert_status_is "$id" running
}

# bats test_tags=de-facto,req:cli:pause
@test "pause [stopped container: fails, nothing frozen]" {
	set_args sh -c 'exit 0'
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	runtime pause "$id"
	assert_error "pause of a stopped container"
	assert_status_is "$id" stopped
}

# bats test_tags=de-facto,req:cli:resume
@test "resume [running container, not paused: fails, keeps running]" {
	start_ticker
	runtime resume "$id"
	assert_error "resume of a container that is not paused"
	assert_status_is "$id" running
}

# bats test_tags=de-facto,req:cli:pause
@test "pause [container that does not exist: fails, naming it]" {
	runtime pause oct-no-such-container
	assert_not_found "pause of a missing container"
	runtime resume oct-no-such-container
	assert_not_found "resume of a missing container"
}

# bats test_tags=de-facto,req:cli:pause
@test "pause [kill SIGKILL of a paused container: it stops]" {
	start_ticker
	runtime -0 pause "$id"
	pid=$(container_process "$id")
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped || fail "a paused container killed with SIGKILL did not stop"
	"$OCITEST" wait --timeout 10 --pid-gone "$pid"
	runtime -0 delete "$id"
}

# bats test_tags=de-facto,req:cli:pause
@test "pause [delete --force of a paused container: gone, its processes too]" {
	start_ticker
	runtime -0 pause "$id"
	pid=$(container_process "$id")
	runtime -0 delete --force "$id"
	runtime ! state "$id"
	"$OCITEST" wait --timeout 10 --pid-gone "$pid" || fail "the init $pid of the deleted paused container still runs"
}
