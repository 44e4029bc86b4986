#!/usr/bin/env bats
# Seccomp user notification (runtime-spec config-linux.md "Seccomp": the
# SCMP_ACT_NOTIFY action, listenerPath, listenerMetadata; "The Container Process
# State"): the runtime loads the filter with a listener and sends the listener fd,
# with the container process state, to the unix socket at listenerPath, where a
# seccomp agent (`ocitest seccomp-agent`) answers the container's notified
# syscalls.
load helpers.bash

setup() {
	common_setup
	probe_is seccomp 1 || skip "requires seccomp (this kernel has none)"
}

teardown() {
	stop_agent
	common_teardown
}

# notify_config [LISTENER]: mkdir and mkdirat notified, the rest allowed; the
# listener at LISTENER (default: the agent's socket) with metadata.
notify_config() {
	update_config --arg path "${1:-$T/agent.sock}" '.linux.seccomp = {
		defaultAction: "SCMP_ACT_ALLOW", listenerPath: $path, listenerMetadata: "oct-meta;MKDIR=1",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
}

# start_agent [OCITEST-SECCOMP-AGENT-OPTIONS...]: the agent in the background on
# $T/agent.sock; the state it gets to $T/agent.state, one line per notification to
# $T/agent.notes, its own messages to $T/agent.log. Returns once it listens.
start_agent() {
	"$OCITEST" seccomp-agent --socket "$T/agent.sock" --record "$T/agent.state" --log "$T/agent.notes" \
		--ready-file "$T/agent.ready" --timeout 60 "$@" </dev/null >"$T/agent.log" 2>&1 3>&- &
	echo $! >"$T/agent.pid"
	wait_file "$T/agent.ready"
}

# wait_agent: the agent ends on its own once no process uses the filter; fail
# unless it exited 0 (it checks the state's fds against what came in SCM_RIGHTS).
wait_agent() {
	local pid rc=0
	pid=$(cat "$T/agent.pid")
	"$OCITEST" wait --timeout 20 --pid-gone "$pid" || fail "seccomp agent still running: $(cat "$T/agent.log")"
	wait "$pid" || rc=$?
	rm -f "$T/agent.pid"
	[ "$rc" -eq 0 ] || fail "seccomp agent exited $rc: $(cat "$T/agent.log")"
}

# stop_agent: end the agent if it still runs (only the pid start_agent started).
stop_agent() {
	local pid
	[ -n "${T:-}" ] && [ -f "$T/agent.pid" ] || return 0
	pid=$(cat "$T/agent.pid")
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$T/agent.pid"
}

# agent_state FILTER: jq FILTER on the state the agent got.
agent_state() {
	jq -r "$1" "$T/agent.state"
}

# "The Container Process State": ociVersion, fds (the names of the fds passed,
# seccompFd: "the seccomp file descriptor returned by the seccomp syscall"), pid
# ("the container process ID, as seen by the runtime"), metadata (listenerMetadata
# "will be sent as the metadata field"), state (runtime.md's state of the
# container). The agent fails if fds does not match the fds it received.
# bats test_tags=spec:must,req:config-linux:seccomp
@test "seccomp-notify [the agent gets the container process state and the seccomp fd]" {
	notify_config
	set_args sh -c 'mkdir /oct-notified 2>/dev/null; exit 0'
	start_agent
	id=$(new_id)
	create_container "$id"
	wait_file "$T/agent.state"
	run agent_state '.fds | tojson'
	assert_output '["seccompFd"]'
	run agent_state '.metadata'
	assert_output 'oct-meta;MKDIR=1'
	run agent_state '.ociVersion | type'
	assert_output string
	local init
	init=$(container_process "$id")
	[ "$(agent_state .pid)" = "$init" ] ||
		fail "state pid $(agent_state .pid), the container's process is $init"
	run agent_state '[.state.id, .state.pid == .pid, .state.bundle] | join(" ")'
	assert_output "$id true $BUNDLE"
	runtime -0 start "$id"
	wait_status "$id" stopped
	wait_agent
}

# The agent's answer is the syscall's result: a notified mkdir fails with the
# errno the agent sends (seccomp_unotify(2)), so the fd the runtime sent is the
# listener of the filter the process runs under.
# bats test_tags=spec:must,req:config-linux:seccomp
@test "seccomp-notify [a notified syscall fails with the agent's errno]" {
	requires run
	notify_config
	set_args sh -c 'mkdir /oct-notified 2>&1; [ -d /oct-notified ] && echo made || echo not-made'
	start_agent --errno 13
	runtime -0 run --bundle "$BUNDLE" "$(new_id)"
	assert_output --partial "Permission denied"
	assert_line not-made
	wait_agent
	grep -q 'answer=errno=13' "$T/agent.notes" || fail "the agent answered no notification: $(cat "$T/agent.notes")"
}

# SECCOMP_USER_NOTIF_FLAG_CONTINUE: the agent lets the syscall run as if unfiltered.
# bats test_tags=spec:must,req:config-linux:seccomp
@test "seccomp-notify [a notified syscall the agent lets through runs]" {
	requires run
	notify_config
	set_args sh -c 'mkdir /oct-notified && [ -d /oct-notified ] && echo made'
	start_agent --continue
	runtime -0 run --bundle "$BUNDLE" "$(new_id)"
	assert_output made
	wait_agent
	grep -q 'answer=continue' "$T/agent.notes" || fail "the agent answered no notification: $(cat "$T/agent.notes")"
}

# listenerPath: "If sending to this socket fails, the runtime MUST generate an
# error" (runtime.md "Errors"); a create that fails leaves no container.
# bats test_tags=spec:must,req:config-linux:seccomp
@test "seccomp-notify [no socket at listenerPath: create fails, nothing left]" {
	notify_config "$T/no-agent.sock"
	id=$(new_id)
	create_fails "listenerPath with no socket" "$id" 'listener|seccomp|agent|no-agent\.sock'
}

# listenerPath: "If the SCMP_ACT_NOTIFY action is not used this value is ignored":
# no rule notifies, so the runtime must not need (or connect to) the socket.
# bats test_tags=spec:must,req:config-linux:seccomp
@test "seccomp-notify [listenerPath without a notify rule is ignored]" {
	requires run
	notify_config "$T/no-agent.sock"
	update_config '.linux.seccomp.syscalls[0].action = "SCMP_ACT_ERRNO"'
	set_args sh -c 'mkdir /oct-denied 2>/dev/null || echo denied'
	runtime -0 run --bundle "$BUNDLE" "$(new_id)"
	assert_output denied
}
