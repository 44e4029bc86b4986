#!/usr/bin/env bats
# The container's process as config.md "Process" describes it, seen from inside:
# `ocitest inside` compares its argv, environment, cwd, user, umask, capabilities,
# rlimits, noNewPrivileges and oomScoreAdj with the config and names the clause of
# each check (runtime-spec 1.0.2).
load helpers.bash

setup() {
	common_setup
	requires run
}

# config.md "Process": args (array of strings, REQUIRED) "with similar semantics
# to IEEE Std 1003.1-2008 execvp's argv".
# bats test_tags=spec:must,req:config:process
@test "process [args: argv in order]" {
	run_inside process
	assert_checked 'process.args is argv'
}

# config.md "Process": env (array of strings, OPTIONAL) "with the same semantics as
# IEEE Std 1003.1-2008's environ": the environment is exactly the list.
# bats test_tags=spec:must,req:config:process
@test "process [env: exactly the config's variables]" {
	update_config '.process.env += ["OCITEST_A=one", "OCITEST_B=two words", "OCITEST_EMPTY=", "OCITEST_EQ=a=b"]'
	run_inside process
	assert_checked 'process.env: every variable' 'process.env: no variable beyond'
}

# config.md "Process": cwd (string, REQUIRED) "is the working directory that will
# be set for the executable".
# bats test_tags=spec:must,req:config:process
@test "process [cwd]" {
	update_config '.process.cwd = "/root"'
	run_inside process
	assert_checked 'process.cwd is the working directory'
}

# config.md "User": uid and gid (REQUIRED) are the user and group IDs in the
# container namespace; additionalGids the supplementary groups.
# bats test_tags=spec:must,req:config:posix-platform-user
@test "process [user: uid, gid and additionalGids]" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20, 1001]}'
	run_inside process
	assert_checked 'user.uid is the real uid' 'user.uid is the effective uid' \
		'user.gid is the real gid' 'user.gid is the effective gid' 'user.additionalGids'
}

# config.md "User": umask (uint32, OPTIONAL) is the user's file mode creation mask.
# bats test_tags=spec:must,req:config:posix-platform-user
@test "process [user.umask]" {
	update_config '.process.user.umask = 63'
	run_inside process
	assert_checked 'user.umask is the umask'
}

# config.md "Process": capabilities (bounding, effective, inheritable, permitted,
# ambient) "are arrays that specify the set of capabilities of the process".
# As uid 0, execve(2) makes permitted and effective the bounding set (the file
# counts as fully privileged), so the three are given equal here.
# bats test_tags=spec:must,req:config:linux-process
@test "process [capabilities: root, every set]" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_AUDIT_WRITE"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_AUDIT_WRITE"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_AUDIT_WRITE"],
		"inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run_inside caps
	assert_checked 'capabilities.bounding' 'capabilities.effective' 'capabilities.permitted' \
		'capabilities.inheritable' 'capabilities.ambient'
}

# config.md "Process" capabilities, as a non-root user: what survives execve(2) is
# the ambient set (permitted and effective become it), so that is what the config
# asks for; bounding and inheritable are set apart from them.
# bats test_tags=spec:must,req:config:posix-platform-user
@test "process [capabilities: non-root user with ambient]" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
		"effective": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"permitted": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"inheritable": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"ambient": ["CAP_NET_BIND_SERVICE", "CAP_KILL"]}'
	run_inside caps
	assert_checked 'capabilities.bounding' 'capabilities.effective' 'capabilities.permitted' \
		'capabilities.inheritable' 'capabilities.ambient'
}

# A capability name the runtime does not know (a newer kernel's, or a typo): runc
# and crun run the container without it and warn; engines' default sets rely on
# that on older kernels. The spec is silent (config.md "Process" capabilities).
# bats test_tags=de-facto,req:config:process
@test "process [capabilities: an unknown name is ignored, the known ones set]" {
	requires run
	update_config '.process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_UNKNOWN"], "effective": ["CAP_KILL", "CAP_UNKNOWN"],
		"permitted": ["CAP_KILL", "CAP_UNKNOWN"]}'
	set_args sh -c 'grep -E "^Cap(Bnd|Eff)" /proc/self/status'
	runtime -0 run --bundle "$BUNDLE" "$(new_id)"
	# CAP_KILL is bit 5.
	assert_line -e '^CapBnd:[[:space:]]+0+20$'
	assert_line -e '^CapEff:[[:space:]]+0+20$'
}

# config.md "Process": rlimits; "the runtime MUST generate an error for any values
# which cannot be mapped" and sets each with setrlimit(2) (soft and hard).
# bats test_tags=spec:must,req:config:posix-process
@test "process [rlimits]" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
		{"type": "RLIMIT_MSGQUEUE", "soft": 8192, "hard": 16384}]'
	run_inside process
	assert_checked 'RLIMIT_NOFILE' 'RLIMIT_CORE' 'RLIMIT_MSGQUEUE'
}

# config.md "Process": noNewPrivileges "setting noNewPrivileges to true prevents the
# process from gaining additional privileges".
# bats test_tags=spec:must,req:config:linux-process
@test "process [noNewPrivileges true]" {
	update_config '.process.noNewPrivileges = true'
	run_inside process
	assert_checked 'noNewPrivileges'
}

# config.md "Process": noNewPrivileges left out: the process may gain privileges
# (the bit is not set).
# bats test_tags=spec:must,req:config:linux-process
@test "process [noNewPrivileges unset]" {
	update_config 'del(.process.noNewPrivileges)'
	run_inside process
	assert_checked 'noNewPrivileges'
}

# config.md "Process": oomScoreAdj "adjusts the oom-killer score in
# [pid]/oom_score_adj for the process's [pid] in a proc pseudo-filesystem".
# bats test_tags=spec:must,req:config:linux-process
@test "process [oomScoreAdj]" {
	update_config '.process.oomScoreAdj = 123'
	run_inside process
	assert_checked 'oomScoreAdj'
}

# config-linux.md "Seccomp": the profile is applied to the process (the kernel's
# filter mode, Seccomp: 2), and a SCMP_ACT_ERRNO rule returns errnoRet.
# bats test_tags=spec:must,req:config-linux:seccomp
@test "process [seccomp: filter mode, SCMP_ACT_ERRNO returns errnoRet]" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	run_inside seccomp
	assert_checked 'seccomp filter mode' 'mkdir'
}

# config-linux.md "Seccomp" left out: the process has no filter beyond the
# runtime's own.
# bats test_tags=spec:must,req:config-linux:seccomp
@test "process [no seccomp profile: no filter]" {
	run_inside seccomp
	assert_checked 'no seccomp filter'
}

# config.md "Process": env is the environment of the process, no more. The one
# exception every major runtime makes is HOME for a config without it (the next
# cases); nothing else may be added.
# bats test_tags=spec:must,req:config:process
@test "process [env without HOME: nothing added but HOME]" {
	update_config '.process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "OCITEST_ONLY=1"]'
	run_inside process
	assert_checked 'process.env: no variable beyond'
}

# The spec is silent on HOME; runc and crun set it, for a config without it, from
# the user's entry in the container's /etc/passwd (here uid 65534: /nonexistent),
# and programs rely on it.
# bats test_tags=de-facto,req:config:process
@test "process [env without HOME: HOME from the user's passwd entry]" {
	update_config '.process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] | .process.user = {uid: 65534, gid: 65534}'
	run_inside home
	assert_checked "HOME is the user's home"
}

# ... and "/" for a user with no passwd entry.
# bats test_tags=de-facto,req:config:process
@test "process [env without HOME: HOME is / for a uid not in passwd]" {
	update_config '.process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] | .process.user = {uid: 4242, gid: 4242}'
	run_inside home
	assert_checked "HOME is the user's home"
}

# A cwd that only root may enter (0700, owned by root) works for another user:
# runc and crun enter it before they drop privileges. The spec is silent.
# bats test_tags=de-facto,req:config:process
@test "process [cwd only root may enter, user 42: the process runs there]" {
	requires run
	mkdir -m 0700 "$BUNDLE/rootfs/private"
	update_config '.process.cwd = "/private" | .process.user = {uid: 42, gid: 42}'
	set_args sh -c 'echo "$(id -u) $PWD"'
	id=$(new_id)
	runtime -0 run --bundle "$BUNDLE" "$id"
	assert_output "42 /private"
}
