#!/usr/bin/env bats
# Security: what a container must not be able to do to the host, and what the
# runtime must not expose. Each case acts as an attacker would (a symlink in the
# image, a setuid program, a process holding the runtime's binary) and checks the
# effect on the host, not only the configuration.
load helpers.bash

# The capabilities runc gives a container by default (runc spec), without
# CAP_MKNOD, CAP_NET_RAW and CAP_SYS_CHROOT: what is left out is what is checked.
CAPS='["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_KILL", "CAP_AUDIT_WRITE"]'
# Their bits (capability.h numbers), for /proc/self/status: 0 1 3 4 5 6 7 8 10 29 31.
CAPS_MASK=$(((1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) |
	(1 << 10) | (1 << 29) | (1 << 31)))

# with_caps: the process gets $CAPS as its bounding, effective and permitted sets,
# and no inheritable or ambient ones.
with_caps() {
	update_config --argjson caps "$CAPS" '.process.capabilities = {"bounding": $caps, "effective": $caps,
		"permitted": $caps, "inheritable": [], "ambient": []}'
}

teardown() {
	# The second --root of the id traversal case.
	if [ -n "${T:-}" ] && [ -d "$T/other-root" ]; then
		local dir
		for dir in "$T/other-root"/*; do
			[ -e "$dir" ] || continue
			ROOT=$T/other-root rt delete --force "${dir##*/}" >/dev/null 2>&1 || true
		done
	fi
	common_teardown
}

# run_script ID SCRIPT: run the bundle with `sh -c SCRIPT` in the foreground;
# its stdout in $output. The script's exit status is the case's to judge.
run_script() {
	set_args sh -c "$2"
	runtime run --bundle "$BUNDLE" "$1"
}

# config.md "Mounts": destination "MUST be an absolute path ... in the container".
# A symlink in the image must not lead a mount (or the directories made for it)
# out of the rootfs: /escape-abs -> $T/outside (absolute) and /escape-rel ->
# ../../../..$T/outside (climbing above /). The runtime either resolves them in
# the rootfs, as the container would, or refuses the config; the host's
# directories stay untouched either way.
# bats test_tags=spec:must,req:config:mounts
@test "security [a mount destination through a symlink stays in the rootfs]" {
	local id pid rel
	mkdir -p "$T/outside" "$T/outside2"
	touch "$T/outside/marker" "$T/outside2/marker"
	ln -s "$T/outside" "$BUNDLE/rootfs/escape-abs"
	rel=$(printf '../%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
	ln -s "${rel%/}$T/outside2" "$BUNDLE/rootfs/escape-rel"
	update_config '.mounts += [
		{"destination": "/escape-abs/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
		{"destination": "/escape-rel/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	set_args sleep 600
	id=$(new_id)
	runtime create --bundle "$BUNDLE" "$id"
	if [ "$status" -eq 0 ]; then
		# Mounted: in the rootfs, where the container's own lookup leads.
		pid=$(container_process "$id")
		grep -q " $T/outside/sub .* - tmpfs " "/proc/$pid/mountinfo" ||
			fail "no tmpfs at the in-rootfs resolution of /escape-abs/sub: $(cat "/proc/$pid/mountinfo")"
		grep -q " $T/outside2/sub .* - tmpfs " "/proc/$pid/mountinfo" ||
			fail "no tmpfs at the in-rootfs resolution of /escape-rel/sub: $(cat "/proc/$pid/mountinfo")"
	else
		assert_error "a mount destination through a symlink out of the rootfs"
		runtime ! state "$id"
	fi
	# The host side: nothing made, nothing mounted, nothing removed.
	[ "$(ls -A "$T/outside")" = marker ] ||
		fail "the runtime changed the host directory the symlink points at: $(ls -lA "$T/outside")"
	[ "$(ls -A "$T/outside2")" = marker ] ||
		fail "the runtime changed the host directory the relative symlink climbs to: $(ls -lA "$T/outside2")"
	! grep -q " $T/outside" /proc/self/mountinfo || fail "a mount appeared on the host under $T/outside"
}

# config-linux.md "Mount Label": an SELinux context for the container's mounts. On a
# host without SELinux there is nothing to label; runc and crun run the container.
# bats test_tags=de-facto,req:config-linux:mount-label
@test "security [mountLabel without SELinux: accepted]" {
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled on this host"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	set_args true
	runtime -0 run --bundle "$BUNDLE" "$(new_id label)"
}

# config-linux.md "Masked Paths": "masks over the provided paths inside the
# container so that they cannot be read". The default list of runc and crun; of
# it, the paths this host has are checked, and at least one of them has content
# on the host (so an unmasked one would be seen).
# bats test_tags=spec:must,req:config-linux:masked-paths
@test "security [masked paths cannot be read]" {
	requires run
	local p id files="" seen=""
	for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
		[ -f "$p" ] || continue
		files+=" $p"
		[ "$(head -c 64 "$p" 2>/dev/null | wc -c)" -eq 0 ] || seen+=" $p"
	done
	[ -d /sys/firmware ] && [ -n "$(ls -A /sys/firmware)" ] && seen+=" /sys/firmware"
	[ -n "$seen" ] || skip "requires one of the masked paths with content on this host"
	with_caps
	update_config '.linux.maskedPaths = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
			"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
			"/sys/firmware", "/proc/scsi"]'
	id=$(new_id)
	update_config --arg f "$files" '.process.env += ["FILES=" + $f]'
	run_script "$id" 'for f in $FILES; do echo "read $f $(head -c 64 "$f" 2>/dev/null | wc -c)"; done
		echo "list /sys/firmware $(ls -A /sys/firmware 2>/dev/null | wc -l)"'
	# shellcheck disable=SC2154 # $stderr is set by bats `run`
	[ "$status" -eq 0 ] || fail "the container failed (exit $status): $output $stderr"
	for p in $files; do
		grep -qx "read $p 0" <<<"$output" || fail "$p is readable in the container: $(grep " $p" <<<"$output")"
	done
	grep -qx 'list /sys/firmware 0' <<<"$output" ||
		fail "/sys/firmware lists entries in the container: $(grep firmware <<<"$output")"
}

# config-linux.md "Readonly Paths": "set the provided paths as readonly inside the
# container". Opening for writing (`: >>`, which writes nothing, so even a broken
# runtime cannot make this case change the host) must fail with EROFS. Of the
# files below the default list, those this host has are checked.
# bats test_tags=spec:must,req:config-linux:readonly-paths
@test "security [readonly paths cannot be written]" {
	requires_root "/proc/sys belongs to the host's root, unmapped in a user namespace: EACCES comes before EROFS"
	requires run
	local p id files=""
	for p in /proc/sys/kernel/hostname /proc/sys/vm/overcommit_memory /proc/sysrq-trigger \
		/proc/irq/default_smp_affinity; do
		[ ! -f "$p" ] || files+=" $p"
	done
	[ -n "$files" ] || skip "requires a file under the default readonlyPaths on this host"
	with_caps
	update_config '.linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]'
	id=$(new_id)
	update_config --arg f "$files" '.process.env += ["FILES=" + $f]'
	run_script "$id" 'for f in $FILES; do
		if err=$( (: >>"$f") 2>&1); then echo "writable $f"; else echo "refused $f: $err"; fi
	done'
	[ "$status" -eq 0 ] || fail "the container failed (exit $status): $output $stderr"
	for p in $files; do
		grep -q "^refused $p: .*[Rr]ead-only file system" <<<"$output" ||
			fail "$p can be opened for writing in the container: $(grep " $p" <<<"$output")"
	done
}

# config.md "Process" capabilities: the sets are what the config lists, so a
# capability it leaves out is absent: no bit beyond the list in any set, and the
# operations it guards fail (mknod without CAP_MKNOD, chroot without
# CAP_SYS_CHROOT, mount and sethostname without CAP_SYS_ADMIN), while one the
# list grants (chown, CAP_CHOWN) works.
# bats test_tags=spec:must,req:config:linux-process
@test "security [capabilities outside the config are absent]" {
	requires run
	local id set hex
	with_caps
	id=$(new_id)
	run_script "$id" 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status
		try() { if "$@" >/dev/null 2>&1; then echo "allowed $1"; else echo "denied $1"; fi; }
		touch /tmp/f
		try chown 1:1 /tmp/f
		try mknod /tmp/null c 1 3
		try chroot / true
		try mount -t tmpfs tmpfs /mnt
		try hostname attacker'
	[ "$status" -eq 0 ] || fail "the container failed (exit $status): $output $stderr"
	for set in Prm Eff Bnd; do
		hex=$(sed -n "s/^Cap$set:[[:space:]]*//p" <<<"$output")
		[ -n "$hex" ] || fail "no Cap$set line: $output"
		(((0x$hex & ~CAPS_MASK) == 0)) ||
			fail "Cap$set $hex has capabilities beyond the config's (mask $(printf %016x "$CAPS_MASK"))"
	done
	grep -qx 'allowed chown' <<<"$output" || fail "chown with CAP_CHOWN granted failed: $output"
	for op in mknod chroot mount hostname; do
		grep -qx "denied $op" <<<"$output" || fail "$op works without its capability: $output"
	done
}

# config.md "Process": noNewPrivileges "prevents the process from gaining
# additional privileges" (no_new_privs: a setuid-root program does not make the
# process root). First, without it, the setuid program really gains euid 0 in
# this rootfs (else the second half would prove nothing, and the case skips).
# bats test_tags=spec:must,req:config:linux-process
@test "security [noNewPrivileges stops a setuid gain]" {
	requires_root "installs a setuid binary owned by the host's root"
	requires run
	install -m 4755 -o 0 -g 0 "$BUNDLE/rootfs/bin/ocitest" "$BUNDLE/rootfs/bin/ocitest-suid"
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false'
	set_args /bin/ocitest-suid probe
	runtime -0 run --bundle "$BUNDLE" "$(new_id)"
	grep -qx 'euid=0' <<<"$output" ||
		skip "a setuid-root program gains no euid 0 here even without noNewPrivileges: $(grep euid <<<"$output")"
	update_config '.process.noNewPrivileges = true'
	runtime -0 run --bundle "$BUNDLE" "$(new_id)"
	grep -qx 'euid=1000' <<<"$output" ||
		fail "with noNewPrivileges the setuid program ran as $(grep euid <<<"$output"), not euid=1000"
}

# runtime.md "State": the id is "unique across all containers on this host"; it
# names a container, never a path. Ids that climb out of --root are refused by
# every operation, and do not reach a container in another --root next to it
# (here $T/other-root, which `../other-root/ID` would name from $T/root).
# bats test_tags=de-facto,req:cli:create
@test "security [container id path traversal is refused]" {
	local other=$T/other-root id bad cmd escape
	id=$(new_id other)
	set_args sleep 600
	ROOT=$other runtime -0 create --bundle "$BUNDLE" "$id"
	mkdir -p "$ROOT"
	bad=../other-root/$id
	for cmd in state start "kill" delete; do
		case "$cmd" in
		kill) runtime kill "$bad" KILL ;;
		delete) runtime delete --force "$bad" ;;
		*) runtime "$cmd" "$bad" ;;
		esac
		assert_error "$cmd of id '$bad'"
	done
	escape=$(new_id escape)
	runtime create --bundle "$BUNDLE" "../$escape"
	assert_error "create of id '../$escape'"
	[ ! -e "$T/$escape" ] || fail "create of id '../$escape' made $T/$escape"
	# The container in the other root is untouched: still created, its init alive.
	ROOT=$other assert_status "$id" created --pid-alive
	ROOT=$other runtime -0 delete --force "$id"
}

# The state directory is the runtime's: nothing in it may be readable by other
# users (a state document names the bundle, the pid, annotations). A path counts
# as readable by others when it has o+r and every directory from --root down to it
# has o+x (--root's own parent is taken as open, like /run).
# bats test_tags=de-facto,req:cli:create
@test "security [the state directory is not readable by other users]" {
	local id mode type path dir reach exposed=""
	id=$(new_id)
	set_args sleep 600
	create_container "$id"
	[ -d "$ROOT" ] || fail "no state directory at --root $ROOT"
	while read -r mode type path; do
		# This path's ancestors below --root must all be searchable by others.
		dir=${path%/*} reach=1
		while [ "${#dir}" -ge "${#ROOT}" ]; do
			[ $((8#$(stat -c %a "$dir") & 1)) -eq 1 ] || { reach=0; break; }
			[ "$dir" != "$ROOT" ] || break
			dir=${dir%/*}
		done
		[ "$path" = "$ROOT" ] && reach=1
		[ "$reach" -eq 1 ] && [ $((8#$mode & 4)) -eq 4 ] && exposed+="$type $mode $path"$'\n'
	done < <(find "$ROOT" -printf '%m %y %p\n')
	[ -z "$exposed" ] || fail "readable by other users under --root:
$exposed$(ls -laR "$ROOT")"
	# The case is about a real state directory: it holds the container.
	[ -n "$(find "$ROOT" -mindepth 1 -print -quit)" ] || fail "--root $ROOT is empty after create"
}

# CVE-2019-5736: until it executes the user process, the container's init is the
# runtime itself. A process in the container (here a startContainer hook, which
# runtime-spec runs in the container's namespaces before the user process) can
# open /proc/1/exe then, and keep the descriptor. Once no runtime process runs
# any more, reopening it for writing must fail: it must not be the host's binary,
# open for writing (a sealed or read-only copy is safe; an unlinked copy is not
# the host's binary). The check writes nothing even when the open succeeds.
# bats test_tags=de-facto,req:cli:create
@test "security [the runtime's binary is not writable from inside the container]" {
	local id result
	cat >"$BUNDLE/rootfs/hold-exe.sh" <<'EOF'
#!/bin/sh
# startContainer hook: pid 1 is the runtime's init. Hold its binary, then, once
# the case says no runtime process runs any more (/go), try to reopen it.
# (A failed redirection of `exec` would end the shell: tried in a subshell first.
# A runtime whose init is not dumpable refuses the open; that is safe too.)
if ! (exec 3</proc/1/exe) 2>/dev/null; then echo "open-failed" >/exe-result; exit 0; fi
exec 3</proc/1/exe
(
	i=0
	while [ ! -e /go ] && [ "$i" -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	links=$(stat -L -c %h /proc/self/fd/3)
	if err=$( (: >>/proc/self/fd/3) 2>&1); then w=writable; else w="refused: $err"; fi
	echo "links=$links $w" >/exe-result.tmp
	mv /exe-result.tmp /exe-result
) </dev/null >/dev/null 2>&1 &
EOF
	chmod +x "$BUNDLE/rootfs/hold-exe.sh"
	update_config '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "/hold-exe.sh"]}]'
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
	# No runtime process is left once start has returned; tell the holder.
	touch "$BUNDLE/rootfs/go"
	wait_file "$BUNDLE/rootfs/exe-result" "" 30
	result=$(cat "$BUNDLE/rootfs/exe-result")
	echo "exe held from the container: $result" >&2
	case "$result" in
	open-failed | *refused:*) ;;
	"links=0 writable") ;; # an unlinked copy (a memfd): not the host's binary
	*) fail "the runtime's binary, held through /proc/1/exe, can be opened for writing from the container: $result" ;;
	esac
}
