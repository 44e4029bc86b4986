#!/usr/bin/env bats
# Requirements of runtime-tools validation programs that no other file checked
# (fixtures/conformance-map.tsv names the program each case stands for): the
# config read at create and never again, a namespace path of the wrong type,
# apparmorProfile, an rlimit the kernel has no such name for.
load helpers.bash

# runtime.md "Lifecycle" step 2: "The runtime MUST create the runtime environment
# according to the configuration in config.json ... Any updates to config.json after
# this step MUST NOT affect the container." The bundle's config.json is replaced by a
# bare {"ociVersion": "1.0.0"} between create and start (runtime-tools
# config_updates_without_affect); start must still run the created process, under
# what the first config asked for, checked by `ocitest inside` (its TAP to /result).
# (rootfsPropagation is in the config as upstream has it; how it is honoured is
# mounts.bats' "rootfsPropagation" cases, not asserted here.)
# bats test_tags=spec:must,req:runtime:lifecycle
@test "upstream [config.json replaced after create: start runs what create set up]" {
	local id rootfs masked=/proc/kcore
	# runtime-tools masks /proc/kcore; a kernel without CONFIG_PROC_KCORE has none.
	[ -e /proc/kcore ] || masked=/proc/keys
	update_config --arg m "$masked" '.linux.maskedPaths += [$m] | .linux.readonlyPaths += ["/proc/fs"]
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"} | .process.oomScoreAdj = 100
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024}]
		| .linux.rootfsPropagation = "shared"'
	with_netns
	inside_prepare process,paths,sysctl,root
	update_config '.process.args = ["sh", "-c", ($a | join(" ")) + " >/result 2>&1; echo $? >/result.rc"]' \
		--argjson a "$(jq -c '.process.args' "$BUNDLE/config.json")"
	cp "$BUNDLE/config.json" "$BUNDLE/rootfs/config.json.full"
	id=$(new_id)
	create_container "$id"
	echo '{"ociVersion": "1.0.0"}' >"$BUNDLE/config.json"
	runtime -0 start "$id"
	wait_status "$id" stopped 20 || fail "the container did not stop: $(rt state "$id" 2>&1)"
	rootfs=$BUNDLE/rootfs
	[ -f "$rootfs/result.rc" ] || fail "the created process did not run (no /result.rc): $(cat "$rootfs/result" 2>&1)"
	output=$(cat "$rootfs/result")
	grep -qE '^[0-9]+ passed, [0-9]+ failed' <<<"$output" || fail "ocitest inside did not run to its end: $output"
	assert_checked "maskedPaths $masked" 'readonlyPaths /proc/fs' 'net.ipv4.ip_forward' \
		'oomScoreAdj' 'RLIMIT_NOFILE'
	runtime -0 delete "$id"
}

# config-linux.md "Namespaces": path is "the namespace file"; "the runtime MUST
# generate an error if path is not associated with a namespace of type type". For
# each type, a path to this shell's namespace of another type (runtime-tools
# linux_ns_path_type: the same pairs): create fails and leaves no container.
# bats test_tags=spec:must,req:config-linux:namespaces
@test "upstream [namespace path of another type: create fails]" {
	local pair type wrong id cfg
	cp "$BUNDLE/config.json" "$T/base.json"
	for pair in cgroup:ipc ipc:mnt mount:net network:pid pid:user user:uts uts:cgroup; do
		type=${pair%:*} wrong=${pair#*:}
		[ -e "/proc/$$/ns/$wrong" ] || skip "this host has no $wrong namespace file (/proc/$$/ns/$wrong)"
		cfg=$(jq --arg t "$type" --arg p "/proc/$$/ns/$wrong" \
			'.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{type: $t, path: $p}])' "$T/base.json")
		# A user namespace joined by path takes its mappings from there: none in the config.
		[ "$type" != user ] || cfg=$(jq 'del(.linux.uidMappings, .linux.gidMappings)' <<<"$cfg")
		printf '%s\n' "$cfg" >"$BUNDLE/config.json"
		set_args true
		id=$(new_id nstype)
		create_fails "$type namespace at /proc/$$/ns/$wrong" "$id"
	done
}

# config.md "Linux Process": apparmorProfile "specifies the name of the AppArmor
# profile for the process" (runtime-tools linux_process_apparmor_profile): the
# process runs confined by it. A profile of the suite's own is loaded for the case
# and removed after; on a host without AppArmor there is nothing to check.
# bats test_tags=spec:must,req:config:linux-process
@test "upstream [apparmorProfile: the process runs under the profile]" {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
		skip "AppArmor is not enabled on this host (/sys/module/apparmor/parameters/enabled: $(cat /sys/module/apparmor/parameters/enabled 2>&1))"
	command -v apparmor_parser >/dev/null || skip "apparmor_parser is not installed (a profile cannot be loaded)"
	local prof=ocitest_secure_profile
	printf 'profile %s flags=(attach_disconnected,mediate_deleted) {\n  file,\n  capability,\n  mount,\n  umount,\n  pivot_root,\n  signal,\n  ptrace,\n  network,\n}\n' \
		"$prof" >"$T/apparmor.profile"
	apparmor_parser -r "$T/apparmor.profile" || fail "apparmor_parser could not load the case's profile"
	echo "$T/apparmor.profile" >"$T/apparmor-loaded"
	update_config --arg p "$prof" '.process.apparmorProfile = $p'
	set_args cat /proc/self/attr/current
	runtime -0 run --bundle "$BUNDLE" "$(new_id)"
	assert_output "$prof (enforce)"
}

teardown() {
	local rc=0
	common_teardown || rc=$?
	[ ! -f "${T:-/nonexistent}/apparmor-loaded" ] || apparmor_parser -R "$(cat "$T/apparmor-loaded")" || true
	return "$rc"
}

# config.md "POSIX process": rlimits type "the platform resource being limited";
# "the runtime MUST generate an error for any values which cannot be mapped to a
# relevant kernel interface" (runtime-tools process_rlimits_fail: RLIMIT_TEST).
# The process is the runtime's to apply at create or at start (runtime.md "Create").
# bats test_tags=spec:must,req:config:posix-process
@test "upstream [rlimit of a type the kernel has not: an error]" {
	update_config '.process.rlimits = [{"type": "RLIMIT_TEST", "soft": 1024, "hard": 1024}]'
	set_args true
	create_or_start_fails "rlimit RLIMIT_TEST" "$(new_id)" 'rlimit|RLIMIT_TEST'
}
