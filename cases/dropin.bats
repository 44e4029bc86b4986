#!/usr/bin/env bats
# box as a drop-in for runc: configs and command lines that runc 1.1 and crun 1.8
# both accept and that engines and people use, where the runtime-spec says little
# or nothing. Each case says what the spec does say; where it is silent the case
# is de-facto (what the runtimes do), and a runtime that departs from it is
# recorded in fixtures/expect/<runtime> with the reason.
load helpers.bash

setup() {
	common_setup
	requires run
}

teardown() {
	# Host state a case made for itself, before the leak check counts it.
	if [ -n "${T:-}" ] && [ -f "$T/host-mounts" ]; then
		tac "$T/host-mounts" | while read -r m; do umount -l "$m" || true; done
	fi
	if [ -n "${T:-}" ] && [ -f "$T/frozen-cgroup" ]; then
		thaw_and_remove "$(cat "$T/frozen-cgroup")"
	fi
	common_teardown
}

# host_mount ARGS... DIR: mount(8) ARGS on DIR on the host, unmounted in teardown.
host_mount() {
	mount "$@"
	echo "${*: -1}" >>"$T/host-mounts"
}

# open_to_container_root: the mapped root (a user namespace) reaches the bundle
# through the case's 0700 directories.
open_to_container_root() {
	local d=$BUNDLE
	while [ "$d" != / ] && [ "$d" != "${BATS_RUN_TMPDIR%/*}" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# config.md "Process": cwd is "the working directory that will be set for the
# executable"; nothing says who makes a missing one. runc and crun create it, in
# the rootfs, before root.readonly makes the rootfs read-only.
# bats test_tags=de-facto,req:config:process
@test "dropin [missing process.cwd on a read-only rootfs is created]" {
	update_config '.root.readonly = true | .process.cwd = "/oct-missing/deeper"'
	set_args sh -c 'pwd; touch /oct-probe 2>/dev/null && echo rootfs-writable || echo rootfs-read-only'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "/oct-missing/deeper
rootfs-read-only"
}

# config.md "Mounts": the runtime MUST mount the entries in the listed order,
# with their options. A read-only tmpfs on /dev with devpts, shm and mqueue
# beneath it: the later mountpoints must still be made (runc remounts /dev
# read-only after the others, crun every such mount); all of them end up mounted
# and /dev read-only.
# bats test_tags=de-facto,req:config:mounts
@test "dropin [read-only /dev with mounts beneath it]" {
	update_config '.mounts |= map(if .destination == "/dev" then .options += ["ro"] else . end)'
	set_args sh -c 'grep -E " /dev(/pts|/shm|/mqueue)? " /proc/self/mounts | cut -d" " -f2,4 | cut -d, -f1
		touch /dev/oct-probe 2>/dev/null && echo dev-writable || echo dev-read-only
		[ -c /dev/null ] && echo null-device'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_line "/dev ro"
	assert_line "/dev/pts rw"
	assert_line "/dev/shm rw"
	assert_line "/dev/mqueue rw"
	assert_line "dev-read-only"
	assert_line "null-device"
}

# config.md "Mounts": a bind mount is named by its options (bind, rbind) whatever
# the type (engines write "none" or leave it out). The host's /dev rbind-mounted:
# its nodes are the host's (no default devices made over them, none opened: the
# host's /dev/tty gives ENXIO to a process without a controlling terminal).
# bats test_tags=de-facto,req:config:mounts
@test "dropin [host /dev rbind-mounted, type none]" {
	update_config '.mounts |= map(if .destination == "/dev" then {destination: "/dev", type: "none",
		source: "/dev", options: ["rbind", "nosuid"]} else . end)
		| .mounts |= map(select(.destination | startswith("/dev/") | not))'
	set_args sh -c 'stat -c "%n %t:%T" /dev/tty /dev/null; echo x >/dev/null && echo null-writable'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_line "/dev/tty 5:0"
	assert_line "/dev/null 1:3"
	assert_line "null-writable"
}

# config.md "Mounts" (source of a bind mount) and config-linux.md "User namespace
# mappings": a bind source in a directory only the host's root may enter (0700),
# mounted in a container with its own user namespace, whose root is not the
# host's. runc (since 1.1) and crun open the source before the init enters the
# user namespace; the container sees the file and nothing more of the host.
# bats test_tags=de-facto,req:config:mounts
@test "dropin [bind source under a directory only root can enter, user namespace]" {
	requires_root "the source sits in a directory only the host's root can enter"
	requires ns_user
	mkdir -p "$T/private/shared"
	echo private-data >"$T/private/shared/file"
	chmod 0700 "$T/private"
	update_config --arg src "$T/private/shared" '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts += [{destination: "/oct-bind", type: "bind", source: $src, options: ["rbind", "ro"]}]'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	open_to_container_root
	set_args sh -c 'cat /oct-bind/file; touch /oct-bind/x 2>/dev/null && echo writable || echo read-only'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "private-data
read-only"
}

# make_nested_source: $T/rsrc with a tmpfs mounted on $T/rsrc/sub (a mount beneath
# the bind source, which only a recursive attribute reaches).
make_nested_source() {
	requires_root "the source's submount is a tmpfs mounted on the host"
	mkdir -p "$T/rsrc/sub"
	host_mount -t tmpfs oct-rro "$T/rsrc/sub"
	echo top >"$T/rsrc/file"
}

# config.md "Mounts" (runtime-spec 1.1 lists the recursive options `rro`, `rnosuid`,
# ... as mount_setattr(2) attributes set with AT_RECURSIVE; features.md
# "mountOptions" reports them): `rbind,rro` makes the bind and every mount under it
# read-only, where `ro` leaves the submounts writable. runc 1.1 and crun 1.8 both
# do.
# bats test_tags=de-facto,req:config:mounts
@test "dropin [rro: recursive read-only bind]" {
	make_nested_source
	update_config --arg src "$T/rsrc" '.mounts += [{destination: "/oct-rro", type: "bind", source: $src,
		options: ["rbind", "rro"]}]'
	set_args sh -c 'for d in /oct-rro /oct-rro/sub; do touch $d/x 2>/dev/null && echo $d rw || echo $d ro; done'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "/oct-rro ro
/oct-rro/sub ro"
}

# The same with `rnoexec,rnosuid` (any r* option is an attribute, not filesystem
# data): the submount gets them, as /proc/self/mounts shows.
# bats test_tags=de-facto,req:config:mounts
@test "dropin [rnosuid, rnoexec reach the submounts]" {
	make_nested_source
	update_config --arg src "$T/rsrc" '.mounts += [{destination: "/oct-rro", type: "bind", source: $src,
		options: ["rbind", "rnosuid", "rnoexec"]}]'
	set_args sh -c 'grep " /oct-rro/sub " /proc/self/mounts | cut -d" " -f4 | tr , "\n" | grep -Ex "nosuid|noexec" | sort'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "noexec
nosuid"
}

# `rro` on a fresh filesystem (tmpfs): an attribute of the mount, whatever its
# type. crun makes it read-only; runc 1.1 applies the r* options to binds only and
# leaves the tmpfs writable without a word (fixtures/expect/runc).
# bats test_tags=de-facto,req:config:mounts
@test "dropin [rro on a tmpfs]" {
	update_config '.mounts += [{destination: "/oct-tmp", type: "tmpfs", source: "tmpfs", options: ["rro"]}]'
	set_args sh -c 'touch /oct-tmp/x 2>/dev/null && echo rw || echo ro'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "ro"
}

# fd_call CMD ARGS...: the runtime with fds 3 and 4 open on $T/fd3 (read) and
# $T/fd4 (written), for --preserve-fds (rt closes fd 3). Like rt: under `ocitest
# reap`, so the leak check sees what it leaves, and its stdout and stderr through
# files (a created container holds them: a pipe to `run` would never end).
fd_call() {
	local rc=0
	echo fd3-data >"$T/fd3"
	: >"$T/fd4"
	# shellcheck disable=SC2154 # runtime_args is set by helpers.bash
	"$OCITEST" reap --record "$T/spawned" -- timeout --kill-after=5 "$RUNTIME_TIMEOUT" \
		"$RUNTIME" "${runtime_args[@]}" --root "$ROOT" "$@" </dev/null 3<"$T/fd3" 4>"$T/fd4" \
		>"$T/fd-call.out" 2>"$T/fd-call.err" || rc=$?
	cat "$T/fd-call.out"
	cat "$T/fd-call.err" >&2
	return "$rc"
}

# `run --preserve-fds N` (runc's command line): fds 3 .. 3+N-1 of the caller
# reach the process as the same numbers; the ones after them do not.
# bats test_tags=de-facto,req:cli:run
@test "dropin [run --preserve-fds]" {
	set_args sh -c 'cat <&3; [ -e /proc/self/fd/4 ] && echo fd4-open || echo fd4-closed'
	id=$(new_id)
	run --separate-stderr fd_call run --preserve-fds 1 --bundle "$BUNDLE" "$id"
	assert_success
	assert_output "fd3-data
fd4-closed"
	run --separate-stderr fd_call run --preserve-fds 2 --bundle "$BUNDLE" "$(new_id)"
	assert_success
	assert_output "fd3-data
fd4-open"
}

# `create --preserve-fds N`: the fds are held from create to start and reach the
# process then (the caller of create has long closed its copies).
# bats test_tags=de-facto,req:cli:create
@test "dropin [create --preserve-fds, then start]" {
	set_args sh -c 'cat <&3 >&4; echo done >&4'
	id=$(new_id)
	run --separate-stderr fd_call create --preserve-fds 2 --bundle "$BUNDLE" "$id"
	assert_success
	runtime -0 start "$id"
	wait_status "$id" stopped
	run cat "$T/fd4"
	assert_output "fd3-data
done"
}

# listen_call CMD ARGS...: fd_call with systemd socket activation set up for the
# runtime: LISTEN_FDS=2 and LISTEN_PID its own pid (a shell that execs it), fds 3
# and 4 open as in fd_call.
listen_call() {
	local rc=0
	echo fd3-data >"$T/fd3"
	: >"$T/fd4"
	# shellcheck disable=SC2016 # $$ and $@ are the inner shell's
	"$OCITEST" reap --record "$T/spawned" -- timeout --kill-after=5 "$RUNTIME_TIMEOUT" \
		sh -c 'LISTEN_PID=$$ LISTEN_FDS=2 exec "$@"' sh \
		"$RUNTIME" "${runtime_args[@]}" --root "$ROOT" "$@" </dev/null 3<"$T/fd3" 4>"$T/fd4" \
		>"$T/fd-call.out" 2>"$T/fd-call.err" || rc=$?
	cat "$T/fd-call.out"
	cat "$T/fd-call.err" >&2
	return "$rc"
}

# systemd socket activation (sd_listen_fds(3); the runtime-spec does not know it):
# started with LISTEN_FDS=N and LISTEN_PID its own pid, runc passes fds 3..3+N-1
# on to the process as the same numbers and sets LISTEN_FDS=N and LISTEN_PID=1 in
# its environment, so the process, pid 1 of its namespace, finds them.
# bats test_tags=de-facto,req:cli:run
@test "dropin [run with LISTEN_FDS: the sockets and LISTEN_FDS/LISTEN_PID reach the process]" {
	# shellcheck disable=SC2016 # expanded in the container
	set_args sh -c 'echo "LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID"; cat <&3; echo fd4-data >&4'
	run --separate-stderr listen_call run --bundle "$BUNDLE" "$(new_id)"
	assert_success
	assert_output "LISTEN_FDS=2 LISTEN_PID=1
fd3-data"
	run cat "$T/fd4"
	assert_output fd4-data
}

# `run --no-pivot` (runc's command line, for a rootfs pivot_root refuses: an
# initramfs): the container still runs in its rootfs, the host's / out of sight.
# bats test_tags=de-facto,req:cli:run
@test "dropin [run --no-pivot]" {
	echo oct-rootfs >"$BUNDLE/rootfs/oct-marker"
	set_args sh -c 'cat /oct-marker; [ -e /oct-marker ] && [ ! -e "'"$BUNDLE"'" ] && echo in-rootfs'
	id=$(new_id)
	runtime -0 run --no-pivot --bundle "$BUNDLE" "$id"
	assert_output "oct-rootfs
in-rootfs"
}

# mount_depth PID|self: `ocitest mount-root`'s depth for PID's mount namespace (or
# ours): how many mounts lie from "/" down to the namespace's root mount.
# Skips where the kernel has no statmount(2).
mount_depth() {
	local out rc=0
	if [ "$1" = self ]; then
		out=$("$OCITEST" mount-root) || rc=$?
	else
		out=$("$OCITEST" mount-root --pid "$1") || rc=$?
	fi
	[ "$rc" -ne 77 ] || skip "requires statmount(2) (Linux 6.8) to see under the container's root"
	[ "$rc" -eq 0 ] || fail "ocitest mount-root: exit $rc"
	sed -n 's/^depth=//p' <<<"$out"
}

# pivot_root(2), as runc and crun do by default: the rootfs becomes the mount
# right on the namespace's root mount, as deep as the host's "/" is in the host's
# namespace, and the host's root is no longer in the container's mount namespace.
# MS_MOVE + chroot would leave the old root under it (one mount deeper), reachable
# by a chroot escape. (setns(2), so nsenter, sees the rootfs either way.)
# bats test_tags=de-facto,req:config:root
@test "dropin [the rootfs replaces the old root (pivot_root), not a chroot over it]" {
	requires_root "ocitest mount-root joins the container's mount namespace from the host"
	local host
	host=$(mount_depth self)
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	create_container "$id"
	run mount_depth "$(container_process "$id")"
	assert_success
	[ "$output" -eq "$host" ] ||
		fail "$output mounts under the container's root, $host under the host's: the old root is still there (no pivot_root)"
}

# `create --no-pivot` (runc's command line): MS_MOVE of the rootfs onto / and
# chroot, which is what a rootfs on an initramfs needs; the old root stays beneath,
# one mount deeper than the host's root.
# bats test_tags=de-facto,req:cli:create
@test "dropin [create --no-pivot: the rootfs is moved over the old root and chrooted]" {
	requires_root "ocitest mount-root joins the container's mount namespace from the host"
	local host
	host=$(mount_depth self)
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	runtime -0 create --no-pivot --bundle "$BUNDLE" "$id"
	run mount_depth "$(container_process "$id")"
	assert_success
	[ "$output" -eq $((host + 1)) ] ||
		fail "$output mounts under the container's root, $host under the host's: want one more (the old root, under the moved rootfs)"
}

# thaw_and_remove DIR: thaw a frozen cgroup the case made and remove it (after
# killing whatever a runtime left in it, frozen).
thaw_and_remove() {
	local d=$1 deadline=$((SECONDS + 10))
	[ ! -f "$d/freezer.state" ] || echo THAWED >"$d/freezer.state"
	[ ! -f "$d/cgroup.freeze" ] || echo 0 >"$d/cgroup.freeze"
	[ ! -f "$d/cgroup.procs" ] || xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null || true
	while ! rmdir "$d" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
}

# config-linux.md "Cgroups path": the runtime joins an existing cgroup at
# cgroupsPath. When that cgroup is frozen, the init would freeze on joining it
# and `create` with it. runc refuses ("container's cgroup unexpectedly frozen");
# a runtime should too, at once and leaving nothing: no container, no process in
# the cgroup. crun 1.8 hangs (fixtures/expect/crun).
# bats test_tags=de-facto,req:config-linux:cgroups-path
@test "dropin [frozen cgroupsPath is refused]" {
	local name dir file state
	if probe_is cgroup v2; then
		requires_cgroup cgroup_writable
		dir=$(probe cgroup_v2_path)
		file=cgroup.freeze state=1
	else
		requires_cgroup freezer
		cgroup_v1_mount freezer
		dir=$CG_MNT
		file=freezer.state state=FROZEN
	fi
	name=oct-frozen-$$-$RANDOM
	watch_cgroup "$name"
	mkdir "$dir/$name"
	echo "$dir/$name" >"$T/frozen-cgroup"
	echo "$state" >"$dir/$name/$file"
	update_config --arg p "/$name" '.linux.cgroupsPath = $p'
	id=$(new_id)
	RUNTIME_TIMEOUT=10 runtime run --detach --bundle "$BUNDLE" "$id"
	assert_error "run -d with a frozen cgroupsPath" "frozen"
	runtime ! state "$id"
	[ ! -s "$dir/$name/cgroup.procs" ] || fail "processes left in the frozen cgroup: $(cat "$dir/$name/cgroup.procs")"
}

# `spec` (runc's command line): the config `runc spec` writes, which scripts edit
# and then `run` by hand: process.terminal true, root.readonly true, and a
# deny-all rule first in linux.resources.devices. No spec text: de-facto.
# bats test_tags=de-facto,req:cli:spec
@test "dropin [spec writes runc's defaults]" {
	requires op:spec
	mkdir "$T/spec"
	cd "$T/spec"
	runtime -0 spec
	run jq -cS '[.process.terminal, .root.readonly, .root.path, .linux.resources.devices[0]]' config.json
	assert_output '[true,true,"rootfs",{"access":"rwm","allow":false}]'
}

# config-linux.md "Unified": each key is a file of the container's cgroup v2
# directory, written as given; "The runtime MUST generate an error when the
# configuration refers to a cgroup controller that is not present". On a cgroup
# v2 host pids.max is applied; on a v1 or hybrid host (the pids controller on v1,
# none on the v2 hierarchy) create fails, naming the key or `unified`.
# bats test_tags=spec:must,req:config-linux:unified
@test "dropin [linux.resources.unified pids.max]" {
	requires_cgroup cgroup_writable
	update_config '.linux.resources.unified = {"pids.max": "42"}'
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	if ! probe_is cgroup v2; then
		runtime create --bundle "$BUNDLE" "$id"
		assert_error "unified pids.max on a $(probe cgroup) host" "unified|pids"
		runtime ! state "$id"
		return
	fi
	runtime -0 run --detach --bundle "$BUNDLE" "$id"
	run cat "$(cgroup_dir "$(container_process "$id")" unified)/pids.max"
	assert_output 42
}
