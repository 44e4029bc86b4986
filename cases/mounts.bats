#!/usr/bin/env bats
# config.md "Mounts", "Root" and config-linux.md "Rootfs Mount Propagation",
# "Masked Paths", "Readonly Paths", seen from inside: `ocitest inside` finds each
# mount by destination in /proc/self/mountinfo and checks its type and flags.
load helpers.bash

setup() {
	common_setup
	requires run
}

teardown() {
	# shared_rootfs's mount, before the leak check counts it
	if [ -n "${T:-}" ] && [ -f "$T/shared-rootfs" ]; then
		umount -l "$BUNDLE/rootfs" || true
	fi
	common_teardown
}

# shared_rootfs: make the bundle's rootfs a shared mount point of its own, so
# the propagation a runtime gives the container's / can be seen (on a host whose
# mounts are all private, slave and private look the same).
shared_rootfs() {
	requires_root "the case makes the rootfs a shared mount on the host"
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	touch "$T/shared-rootfs"
	mount --make-shared "$BUNDLE/rootfs"
}

# config.md "Mounts": the runtime MUST mount entries in the listed order; type is
# the filesystem type (proc).
# bats test_tags=spec:must,req:config:mounts
@test "mounts [proc]" {
	run_inside mounts
	assert_checked 'mount /proc is a mount point' 'mount /proc: type proc'
}

# config.md "Mounts": sysfs with options nosuid, noexec, nodev, ro (mount(8)).
# bats test_tags=spec:must,req:config:mounts
@test "mounts [sysfs read-only]" {
	# Rootless, a sysfs mount needs a network namespace of the user's: the
	# rootless base config binds /sys instead; here, sysfs with its own netns.
	if [ "$ROOTLESS" = 1 ]; then
		with_netns
		update_config '.mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "sysfs",
			source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]} else . end)'
	fi
	run_inside mounts
	assert_checked 'mount /sys: type sysfs' 'mount /sys: option ro ' 'mount /sys: option nosuid' \
		'mount /sys: option nodev' 'mount /sys: option noexec'
}

# config.md "Mounts": tmpfs with filesystem options (mode=, size=) and flags.
# bats test_tags=spec:must,req:config:mounts
@test "mounts [tmpfs with options]" {
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "noexec", "mode=1700", "size=1m"]}]'
	run_inside mounts
	assert_checked 'mount /scratch: type tmpfs' 'mount /scratch: option nosuid' \
		'mount /scratch: option nodev' 'mount /scratch: option noexec' \
		'mount /scratch: tmpfs mode=1700' 'mount /scratch: tmpfs size=1m' \
		'mount /dev: tmpfs mode=755' 'mount /dev: tmpfs size=65536k' \
		'mount /dev/shm: tmpfs mode=1777'
}

# config.md "Mounts": devpts (the base config's /dev/pts: nosuid, noexec).
# bats test_tags=spec:must,req:config:mounts
@test "mounts [devpts]" {
	run_inside mounts
	assert_checked 'mount /dev/pts: type devpts' 'mount /dev/pts: option nosuid' 'mount /dev/pts: option noexec'
}

# config.md "Mounts": mqueue (the base config's /dev/mqueue: nosuid, noexec, nodev).
# bats test_tags=spec:must,req:config:mounts
@test "mounts [mqueue]" {
	run_inside mounts
	assert_checked 'mount /dev/mqueue: type mqueue' 'mount /dev/mqueue: option nodev'
}

# config.md "Mounts": a bind mount with ro is read-only (the source cannot be seen
# from inside: that check is a skip).
# bats test_tags=spec:must,req:config:mounts
@test "mounts [bind read-only]" {
	mkdir "$T/src"
	update_config --arg s "$T/src" '.mounts += [{"destination": "/mnt/ro", "type": "bind", "source": $s,
		"options": ["rbind", "ro"]}]'
	run_inside mounts
	assert_checked 'mount /mnt/ro is a mount point' 'mount /mnt/ro: option ro '
}

# config.md "Mounts": a bind mount with rw is writable.
# bats test_tags=spec:must,req:config:mounts
@test "mounts [bind read-write]" {
	mkdir "$T/src"
	update_config --arg s "$T/src" '.mounts += [{"destination": "/mnt/rw", "type": "bind", "source": $s,
		"options": ["bind", "rw"]}]'
	run_inside mounts
	assert_checked 'mount /mnt/rw is a mount point' 'mount /mnt/rw: option rw'
}

# config.md "Mounts": options are those of mount(8); rbind binds the source with
# the mounts below it (a tmpfs mounted in the source shows up in the container).
# bats test_tags=spec:must,req:config:mounts
@test "mounts [rbind keeps submounts]" {
	requires_root "the case mounts a tmpfs on the host"
	mkdir -p "$T/src/sub"
	mount -t tmpfs -o size=1m ocitest-sub "$T/src/sub"
	update_config --arg s "$T/src" '.mounts += [{"destination": "/mnt/r", "type": "bind", "source": $s,
		"options": ["rbind"]}]'
	set_args sh -c 'grep -c " /mnt/r/sub " /proc/self/mountinfo'
	id=$(new_id)
	runtime run --bundle "$BUNDLE" "$id"
	umount "$T/src/sub"
	assert_equal "$status" 0
	assert_output 1
}

# config.md "Mounts": nosuid, nodev, noexec on a bind mount are per-mount flags.
# bats test_tags=spec:must,req:config:mounts
@test "mounts [bind with nosuid, nodev, noexec]" {
	mkdir "$T/src"
	update_config --arg s "$T/src" '.mounts += [{"destination": "/mnt/flags", "type": "bind", "source": $s,
		"options": ["rbind", "nosuid", "nodev", "noexec"]}]'
	run_inside mounts
	assert_checked 'mount /mnt/flags: option nosuid' 'mount /mnt/flags: option nodev' 'mount /mnt/flags: option noexec'
}

# cgroup_mount_run: run the bundle with the cgroup mount `runc spec` writes
# (/sys/fs/cgroup, read-only) and linux.resources.pids.limit 77. The process
# reports, one line each: whether /sys/fs/cgroup is a mount point, pids.max and
# whether its own pid 1 is in cgroup.procs where the pids controller shows up in
# it (pids/ on a v1 or hybrid host, the top on a v2 one), then the errors of a
# write to that pids.max and of a file created at the top of the mount.
cgroup_mount_run() {
	local d=/sys/fs/cgroup/pids id
	! probe_is cgroup v2 || d=/sys/fs/cgroup
	update_config '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		"options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}] | .linux.resources.pids.limit = 77'
	# shellcheck disable=SC2016 # expanded by the container's shell
	set_args sh -c 'd=$1
grep -q " /sys/fs/cgroup " /proc/self/mountinfo && echo "mounted: yes"
echo "pids.max: $(cat "$d/pids.max")"
grep -qx 1 "$d/cgroup.procs" && echo "cgroup.procs: has pid 1"
(echo 5 >"$d/pids.max") 2>&1
touch /sys/fs/cgroup/oct-file 2>&1
exit 0' sh "$d"
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
}

# assert_own_cgroup: what cgroup_mount_run reported is a mount of the container's
# own cgroup, read-only: the pids limit of its config and its own process.
assert_own_cgroup() {
	assert_line 'mounted: yes'
	assert_line 'pids.max: 77'
	assert_line 'cgroup.procs: has pid 1'
	assert_line --partial 'pids.max: Read-only file system'
}

# De-facto (runc, crun; config.md "Mounts" only says type is a filesystem type, and
# config-linux.md "Control groups" names the container's cgroup): a mount of type
# cgroup shows the container's own cgroups at its destination, with the mount's
# options. With a cgroup namespace: a new mount of each hierarchy, rooted at the
# namespace's root, which is the container's cgroup.
# bats test_tags=de-facto,req:config:posix-platform-mounts
@test "mounts [cgroup, with a cgroup namespace: the container's own cgroup, read-only]" {
	requires ns_cgroup
	requires_cgroup pids
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	cgroup_mount_run
	assert_own_cgroup
}

# De-facto, as above, without a cgroup namespace: the container's cgroup still sits
# at the root of the mount (runc and crun bind it from the host's hierarchy), not
# the host's whole tree.
# bats test_tags=de-facto,req:config:posix-platform-mounts
@test "mounts [cgroup, without a cgroup namespace: the container's own cgroup, read-only]" {
	requires_cgroup pids
	cgroup_mount_run
	assert_own_cgroup
}

# De-facto cgroup mount, config.md "Mounts": its options are those of mount(8), and
# ro makes all of it read-only, the top included (on a v1 or hybrid host the tmpfs
# that holds the hierarchies): creating a file there fails with EROFS.
# bats test_tags=de-facto,req:config:posix-platform-mounts
@test "mounts [cgroup read-only: nothing in it writable]" {
	requires_cgroup pids
	cgroup_mount_run
	assert_line --partial 'oct-file: Read-only file system'
}

# config.md "Root": readonly (bool, OPTIONAL) "If true then the root filesystem
# MUST be read-only inside the container".
# bats test_tags=spec:must,req:config:root
@test "root [readonly]" {
	update_config '.root.readonly = true'
	run_inside root
	assert_checked 'root.readonly: / is read-only'
}

# config.md "Root": readonly defaults to false: the root filesystem is writable.
# bats test_tags=spec:must,req:config:root
@test "root [read-write by default]" {
	update_config 'del(.root.readonly)'
	run_inside root
	assert_checked 'root.readonly: / is read-write'
}

# config-linux.md "Rootfs Mount Propagation": rootfsPropagation sets the
# rootfs's mount propagation: private (no shared:/master: on /).
# bats test_tags=spec:must,req:config-linux:rootfs-mount-propagation
@test "root [rootfsPropagation private]" {
	shared_rootfs
	update_config '.linux.rootfsPropagation = "private"'
	run_inside root
	assert_checked 'rootfsPropagation private'
}

# config-linux.md "Rootfs Mount Propagation": slave (master: on /).
# bats test_tags=spec:must,req:config-linux:rootfs-mount-propagation
@test "root [rootfsPropagation slave]" {
	shared_rootfs
	update_config '.linux.rootfsPropagation = "slave"'
	run_inside root
	assert_checked 'rootfsPropagation slave'
}

# config-linux.md "Rootfs Mount Propagation": shared (shared: on /).
# bats test_tags=spec:must,req:config-linux:rootfs-mount-propagation
@test "root [rootfsPropagation shared]" {
	shared_rootfs
	update_config '.linux.rootfsPropagation = "shared"'
	run_inside root
	assert_checked 'rootfsPropagation shared'
}

# config-linux.md "Rootfs Mount Propagation": unbindable is one of the values;
# `/` ends up unbindable. The rootfs bind that makes `/` a mount point cannot have
# an unbindable source (mount(2) EINVAL), so a runtime must apply it afterwards.
# bats test_tags=spec:must,req:config-linux:rootfs-mount-propagation
@test "root [rootfsPropagation unbindable]" {
	update_config '.linux.rootfsPropagation = "unbindable"'
	run_inside root
	assert_checked 'rootfsPropagation unbindable'
}

# config.md "Mounts": options are passed to mount(2) as data where they are not
# flags; the kernel ignores data on a bind. runc and crun accept tmpfs-style
# options on a bind (runtime-tools' mounts program and engines write them), and
# the bind is made.
# bats test_tags=de-facto,req:config:mounts
@test "mounts [bind with tmpfs-style options: accepted, the bind is made]" {
	mkdir -p "$T/bindsrc"
	echo bound >"$T/bindsrc/file"
	update_config --arg s "$T/bindsrc" '.mounts += [{"destination": "/mnt/bound", "type": "bind", "source": $s,
		"options": ["rbind", "mode=755", "size=1k"]}]'
	set_args cat /mnt/bound/file
	runtime -0 run --bundle "$BUNDLE" "$(new_id bindopts)"
	assert_output --partial bound
}

# config-linux.md "Masked Paths": "masks over the provided paths inside the
# container so that they cannot be read": files (kernel ones and one of the
# rootfs with content) read nothing, a directory shows nothing.
# bats test_tags=spec:must,req:config-linux:masked-paths
@test "paths [maskedPaths: files and a directory]" {
	echo secret >"$BUNDLE/rootfs/masked-file"
	mkdir "$BUNDLE/rootfs/masked-dir"
	echo secret >"$BUNDLE/rootfs/masked-dir/inside"
	update_config '.linux.maskedPaths = ["/proc/kcore", "/proc/timer_list", "/masked-file", "/masked-dir", "/no/such/path"]'
	run_inside paths
	assert_checked 'maskedPaths /masked-file reads nothing' 'maskedPaths /masked-dir \(directory\) shows nothing' \
		'maskedPaths /proc/timer_list reads nothing'
}

# config-linux.md "Readonly Paths": "sets the provided paths as readonly inside
# the container": on a read-only mount, and a file cannot be opened for writing.
# bats test_tags=spec:must,req:config-linux:readonly-paths
@test "paths [readonlyPaths: files and directories]" {
	mkdir "$BUNDLE/rootfs/ro-dir"
	echo data >"$BUNDLE/rootfs/ro-file"
	update_config '.linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger", "/ro-dir", "/ro-file"]'
	run_inside paths
	assert_checked 'readonlyPaths /proc/sys is on a read-only mount' 'readonlyPaths /ro-dir is on a read-only mount' \
		'readonlyPaths /ro-file is on a read-only mount' 'readonlyPaths /ro-file: open for writing fails with EROFS'
}
