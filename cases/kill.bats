#!/usr/bin/env bats
# `kill` (runtime-spec runtime.md "Kill"): the signal really reaches the process.
load helpers.bash

# start_trapping: a running container whose process records trapped signals.
start_trapping() {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
}

# bats test_tags=spec:must,req:runtime:kill
@test "kill [running container, signal by name: TERM]" {
	start_trapping
	runtime -0 kill "$id" TERM
	wait_file "$BUNDLE/rootfs/signals" TERM
	assert_status "$id" running --pid-alive
}

# bats test_tags=de-facto,req:cli:kill
@test "kill [running container, signal by SIG-prefixed name: SIGUSR1]" {
	start_trapping
	runtime -0 kill "$id" SIGUSR1
	wait_file "$BUNDLE/rootfs/signals" USR1
}

# bats test_tags=de-facto,req:cli:kill
@test "kill [running container, signal by number: 12 (SIGUSR2)]" {
	start_trapping
	runtime -0 kill "$id" 12
	wait_file "$BUNDLE/rootfs/signals" USR2
	run ! grep -q TERM "$BUNDLE/rootfs/signals"
}

# runc, crun and youki all send SIGTERM when no signal is named.
# bats test_tags=de-facto,req:cli:kill
@test "kill [no signal given: SIGTERM]" {
	start_trapping
	runtime -0 kill "$id"
	wait_file "$BUNDLE/rootfs/signals" TERM
}

# bats test_tags=spec:must,req:runtime:kill
@test "kill [running container, SIGKILL: stopped]" {
	start_trapping
	pid=$(state_field "$id" pid)
	runtime -0 kill "$id" KILL
	"$OCITEST" wait --timeout 10 --pid-gone "$pid"
	wait_status "$id" stopped
}

# runtime.md "Kill" applies to created and running containers.
# bats test_tags=spec:must,req:runtime:kill
@test "kill [created container, SIGKILL: stopped]" {
	id=$(new_id)
	create_container "$id"
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped
	runtime -0 delete "$id"
}

# Signal 0 asks "is it alive" (kill(2)); runc and crun accept it, engines use it.
# The spec is silent: a runtime that refuses it departs from what engines rely on.
# bats test_tags=de-facto,req:cli:kill
@test "kill [signal 0: exit 0 while running, nothing delivered; fails once stopped]" {
	start_trapping
	runtime -0 kill "$id" 0
	assert_status "$id" running --pid-alive
	[ ! -e "$BUNDLE/rootfs/signals" ] || fail "a signal was delivered: $(cat "$BUNDLE/rootfs/signals")"
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped
	runtime ! kill "$id" 0
}

# runtime.md "Kill": on a container that is neither created nor running it MUST
# generate an error.
# bats test_tags=spec:must,req:runtime:kill
@test "kill [stopped container fails]" {
	set_args true
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	runtime ! kill "$id" KILL
	assert_status "$id" stopped
}

# bats test_tags=spec:must,req:runtime:kill
@test "kill [container that does not exist fails]" {
	runtime ! kill "no-such-container" KILL
}

# bats test_tags=de-facto,req:cli:kill
@test "kill [unknown signal name fails, container untouched]" {
	start_trapping
	for sig in NOSUCHSIG SIGNOPE; do
		runtime ! kill "$id" "$sig"
	done
	assert_status "$id" running --pid-alive
	[ ! -e "$BUNDLE/rootfs/signals" ] || fail "a signal was delivered: $(cat "$BUNDLE/rootfs/signals")"
}

# bats test_tags=de-facto,req:cli:kill
@test "kill [invalid signal number fails, container untouched]" {
	start_trapping
	for sig in 99999 -1 65; do
		runtime ! kill "$id" "$sig"
	done
	assert_status "$id" running --pid-alive
	[ ! -e "$BUNDLE/rootfs/signals" ] || fail "a signal was delivered: $(cat "$BUNDLE/rootfs/signals")"
}
