#!/usr/bin/env bats
# The configs real engines hand a runtime (fixtures/engine/, recorded by
# ci/record-engine-configs: podman 4.3 through conmon, containerd 1.6's runc shim
# via ctr, and `runc spec`), each with its placeholders put back for the case's
# bundle: the lifecycle runs under it, `ocitest inside` holds the container to it
# (capability sets, masked and read-only paths, the seccomp profile, mounts,
# namespaces, devices), and its device cgroup (deny all, then the engine's allow
# list) refuses a device the list leaves out.
#
# What cannot be taken as recorded, and what the case puts instead (each a line of
# engine_config below; fixtures/engine/README.md has the placeholders):
# - cgroupsPath (@CGROUPS_PATH@): the engine's is below a parent cgroup of its own
#   (podman's libpod_parent, containerd's namespace) that the engine makes and
#   removes, not the runtime; the case gives "/ID", a cgroup the runtime makes and
#   must remove, as every other case of the suite.
# - a namespace path (@NS_PATH@, a network namespace an engine made): no such
#   namespace exists here; the entry keeps its type without path (a new one).
# - process.args: `ocitest inside` or the case's own program (an engine's is the
#   image's command); process.terminal false (`runc spec` asks for a terminal, which
#   needs a --console-socket: the subject of tty.bats, not of this file).
# - devices_case adds a bind mount (/oct-out) for its results: runc spec's root is
#   read-only.
# - podman's bind-mounted files (@USERDATA@: hostname, hosts, resolv.conf,
#   .containerenv, the /dev/shm directory): made empty in the case's directory.
load helpers.bash

# The stored configs are what podman and containerd hand a runtime as root (the
# host's device cgroup, engine capability sets, host paths): not rootless ones.
setup() {
	common_setup
	requires_root "the configs are the ones podman and containerd write as root"
}

# engine_config NAME: the bundle's config.json becomes fixtures/engine/NAME.json with
# the placeholders filled for this case (the replacements listed above). Sets $ID.
engine_config() {
	local f=$TOP/fixtures/engine/$1.json u=$T/userdata x
	[ -f "$f" ] || fail "no recorded config $f (ci/record-engine-configs)"
	ID=$(new_id "$1")
	mkdir -p "$u/shm" "$T/engine-root"
	for x in hostname hosts resolv.conf .containerenv; do : >"$u/$x"; done
	sed -e "s|@USERDATA@|$u|g" -e "s|@BUNDLE@|$BUNDLE|g" -e "s|@ROOTFS@|$BUNDLE/rootfs|g" \
		-e "s|@ENGINE_ROOT@|$T/engine-root|g" -e "s|@SHORT_ID@|${ID:0:12}|g" -e "s|@ID@|$ID|g" "$f" |
		jq --arg cg "/$ID" 'if .linux.cgroupsPath then .linux.cgroupsPath = $cg else . end
			| .linux.namespaces |= map(if .path == "@NS_PATH@" then del(.path) else . end)
			| .process.terminal = false' >"$BUNDLE/config.json" ||
		fail "fixtures/engine/$1.json: not JSON after the placeholders"
	! grep -q '@[A-Z_]*@' "$BUNDLE/config.json" ||
		fail "a placeholder left unfilled: $(grep -o '@[A-Z_]*@' "$BUNDLE/config.json" | sort -u | tr '\n' ' ')"
	# The suite's rootfs has no /etc/hostname etc.: mount points for the binds.
	for x in /etc/hostname /etc/hosts /etc/resolv.conf /run/.containerenv; do
		mkdir -p "$BUNDLE/rootfs${x%/*}"
		[ -e "$BUNDLE/rootfs$x" ] || : >"$BUNDLE/rootfs$x"
	done
}

# lifecycle_case NAME: create, state created, start, state running, kill KILL,
# state stopped, delete, state gone (runtime.md "Lifecycle", "Operations").
lifecycle_case() {
	engine_config "$1"
	set_args "${LONG_RUNNING[@]}"
	create_container "$ID"
	assert_status "$ID" created
	runtime -0 start "$ID"
	assert_status "$ID" running
	runtime -0 kill "$ID" KILL
	wait_status "$ID" stopped || fail "not stopped after SIGKILL: $(rt state "$ID" 2>&1)"
	assert_status "$ID" stopped
	runtime -0 delete "$ID"
	runtime ! state "$ID"
	assert_not_found "state after delete"
}

# inside_case NAME: every `ocitest inside` check under the engine's config passes,
# and the ones the config asks for were made. Two checks hold a container to what
# no runtime can give it here, and are left out (each failure shown all the same):
# - on cgroup v1 (and hybrid), `/sys/fs/cgroup` of type cgroup is a tmpfs with one
#   cgroup mount per hierarchy below it (runc's mountCgroupV1, crun, box): a v1
#   host has no single cgroup file system to mount there;
# - ambient capabilities not in the inheritable set (`runc spec` lists three ambient
#   ones and no inheritable set): capabilities(7), PR_CAP_AMBIENT_RAISE fails with
#   EPERM unless the capability is permitted and inheritable.
inside_case() {
	local excused='^$' bad f
	engine_config "$1"
	inside_prepare process,caps,root,mounts,paths,devices,ns,seccomp
	inside_run
	probe_is cgroup v2 || excused='^not ok [0-9]+ - mount /sys/fs/cgroup: type cgroup '
	jq -e '(.process.capabilities.ambient // []) - (.process.capabilities.inheritable // []) | length > 0' \
		"$BUNDLE/config.json" >/dev/null && excused+='|^not ok [0-9]+ - capabilities.ambient '
	bad=$(grep '^not ok' <<<"$output" | grep -Ev "$excused" || true)
	[ -z "$bad" ] || fail "checks failed under $1's config: $bad
$output"
	grep -E "$excused" <<<"$output" | grep '^not ok' | sed 's/^/excused: /' >&2 || true
	assert_checked 'mount /proc is a mount point' 'namespace pid is new' 'namespace mount is new'
	jq -e '.process.capabilities.bounding' "$BUNDLE/config.json" >/dev/null &&
		assert_checked 'capabilities.bounding is' 'capabilities.effective is' 'capabilities.permitted is'
	jq -e '.linux.seccomp' "$BUNDLE/config.json" >/dev/null && assert_checked 'seccomp filter mode'
	# Masked and read-only paths: each that exists here is checked (assert_checked
	# would take the first, which may be one this kernel has not).
	for f in maskedPaths readonlyPaths; do
		jq -e ".linux.$f | length > 0" "$BUNDLE/config.json" >/dev/null || continue
		grep -E "^ok [0-9]+ - $f /" <<<"$output" | grep -qv ' # SKIP ' ||
			fail "no $f entry of $1's config was checked: $(grep -E "$f" <<<"$output")"
	done
}

# devices_case NAME: the engine's device cgroup rules (linux.resources.devices: deny
# all first, then its allow list) are in force (config-linux.md "Allowed Device
# list"): a node the rules leave out (this host's disk, made in the rootfs by the
# case, opened for reading only) cannot be opened, /dev/null still can; on a v1 host
# the container's devices.list holds no "a *:* rwm" and every allow rule.
devices_case() {
	local dev dir rule
	requires_cgroup devices
	engine_config "$1"
	jq -e '.linux.resources.devices[0] | .allow == false and .access == "rwm" and (.type // "a") == "a"' \
		"$BUNDLE/config.json" >/dev/null || skip "$1's config has no deny-all device rule first"
	dev=$(for d in /sys/block/*; do case "${d##*/}" in loop* | ram* | zram*) continue ;; esac; cat "$d/dev"; break; done)
	[ -n "$dev" ] || skip "requires a block device on the host (none in /sys/block)"
	! jq -e --argjson ma "${dev%:*}" '.linux.resources.devices[] | select(.allow and (.type == "b" or .type == "a")
		and (.major == null or .major == $ma) and (.access | contains("r")))' "$BUNDLE/config.json" >/dev/null ||
		skip "$1's allow list allows block device $dev"
	mknod -m 0600 "$BUNDLE/rootfs/oct-denied" b "${dev%:*}" "${dev#*:}"
	# The results through a bind mount of the case's own (runc spec's root is read-only).
	mkdir -p "$T/out" "$BUNDLE/rootfs/oct-out"
	update_config --arg s "$T/out" '.mounts += [{destination: "/oct-out", type: "bind", source: $s, options: ["rbind", "rw"]}]'
	set_args sh -c '{ if true </oct-denied; then echo "denied: opened"; fi
		if : </dev/null && echo x >/dev/null; then echo "null: opened"; fi; } >/oct-out/result 2>&1
		echo ready >/oct-out/ready; while :; do sleep 1 & wait $!; done'
	create_container "$ID"
	runtime -0 start "$ID"
	wait_file "$T/out/ready" || fail "the container did not get to its checks"
	run -0 cat "$T/out/result"
	assert_line 'null: opened'
	refute_line 'denied: opened'
	assert_line -p "Operation not permitted"
	if ! probe_is cgroup v2; then
		dir=$(cgroup_dir "$(container_process "$ID")" devices) || fail "no devices cgroup for $ID"
		[ "$dir" != "$(cgroup_dir $$ devices)" ] || fail "the container runs in the caller's devices cgroup"
		! grep -qx 'a \*:\* rwm' "$dir/devices.list" || fail "$dir/devices.list allows every device"
		while read -r rule; do
			grep -qxF "$rule" "$dir/devices.list" || fail "allow rule '$rule' not in $dir/devices.list: $(cat "$dir/devices.list")"
		done < <(jq -r '.linux.resources.devices[] | select(.allow) | "\(.type // "a") \(.major // "*"):\(.minor // "*") \(.access)"' \
			"$BUNDLE/config.json")
	fi
}

# bats test_tags=spec:must,req:runtime:lifecycle
@test "engine-configs [podman: lifecycle]" {
	lifecycle_case podman
}

# bats test_tags=spec:must,req:config:linux-process
@test "engine-configs [podman: ocitest inside]" {
	inside_case podman
}

# bats test_tags=spec:must,req:config-linux:allowed-device-list
@test "engine-configs [podman: device cgroup denies what the allow list leaves out]" {
	devices_case podman
}

# bats test_tags=spec:must,req:runtime:lifecycle
@test "engine-configs [containerd: lifecycle]" {
	lifecycle_case containerd
}

# bats test_tags=spec:must,req:config:linux-process
@test "engine-configs [containerd: ocitest inside]" {
	inside_case containerd
}

# bats test_tags=spec:must,req:config-linux:allowed-device-list
@test "engine-configs [containerd: device cgroup denies what the allow list leaves out]" {
	devices_case containerd
}

# bats test_tags=spec:must,req:runtime:lifecycle
@test "engine-configs [runc spec: lifecycle]" {
	lifecycle_case runc-spec
}

# bats test_tags=spec:must,req:config:linux-process
@test "engine-configs [runc spec: ocitest inside]" {
	inside_case runc-spec
}

# bats test_tags=spec:must,req:config-linux:allowed-device-list
@test "engine-configs [runc spec: device cgroup denies what the allow list leaves out]" {
	devices_case runc-spec
}
