#!/usr/bin/env bats
# Hooks (runtime-spec config.md "POSIX-platform Hooks", runtime.md "Lifecycle"):
# when each kind runs, what it is given, where it runs, and what its failure does.
# Every hook is `ocitest hook`, which appends one JSON line per call (kind, argv,
# env, the state read from stdin, namespaces, CLOCK_MONOTONIC time) to a log.
#
# Where a hook's path and log resolve: createRuntime, prestart, poststart and
# poststop run in the runtime namespace, and createContainer's path MUST resolve
# there too (it runs before pivot_root), so those use the host's ocitest and the
# host log $T/hooks.log. startContainer runs in the container after pivot_root:
# it uses the rootfs's /bin/ocitest and /hooks.log, which the host sees as
# $BUNDLE/rootfs/hooks.log. Records from both are merged by time.
load helpers.bash

# hook_expr PATH LOG LABEL [ARG...]: HOOK_JQ_ARGS and HOOK_EXPR, the jq arguments
# and expression of a hook object running `ocitest hook --log LOG --kind LABEL
# ARG...` from PATH; each ARG goes in as its own --arg (see set_args).
hook_expr() {
	local path=$1 log=$2 label=$3 i list=() joined
	shift 3
	HOOK_JQ_ARGS=(--arg p "$path" --arg l "$log" --arg k "$label")
	for ((i = 1; i <= $#; i++)); do
		HOOK_JQ_ARGS+=(--arg "a$i" "${!i}")
		list+=("\$a$i")
	done
	printf -v joined '%s,' "${list[@]}"
	HOOK_EXPR="{path: \$p, args: ([\"ocitest\", \"hook\", \"--log\", \$l, \"--kind\", \$k] + [${joined%,}])}"
}

# hook_json PATH LOG LABEL [ARG...]: that hook object.
hook_json() {
	hook_expr "$@"
	jq -nc "${HOOK_JQ_ARGS[@]}" "$HOOK_EXPR"
}

# add_hook KIND JSON: append the hook object JSON to .hooks.KIND of the config.
add_hook() {
	update_config --arg kind "$1" --argjson h "$2" '.hooks[$kind] += [$h]'
}

# add_hook_running KIND PATH LOG LABEL [ARG...]: append the hook_json object to
# .hooks.KIND in one jq call (a case adds up to six).
add_hook_running() {
	local kind=$1
	shift
	hook_expr "$@"
	update_config --arg kind "$kind" "${HOOK_JQ_ARGS[@]}" ".hooks[\$kind] += [$HOOK_EXPR]"
}

# add_host_hook KIND[:N] [ARG...]: a KIND hook running the host's ocitest, logging
# to $T/hooks.log under the label KIND[:N] (N tells hooks of one kind apart).
add_host_hook() {
	local label=$1
	shift
	add_hook_running "${label%%:*}" "$OCITEST" "$T/hooks.log" "$label" "$@"
}

# add_container_hook KIND[:N] [ARG...]: the same with path and log inside the
# container (the rootfs's /bin/ocitest, /hooks.log).
add_container_hook() {
	local label=$1
	shift
	add_hook_running "${label%%:*}" /bin/ocitest /hooks.log "$label" "$@"
}

# mark NAME: a record in the host log, taken by the case between operations, so
# hook records can be ordered against create/start/delete returning.
mark() {
	"$OCITEST" hook --log "$T/hooks.log" --kind "mark:$1" </dev/null
}

# log_lines: the JSON lines of both logs (host, container), read by bash: the
# helpers below hand them to one jq each, not to cat and a second jq.
log_lines() {
	local f text
	for f in "$T/hooks.log" "$BUNDLE/rootfs/hooks.log"; do
		[ -f "$f" ] || continue
		rt_read text "$f"
		[ -z "$text" ] || printf '%s\n' "$text"
	done
}

# records [JQ-FILTER]: every record of the case (host log, container log), oldest
# first, as one array; with FILTER, its raw output and jq -e's exit status (1 when
# the last output is false or null).
records() {
	if [ $# -eq 0 ]; then
		jq -sc 'sort_by(.time_ns)' <<<"$(log_lines)"
	else
		jq -ser "sort_by(.time_ns) | $1" <<<"$(log_lines)"
	fi
}

# record LABEL [JQ-FILTER]: the one record with that label (fails if there is not
# exactly one), compact, or FILTER of it, raw (a null prints `null`, as jq -r).
record() {
	local one='[.[] | select(.kind == $k)] | if length == 1 then .[0] else
		error("\(length) records of hook \($k)") end'
	if [ $# -eq 1 ]; then
		jq -sec --arg k "$1" "sort_by(.time_ns) | $one" <<<"$(log_lines)"
	else
		jq -sr --arg k "$1" "sort_by(.time_ns) | $one | $2" <<<"$(log_lines)"
	fi
}

# order: the labels of all records, oldest first, on one line.
order() {
	records 'map(.kind) | join(" ")'
}

# The process of the lifecycle cases records itself too, then exits, but only once
# the poststart hooks have run (at most 10 s): a last poststart hook of lifecycle_with_hooks writes /poststart.done into the
# rootfs. A process that exits at once can be gone before start runs poststart,
# and a hook may then rightly see `stopped`: the case must not depend on that race.
PROCESS_HOOK_OUTLIVES_POSTSTART=(sh -c '/bin/ocitest hook --log /hooks.log --kind process || exit
i=0; while [ ! -e /poststart.done ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done')

# lifecycle_with_hooks: one hook of every non-deprecated kind, then create, start,
# the process exits, delete; marks after each operation returns. Sets $id and
# $pid (the container process, from state). The startContainer hook takes 300 ms
# and records as it ends, so a runtime whose start does not wait for it before
# running the program and the poststart hooks is caught every time, not by luck.
lifecycle_with_hooks() {
	add_host_hook createRuntime
	add_host_hook createContainer
	add_container_hook startContainer --delay-ms 300
	add_host_hook poststart
	add_host_hook poststop
	# Not a record of its own (its log is not read): it tells the process to exit.
	add_hook_running poststart "$OCITEST" "$BUNDLE/rootfs/poststart.done" "done"
	set_args "${PROCESS_HOOK_OUTLIVES_POSTSTART[@]}"
	id=$(new_id)
	runtime -0 create --bundle "$BUNDLE" "$id"
	mark created
	pid=$(state_field "$id" pid)
	runtime -0 start "$id"
	mark started
	wait_status "$id" stopped
	runtime -0 delete "$id"
	mark deleted
}

# assert_order WANT: the labels of the records, oldest first, are WANT.
assert_order() {
	local got
	got=$(order)
	[ "$got" = "$1" ] || fail "hooks ran in the wrong order
  want: $1
  got:  $got"
}

# assert_hook_state LABEL [STATE-CHECK OPTIONS...]: the state LABEL's hook read on
# stdin is a valid state document of this container (state-check), with the options.
assert_hook_state() {
	local label=$1 rec
	shift
	rec=$(record "$label")
	jq -e '.state_error == null' <<<"$rec" >/dev/null ||
		fail "$label hook: stdin is not a state document: $(jq -c '{state_error, stdin}' <<<"$rec")"
	jq .state <<<"$rec" | "$OCITEST" state-check --id "$id" --bundle "$BUNDLE" "$@" - ||
		fail "$label hook: state on stdin: $(jq -c .state <<<"$rec")"
}

# hook_status LABEL: the status field of the state LABEL's hook read.
hook_status() {
	record "$1" .state.status
}

# runtime.md "Lifecycle" steps 4-13: createRuntime and createContainer during
# create, startContainer after start is called and before the program runs,
# poststart before start returns, poststop during delete.
# bats test_tags=spec:must,req:runtime:lifecycle
@test "hooks [every kind runs once, in lifecycle order]" {
	lifecycle_with_hooks
	got=$(order)
	# The process's own record may land before or after poststart (step 9 only
	# follows its exec), but after startContainer and before delete.
	[ "${got/ process/}" = "createRuntime createContainer mark:created startContainer poststart mark:started poststop mark:deleted" ] &&
		records 'map(.kind) | index("startContainer") < index("process") and
			index("process") < index("mark:deleted")' >/dev/null ||
		fail "hooks ran in the wrong order
  want: createRuntime createContainer mark:created startContainer [process] poststart [process] mark:started poststop mark:deleted
  got:  $got"
}

# config.md "POSIX-platform Hooks": "Hooks MUST be called in the listed order",
# and every hook of a kind runs.
# bats test_tags=spec:must,req:config:posix-platform-hooks
@test "hooks [hooks of one kind run in the listed order]" {
	for n in 1 2 3; do
		add_host_hook "createRuntime:$n"
		add_host_hook "poststop:$n"
	done
	id=$(new_id)
	create_container "$id"
	runtime -0 delete --force "$id"
	assert_order "createRuntime:1 createRuntime:2 createRuntime:3 poststop:1 poststop:2 poststop:3"
}

# runtime.md "Lifecycle" step 3: prestart hooks (deprecated, still specified) are
# invoked during create, before the createRuntime hooks (step 4).
# bats test_tags=spec:must,req:config:prestart
@test "hooks [prestart runs during create, before createRuntime]" {
	add_host_hook prestart
	add_host_hook createRuntime
	id=$(new_id)
	create_container "$id"
	mark created
	assert_order "prestart createRuntime mark:created"
}

# config.md "POSIX-platform Hooks": "The state of the container MUST be passed to
# hooks over stdin": a valid state document (runtime.md "State") of this container.
# bats test_tags=spec:must,req:config:posix-platform-hooks
@test "hooks [state on stdin: a valid state document of this container, every hook]" {
	lifecycle_with_hooks
	for label in createRuntime createContainer startContainer poststart poststop; do
		assert_hook_state "$label"
	done
}

# runtime.md "State": pid "is the ID of the container process. For hooks executed
# in the runtime namespace, it is the pid as seen by the runtime. For hooks executed
# in the container namespace, it is the pid as seen by the container." (v1.0.2 said
# "as seen by the host" for every hook; the text changed in v1.1.) The container
# process is pid 1 of its own pid namespace.
# bats test_tags=spec:must,req:state:pid
@test "hooks [state on stdin: pid as seen from the namespace the hook runs in]" {
	lifecycle_with_hooks
	for label in createRuntime poststart; do
		got=$(record "$label" .state.pid)
		[ "$got" = "$pid" ] || fail "$label hook (runtime namespace): state.pid is $got, the container process is $pid on the host"
	done
	for label in createContainer startContainer; do
		got=$(record "$label" .state.pid)
		[ "$got" = 1 ] || fail "$label hook (container namespace): state.pid is $got, the container process is 1 in its pid namespace"
	done
}

# runtime.md "State": `creating` while "the container is being created (step 2)",
# `created` once "the runtime has finished the create operation (after step 2)".
# The create-time hooks are steps 4-5: by the text, created; runc passes creating,
# as the create operation has not returned. Either is accepted, nothing else.
# bats test_tags=de-facto,req:config:createruntime-hooks
@test "hooks [state on stdin: createRuntime and createContainer see creating or created]" {
	lifecycle_with_hooks
	for label in createRuntime createContainer; do
		case "$(hook_status "$label")" in
		creating | created) ;;
		*) fail "$label hook saw status '$(hook_status "$label")', want creating or created" ;;
		esac
	done
}

# runtime.md "State": `creating` is "the container is being created (step 2)";
# the prestart hooks run at lifecycle step 3 (runtime.md "Lifecycle", "the
# prestart hooks MUST be invoked by the runtime"), after it: created, as crun and
# runtime-tools' hooks_stdin want (config.md "Prestart" gives no status of its own).
# bats test_tags=spec:should,req:runtime:state
@test "hooks [state on stdin: prestart sees created]" {
	local id
	add_host_hook prestart
	id=$(new_id)
	runtime -0 create --bundle "$BUNDLE" "$id"
	runtime -0 delete --force "$id"
	[ "$(hook_status prestart)" = created ] || fail "prestart hook saw status '$(hook_status prestart)', want created"
}

# runtime.md "State": created until the user-specified program is executed;
# startContainer runs before that (step 7).
# bats test_tags=spec:must,req:config:startcontainer-hooks
@test "hooks [state on stdin: startContainer sees created]" {
	lifecycle_with_hooks
	[ "$(hook_status startContainer)" = created ] ||
		fail "startContainer hook saw status '$(hook_status startContainer)', want created"
}

# runtime.md "State": running once the program is executed; poststart runs after
# that (step 9).
# bats test_tags=spec:must,req:config:poststart
@test "hooks [state on stdin: poststart sees running]" {
	lifecycle_with_hooks
	[ "$(hook_status poststart)" = running ] ||
		fail "poststart hook saw status '$(hook_status poststart)', want running"
}

# runtime.md "State": stopped once the process has exited; poststop runs at delete
# (step 13).
# bats test_tags=spec:must,req:config:poststop
@test "hooks [state on stdin: poststop sees stopped]" {
	lifecycle_with_hooks
	[ "$(hook_status poststop)" = stopped ] ||
		fail "poststop hook saw status '$(hook_status poststop)', want stopped"
}

# config.md "POSIX-platform Hooks": args "with the same semantics as IEEE Std
# 1003.1-2008 execv's argv", env "with the same semantics as ... environ": the
# hook gets exactly these, argv[0] included, and no other variable.
# bats test_tags=spec:must,req:config:posix-platform-hooks
@test "hooks [args and env passed exactly]" {
	hook=$(hook_json "$OCITEST" "$T/hooks.log" createRuntime -- one 'two words' --three '' '$HOME' '*')
	hook=$(jq -c '.env = ["A=1", "B=two words", "EMPTY=", "PATH=/nowhere"]' <<<"$hook")
	add_hook createRuntime "$hook"
	id=$(new_id)
	create_container "$id"
	rec=$(record createRuntime)
	[ "$(jq -c .argv <<<"$rec")" = "$(jq -c .args <<<"$hook")" ] ||
		fail "argv $(jq -c .argv <<<"$rec"), want the hook's args $(jq -c .args <<<"$hook")"
	[ "$(jq -c .env <<<"$rec")" = "$(jq -c .env <<<"$hook")" ] ||
		fail "env $(jq -c .env <<<"$rec"), want exactly $(jq -c .env <<<"$hook")"
}

# config.md "POSIX-platform Hooks": timeout "is the number of seconds before
# aborting the hook. If set, timeout MUST be greater than zero"; runtime.md
# "Lifecycle" step 4: a failing createRuntime hook makes create fail. The hook,
# sleeping 30 s past a 1 s timeout, must be killed (the leak check sees it if not),
# and create must fail well before the hook would have ended.
# bats test_tags=spec:must,req:config:posix-platform-hooks
@test "hooks [timeout: a createRuntime hook past its timeout is killed, create fails]" {
	hook=$(hook_json "$OCITEST" "$T/hooks.log" createRuntime --sleep-ms 30000)
	add_hook createRuntime "$(jq -c '.timeout = 1' <<<"$hook")"
	id=$(new_id)
	start=$SECONDS
	runtime ! create --bundle "$BUNDLE" "$id"
	[ $((SECONDS - start)) -lt 20 ] || fail "create took $((SECONDS - start)) s: the 1 s timeout was not enforced"
	record createRuntime >/dev/null
	runtime ! state "$id"
}

# runtime.md "Lifecycle" step 4: "If any createRuntime hook fails, the runtime MUST
# generate an error, stop the container, and continue the lifecycle at step 12";
# delete leaves nothing (the teardown's leak check).
# bats test_tags=spec:must,req:config:createruntime-hooks
@test "hooks [failing createRuntime hook: create fails, nothing left]" {
	add_host_hook createRuntime --exit 1
	add_host_hook createContainer
	id=$(new_id)
	runtime ! create --bundle "$BUNDLE" "$id"
	assert_order "createRuntime"
	runtime ! state "$id"
}

# runtime.md "Lifecycle" step 5, the same for createContainer.
# bats test_tags=spec:must,req:config:createcontainer-hooks
@test "hooks [failing createContainer hook: create fails, nothing left]" {
	add_host_hook createContainer --exit 1
	id=$(new_id)
	runtime ! create --bundle "$BUNDLE" "$id"
	record createContainer >/dev/null
	runtime ! state "$id"
}

# runtime.md "Lifecycle" step 3, the same for prestart.
# bats test_tags=spec:must,req:config:prestart
@test "hooks [failing prestart hook: create fails, nothing left]" {
	add_host_hook prestart --exit 1
	id=$(new_id)
	runtime ! create --bundle "$BUNDLE" "$id"
	record prestart >/dev/null
	runtime ! state "$id"
}

# fail_start_container: a container whose startContainer hook fails and whose
# program would write /ran; create it, start it (status in $start_status), and wait
# until it is stopped or gone.
fail_start_container() {
	add_container_hook startContainer --exit 1
	set_args sh -c 'echo ran > /ran'
	id=$(new_id)
	create_container "$id"
	runtime start "$id"
	start_status=$status
	record startContainer >/dev/null
	# Stopped, or already destroyed (step 12): not running, either way.
	if rt state "$id" >/dev/null 2>&1; then
		wait_status "$id" stopped
	fi
}

# runtime.md "Lifecycle" step 7: "If any startContainer hook fails, the runtime
# MUST generate an error, stop the container, and continue the lifecycle at step
# 12": the program (step 8) never runs.
# bats test_tags=spec:must,req:config:startcontainer-hooks
@test "hooks [failing startContainer hook: the process never runs]" {
	fail_start_container
	[ ! -e "$BUNDLE/rootfs/ran" ] || fail "process.args ran although a startContainer hook failed"
}

# The same clause: start MUST generate an error.
# bats test_tags=spec:must,req:config:startcontainer-hooks
@test "hooks [failing startContainer hook: start fails]" {
	fail_start_container
	[ "$start_status" -ne 0 ] || fail "start exited 0 although a startContainer hook failed"
}

# runtime.md "Lifecycle" step 9: "If any poststart hook fails, the runtime MUST log
# a warning, but the remaining hooks and lifecycle continue as if the hook had
# succeeded": start succeeds, the next poststart hook runs, the process runs on.
# bats test_tags=spec:must,req:config:poststart
@test "hooks [failing poststart hook: start succeeds, later hooks still run]" {
	add_host_hook poststart:1 --exit 1
	add_host_hook poststart:2
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_file "$BUNDLE/rootfs/ready"
	assert_order "poststart:1 poststart:2"
	assert_status "$id" running --pid-alive
}

# runtime.md "Lifecycle" step 13: the same for poststop: delete succeeds, the
# container is gone, the next poststop hook runs.
# bats test_tags=spec:must,req:config:poststop
@test "hooks [failing poststop hook: delete succeeds, later hooks still run]" {
	add_host_hook poststop:1 --exit 1
	add_host_hook poststop:2
	set_args true
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	runtime -0 delete "$id"
	assert_order "poststop:1 poststop:2"
	runtime ! state "$id"
}

# ns_of LABEL: "mnt pid net uts ipc" namespaces the hook LABEL recorded.
ns_of() {
	record "$1" '[.ns.mnt, .ns.pid, .ns.net, .ns.uts, .ns.ipc] | join(" ")'
}

# ns_of_pid PID: the same for a live process, from /proc.
ns_of_pid() {
	local ns out=()
	for ns in mnt pid net uts ipc; do
		out+=("$(readlink "/proc/$1/ns/$ns")")
	done
	echo "${out[*]}"
}

# config.md "createContainer Hooks", "startContainer Hooks": "MUST be executed in
# the container namespace"; "createRuntime Hooks", "poststart", "poststop": "in
# the runtime namespace". The container's are its process's /proc/PID/ns/*, the
# runtime's are the caller's (this shell's).
# bats test_tags=spec:must,req:config:createcontainer-hooks
@test "hooks [createContainer and startContainer in the container's namespaces, the others in the runtime's]" {
	add_host_hook createRuntime
	add_host_hook createContainer
	add_container_hook startContainer
	add_host_hook poststart
	add_host_hook poststop
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
	container=$(ns_of_pid "$(container_process "$id")")
	host=$(ns_of_pid $$)
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped
	runtime -0 delete "$id"
	for label in createContainer startContainer; do
		[ "$(ns_of "$label")" = "$container" ] ||
			fail "$label hook ran in namespaces $(ns_of "$label"), the container's are $container"
	done
	for label in createRuntime poststart poststop; do
		[ "$(ns_of "$label")" = "$host" ] ||
			fail "$label hook ran in namespaces $(ns_of "$label"), the runtime's are $host"
	done
}

# config.md "createContainer Hooks": called "before the pivot_root or any equivalent
# operation has been executed" (so its root is still the runtime's); "startContainer
# Hooks": path resolves and runs in the container, whose root is the bundle's rootfs.
# bats test_tags=spec:must,req:config:createcontainer-hooks
@test "hooks [createContainer runs before pivot_root, startContainer after]" {
	add_host_hook createContainer
	add_container_hook startContainer
	set_args true
	id=$(new_id)
	create_container "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	host_root=$(stat -c %d:%i /)
	rootfs=$(stat -c %d:%i "$BUNDLE/rootfs/")
	got=$(record createContainer | jq -r .root_ino)
	[ "$got" = "$host_root" ] || fail "createContainer hook's / is $got, the runtime's is $host_root (rootfs: $rootfs)"
	got=$(record startContainer | jq -r .root_ino)
	[ "$got" = "$rootfs" ] || fail "startContainer hook's / is $got, the container's rootfs is $rootfs"
}
