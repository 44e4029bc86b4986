#!/usr/bin/env bats
# `update` (runc's command line) changes linux.resources (config-linux.md "Control
# groups") of a live container: each value is read back from the container's cgroup
# files on the host and, where the kernel makes it observable, felt inside.
# runc spells the shares option --cpu-share.
load helpers.bash

setup() {
	common_setup
	requires op:update
	requires_cgroup cgroup_writable
}

# ctr_cgroup ID CONTROLLER: the host directory of the container's cgroup in the
# hierarchy of CONTROLLER, failing when it is the caller's own (no cgroup made).
ctr_cgroup() {
	local dir
	dir=$(cgroup_dir "$(container_process "$1")" "$2") || fail "no $2 cgroup for $1"
	[ "$dir" != "$(cgroup_dir $$ "$2")" ] || fail "container $1 runs in the caller's own $2 cgroup"
	echo "$dir"
}

# start_waiting [COMMAND]: a running container whose process waits on the fifo /go
# (no fork while it waits: a pids count stays exact) until `release`, then runs
# COMMAND in a subshell (a failed fork ends the subshell, not the init), writing
# /done after, and waits on. That last wait opens /go read-write, so it has a
# writer of its own and never reads an end of file: opened read-only, it could
# still meet release's writer on its way out, read EOF at once and end the init
# (seen once under four cases at a time).
start_waiting() {
	mkfifo "$BUNDLE/rootfs/go"
	set_args sh -c "echo ready > /ready; read x < /go; ( ${1:-:} ); echo done > /done; read x <> /go"
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
}

# release: let the process of start_waiting go on.
release() {
	timeout 10 sh -c 'echo go > "$1"' _ "$BUNDLE/rootfs/go" || fail "the container's process does not read /go"
}

# assert_file DIR FILE WANT: the control file holds WANT.
assert_file() {
	[ "$(cat "$1/$2")" = "$3" ] || fail "$2 in $1 is $(cat "$1/$2"), want $3"
}

# bats test_tags=de-facto,req:cli:update
@test "update [--pids-limit: pids.max in the cgroup, a fork beyond it refused inside]" {
	requires_cgroup pids
	# The init, a subshell, its 20 tries of `sleep` in the background: at most 5.
	start_waiting 'i=0; while [ $i -lt 20 ]; do sleep 1000 & i=$((i+1)); done 2>/fork.err'
	runtime -0 update --pids-limit 5 "$id"
	dir=$(ctr_cgroup "$id" pids)
	assert_file "$dir" pids.max 5
	release
	wait_file "$BUNDLE/rootfs/done"
	[ -s "$BUNDLE/rootfs/fork.err" ] || fail "20 forks under a pids limit of 5 all succeeded"
	[ "$(cat "$dir/pids.current")" -le 5 ] || fail "pids.current $(cat "$dir/pids.current") above the limit 5"
	assert_status "$id" running --pid-alive
}

# bats test_tags=de-facto,req:cli:update
@test "update [--memory and --memory-swap: the limits in the cgroup files]" {
	requires_cgroup memory
	start_waiting
	runtime -0 update --memory 67108864 --memory-swap 134217728 "$id"
	dir=$(ctr_cgroup "$id" memory)
	if probe_is cgroup v2; then
		assert_file "$dir" memory.max 67108864
		assert_file "$dir" memory.swap.max 67108864
	else
		assert_file "$dir" memory.limit_in_bytes 67108864
		[ ! -e "$dir/memory.memsw.limit_in_bytes" ] || assert_file "$dir" memory.memsw.limit_in_bytes 134217728
	fi
	# Raised above the earlier memory+swap: both move (v1 orders the writes).
	runtime -0 update --memory 268435456 --memory-swap 536870912 "$id"
	assert_file "$dir" "$(cgroup_file memory.limit_in_bytes memory.max)" 268435456
}

# bats test_tags=de-facto,req:cli:update
@test "update [--cpu-quota and --cpu-period: the cfs limit in the cgroup, a busy process throttled]" {
	requires_cgroup cpu
	start_waiting 'while :; do :; done'
	runtime -0 update --cpu-quota 10000 --cpu-period 100000 "$id"
	dir=$(ctr_cgroup "$id" cpu)
	if probe_is cgroup v2; then
		assert_file "$dir" cpu.max "10000 100000"
	else
		assert_file "$dir" cpu.cfs_quota_us 10000
		assert_file "$dir" cpu.cfs_period_us 100000
	fi
	release
	# The kernel's own count of periods in which the cgroup ran out of its quota,
	# polled for up to 5 s.
	for ((try = 0; try < 50; try++)); do
		throttled=$(awk '$1 == "nr_throttled" { print $2 }' "$dir/cpu.stat")
		[ "$throttled" -eq 0 ] || break
		sleep 0.1
	done
	[ "$throttled" -gt 0 ] || fail "a busy loop under a 10% cpu quota was never throttled: $(cat "$dir/cpu.stat")"
}

# bats test_tags=de-facto,req:cli:update
@test "update [--cpu-share: cpu.shares in the cgroup (cpu.weight on v2)]" {
	requires_cgroup cpu
	start_waiting
	runtime -0 update --cpu-share 512 "$id"
	dir=$(ctr_cgroup "$id" cpu)
	if probe_is cgroup v2; then
		# runc's and crun's mapping of [2, 262144] onto [1, 10000].
		assert_file "$dir" cpu.weight $((1 + ((512 - 2) * 9999) / 262142))
	else
		assert_file "$dir" cpu.shares 512
	fi
}

# bats test_tags=de-facto,req:cli:update
@test "update [--cpuset-cpus: cpuset.cpus in the cgroup, the process allowed only there]" {
	requires_cgroup cpuset
	start_waiting
	runtime -0 update --cpuset-cpus 0 "$id"
	dir=$(ctr_cgroup "$id" cpuset)
	assert_file "$dir" cpuset.cpus 0
	pid=$(container_process "$id")
	[ "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$pid/status")" = 0 ] ||
		fail "the container's process may run on $(grep Cpus_allowed_list "/proc/$pid/status"), want 0"
}

# bats test_tags=de-facto,req:cli:update
@test "update [--resources FILE: a linux.resources document applied]" {
	requires_cgroup pids memory
	start_waiting
	echo '{"pids": {"limit": 7}, "memory": {"limit": 33554432}}' >"$T/resources.json"
	runtime -0 update --resources "$T/resources.json" "$id"
	assert_file "$(ctr_cgroup "$id" pids)" pids.max 7
	assert_file "$(ctr_cgroup "$id" memory)" "$(cgroup_file memory.limit_in_bytes memory.max)" 33554432
}

# bats test_tags=de-facto,req:cli:update
@test "update [a later update keeps what an earlier one set]" {
	requires_cgroup pids memory
	start_waiting
	runtime -0 update --pids-limit 9 "$id"
	runtime -0 update --memory 50331648 "$id"
	assert_file "$(ctr_cgroup "$id" pids)" pids.max 9
	assert_file "$(ctr_cgroup "$id" memory)" "$(cgroup_file memory.limit_in_bytes memory.max)" 50331648
}

# bats test_tags=de-facto,req:cli:update
@test "update [a value that is not a number: fails, the limit unchanged]" {
	requires_cgroup pids
	start_waiting
	runtime -0 update --pids-limit 11 "$id"
	runtime update --pids-limit eleven "$id"
	assert_error "update --pids-limit eleven"
	assert_file "$(ctr_cgroup "$id" pids)" pids.max 11
}

# bats test_tags=de-facto,req:cli:update
@test "update [container that does not exist: fails, naming it]" {
	runtime update --pids-limit 5 oct-no-such-container
	assert_not_found "update of a missing container"
}
