#!/usr/bin/env bats
# `delete` (runtime-spec runtime.md "Delete").
load helpers.bash

# runtime.md "Delete": the resources created at create MUST be deleted. Checked
# here in the case itself (state, process, mounts, state-root entries, cgroups)
# as well as by every teardown.
# bats test_tags=spec:must,req:runtime:delete
@test "delete [stopped container: state, process, mounts, cgroups gone]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	pid=$(state_field "$id" pid)
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped
	runtime -0 delete "$id"
	runtime ! state "$id"
	"$OCITEST" wait --timeout 10 --pid-gone "$pid"
	leak_check
	[ "$status" -eq 0 ] || fail "left behind after delete: $output"
}

# runtime.md "Delete": deleting a container that is not stopped MUST have no
# effect on it and MUST generate an error.
# bats test_tags=spec:must,req:runtime:delete
@test "delete [running container fails without --force, no effect]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	pid=$(state_field "$id" pid)
	runtime ! delete "$id"
	assert_status "$id" running --pid "$pid" --pid-alive
}

# bats test_tags=spec:must,req:runtime:delete
@test "delete [created container fails without --force, no effect]" {
	id=$(new_id)
	create_container "$id"
	pid=$(state_field "$id" pid)
	runtime ! delete "$id"
	assert_status "$id" created --pid "$pid" --pid-alive
}

# bats test_tags=de-facto,req:cli:delete
@test "delete [running container with --force: process gone, state gone]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	pid=$(state_field "$id" pid)
	runtime -0 delete --force "$id"
	"$OCITEST" wait --timeout 10 --pid-gone "$pid"
	runtime ! state "$id"
}

# bats test_tags=de-facto,req:cli:delete
@test "delete [created container with --force: init gone, state gone]" {
	id=$(new_id)
	create_container "$id"
	pid=$(state_field "$id" pid)
	runtime -0 delete --force "$id"
	"$OCITEST" wait --timeout 10 --pid-gone "$pid"
	runtime ! state "$id"
}

# bats test_tags=spec:must,req:runtime:delete
@test "delete [container that does not exist fails]" {
	runtime ! delete "no-such-container"
}

# bats test_tags=spec:must,req:runtime:delete
@test "delete [twice: the second fails]" {
	set_args true
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	runtime -0 delete "$id"
	runtime ! delete "$id"
}

# After delete the id is free again (runtime.md "Delete": the container's
# identifier is no longer in use).
# bats test_tags=de-facto,req:runtime:delete
@test "delete [id can be reused after delete]" {
	set_args true
	id=$(new_id)
	create_container "$id"
	runtime -0 delete --force "$id"
	create_container "$id"
}
