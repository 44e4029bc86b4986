#!/usr/bin/env bats
# The whole OCI lifecycle (runtime-spec runtime.md "Lifecycle"), status read from
# the parsed state document at every step.
load helpers.bash

# bats test_tags=spec:must,req:runtime:lifecycle
@test "lifecycle [create, start, state, kill, delete]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	runtime -0 create --bundle "$BUNDLE" "$id"
	assert_status "$id" created --bundle "$BUNDLE" --pid-alive
	runtime -0 start "$id"
	assert_status "$id" running --bundle "$BUNDLE" --pid-alive
	wait_file "$BUNDLE/rootfs/ready"
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped
	assert_status "$id" stopped --bundle "$BUNDLE"
	runtime -0 delete "$id"
	runtime ! state "$id"
}

# runtime.md "Lifecycle" step 2: the user-specified program MUST NOT be run yet.
# bats test_tags=spec:must,req:runtime:lifecycle
@test "lifecycle [process args not run before start]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	create_container "$id"
	[ ! -e "$BUNDLE/rootfs/ready" ] || fail "process.args ran before start"
	runtime -0 start "$id"
	wait_file "$BUNDLE/rootfs/ready"
}

# runtime.md "Lifecycle" step 7: the container process exits; status is stopped.
# bats test_tags=spec:must,req:runtime:lifecycle
@test "lifecycle [process exits by itself: running -> stopped]" {
	set_args sh -c 'echo done > /done'
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	assert_status "$id" stopped
	[ "$(cat "$BUNDLE/rootfs/done")" = "done" ]
	runtime -0 delete "$id"
}

# bats test_tags=spec:must,req:runtime:lifecycle
@test "lifecycle [non-zero exit of the process: still stopped, delete works]" {
	set_args sh -c 'exit 3'
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	runtime -0 delete "$id"
	runtime ! state "$id"
}

# runtime.md "State": pid is the container process as seen on the host.
# bats test_tags=spec:must,req:state:pid
@test "lifecycle [state pid is the container process, in new namespaces]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
	pid=$(state_field "$id" pid)
	# The process's root is the bundle's rootfs (after pivot_root the link reads
	# "/", so compare the directories themselves) ...
	[ "$(stat -L -c %d:%i "/proc/$pid/root/")" = "$(stat -c %d:%i "$BUNDLE/rootfs/")" ] ||
		fail "root of pid $pid is not $BUNDLE/rootfs"
	# ... and it lives in the namespaces the config asks for, not the host's.
	for ns in $(config_new_ns); do
		[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] ||
			fail "pid $pid shares the host's $ns namespace"
	done
	# pid 1 of its own pid namespace.
	grep -qE '^NSpid:[[:space:]]+[0-9]+[[:space:]]+1$' "/proc/$pid/status" ||
		fail "pid $pid is not pid 1 of its namespace: $(grep NSpid "/proc/$pid/status")"
}

# Two containers from one rootfs image, alive at once, independent.
# bats test_tags=de-facto,req:runtime:lifecycle
@test "lifecycle [two containers side by side]" {
	set_args "${LONG_RUNNING[@]}"
	new_bundle "$T/bundle2"
	cp "$BUNDLE/config.json" "$T/bundle2/config.json"
	a=$(new_id a)
	b=$(new_id b)
	start_container "$a"
	start_container "$b" "$T/bundle2"
	runtime -0 kill "$a" KILL
	wait_status "$a" stopped
	assert_status "$b" running --pid-alive
	runtime -0 delete "$a"
	assert_status "$b" running --pid-alive
}

# FAULT_CYCLES (default 200) create/start/delete cycles of `true`: afterwards no
# growth in mounts, processes, state entries or cgroups (the leak diff). The
# runtime's own open fds are not checked: each operation is a one-shot CLI
# process whose fds the kernel closes at exit, so none can accumulate across
# cycles (a daemon-style runtime would need that check). The cycles run in
# `ocitest cycles`: each call spawned directly with its RUNTIME_TIMEOUT, `state`
# polled until stopped, what the calls leave running recorded for the leak
# check (from bash, the 200 cycles' 1600 processes took 12 s of the suite).
# bats test_tags=spec:must,req:runtime:delete
@test "lifecycle [create/start/delete cycles leave nothing]" {
	local n=${FAULT_CYCLES:-200}
	set_args true
	run_cycles "$n"
	[ "$status" -eq 0 ] || fail "$output"
	echo "# $output" >&3
	[ -z "$(ls -A "$ROOT")" ] || fail "state root not empty after $n cycles: $(ls -A "$ROOT")"
	assert_no_leaks "after $n cycles"
}
