#!/usr/bin/env bats
# config-linux.md "Namespaces", "User namespace mappings" and config.md
# "Hostname"/"Domainname", seen from inside: `ocitest inside` compares
# /proc/self/ns/* with the host's ids (the case writes them to /host-facts).
load helpers.bash

setup() {
	common_setup
	requires run
	with_netns
}

# config-linux.md "Namespaces": a listed type without path: "a new namespace
# MUST be created" for the container. The base config lists pid, network, ipc,
# uts and mount.
# bats test_tags=spec:must,req:config-linux:namespaces
@test "namespaces [new pid, network, ipc, uts, mount]" {
	run_inside ns
	assert_checked 'namespace pid is new' 'namespace network is new' 'namespace ipc is new' \
		'namespace uts is new' 'namespace mount is new'
}

# config-linux.md "Namespaces": cgroup listed: a new cgroup namespace.
# bats test_tags=spec:must,req:config-linux:namespaces
@test "namespaces [new cgroup]" {
	requires ns_cgroup
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	run_inside ns
	assert_checked 'namespace cgroup is new'
}

# config-linux.md "Namespaces": "If a namespace type is not specified in the
# namespaces array, the container MUST inherit the runtime namespace of that
# type": no network namespace, the host's network.
# bats test_tags=spec:must,req:config-linux:namespaces
@test "namespaces [network not listed: the host's]" {
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	run_inside ns
	assert_checked 'namespace network not listed' 'namespace cgroup not listed'
	# (Rootless, the user namespace is listed: the rootless base config's.)
	[ "$ROOTLESS" = 1 ] || assert_checked 'namespace user not listed'
}

# config-linux.md "Namespaces": the same, for ipc and uts (without a uts namespace
# the hostname cannot be set: it is left out).
# bats test_tags=spec:must,req:config-linux:namespaces
@test "namespaces [ipc and uts not listed: the host's]" {
	update_config '.linux.namespaces |= map(select(.type != "ipc" and .type != "uts")) | del(.hostname)'
	# Rootless, mqueue may be mounted only in an ipc namespace of the user's:
	# without one, the mount goes (it is not what the case is about).
	[ "$ROOTLESS" != 1 ] || update_config '.mounts |= map(select(.type != "mqueue"))'
	run_inside ns
	assert_checked 'namespace ipc not listed' 'namespace uts not listed'
}

# config-linux.md "Namespaces": path "the runtime MUST place the container process
# in the namespace associated with that path": a second container joins the first
# one's network namespace through /proc/PID/ns/net.
# bats test_tags=spec:must,req:config-linux:namespaces
@test "namespaces [join another container's network namespace by path]" {
	requires_root "joining a network namespace owned by another container's user namespace"
	local first pid
	first=$(new_id first)
	set_args sleep 60
	cp -a "$BUNDLE" "$T/first"
	runtime -0 create --bundle "$T/first" "$first"
	pid=$(container_process "$first")
	update_config --arg p "/proc/$pid/ns/net" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	run_inside ns -- "/proc/$pid/ns/net"
	assert_checked "namespace network is the one at /proc/$pid/ns/net"
}

# config-linux.md "User namespace mappings" and "Namespaces" (user): a new user
# namespace with uidMappings/gidMappings as /proc/self/uid_map and gid_map show
# them. The rootfs copy is owned by the mapped range.
# bats test_tags=spec:must,req:config-linux:user-namespace-mappings
@test "namespaces [user namespace with uidMappings and gidMappings]" {
	requires_root "chowns the rootfs to ids outside the user's own and its subordinate ranges"
	requires ns_user
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	inside_prepare ns,idmap
	chown -R 100000:200000 "$BUNDLE/rootfs"
	# The mapped root must reach its rootfs through the case's 0700 directories.
	local d=$BUNDLE
	while [ "$d" != / ] && [ "$d" != "${BATS_RUN_TMPDIR%/*}" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	inside_run
	assert_checked 'namespace user is new' 'uidMappings' 'gidMappings'
}

# config.md "Hostname": "the container's hostname as seen by processes running
# inside the container" (needs a uts namespace).
# bats test_tags=spec:must,req:config:hostname
@test "uts [hostname]" {
	update_config '.hostname = "oci-host"'
	run_inside uts
	assert_checked 'hostname'
}

# config.md "Domainname": "the container's domainname as seen by processes
# running inside the container".
# bats test_tags=spec:must,req:config:domainname
@test "uts [domainname]" {
	update_config '.domainname = "oci.example"'
	run_inside uts
	assert_checked 'domainname'
}
