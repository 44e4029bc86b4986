#!/usr/bin/env bats
# Faults: the runtime killed part-way through `create`, racing creates of one id,
# the container init killed from outside, start under CPU load. After
# each, `delete --force` must leave nothing on the host (runtime.md "Operations":
# an operation that fails leaves the environment as if it had never been tried;
# "Delete": deleting removes the resources that create made).
# shellcheck disable=SC2154 # runtime_args is set by helpers.bash
load helpers.bash

# kill_create_after DELAY: `create` SIGKILLed after DELAY seconds (fault
# injection, not a wait), then `delete --force` (whose exit does not matter: the
# container may never have been recorded) must leave nothing and no container.
kill_create_after() {
	local id
	id=$(new_id)
	timeout -s KILL "$1" "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" create --bundle "$BUNDLE" "$id" \
		</dev/null >"$T/create.out" 2>"$T/create.err" 3>&- || true
	rt delete --force "$id" >/dev/null 2>&1 || true
	runtime state "$id"
	[ "$status" -ne 0 ] || fail "create killed after $1 s: \`$id\` still exists after delete --force"
	assert_no_leaks "create killed after $1 s"
}

# kill_create_at PATH-IN-STATE-DIR: start `create`, poll (1 ms) until
# ROOT/ID/PATH exists, SIGKILL the runtime there, then as kill_create_after. If
# create finishes first, the kill finds nothing and the check still holds.
kill_create_at() {
	local id pid
	id=$(new_id)
	"$RUNTIME" "${runtime_args[@]}" --root "$ROOT" create --bundle "$BUNDLE" "$id" \
		</dev/null >"$T/create.out" 2>"$T/create.err" 3>&- &
	pid=$!
	"$OCITEST" wait --timeout 10 --interval 1 --file "$ROOT/$id/$1" || true
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" || true
	rt delete --force "$id" >/dev/null 2>&1 || true
	runtime state "$id"
	[ "$status" -ne 0 ] || fail "create killed at $ROOT/ID/$1: \`$id\` still exists after delete --force"
	assert_no_leaks "create killed once $ROOT/ID/$1 existed"
}

# The delays span a create (box ~20 ms, runc ~150 ms, crun ~30 ms on 2 cores), so
# the kill lands before the config is read, while the init is set up, and after.
# Where exactly is up to the scheduler: a runtime that leaks only in a narrow
# window may pass some runs.
# bats test_tags=spec:must,req:runtime:delete
@test "faults [SIGKILL during create at fixed delays, then delete --force]" {
	local d
	for d in 0.001 0.005 0.01 0.02 0.03 0.05 0.075 0.1 0.15 0.2 0.3 0.5; do
		kill_create_after "$d"
	done
}

# Progress traced rather than timed: the state directory is the first thing each
# runtime writes, exec.fifo the sign that the init is being set up.
# bats test_tags=spec:must,req:runtime:delete
@test "faults [SIGKILL during create once the state dir appears, then delete --force]" {
	local i
	for i in 1 2 3; do
		kill_create_at ""
		kill_create_at exec.fifo
	done
}

# runtime.md "Create": an id not unique MUST be an error. Of 8 racing creates of
# one id exactly one wins; the others fail with a message and do not disturb it.
# bats test_tags=spec:must,req:runtime:create
@test "faults [8 concurrent creates of one id: exactly one wins]" {
	local i id pids=() wins=0 rc
	# A process that stays up, so "intact" does not hinge on how start copes
	# with a process that exits at once (the last case checks that).
	set_args sleep 1000
	id=$(new_id)
	for i in 1 2 3 4 5 6 7 8; do
		"$OCITEST" reap --record "$T/spawned" -- \
			timeout --kill-after=5 "$RUNTIME_TIMEOUT" "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" \
			create --bundle "$BUNDLE" "$id" </dev/null >"$T/race.$i.out" 2>"$T/race.$i.err" 3>&- &
		pids+=("$!")
	done
	for i in 1 2 3 4 5 6 7 8; do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		echo "create #$i: exit $rc: $(cat "$T/race.$i.err")" >&2
		if [ "$rc" -eq 0 ]; then
			wins=$((wins + 1))
		else
			[ -z "$(exit_kind "$rc")" ] || fail "create #$i: exit $rc: $(exit_kind "$rc")"
			[ -s "$T/race.$i.err" ] || fail "create #$i failed (exit $rc) without a message"
		fi
	done
	[ "$wins" -eq 1 ] || fail "$wins of 8 concurrent creates of \`$id\` succeeded, want exactly 1"
	assert_status "$id" created --pid-alive --bundle "$BUNDLE"
	runtime -0 start "$id"
	assert_status "$id" running --pid-alive
	runtime -0 delete --force "$id"
	runtime ! state "$id"
	assert_no_leaks "after the race"
}

# runtime.md "State": once the container process has exited, the status is
# stopped, whoever killed it; delete then works without --force.
# bats test_tags=spec:must,req:runtime:kill
@test "faults [running init killed from outside: stopped, delete works]" {
	set_args sleep 1000
	id=$(new_id)
	start_container "$id"
	pid=$(container_process "$id")
	kill -9 "$pid"
	"$OCITEST" wait --timeout 10 --pid-gone "$pid"
	wait_status "$id" stopped
	runtime -0 delete "$id"
	runtime ! state "$id"
	assert_no_leaks "after delete"
}

# The same for a created container, whose init waits on the exec fifo.
# bats test_tags=spec:must,req:runtime:kill
@test "faults [created init killed from outside: stopped, delete works]" {
	id=$(new_id)
	create_container "$id"
	pid=$(container_process "$id")
	kill -9 "$pid"
	"$OCITEST" wait --timeout 10 --pid-gone "$pid"
	wait_status "$id" stopped
	runtime ! start "$id"
	runtime -0 delete "$id"
	runtime ! state "$id"
	assert_no_leaks "after delete"
}

# runtime.md "Start": start runs the process; a process that exits at once is
# still a successful start. Under CPU load (two busy loops on the host) the
# process may exit before `start` returns: start must not mistake that for a
# dead init and fail. FAULT_START_CYCLES (default 50) attempts, in `ocitest
# cycles` (create, start, state until stopped, delete; each call with its
# RUNTIME_TIMEOUT), which stops at the first failing call and names it. From
# bash the 50 cycles' processes took 6.4 s of the suite on box.
# bats test_tags=spec:must,req:runtime:start
@test "faults [start of a process that exits at once, under CPU load]" {
	local n=${FAULT_START_CYCLES:-50} i busy=()
	set_args true
	for i in 1 2; do
		timeout 120 sh -c 'while :; do :; done' 3>&- &
		busy+=("$!")
	done
	run_cycles "$n"
	kill "${busy[@]}" 2>/dev/null || true
	wait "${busy[@]}" 2>/dev/null || true
	[ "$status" -eq 0 ] || fail "under CPU load: $output"
	assert_no_leaks "after $n attempts"
}
