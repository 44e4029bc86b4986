#!/usr/bin/env bats
# Control groups (runtime-spec config-linux.md "Control groups", "Cgroups Path" and
# the resource sections), checked from the host side: the container's cgroup is
# found through /proc/<state.pid>/cgroup and its control files are read there.
load helpers.bash

# set_resources JSON: linux.resources of the bundle.
set_resources() {
	update_config --argjson r "$1" '.linux.resources = $r'
}

# container_pid ID: the host pid of a created or running container's process
# (container_process: not trusting state.pid, the subject of state.bats).
container_pid() {
	container_process "$1"
}

# cgroup_mount CONTROLLER: the mount point of the hierarchy of CONTROLLER (`unified`:
# the cgroup2 one; on a v2 host always that).
cgroup_mount() {
	if probe_is cgroup v2 || [ "$1" = unified ]; then
		echo "${PROBE[cgroup_v2_path]-}"
	elif cgroup_v1_mount "$1"; then
		echo "$CG_MNT"
	fi
}

# procs_hierarchy: a hierarchy that holds every process of a container: pids where
# the host has it, else the unified (cgroup2) one, else the first v1 controller.
procs_hierarchy() {
	local ctrls
	ctrls=" $(probe cgroup_controllers) "
	if [[ "$ctrls" == *" pids "* ]]; then
		echo pids
	elif ! probe_is cgroup v1; then
		echo unified
	else
		read -r c _ <<<"$ctrls"
		echo "$c"
	fi
}

# container_cgroup ID HIERARCHY: the host directory of the container's cgroup, and
# a failure (before a case touches anything) when that is the caller's own cgroup
# or a hierarchy's root: a runtime that made no cgroup must not make a case move or
# signal the host's processes.
container_cgroup() {
	local dir
	# (Called in $(...), where a failing command does not end the function: each
	# fail returns, so the caller's assignment fails.)
	dir=$(cgroup_dir "$(container_pid "$1")" "$2") || { fail "no $2 cgroup for container $1"; return 1; }
	[ "$dir" != "$(cgroup_dir $$ "$2")" ] || { fail "container $1 runs in the caller's own cgroup $dir"; return 1; }
	[ "$dir" != "$(cgroup_mount "$2")" ] || { fail "container $1 runs in the root cgroup $dir"; return 1; }
	echo "$dir"
}

# made_cgroup DIR: mkdir a cgroup from the host side, removed again by teardown
# whatever the runtime did (after the leak check, which must still see it).
made_cgroup() {
	mkdir "$1"
	echo "$1" >>"$T/made-cgroups"
}

teardown() {
	local rc=0 d
	common_teardown || rc=$?
	if [ -f "$T/made-cgroups" ]; then
		tac "$T/made-cgroups" | while read -r d; do rmdir "$d" 2>/dev/null || true; done
	fi
	return "$rc"
}

# procs_of DIR: the pids in a cgroup and its sub-cgroups, one a line.
procs_of() {
	find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null
}

# config-linux.md "Cgroups Path": an absolute path MUST be taken relative to the
# cgroups mount point, and "the cgroups will be created if they don't exist".
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [absolute cgroupsPath: created below each hierarchy's mount point]" {
	requires_cgroup cgroup_writable pids memory
	id=$(new_id)
	update_config --arg p "/$id" '.linux.cgroupsPath = $p'
	set_args "${LONG_RUNNING[@]}"
	start_container "$id"
	pid=$(container_pid "$id")
	for c in pids memory; do
		dir=$(cgroup_dir "$pid" "$c") || fail "no $c cgroup for pid $pid"
		[ "$dir" = "$(cgroup_mount "$c")/$id" ] || fail "$c: the container's cgroup is $dir, want $(cgroup_mount "$c")/$id"
	done
}

# config-linux.md "Control groups": pids.limit, memory.limit, cpu.shares, quota and
# period set the matching controller files (de-facto names: runc, crun). On v2
# cpu.shares becomes cpu.weight (runc's mapping: 512 -> 20).
# bats test_tags=spec:should,req:config-linux:control-groups
@test "cgroups [linux.resources visible in the container's cgroup from the host]" {
	requires_cgroup cgroup_writable pids memory cpu
	set_resources '{"pids":{"limit":16},"memory":{"limit":33554432},"cpu":{"shares":512,"quota":50000,"period":100000}}'
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	pid=$(container_pid "$id")
	run -0 cat "$(cgroup_dir "$pid" pids)/pids.max"
	assert_output 16
	run -0 cat "$(cgroup_dir "$pid" memory)/$(cgroup_file memory.limit_in_bytes memory.max)"
	assert_output 33554432
	if probe_is cgroup v2; then
		run -0 cat "$(cgroup_dir "$pid" cpu)/cpu.weight"
		assert_output 20
		run -0 cat "$(cgroup_dir "$pid" cpu)/cpu.max"
		assert_output "50000 100000"
	else
		run -0 cat "$(cgroup_dir "$pid" cpu)/cpu.shares"
		assert_output 512
		run -0 cat "$(cgroup_dir "$pid" cpu)/cpu.cfs_quota_us"
		assert_output 50000
	fi
}

# config-linux.md "HugePage limits": hugepageLimits sets hugetlb.<pageSize>.limit_in_bytes
# (v1) or hugetlb.<pageSize>.max (v2) of the container's cgroup.
# bats test_tags=spec:must,req:config-linux:huge-page-limits
@test "cgroups [hugepageLimits: written to the hugetlb controller]" {
	requires_cgroup cgroup_writable hugetlb
	[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "requires 2MB huge pages (no /sys/kernel/mm/hugepages/hugepages-2048kB)"
	set_resources '{"hugepageLimits":[{"pageSize":"2MB","limit":4194304}]}'
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	pid=$(container_pid "$id")
	run -0 cat "$(cgroup_dir "$pid" hugetlb)/$(cgroup_file hugetlb.2MB.limit_in_bytes hugetlb.2MB.max)"
	assert_output 4194304
}

# config-linux.md "Memory": kernel and kernelTCP are deprecated (the kernel dropped
# kmem limits); runc and crun ignore them with a warning and run the container.
# bats test_tags=de-facto,req:config-linux:memory
@test "cgroups [memory.kernel and kernelTCP: ignored, the container runs]" {
	requires_cgroup cgroup_writable memory
	set_resources '{"memory":{"limit":33554432,"kernel":16777216,"kernelTCP":8388608}}'
	set_args true
	runtime -0 run --bundle "$BUNDLE" "$(new_id kmem)"
}

# config-linux.md "PIDs": limit "specifies the maximum number of tasks in the
# cgroup". An inner shell forks 100 background sleeps and dies when fork fails (ash
# gives up on "can't fork"); the container's init survives it, and the cgroup never
# holds more than 16 tasks, the kernel having refused forks (pids.events "max").
# bats test_tags=spec:should,req:config-linux:pids
@test "cgroups [pids.limit stops a fork bomb, the container survives]" {
	requires_cgroup cgroup_writable pids
	set_resources '{"pids":{"limit":16}}'
	# No fork after the bomb: `echo` is a builtin, and `exec` replaces the shell.
	set_args sh -c 'sh -c '\''i=0; while [ $i -lt 100 ]; do sleep 1000 & i=$((i + 1)); done'\'' 2>/dev/null
echo forked > /forked; exec sleep 1000'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/forked" forked 30
	dir=$(container_cgroup "$id" pids)
	for _ in 1 2 3; do
		current=$(cat "$dir/pids.current")
		[ "$current" -le 16 ] || fail "pids.current is $current, above the limit 16"
	done
	n=$(procs_of "$dir" | wc -l)
	[ "$n" -le 16 ] || fail "$n processes in the container's cgroup, above the limit 16"
	[ "$n" -ge 2 ] || fail "only $n processes in the container's cgroup: the sleeps did not run at all"
	run -0 awk '$1 == "max" { print $2 }' "$dir/pids.events"
	[ "${output:-0}" -gt 0 ] || fail "pids.events counts no refused fork: the bomb never reached the limit"
	assert_status "$id" running --pid-alive
}

# config-linux.md "Memory": limit "sets limit of memory usage"; past it the
# kernel's OOM killer ends the process ("disableOOMKiller" false by default).
# `tail /dev/zero` keeps one ever-growing line: it must be SIGKILLed (status 137).
# bats test_tags=spec:should,req:config-linux:memory
@test "cgroups [memory.limit: a process growing past it is OOM-killed]" {
	requires_cgroup cgroup_writable memory
	res='{"memory":{"limit":33554432}}'
	# With swap on the host the limit alone only pushes pages out: limit swap too.
	if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" -gt 0 ]; then
		res='{"memory":{"limit":33554432,"swap":33554432}}'
	fi
	set_resources "$res"
	set_args sh -c 'tail /dev/zero; echo "status=$?" > /oom; exec sleep 1000'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/oom" status= 60
	run -0 cat "$BUNDLE/rootfs/oom"
	assert_output status=137
	assert_status "$id" running --pid-alive
}

# The container's processes are all in its cgroup: the init and a child it
# forks, in a cgroup of their own (not the runtime's), listed in its cgroup.procs.
# config-linux.md "Control groups" (resources apply to "the container").
# bats test_tags=de-facto,req:config-linux:control-groups
@test "cgroups [the container's processes are all in its cgroup]" {
	requires_cgroup cgroup_writable
	h=$(procs_hierarchy)
	set_args sh -c 'sleep 1000 & echo $! > /child; wait'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/child"
	pid=$(container_pid "$id")
	dir=$(container_cgroup "$id" "$h")
	run -0 procs_of "$dir"
	assert_line "$pid"
	n=$(wc -l <<<"$output")
	[ "$n" -eq 2 ] || fail "want the init and its child in $dir, got $n processes: $output"
	for p in $output; do
		[ "$(cgroup_dir "$p" "$h")" = "$dir" ] || fail "process $p is in $(cgroup_dir "$p" "$h"), not $dir"
	done
}

# runtime.md "Delete": the resources created at create MUST be deleted; the
# container's cgroup in every hierarchy is among them.
# bats test_tags=spec:must,req:runtime:delete
@test "cgroups [the container's cgroups are gone after delete]" {
	requires_cgroup cgroup_writable
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	pid=$(container_pid "$id")
	mapfile -t dirs < <(for c in $(probe cgroup_controllers) unified; do
		d=$(cgroup_dir "$pid" "$c") && [ "$d" != "$(cgroup_dir $$ "$c")" ] && echo "$d"
	done | sort -u)
	[ "${#dirs[@]}" -gt 0 ] || fail "the container has no cgroup of its own"
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped
	runtime -0 delete "$id"
	for d in "${dirs[@]}"; do
		[ ! -e "$d" ] || fail "cgroup $d is left after delete"
	done
}

# runtime.md "Delete" (MUST delete what create made): a sub-cgroup the container
# made in its own cgroup, with a process in it, goes too (runc and crun remove
# the tree). Made from the host side, as a container with its cgroup delegated would.
# bats test_tags=de-facto,req:cli:delete
@test "cgroups [delete --force removes sub-cgroups made below the container's]" {
	requires_cgroup cgroup_writable
	h=$(procs_hierarchy)
	set_args sh -c 'sleep 1000 & echo $! > /child; wait'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/child"
	pid=$(container_pid "$id")
	dir=$(container_cgroup "$id" "$h")
	mapfile -t procs < <(procs_of "$dir" | grep -vx "$pid")
	[ "${#procs[@]}" -eq 1 ] || fail "want the init and one child in $dir, got others: ${procs[*]}"
	child=${procs[0]}
	made_cgroup "$dir/made-inside"
	made_cgroup "$dir/made-inside/deeper"
	echo "$child" >"$dir/made-inside/deeper/cgroup.procs"
	runtime -0 delete --force "$id"
	"$OCITEST" wait --timeout 10 --pid-gone "$child"
	[ ! -e "$dir" ] || fail "cgroup $dir (with the sub-cgroups made inside) is left after delete --force"
}

# `kill --all` (runc's spelling) sends the signal to every process in the
# container's cgroup, which is how a container sharing the host's pid namespace
# is stopped as a whole (config-linux.md "Namespaces": without a new pid namespace
# the init's death does not end the others).
# bats test_tags=de-facto,req:cli:kill
@test "cgroups [kill --all KILL reaches every process, host pid namespace]" {
	requires_cgroup cgroup_writable
	h=$(procs_hierarchy)
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'sleep 1000 & sleep 1000 & echo ready > /ready; wait'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
	dir=$(container_cgroup "$id" "$h")
	mapfile -t pids < <(procs_of "$dir")
	[ "${#pids[@]}" -eq 3 ] || fail "want the shell and two sleeps in the cgroup, got: ${pids[*]}"
	runtime -0 kill --all "$id" KILL
	for p in "${pids[@]}"; do
		"$OCITEST" wait --timeout 10 --pid-gone "$p" || fail "process $p survived kill --all"
	done
}

# runtime.md "Create": a create that fails leaves nothing; its cgroup neither
# (config-linux.md "Cgroups Path": the runtime created it, so it removes it).
# bats test_tags=spec:must,req:runtime:errors
@test "cgroups [failed create leaves no cgroup]" {
	requires_cgroup cgroup_writable
	h=$(procs_hierarchy)
	id=$(new_id)
	update_config --arg p "/$id" '.linux.cgroupsPath = $p'
	set_args /no/such/binary
	runtime ! create --bundle "$BUNDLE" "$id"
	runtime ! state "$id"
	mnt=$(cgroup_mount "$h")
	[ ! -e "$mnt/$id" ] || fail "cgroup $mnt/$id is left after a failed create"
}

# --- the runtime-tools programs' requirements (fixtures/conformance-map.tsv) ---

# whole_disk: MAJ:MIN of a whole block device of this host (blkio rules take whole
# devices, not partitions; runtime-tools assumes 8:0, /dev/sda). Fails without one.
whole_disk() {
	local d
	for d in /sys/block/*; do
		case "${d##*/}" in loop* | ram* | zram* | dm-* | md* | nbd* | sr*) continue ;; esac
		[ -r "$d/dev" ] && cat "$d/dev" && return 0
	done
	return 1
}

# relative_path ID: a relative cgroupsPath for ID: two components, as runtime-tools'
# "testdir/cgrouptest/container", the first named after the container, so that the
# leak check watches every cgroup the runtime makes for it.
relative_path() {
	echo "$1/c"
}

# cgroup_at ID HIERARCHY PATH: the container's cgroup in HIERARCHY (not the caller's,
# not the root: container_cgroup) for cgroupsPath PATH. Absolute: the mount point
# joined with PATH (config-linux.md "Cgroups Path": "the runtime MUST take the path to
# be relative to the cgroups mount point"). Relative: the runtime "MAY interpret the
# path relative to a runtime-determined location in the cgroups hierarchy", so the
# cgroup is that location joined with PATH: its path ends with /PATH (runtime-tools
# checks that the subsystem path contains PATH).
cgroup_at() {
	local id=$1 h=$2 path=$3 dir
	dir=$(container_cgroup "$id" "$h") || return 1
	if [[ "$path" == /* ]]; then
		[ "$dir" = "$(cgroup_mount "$h")$path" ] ||
			{ fail "$h: the container's cgroup is $dir, want $(cgroup_mount "$h")$path"; return 1; }
	else
		[[ "$dir" == */"$path" ]] ||
			{ fail "$h: relative cgroupsPath $path: the container's cgroup is $dir, which does not end with /$path"; return 1; }
	fi
	echo "$dir"
}

# run_with_cgroup ID PATH RESOURCES: start ID with cgroupsPath PATH and linux.resources.
run_with_cgroup() {
	update_config --arg p "$2" --argjson r "$3" '.linux.cgroupsPath = $p | .linux.resources = $r'
	set_args "${LONG_RUNNING[@]}"
	start_container "$1"
}

# assert_file_has FILE LINE...: FILE (a cgroup control file) has each LINE.
assert_file_has() {
	local f=$1 l
	shift
	[ -r "$f" ] || fail "no control file $f"
	for l in "$@"; do
		grep -qxF -- "$l" "$f" || fail "$f: no line '$l' in: $(cat "$f")"
	done
}

# blkio_throttle_case PATH-KIND: throttle rules on a whole disk, read back from the
# container's blkio (v1) or io (v2) cgroup.
blkio_throttle_case() {
	local id dev dir rate=102400 path f
	requires_cgroup cgroup_writable "$(cgroup_file blkio io)"
	dev=$(whole_disk) || skip "requires a whole block device (none in /sys/block)"
	id=$(new_id)
	if [ "$1" = relative ]; then path=$(relative_path "$id"); else path=/$id; fi
	run_with_cgroup "$id" "$path" "$(jq -nc --argjson ma "${dev%:*}" --argjson mi "${dev#*:}" --argjson r $rate \
		'{blockIO: {throttleReadBpsDevice: [{major: $ma, minor: $mi, rate: $r}],
		  throttleWriteBpsDevice: [{major: $ma, minor: $mi, rate: $r}],
		  throttleReadIOPSDevice: [{major: $ma, minor: $mi, rate: $r}],
		  throttleWriteIOPSDevice: [{major: $ma, minor: $mi, rate: $r}]}}')"
	dir=$(cgroup_at "$id" "$(cgroup_file blkio io)" "$path")
	if probe_is cgroup v2; then
		assert_file_has "$dir/io.max" "$dev rbps=$rate wbps=$rate riops=$rate wiops=$rate"
	else
		for f in read_bps write_bps read_iops write_iops; do
			assert_file_has "$dir/blkio.throttle.${f}_device" "$dev $rate"
		done
	fi
}

# blkio_weight_file: the proportional weight file of this host's blkio/io
# controller (CFQ's blkio.weight, BFQ's blkio.bfq.weight, v2 io.weight or
# io.bfq.weight), or nothing: with neither scheduler there is no weight to set.
blkio_weight_file() {
	local m f
	m=$(cgroup_mount "$(cgroup_file blkio unified)")
	for f in blkio.weight blkio.bfq.weight io.bfq.weight io.weight; do
		if [ -e "$m/$f" ] || compgen -G "$m/*/$f" >/dev/null; then
			echo "$f"
			return 0
		fi
	done
}

# blkio_weight_case PATH-KIND: weight and a per-device weight, read back.
blkio_weight_case() {
	local id dev dir wf path
	requires_cgroup cgroup_writable "$(cgroup_file blkio io)"
	wf=$(blkio_weight_file)
	[ -n "$wf" ] || skip "this host's blkio controller has no weight file (no CFQ or BFQ I/O scheduler: $(cat /sys/block/*/queue/scheduler 2>/dev/null | sort -u | tr '\n' ' '))"
	dev=$(whole_disk) || skip "requires a whole block device (none in /sys/block)"
	# A per-device weight needs a proportional scheduler on that device.
	grep -Eq '\[(bfq|cfq)\]' "/sys/dev/block/$dev/queue/scheduler" 2>/dev/null ||
		skip "block device $dev has no proportional I/O scheduler (bfq, cfq) selected: $(cat "/sys/dev/block/$dev/queue/scheduler" 2>&1)"
	id=$(new_id)
	if [ "$1" = relative ]; then path=$(relative_path "$id"); else path=/$id; fi
	run_with_cgroup "$id" "$path" "$(jq -nc --argjson ma "${dev%:*}" --argjson mi "${dev#*:}" \
		'{blockIO: {weight: 500, weightDevice: [{major: $ma, minor: $mi, weight: 500}]}}')"
	dir=$(cgroup_at "$id" "$(cgroup_file blkio io)" "$path")
	run -0 cat "$dir/$wf"
	[[ "$output" =~ (^|[[:space:]])500($|[[:space:]]) ]] || fail "$dir/$wf: weight 500 not set: $output"
}

# network_case PATH-KIND: classID and an interface priority, read back from the
# net_cls and net_prio cgroups (v1 only: cgroup v2 has neither controller).
network_case() {
	local id path dir
	! probe_is cgroup v2 || skip "cgroup v2 has no net_cls or net_prio controller (this host: v2 only)"
	requires_cgroup cgroup_writable net_cls net_prio
	id=$(new_id)
	if [ "$1" = relative ]; then path=$(relative_path "$id"); else path=/$id; fi
	run_with_cgroup "$id" "$path" '{"network": {"classID": 255, "priorities": [{"name": "lo", "priority": 10}]}}'
	dir=$(cgroup_at "$id" net_cls "$path")
	assert_file_has "$dir/net_cls.classid" 255
	dir=$(cgroup_at "$id" net_prio "$path")
	assert_file_has "$dir/net_prio.ifpriomap" "lo 10"
}

# config-linux.md "Block IO": throttleReadBpsDevice, throttleWriteBpsDevice,
# throttleReadIOPSDevice, throttleWriteIOPSDevice set the device's limits
# (runtime-tools linux_cgroups_blkio).
# bats test_tags=spec:must,req:config-linux:block-io
@test "cgroups [blockIO throttle rules: written to the blkio controller]" {
	blkio_throttle_case absolute
}

# config-linux.md "Block IO": weight and weightDevice (runtime-tools linux_cgroups_blkio).
# bats test_tags=spec:must,req:config-linux:block-io
@test "cgroups [blockIO weight: written to the blkio controller]" {
	blkio_weight_case absolute
}

# config-linux.md "Network": classID "the network class identifier the cgroup's
# network packets will be tagged with", priorities per interface (runtime-tools
# linux_cgroups_network).
# bats test_tags=spec:must,req:config-linux:network
@test "cgroups [network classID and priorities: written to net_cls and net_prio]" {
	network_case absolute
}

# config-linux.md "Cgroups Path", relative: the limits apply in the cgroup the
# relative path names below the runtime's location (runtime-tools
# linux_cgroups_relative_pids).
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [relative cgroupsPath: pids limit]" {
	requires_cgroup cgroup_writable pids
	id=$(new_id)
	path=$(relative_path "$id")
	run_with_cgroup "$id" "$path" '{"pids": {"limit": 1000}}'
	dir=$(cgroup_at "$id" pids "$path")
	assert_file_has "$dir/pids.max" 1000
}

# runtime-tools linux_cgroups_relative_memory (kernel and kernelTCP left out: see
# "memory.kernel and kernelTCP: ignored"; swap only where swap accounting exists).
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [relative cgroupsPath: memory limit, reservation, swappiness]" {
	requires_cgroup cgroup_writable memory
	local id path dir limit=50593792 mount
	id=$(new_id)
	path=$(relative_path "$id")
	mount=$(cgroup_mount memory)
	res='{"limit": 50593792, "reservation": 50593792}'
	probe_is cgroup v2 || res=$(jq -c '. + {swappiness: 50, disableOOMKiller: true}' <<<"$res")
	[ ! -e "$mount/memory.memsw.limit_in_bytes" ] && ! probe_is cgroup v2 ||
		res=$(jq -c '. + {swap: 50593792}' <<<"$res")
	run_with_cgroup "$id" "$path" "{\"memory\": $res}"
	dir=$(cgroup_at "$id" memory "$path")
	if probe_is cgroup v2; then
		assert_file_has "$dir/memory.max" $limit
		assert_file_has "$dir/memory.low" $limit
		# config-linux.md "Memory": swap is memory plus swap; v2's memory.swap.max is swap only.
		assert_file_has "$dir/memory.swap.max" 0
	else
		assert_file_has "$dir/memory.limit_in_bytes" $limit
		assert_file_has "$dir/memory.soft_limit_in_bytes" $limit
		assert_file_has "$dir/memory.swappiness" 50
		assert_file_has "$dir/memory.oom_control" "oom_kill_disable 1"
		[ ! -e "$mount/memory.memsw.limit_in_bytes" ] || assert_file_has "$dir/memory.memsw.limit_in_bytes" $limit
	fi
}

# runtime-tools linux_cgroups_relative_cpus (on v2 shares become cpu.weight by
# runc's mapping, 1024 -> 39).
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [relative cgroupsPath: cpu shares, quota, period, cpuset]" {
	requires_cgroup cgroup_writable cpu cpuset
	local id path
	id=$(new_id)
	path=$(relative_path "$id")
	run_with_cgroup "$id" "$path" '{"cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}}'
	if probe_is cgroup v2; then
		dir=$(cgroup_at "$id" cpu "$path")
		assert_file_has "$dir/cpu.weight" 39
		assert_file_has "$dir/cpu.max" "50000 100000"
		assert_file_has "$dir/cpuset.cpus" 0
		assert_file_has "$dir/cpuset.mems" 0
	else
		dir=$(cgroup_at "$id" cpu "$path")
		assert_file_has "$dir/cpu.shares" 1024
		assert_file_has "$dir/cpu.cfs_quota_us" 50000
		assert_file_has "$dir/cpu.cfs_period_us" 100000
		dir=$(cgroup_at "$id" cpuset "$path")
		assert_file_has "$dir/cpuset.cpus" 0
		assert_file_has "$dir/cpuset.mems" 0
	fi
}

# runtime-tools linux_cgroups_relative_devices: deny all, then three allow rules;
# the device cgroup (v1 devices.list) has them and no longer allows everything.
# On v2 the device cgroup is an eBPF program with nothing to read back: the path only.
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [relative cgroupsPath: device allow list]" {
	local id path dir
	id=$(new_id)
	path=$(relative_path "$id")
	if probe_is cgroup v2; then
		requires_cgroup cgroup_writable
	else
		requires_cgroup cgroup_writable devices
	fi
	run_with_cgroup "$id" "$path" '{"devices": [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"},
		{"allow": true, "type": "b", "major": 8, "minor": 20, "access": "rw"},
		{"allow": true, "type": "b", "major": 10, "minor": 200, "access": "r"}]}'
	if probe_is cgroup v2; then
		dir=$(cgroup_at "$id" unified "$path")
		return
	fi
	dir=$(cgroup_at "$id" devices "$path")
	assert_file_has "$dir/devices.list" "c 10:229 rwm" "b 8:20 rw" "b 10:200 r"
	! grep -qx 'a \*:\* rwm' "$dir/devices.list" || fail "$dir/devices.list still allows every device"
}

# runtime-tools linux_cgroups_relative_hugetlb (a 2 GiB limit on 2 MB pages).
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [relative cgroupsPath: hugepage limit]" {
	requires_cgroup cgroup_writable hugetlb
	[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "requires 2MB huge pages (no /sys/kernel/mm/hugepages/hugepages-2048kB)"
	local id path
	id=$(new_id)
	path=$(relative_path "$id")
	run_with_cgroup "$id" "$path" '{"hugepageLimits": [{"pageSize": "2MB", "limit": 2147483648}]}'
	dir=$(cgroup_at "$id" hugetlb "$path")
	assert_file_has "$dir/$(cgroup_file hugetlb.2MB.limit_in_bytes hugetlb.2MB.max)" 2147483648
}

# runtime-tools linux_cgroups_relative_blkio (throttle rules; the weights are the case below).
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [relative cgroupsPath: blockIO throttle rules]" {
	blkio_throttle_case relative
}

# runtime-tools linux_cgroups_relative_blkio (weight and weightDevice).
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [relative cgroupsPath: blockIO weight]" {
	blkio_weight_case relative
}

# runtime-tools linux_cgroups_relative_network.
# bats test_tags=spec:must,req:config-linux:cgroups-path
@test "cgroups [relative cgroupsPath: network classID and priorities]" {
	network_case relative
}
