#!/usr/bin/env bats
# `run` (create + start, de-facto: runc, crun, youki). The process's view of its
# config (args, env, cwd, user, hostname) is checked through its output.
load helpers.bash

setup() {
	common_setup
	requires run
}

# bats test_tags=de-facto,req:cli:run
@test "run [foreground: output, exit code, container removed]" {
	set_args sh -c 'echo hello from $0; exit 7' ocitest
	id=$(new_id)
	runtime -7 run --bundle "$BUNDLE" "$id"
	assert_output "hello from ocitest"
	runtime ! state "$id"
}

# config.md "Process": env MUST be set exactly as given.
# bats test_tags=spec:must,req:config:process
@test "run [process.env]" {
	update_config '.process.env += ["OCITEST_A=one", "OCITEST_B=two words"]'
	set_args env
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	while read -r kv; do
		assert_line "$kv"
	done < <(jq -r '.process.env[]' "$BUNDLE/config.json")
}

# config.md "Process": cwd is the working directory of the process.
# bats test_tags=spec:must,req:config:process
@test "run [process.cwd]" {
	update_config '.process.cwd = "/var/tmp"'
	set_args pwd
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "/var/tmp"
}

# config.md "User": uid and gid of the process.
# bats test_tags=spec:must,req:config:posix-platform-user
@test "run [process.user uid and gid]" {
	update_config '.process.user = {"uid": 65534, "gid": 65534}'
	set_args sh -c 'echo "$(id -u):$(id -g)"'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "65534:65534"
}

# config.md "Hostname": set in the container's UTS namespace.
# bats test_tags=spec:must,req:config:hostname
@test "run [hostname in a new uts namespace]" {
	update_config '.hostname = "oct-host"'
	set_args hostname
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "oct-host"
	[ "$(hostname)" != oct-host ] || fail "the host's hostname was changed"
}

# config.md "Process": args[0] is looked up in the PATH of process.env.
# bats test_tags=spec:must,req:config:process
@test "run [process.args resolved through PATH]" {
	set_args busybox echo via-path
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "via-path"
}

# bats test_tags=de-facto,req:cli:run
@test "run [--detach: running until killed]" {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	runtime -0 run --detach --bundle "$BUNDLE" "$id"
	assert_status "$id" running --pid-alive --bundle "$BUNDLE"
	wait_file "$BUNDLE/rootfs/ready"
	runtime -0 kill "$id" KILL
	wait_status "$id" stopped
	runtime -0 delete "$id"
}

# config.md "Root": readonly makes the root filesystem read-only.
# bats test_tags=spec:must,req:config:root
@test "run [root.readonly]" {
	update_config '.root.readonly = true'
	set_args sh -c 'touch /probe-file 2>/dev/null && echo writable || echo readonly'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "readonly"
	[ ! -e "$BUNDLE/rootfs/probe-file" ]
}

# config.md "Mounts": proc and a tmpfs appear in the container, not on the host.
# bats test_tags=spec:must,req:config:mounts
@test "run [mounts: proc and tmpfs inside only]" {
	update_config '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	set_args sh -c 'grep -E " /(proc|mnt) " /proc/self/mounts | cut -d" " -f2,3'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_line "/proc proc"
	assert_line "/mnt tmpfs"
}

# bats test_tags=de-facto,req:cli:run
@test "run [bind mount of a host directory, ro]" {
	mkdir -p "$T/host-dir" "$BUNDLE/rootfs/data"
	echo from-host >"$T/host-dir/file"
	update_config --arg src "$T/host-dir" \
		'.mounts += [{"destination": "/data", "type": "bind", "source": $src, "options": ["rbind", "ro"]}]'
	set_args sh -c 'cat /data/file; echo x > /data/new 2>/dev/null && echo writable || echo readonly'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_line "from-host"
	assert_line "readonly"
	[ ! -e "$T/host-dir/new" ]
}
