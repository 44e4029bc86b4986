#!/usr/bin/env bats
# `exec` (de-facto: runc's command line, shared by crun, youki, runsc): a new process
# in a running container. It joins the container's namespaces, cgroup and root, and
# is held to the process object it was given (`--process FILE`, config.md "Process")
# or to the container's process with the command-line flags applied.
# A file the process writes for the host to see goes to the rootfs's top (/NAME),
# never /tmp: nothing in the spec makes the container's /tmp the bundle's, and
# runsc mounts a tmpfs of its own there (a check through /tmp would see nothing,
# and a "the process never ran" check would pass whatever happened).
load helpers.bash

setup() {
	common_setup
	requires op:exec
}

teardown() {
	stop_console
	common_teardown
}

# running [JQ]: a container (config edited by JQ first) whose process sleeps until
# killed; $id is it, $init its pid.
running() {
	[ $# -eq 0 ] || update_config "$1"
	set_args sleep 3600
	id=$(new_id)
	start_container "$id"
	init=$(container_process "$id")
}

# process_json JQ: $T/process.json is the base config's process edited by JQ (a
# complete process object: args, cwd, env, user).
process_json() {
	jq ".process | $1" "$BASE_CONFIG" >"$T/process.json"
}

# exec_with_io FILE-IN ARGS...: `exec ARGS` with stdin from FILE-IN, fds 3 and 4 open
# on $T/fd3 and $T/fd4 (for --preserve-fds); stdout and stderr as they come.
exec_with_io() {
	local in=$1
	shift
	echo fd3-data >"$T/fd3"
	echo fd4-data >"$T/fd4"
	# shellcheck disable=SC2154 # runtime_args is set by helpers.bash
	timeout --kill-after=5 "$RUNTIME_TIMEOUT" "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" exec "$@" \
		<"$in" 3<"$T/fd3" 4<"$T/fd4"
}

# exec_detached ARGS...: `exec --detach --pid-file $T/exec.pid ARGS`; $xpid is the
# process, checked to be alive.
exec_detached() {
	runtime -0 exec --detach --pid-file "$T/exec.pid" "$@"
	[ -s "$T/exec.pid" ] || fail "exec --detach wrote no pid file"
	xpid=$(cat "$T/exec.pid")
	[[ "$xpid" =~ ^[0-9]+$ ]] || fail "pid file holds '$xpid', not a pid"
	[ -d "/proc/$xpid" ] || fail "the exec'd process $xpid is not running"
}

# exec_fails WHAT [ERE]: after `runtime exec`, exec failed cleanly (assert_error).
# runc exits 255 when exec itself fails (exec.go: fatalWithCode(..., 255)), keeping
# the codes below for the process's own status: that is not a crash.
exec_fails() {
	[ "$status" -ne 255 ] || status=1
	assert_error "$@"
}

# assert_gone PID: the process has exited (or is a zombie).
assert_gone() {
	"$OCITEST" wait --timeout 10 --pid-gone "$1" || fail "process $1 started by exec is still running"
}

# state_doc ID: the state document, keys sorted (to compare before and after).
state_doc() {
	rt state "$1" | jq -S .
}

# --- joins the container ---

# The new process is in every namespace of the container's init, compared by inode
# (/proc/PID/ns/*), the user, cgroup and time namespaces included.
# bats test_tags=de-facto,req:cli:exec
@test "exec [every namespace is the init's, by inode]" {
	running
	runtime -0 exec "$id" sh -c 'for f in /proc/self/ns/*; do echo "${f##*/} $(readlink "$f")"; done'
	local n=0 name link
	for f in /proc/"$init"/ns/*; do
		name=${f##*/}
		link=$(readlink "$f")
		assert_line "$name $link"
		n=$((n + 1))
	done
	[ "$n" -ge 7 ] || fail "only $n namespaces to compare"
}

# Without a pid namespace of its own the container shares the host's, and exec must
# not make one: the namespaces it does not have stay the host's.
# bats test_tags=de-facto,req:cli:exec
@test "exec [container without its own pid or network namespace: shares the host's]" {
	requires_root "without a pid namespace of its own, /proc is the host's, which a user namespace may not mount"
	running '.linux.namespaces |= map(select(.type != "pid" and .type != "network"))'
	runtime -0 exec "$id" sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt'
	assert_line "$(readlink /proc/self/ns/pid)"
	assert_line "$(readlink /proc/self/ns/net)"
	assert_line "$(readlink "/proc/$init/ns/mnt")"
}

# The new process is in the init's cgroup in every hierarchy, and its root is the
# container's rootfs (as seen from the host).
# bats test_tags=de-facto,req:cli:exec
@test "exec [cgroup and root are the init's]" {
	running
	exec_detached "$id" sleep 3600
	diff <(cat "/proc/$init/cgroup") <(cat "/proc/$xpid/cgroup") ||
		fail "the exec'd process is not in the container's cgroups"
	[ "$(stat -L -c %d:%i "/proc/$xpid/root/")" = "$(stat -c %d:%i "$BUNDLE/rootfs/")" ] ||
		fail "the exec'd process's root is not the container's rootfs"
	runtime -0 exec "$id" sh -c 'cat /proc/self/cgroup; echo --; cat /proc/1/cgroup'
	[ "$(sed -n '1,/^--$/p' <<<"$output" | sed '$d')" = "$(sed -n '/^--$/,$p' <<<"$output" | sed 1d)" ] ||
		fail "inside, the exec'd process and pid 1 see different cgroups: $output"
}

# --- the process object (config.md "Process") ---

# config.md "Process": env is the process's environment, exactly.
# bats test_tags=spec:must,req:config:process
@test "exec [process object: env, exactly]" {
	running
	process_json '.args = ["env"] | .env = ["PATH=/usr/bin:/bin", "HOME=/root", "OCT_A=one", "OCT_B=two words"]'
	runtime -0 exec --process "$T/process.json" "$id"
	diff <(jq -r '.env[]' "$T/process.json" | sort) <(sort <<<"$output") ||
		fail "the environment is not the process object's env"
}

# config.md "Process": cwd is the working directory.
# bats test_tags=spec:must,req:config:process
@test "exec [process object: cwd]" {
	running
	process_json '.args = ["pwd"] | .cwd = "/var/tmp"'
	runtime -0 exec --process "$T/process.json" "$id"
	assert_output /var/tmp
}

# config.md "User": uid and gid.
# bats test_tags=spec:must,req:config:process
@test "exec [process object: user uid and gid]" {
	running
	process_json '.args = ["sh", "-c", "echo $(id -u):$(id -g)"] | .user = {"uid": 65534, "gid": 65533}'
	runtime -0 exec --process "$T/process.json" "$id"
	assert_output 65534:65533
}

# config.md "User": additionalGids, and no other supplementary group.
# bats test_tags=spec:must,req:config:process
@test "exec [process object: additionalGids, nothing more]" {
	running
	process_json '.args = ["sh", "-c", "grep ^Groups: /proc/self/status"] | .user = {"uid": 0, "gid": 0, "additionalGids": [5, 7]}'
	runtime -0 exec --process "$T/process.json" "$id"
	[ "$(awk '{ $1 = ""; print }' <<<"$output" | xargs)" = "5 7" ] ||
		fail "supplementary groups are not exactly 5 7: $output"
}

# config.md "Process": capabilities; the container's init has every capability (the
# base config names none), the exec'd process only the ones its object names.
# bats test_tags=spec:must,req:config:process
@test "exec [process object: capabilities, nothing more]" {
	running
	process_json '.args = ["grep", "^Cap", "/proc/self/status"] | .capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL"], "effective": ["CAP_CHOWN", "CAP_KILL"],
		"permitted": ["CAP_CHOWN", "CAP_KILL"], "inheritable": [], "ambient": []}'
	runtime -0 exec --process "$T/process.json" "$id"
	# CAP_CHOWN is 0, CAP_KILL is 5.
	assert_line -e '^CapBnd:[[:space:]]+0+21$'
	assert_line -e '^CapPrm:[[:space:]]+0+21$'
	assert_line -e '^CapEff:[[:space:]]+0+21$'
	assert_line -e '^CapInh:[[:space:]]+0+$'
	assert_line -e '^CapAmb:[[:space:]]+0+$'
}

# config.md "Process": noNewPrivileges sets no_new_privs.
# bats test_tags=spec:must,req:config:process
@test "exec [process object: noNewPrivileges]" {
	running
	process_json '.args = ["grep", "^NoNewPrivs:", "/proc/self/status"] | .noNewPrivileges = true'
	runtime -0 exec --process "$T/process.json" "$id"
	assert_output -e '^NoNewPrivs:[[:space:]]+1$'
	process_json '.args = ["grep", "^NoNewPrivs:", "/proc/self/status"] | .noNewPrivileges = false'
	runtime -0 exec --process "$T/process.json" "$id"
	assert_output -e '^NoNewPrivs:[[:space:]]+0$'
}

# config.md "POSIX process": rlimits (soft and hard).
# bats test_tags=spec:must,req:config:process
@test "exec [process object: rlimits]" {
	running
	# getrlimit(2) through the shell's ulimit, not /proc/self/limits (gVisor has none).
	process_json '.args = ["sh", "-c", "echo $(ulimit -S -n) $(ulimit -H -n)"] |
		.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}]'
	runtime -0 exec --process "$T/process.json" "$id"
	assert_output "321 654"
}

# config.md "User": umask.
# bats test_tags=spec:must,req:config:process
@test "exec [process object: umask]" {
	running
	process_json '.args = ["sh", "-c", "umask"] | .user.umask = 63'
	runtime -0 exec --process "$T/process.json" "$id"
	assert_output 0077
}

# runc's --env adds to the container's process environment (PATH stays).
# bats test_tags=de-facto,req:cli:exec
@test "exec [flags: --env adds to the environment]" {
	running
	runtime -0 exec --env OCT_FLAG=on "$id" sh -c 'echo "$OCT_FLAG $PATH"'
	assert_output "on $(jq -r '.process.env[] | select(startswith("PATH=")) | .[5:]' "$BUNDLE/config.json")"
}

# runc's --cwd and --user replace the container's process's.
# bats test_tags=de-facto,req:cli:exec
@test "exec [flags: --cwd and --user]" {
	running
	runtime -0 exec --cwd /tmp --user 65534:65533 "$id" sh -c 'echo "$(pwd) $(id -u):$(id -g)"'
	assert_output "/tmp 65534:65533"
}

# runc's --additional-gids (-g), added to the process's groups.
# bats test_tags=de-facto,req:cli:exec
@test "exec [flags: --additional-gids]" {
	running
	runtime -0 exec --additional-gids 9 --additional-gids 11 "$id" grep ^Groups: /proc/self/status
	[ "$(awk '{ $1 = ""; print }' <<<"$output" | xargs)" = "9 11" ] ||
		fail "supplementary groups are not exactly 9 11: $output"
}

# --- exit status and stdio ---

# bats test_tags=de-facto,req:cli:exec
@test "exec [exit status 0]" {
	running
	runtime -0 exec "$id" true
}

# bats test_tags=de-facto,req:cli:exec
@test "exec [exit status 7]" {
	running
	runtime -7 exec "$id" sh -c 'exit 7'
}

# A process killed by signal N: exec exits 128+N, as a shell would report it.
# bats test_tags=de-facto,req:cli:exec
@test "exec [killed by a signal: exit 128+N]" {
	running
	runtime -137 exec "$id" sh -c 'kill -KILL $$'
	runtime -143 exec "$id" sh -c 'kill -TERM $$'
}

# bats test_tags=de-facto,req:cli:exec
@test "exec [stdin reaches the process]" {
	running
	printf 'line one\nline two\n' >"$T/in"
	run --separate-stderr exec_with_io "$T/in" "$id" cat
	assert_success
	assert_output "$(cat "$T/in")"
}

# bats test_tags=de-facto,req:cli:exec
@test "exec [stdout and stderr kept apart]" {
	running
	runtime -0 exec "$id" sh -c 'echo to-stdout; echo to-stderr >&2'
	assert_output to-stdout
	# shellcheck disable=SC2154 # $stderr is set by bats `run`
	grep -qx to-stderr <<<"$stderr" || fail "stderr lacks the process's line: $stderr"
	! grep -q to-stderr <<<"$output" || fail "stderr went to stdout"
}

# --preserve-fds N: fds 3 .. 3+N-1 are passed on, the rest is closed.
# bats test_tags=de-facto,req:cli:exec
@test "exec [--preserve-fds passes those fds and closes the others]" {
	running
	run --separate-stderr exec_with_io /dev/null --preserve-fds 1 "$id" \
		sh -c 'cat <&3; [ -e /proc/self/fd/4 ] && echo fd4-open || echo fd4-closed'
	assert_success
	assert_output "fd3-data
fd4-closed"
}

# process.terminal with a console socket: the pty master reaches the socket, the
# process sees a terminal on 0, 1 and 2, with consoleSize as its window size. With
# --detach, as containerd and conmon call it (runc takes a console socket only then;
# in the foreground it would give the process a pty of its own).
# bats test_tags=spec:must,req:config:process
@test "exec [terminal through the console socket, consoleSize]" {
	running
	process_json '.args = ["sh", "-c", "for f in 0 1 2; do [ -t $f ] && echo tty$f; done; stty size"] |
		.terminal = true | .consoleSize = {"height": 31, "width": 97}'
	start_console
	runtime -0 exec --detach --console-socket "$T/console.sock" --process "$T/process.json" "$id"
	wait_console
	local out
	out=$(tr -d '\r' <"$T/console.out")
	for f in 0 1 2; do
		grep -qx "tty$f" <<<"$out" || fail "fd $f is not a terminal: $(cat -v "$T/console.out")"
	done
	grep -qx "31 97" <<<"$out" || fail "the window size is not 31x97: $(cat -v "$T/console.out")"
}

# --detach returns once the process runs, with --pid-file naming it (its host pid).
# bats test_tags=de-facto,req:cli:exec
@test "exec [--detach with --pid-file: running, pid file names it]" {
	running
	exec_detached "$id" sh -c 'echo up > /detached; exec sleep 3600'
	wait_file "$BUNDLE/rootfs/detached" up
	[ "$(stat -L -c %d:%i "/proc/$xpid/root/")" = "$(stat -c %d:%i "$BUNDLE/rootfs/")" ] ||
		fail "pid file $xpid does not name a process in the container"
	grep -q sleep "/proc/$xpid/cmdline" || fail "pid $xpid is not the exec'd process: $(tr '\0' ' ' <"/proc/$xpid/cmdline")"
	assert_status "$id" running --pid-alive
}

# 8 execs at once all run, each with its own output and exit status.
# bats test_tags=de-facto,req:cli:exec
@test "exec [8 concurrent execs]" {
	running
	local i pids=() rc
	for i in 1 2 3 4 5 6 7 8; do
		rt exec "$id" sh -c "echo exec-$i > /c$i; echo out-$i; exit $i" >"$T/c$i.out" 2>"$T/c$i.err" &
		pids+=($!)
	done
	for i in 1 2 3 4 5 6 7 8; do
		rc=0
		wait "${pids[i - 1]}" || rc=$?
		[ "$rc" -eq "$i" ] || fail "exec $i exited $rc, want $i: $(cat "$T/c$i.err")"
		[ "$(cat "$T/c$i.out")" = "out-$i" ] || fail "exec $i printed '$(cat "$T/c$i.out")'"
		[ "$(cat "$BUNDLE/rootfs/c$i")" = "exec-$i" ] || fail "exec $i did not write its file"
	done
}

# --- containers that are not running ---

# runc and crun run the process in a created container (its init still waits for
# start), box refuses; either way the container stays created and starts as usual.
# bats test_tags=de-facto,req:cli:exec
@test "exec [created container: stays created, start works]" {
	set_args sh -c 'echo started > /started; exec sleep 3600'
	id=$(new_id)
	create_container "$id"
	before=$(state_doc "$id")
	runtime exec "$id" true
	[ "$status" -eq 0 ] || exec_fails "exec in a created container"
	[ "$(state_doc "$id")" = "$before" ] || fail "exec changed the created container's state"
	[ ! -e "$BUNDLE/rootfs/started" ] || fail "exec started the container's process"
	runtime -0 start "$id"
	wait_file "$BUNDLE/rootfs/started"
}

# Whatever the runtime does with a paused container (runc and crun refuse), exec
# must not hang, and the container must resume as before.
# bats test_tags=de-facto,req:cli:exec
@test "exec [paused container: refused or done, never hangs]" {
	requires op:pause op:resume
	# Rootless, pause needs a cgroup of the container's own (a delegated one).
	[ "$ROOTLESS" != 1 ] || requires_cgroup cgroup_writable
	running
	runtime -0 pause "$id"
	wait_status "$id" paused
	RUNTIME_TIMEOUT=15 runtime exec "$id" true
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "exec into a paused container hung"
	[ "$status" -eq 0 ] || exec_fails "exec in a paused container"
	runtime -0 resume "$id"
	wait_status "$id" running
	runtime -0 exec "$id" true
}

# bats test_tags=de-facto,req:cli:exec
@test "exec [stopped container: fails, stays stopped]" {
	set_args true
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	runtime exec "$id" sh -c 'echo ran > /ran'
	exec_fails "exec in a stopped container" 'stop|not running|running'
	[ ! -e "$BUNDLE/rootfs/ran" ] || fail "the process ran in a stopped container"
	assert_status "$id" stopped
}

# bats test_tags=de-facto,req:cli:exec
@test "exec [deleted container: fails, does not exist]" {
	running
	runtime -0 delete --force "$id"
	runtime exec "$id" true
	exec_fails "exec in a deleted container" 'not exist|not found|no such'
}

# --- bad process objects: a clear error, nothing run, the container unchanged ---

# bats test_tags=spec:must,req:config:process
@test "exec [malformed process object: not JSON]" {
	running
	before=$(state_doc "$id")
	echo '{"args": ["true"], "cwd": "/"' >"$T/process.json"
	runtime exec --process "$T/process.json" "$id"
	exec_fails "a process.json that is not JSON"
	[ "$(state_doc "$id")" = "$before" ] || fail "a failed exec changed the state"
}

# config.md "Process": args is REQUIRED.
# bats test_tags=spec:must,req:config:process
@test "exec [incomplete process object: no args]" {
	running
	process_json 'del(.args) | .cwd = "/"'
	runtime exec --process "$T/process.json" "$id"
	# runc names the field; runsc says "no filename or command provided".
	exec_fails "a process object without args" 'args|no (filename or )?command'
}

# config.md "Process": cwd is REQUIRED.
# bats test_tags=spec:must,req:config:process
@test "exec [incomplete process object: no cwd]" {
	running
	process_json '.args = ["sh", "-c", "echo ran > /ran"] | del(.cwd)'
	runtime exec --process "$T/process.json" "$id"
	exec_fails "a process object without cwd" 'cwd'
	[ ! -e "$BUNDLE/rootfs/ran" ] || fail "the process ran"
}

# config.md "Process": cwd MUST be an absolute path.
# bats test_tags=spec:must,req:config:process
@test "exec [process object with a relative cwd]" {
	running
	process_json '.args = ["sh", "-c", "echo ran > /ran"] | .cwd = "tmp"'
	runtime exec --process "$T/process.json" "$id"
	exec_fails "a relative cwd" 'cwd|absolute'
	[ ! -e "$BUNDLE/rootfs/ran" ] || fail "the process ran"
}

# --- cleanup and state ---

# kill --all reaches the exec'd processes too (they are in the container's cgroup).
# bats test_tags=de-facto,req:cli:exec
@test "exec [exec'd processes are gone after kill --all]" {
	requires_root "without a pid namespace of its own, /proc is the host's, which a user namespace may not mount"
	running '.linux.namespaces |= map(select(.type != "pid"))'
	exec_detached "$id" sleep 3600
	runtime -0 kill --all "$id" KILL
	assert_gone "$xpid"
	wait_status "$id" stopped
}

# delete --force leaves no exec'd process on the host (teardown's leak check sees
# nothing either).
# bats test_tags=de-facto,req:cli:exec
@test "exec [exec'd processes are gone after delete --force]" {
	running
	exec_detached "$id" sleep 3600
	runtime -0 delete --force "$id"
	assert_gone "$xpid"
}

# The same without a pid namespace, where the init's death ends nothing else.
# bats test_tags=de-facto,req:cli:exec
@test "exec [exec'd processes are gone after delete --force, no pid namespace]" {
	requires_root "without a pid namespace of its own, /proc is the host's, which a user namespace may not mount"
	running '.linux.namespaces |= map(select(.type != "pid"))'
	exec_detached "$id" sleep 3600
	runtime -0 delete --force "$id"
	assert_gone "$xpid"
}

# exec changes nothing of the container: the state document is the same after a
# foreground exec, a detached one and a failing one.
# bats test_tags=de-facto,req:cli:exec
@test "exec [the container's state is unchanged]" {
	running
	before=$(state_doc "$id")
	runtime -0 exec "$id" true
	runtime -3 exec "$id" sh -c 'exit 3'
	exec_detached "$id" sleep 3600
	[ "$(state_doc "$id")" = "$before" ] || fail "exec changed the state:
before: $before
after:  $(state_doc "$id")"
	assert_status "$id" running --pid-alive
}
