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
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	touch "$T/shared-rootfs"
	mount --make-shared "$BUNDLE/rootfs"
}

# config.md "Mounts": the runtime MUST mount entries in the listed order; type is
# the filesystem type (proc).
# bats test_tags=spec:must
@test "mounts [proc]" {
	run_inside mounts
	assert_checked 'mount /proc is a mount point' 'mount /proc: type proc'
}

# config.md "Mounts": sysfs with options nosuid, noexec, nodev, ro (mount(8)).
# bats test_tags=spec:must
@test "mounts [sysfs read-only]" {
	run_inside mounts
	assert_checked 'mount /sys: type sysfs' 'mount /sys: option ro ' 'mount /sys: option nosuid' \
		'mount /sys: option nodev' 'mount /sys: option noexec'
}

# config.md "Mounts": tmpfs with filesystem options (mode=, size=) and flags.
# bats test_tags=spec:must
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
# bats test_tags=spec:must
@test "mounts [devpts]" {
	run_inside mounts
	assert_checked 'mount /dev/pts: type devpts' 'mount /dev/pts: option nosuid' 'mount /dev/pts: option noexec'
}

# config.md "Mounts": mqueue (the base config's /dev/mqueue: nosuid, noexec, nodev).
# bats test_tags=spec:must
@test "mounts [mqueue]" {
	run_inside mounts
	assert_checked 'mount /dev/mqueue: type mqueue' 'mount /dev/mqueue: option nodev'
}

# config.md "Mounts": a bind mount with ro is read-only (the source cannot be seen
# from inside: that check is a skip).
# bats test_tags=spec:must
@test "mounts [bind read-only]" {
	mkdir "$T/src"
	update_config --arg s "$T/src" '.mounts += [{"destination": "/mnt/ro", "type": "bind", "source": $s,
		"options": ["rbind", "ro"]}]'
	run_inside mounts
	assert_checked 'mount /mnt/ro is a mount point' 'mount /mnt/ro: option ro '
}

# config.md "Mounts": a bind mount with rw is writable.
# bats test_tags=spec:must
@test "mounts [bind read-write]" {
	mkdir "$T/src"
	update_config --arg s "$T/src" '.mounts += [{"destination": "/mnt/rw", "type": "bind", "source": $s,
		"options": ["bind", "rw"]}]'
	run_inside mounts
	assert_checked 'mount /mnt/rw is a mount point' 'mount /mnt/rw: option rw'
}

# config.md "Mounts": options are those of mount(8); rbind binds the source with
# the mounts below it (a tmpfs mounted in the source shows up in the container).
# bats test_tags=spec:must
@test "mounts [rbind keeps submounts]" {
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
# bats test_tags=spec:must
@test "mounts [bind with nosuid, nodev, noexec]" {
	mkdir "$T/src"
	update_config --arg s "$T/src" '.mounts += [{"destination": "/mnt/flags", "type": "bind", "source": $s,
		"options": ["rbind", "nosuid", "nodev", "noexec"]}]'
	run_inside mounts
	assert_checked 'mount /mnt/flags: option nosuid' 'mount /mnt/flags: option nodev' 'mount /mnt/flags: option noexec'
}

# config.md "Root": readonly (bool, OPTIONAL) "If true then the root filesystem
# MUST be read-only inside the container".
# bats test_tags=spec:must
@test "root [readonly]" {
	update_config '.root.readonly = true'
	run_inside root
	assert_checked 'root.readonly: / is read-only'
}

# config.md "Root": readonly defaults to false: the root filesystem is writable.
# bats test_tags=spec:must
@test "root [read-write by default]" {
	update_config 'del(.root.readonly)'
	run_inside root
	assert_checked 'root.readonly: / is read-write'
}

# config-linux.md "Rootfs Mount Propagation": rootfsPropagation sets the
# rootfs's mount propagation: private (no shared:/master: on /).
# bats test_tags=spec:must
@test "root [rootfsPropagation private]" {
	shared_rootfs
	update_config '.linux.rootfsPropagation = "private"'
	run_inside root
	assert_checked 'rootfsPropagation private'
}

# config-linux.md "Rootfs Mount Propagation": slave (master: on /).
# bats test_tags=spec:must
@test "root [rootfsPropagation slave]" {
	shared_rootfs
	update_config '.linux.rootfsPropagation = "slave"'
	run_inside root
	assert_checked 'rootfsPropagation slave'
}

# config-linux.md "Rootfs Mount Propagation": shared (shared: on /).
# bats test_tags=spec:must
@test "root [rootfsPropagation shared]" {
	shared_rootfs
	update_config '.linux.rootfsPropagation = "shared"'
	run_inside root
	assert_checked 'rootfsPropagation shared'
}

# config-linux.md "Masked Paths": "masks over the provided paths inside the
# container so that they cannot be read": files (kernel ones and one of the
# rootfs with content) read nothing, a directory shows nothing.
# bats test_tags=spec:must
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
# bats test_tags=spec:must
@test "paths [readonlyPaths: files and directories]" {
	mkdir "$BUNDLE/rootfs/ro-dir"
	echo data >"$BUNDLE/rootfs/ro-file"
	update_config '.linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger", "/ro-dir", "/ro-file"]'
	run_inside paths
	assert_checked 'readonlyPaths /proc/sys is on a read-only mount' 'readonlyPaths /ro-dir is on a read-only mount' \
		'readonlyPaths /ro-file is on a read-only mount' 'readonlyPaths /ro-file: open for writing fails with EROFS'
}
