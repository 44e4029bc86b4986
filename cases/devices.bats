#!/usr/bin/env bats
# config-linux.md "Default Devices", the /dev symbolic links, "Devices" and
# "Sysctl", seen from inside by `ocitest inside`.
load helpers.bash

setup() {
	common_setup
	requires run
}

# config-linux.md "Default Devices": "the runtime MUST supply" /dev/null, zero,
# full, random, urandom, tty (char devices with the kernel's numbers, 0666).
# bats test_tags=spec:must,req:config-linux:default-devices
@test "devices [default devices]" {
	run_inside devices
	local d
	for d in null zero full random urandom tty; do
		assert_checked "/dev/$d \\(" "/dev/$d mode 0666"
	done
}

# config-linux.md "Default File Systems" / runtime practice: /dev/fd, stdin,
# stdout, stderr link to /proc/self/fd, /dev/ptmx to pts/ptmx (runtime-spec
# config-linux.md "Devices": /dev/ptmx "a bind-mount or symlink of the
# container's /dev/pts/ptmx"; the fd links are de-facto, shared by runc and crun).
# bats test_tags=spec:must,req:config-linux:default-devices
@test "devices [/dev symlinks]" {
	run_inside devices
	assert_checked '/dev/fd \(' '/dev/stdin \(' '/dev/stdout \(' '/dev/stderr \(' '/dev/ptmx \('
}

# config-linux.md "Devices": devices "MUST be available in the container": path,
# type, major, minor, fileMode, uid, gid.
# bats test_tags=spec:must,req:config-linux:devices
@test "devices [linux.devices: char and block, mode and owner]" {
	requires_root "mknod of device nodes the host does not have (a user namespace may only bind the host's)"
	update_config '.linux.devices = [
		{"path": "/dev/ocitest-null", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 1, "gid": 2},
		{"path": "/dev/ocitest-loop", "type": "b", "major": 7, "minor": 200, "fileMode": 384, "uid": 0, "gid": 0}]'
	run_inside devices
	assert_checked '/dev/ocitest-null \(' '/dev/ocitest-null mode 0640' '/dev/ocitest-null owner' \
		'/dev/ocitest-loop \(' '/dev/ocitest-loop mode 0600' '/dev/ocitest-loop owner'
}

# config-linux.md "Devices": the listed devices MUST be available in the container,
# also under the deny-all rule (config-linux.md "Device allowlist") every engine
# writes first: the nodes are made after the container joined its device cgroup,
# so mknod must stay allowed there (runc's AllowedDevices "c *:* m", "b *:* m").
# bats test_tags=spec:must,req:config-linux:devices
@test "devices [linux.devices under a deny-all device cgroup]" {
	requires_cgroup cgroup_v1 devices
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]
		| .linux.devices = [{"path": "/dev/ocitest-null", "type": "c", "major": 1, "minor": 3, "fileMode": 438},
			{"path": "/dev/ocitest-loop", "type": "b", "major": 7, "minor": 200, "fileMode": 384}]'
	run_inside devices
	assert_checked '/dev/ocitest-null \(' '/dev/ocitest-loop \('
}

# config-linux.md "Sysctl": "allows kernel parameters to be modified at runtime
# for the container" (namespaced ones: net.* in the network namespace, kernel.shm*
# and kernel.msg* in the ipc one).
# bats test_tags=spec:must,req:config-linux:sysctl
@test "sysctl [net and ipc parameters]" {
	with_netns
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1",
		"kernel.msgmax": "4096", "net.ipv4.ping_group_range": "0 0"}'
	run_inside sysctl
	assert_checked 'net.ipv4.ip_forward' 'kernel.shm_rmid_forced' 'kernel.msgmax' 'net.ipv4.ping_group_range'
}
