#!/usr/bin/env bats
# `state` (runtime-spec runtime.md "State" and "Query State").
load helpers.bash

# bats test_tags=spec:must,req:runtime:query-state
@test "state [created: valid document, pid of a live process]" {
	id=$(new_id)
	create_container "$id"
	assert_status "$id" created --bundle "$BUNDLE" --pid-alive
}

# runtime.md "State": pid is "the ID of the container process, as seen by the
# host". A sandboxed runtime (gVisor) reports its sandbox's pid instead, a host
# process outside the rootfs: this case (not every case's helper) says so.
# bats test_tags=spec:must,req:state:pid
@test "state [pid is a process in the bundle's rootfs]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	create_container "$id"
	assert_pid_in_rootfs "$id"
	runtime -0 start "$id"
	status_is "$id" running
	assert_pid_in_rootfs "$id"
}

# bats test_tags=spec:must,req:state:pid
@test "state [running: same pid as when created]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	create_container "$id"
	pid=$(state_field "$id" pid)
	runtime -0 start "$id"
	assert_status "$id" running --pid "$pid" --pid-alive --bundle "$BUNDLE"
}

# bats test_tags=spec:must,req:state:status
@test "state [stopped after the process is killed from outside]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	pid=$(container_process "$id")
	kill -KILL "$pid"
	"$OCITEST" wait --timeout 10 --pid-gone "$pid"
	wait_status "$id" stopped
	assert_status "$id" stopped --bundle "$BUNDLE"
	runtime -0 delete "$id"
}

# runtime.md "Query State": state of a container that does not exist MUST error.
# bats test_tags=spec:must,req:runtime:query-state
@test "state [container that does not exist fails]" {
	runtime ! state "no-such-container"
	[ -z "$output" ] || fail "state of a missing container printed a document: $output"
}

# bats test_tags=spec:must,req:runtime:query-state
@test "state [after delete fails]" {
	set_args true
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	runtime -0 delete "$id"
	runtime ! state "$id"
}

# Each --root is a separate world: a container in one is invisible in another.
# bats test_tags=de-facto,req:cli:global-options
@test "state [separate --root directories do not see each other]" {
	id=$(new_id)
	create_container "$id"
	ROOT=$T/root-b runtime ! state "$id"
	ROOT=$T/root-b runtime ! kill "$id" KILL
	ROOT=$T/root-b runtime ! delete "$id"
	assert_status "$id" created --pid-alive
}

# The document is JSON on stdout, nothing else there.
# bats test_tags=spec:must,req:runtime:query-state
@test "state [stdout is exactly one JSON object]" {
	id=$(new_id)
	create_container "$id"
	runtime -0 state "$id"
	jq -e 'type == "object"' <<<"$output" >/dev/null
	[ "$(jq -s length <<<"$output")" -eq 1 ] || fail "more than one JSON value on stdout"
}
