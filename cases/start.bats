#!/usr/bin/env bats
# `start` (runtime-spec runtime.md "Start").
load helpers.bash

# bats test_tags=spec:must,req:runtime:start
@test "start [created container: runs process.args, status running]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	create_container "$id"
	pid=$(state_field "$id" pid)
	runtime -0 start "$id"
	wait_file "$BUNDLE/rootfs/ready"
	# The process started is the one created: same pid (runtime.md "Start" step 2).
	assert_status "$id" running --pid "$pid" --pid-alive
}

# runtime.md "Start": start on a container that is not created MUST have no
# effect on the container and MUST generate an error.
# bats test_tags=spec:must,req:runtime:start
@test "start [running container fails, no effect]" {
	set_args sh -c 'echo x >> /started; while :; do sleep 1 & wait $!; done'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/started"
	pid=$(state_field "$id" pid)
	runtime ! start "$id"
	assert_status "$id" running --pid "$pid" --pid-alive
	[ "$(wc -l <"$BUNDLE/rootfs/started")" -eq 1 ] || fail "process.args ran more than once"
}

# bats test_tags=spec:must,req:runtime:start
@test "start [stopped container fails]" {
	set_args true
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	runtime ! start "$id"
	assert_status "$id" stopped
}

# bats test_tags=spec:must,req:runtime:start
@test "start [container that does not exist fails]" {
	runtime ! start "no-such-container"
}

# bats test_tags=spec:must,req:runtime:start
@test "start [deleted container fails]" {
	id=$(new_id)
	create_container "$id"
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped
	runtime -0 delete "$id"
	runtime ! start "$id"
	runtime ! state "$id"
}
