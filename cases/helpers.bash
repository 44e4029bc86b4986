# shellcheck shell=bash
# Common set-up for every case: the runtime wrappers, `requires`, bundles, and the
# leak check that every teardown runs.
#
# Environment (set by ci/acceptance, or by hand):
#   RUNTIME          the runtime binary under test (default: build/bin/box)
#   RUNTIME_ARGS     global flags it needs on this host (word-split)
#   RUNTIME_TIMEOUT  seconds any one runtime call may take (default 30)
#   ROOTLESS         1: the rootless run (ci/rootless): the suite as an ordinary
#                    user, the runtime in a user namespace, with the rootless base
#                    config (fixtures/config-rootless.json, as `runc spec
#                    --rootless`); cases that need root skip (requires_root)
bats_require_minimum_version 1.5.0
# bats traces every shell command with a DEBUG trap (for its failure stack
# traces), about 0.3 ms each, and with set -T (bats sets it) every function
# inherits it. Loading the two libraries traced cost each case 40 ms: they load
# with it off (a function entered without -T runs untraced). It is back on
# before the case's function is entered, so its lines are traced; common_setup
# turns it off for the helpers the case calls (see there).
set +T
# bats_lib NAME: NAME's src/*.bash sourced straight from BATS_LIB_PATH. Its
# load.bash sources each file at a `$(dirname ...)`, a process each: 16 for
# the two libraries, 30 ms a case. Anything else is loaded by bats.
bats_lib() {
	local d f dirs
	IFS=: read -ra dirs <<<"${BATS_LIB_PATH:-/usr/lib/bats}"
	for d in "${dirs[@]}"; do
		if [ ! -f "$d/$1/load.bash" ] || [ ! -d "$d/$1/src" ]; then continue; fi
		for f in "$d/$1/src"/*.bash; do
			# shellcheck disable=SC1090
			source "$f"
		done
		return 0
	done
	bats_load_library "$1"
}
bats_lib bats-support
bats_lib bats-assert

# jq: gojq where it is installed (make deps installs it): the same language,
# started in about 3 ms where jq 1.6 takes 30, and a case pays that for every
# config edit and state field it reads. Its output sorts object keys.
if [ -z "${OCITEST_JQ:-}" ] && command -v gojq >/dev/null 2>&1; then
	OCITEST_JQ=gojq
fi
if [ "${OCITEST_JQ:-jq}" = gojq ]; then
	# gojq always sorts keys and has no -S (--sort-keys): drop it (the values
	# of --arg and the like, and what follows --args, are passed as they are).
	jq() {
		local args=()
		while [ $# -gt 0 ]; do
			case "$1" in
			--arg | --argjson | --slurpfile | --rawfile)
				args+=("$1" "${2-}" "${3-}")
				shift $(($# < 3 ? $# : 3))
				continue
				;;
			--args | --jsonargs)
				args+=("$@")
				break
				;;
			-S | --sort-keys) ;;
			-[a-zA-Z]*S*) [[ "$1" == --* ]] && args+=("$1") || args+=("${1//S/}") ;;
			*) args+=("$1") ;;
			esac
			shift
		done
		command gojq "${args[@]}"
	}
elif [ "${OCITEST_JQ:-jq}" != jq ]; then
	jq() { command "$OCITEST_JQ" "$@"; }
fi

if [[ "$BATS_TEST_DIRNAME" == /* ]]; then
	TOP=${BATS_TEST_DIRNAME%/*}
else
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
fi
OCITEST=${OCITEST:-$TOP/build/bin/ocitest}
ROOTFS=${ROOTFS:-$TOP/build/rootfs}
ROOTLESS=${ROOTLESS:-0}
if [ "$ROOTLESS" = 1 ]; then
	BASE_CONFIG=${BASE_CONFIG:-$TOP/fixtures/config-rootless.json}
else
	BASE_CONFIG=${BASE_CONFIG:-$TOP/fixtures/config.json}
fi
RUNTIME=${RUNTIME:-$TOP/build/bin/box}
RUNTIME_NAME=${RUNTIME_NAME:-${RUNTIME##*/}}
RUNTIME_TIMEOUT=${RUNTIME_TIMEOUT:-30}
read -ra runtime_args <<<"${RUNTIME_ARGS:-}"
# The suite's umask, for the runtime's calls (ci/acceptance passes it on).
RT_UMASK=${OCITEST_UMASK:-$(umask)}

# rt ARGS: the runtime under test, raw. Its own --root under the case's tmpdir, a
# timeout, stdin from /dev/null, and fd 3 closed (a detached container holding
# bats' fd 3 stalls the whole run). stdout/stderr go through files rather than a
# pipe: a created container inherits them and would hold a `run` pipe open.
# It runs from the case's own directory (the current one if that is inside it):
# whatever it leaves running inherits that cwd. And it runs under `ocitest reap`,
# a child subreaper that records (pid, start time) of every process still
# descending from the call when the runtime exits, in $BATS_TEST_TMPDIR/spawned:
# the leak check counts those wherever they went (a setsid, a chdir to /).
# The exit status and the seconds the call took go to $BATS_TEST_TMPDIR/rt.last,
# for assert_error to tell a timeout from a signal from an error exit.
rt() {
	local rc=0
	rt_call "$@" || rc=$?
	rt_print "$RT_OUT"
	rt_print "$RT_ERR" >&2
	return "$rc"
}

# rt_call ARGS: rt, with the runtime's stdout and stderr left in the files
# $RT_OUT and $RT_ERR; the runtime's exit status.
rt_call() {
	local rc=0 t0 dir=$BATS_TEST_TMPDIR
	# No mktemp, chmod, timeout(1) or cat: each is a process, and a case makes
	# a dozen calls. The names are unique per call ($BASHPID: a subshell of
	# the case or the case's own shell; SRANDOM within it).
	RT_OUT=$BATS_TEST_TMPDIR/rt.$BASHPID.$SRANDOM.out
	RT_ERR=${RT_OUT%.out}.err
	[[ "$PWD/" != "$BATS_TEST_TMPDIR/"* ]] || dir=$PWD
	t0=${EPOCHREALTIME/[.,]/}
	# The files readable by anyone (umask 022 while they are made): rootless,
	# crun hands the process's stdio to its user (fchown to the mapped uid), and
	# the case must still read what it wrote. The runtime gets the suite's umask.
	(
		umask 022
		exec </dev/null >"$RT_OUT" 2>"$RT_ERR" 3>&-
		umask "$RT_UMASK"
		cd "$dir" && exec "$OCITEST" reap --record "$BATS_TEST_TMPDIR/spawned" \
			--timeout "$RUNTIME_TIMEOUT" --kill-after 5 -- \
			"$RUNTIME" "${runtime_args[@]}" --root "$ROOT" "$@"
	) || rc=$?
	echo "$rc $(((${EPOCHREALTIME/[.,]/} - t0) / 1000000))" >"$BATS_TEST_TMPDIR/rt.last"
	return "$rc"
}

# rt_print FILE: FILE's bytes on stdout, without a process (NUL bytes dropped).
rt_print() {
	local chunk
	while IFS= read -rd '' chunk || [ -n "$chunk" ]; do
		printf '%s' "$chunk"
		chunk=
	done <"$1"
}

# rt_read VAR FILE: FILE's text in VAR as bats `run` gives $output: trailing
# newlines dropped (and NUL bytes), no process.
rt_read() {
	local -n rt_read_var=$1
	rt_read_var=
	IFS= read -rd '' rt_read_var <"$2" || true
	while [[ "$rt_read_var" == *$'\n' ]]; do rt_read_var=${rt_read_var%$'\n'}; done
}

# runtime [-N|!] ARGS: rt, setting what bats `run --separate-stderr` would:
# $status, $output (stdout), $lines, $stderr and $stderr_lines (without `run`'s
# mktemp and subshell); the call and its output are logged to stderr, which
# bats shows only when the case fails. With -N, the exit status must be N; with
# !, non-zero.
runtime() {
	local want=
	case "${1:-}" in
	-[0-9]*) want=${1#-}; shift ;;
	!) want='!'; shift ;;
	esac
	status=0
	rt_call "$@" || status=$?
	rt_read output "$RT_OUT"
	rt_read stderr "$RT_ERR"
	# shellcheck disable=SC2034 # as bats `run` sets them, for the assertions
	{
		IFS=$'\n' read -d '' -r -a lines <<<"$output" || true
		IFS=$'\n' read -d '' -r -a stderr_lines <<<"$stderr" || true
	}
	echo "\$ $RUNTIME_NAME $* (status=$status)" >&2
	[ -z "$output" ] || echo "  out: ${output//$'\n'/$'\n'  out: }" >&2
	[ -z "$stderr" ] || echo "  err: ${stderr//$'\n'/$'\n'  err: }" >&2
	case "$want" in
	'') ;;
	'!') [ "$status" -ne 0 ] || fail "$RUNTIME_NAME $*: expected a non-zero exit, got 0" ;;
	*) [ "$status" -eq "$want" ] || fail "$RUNTIME_NAME $*: expected exit $want, got $status" ;;
	esac
}

# probe KEY: the value `ocitest probe` reports for KEY on this host (run once per
# file, read once per case into PROBE).
probe() {
	probe_load
	[ -z "${PROBE[$1]+set}" ] || echo "${PROBE[$1]}"
}

# probe_is KEY VALUE: whether `probe KEY` is VALUE, without the subshell that
# $(probe KEY) is (a fork of the case's shell, about 3 ms here).
probe_is() {
	probe_load
	[ "${PROBE[$1]-}" = "$2" ]
}

# probe_load: PROBE (KEY -> value) from the file's cache, made on first use.
declare -gA PROBE=()
probe_load() {
	local cache="$BATS_FILE_TMPDIR/probe" k v
	[ "${#PROBE[@]}" -eq 0 ] || return 0
	[ -s "$cache" ] || "$OCITEST" probe >"$cache"
	while IFS='=' read -r k v; do
		PROBE[$k]=$v
	done <"$cache"
}

# requires FEATURE...: skip the case, with the reason, unless the host (or the
# runtime) has every FEATURE. Call from setup() or the case, never setup_file.
requires() {
	local f
	for f in "$@"; do
		case "$f" in
		root)
			probe_is root 1 ||
				skip "requires root with CAP_SYS_ADMIN (euid=$(probe euid); ROOTLESS=1 runs the cases that make sense rootless)"
			;;
		privileges)
			# What every case needs: root, or in the rootless run user
			# namespaces this user may create.
			if [ "$ROOTLESS" = 1 ]; then
				probe_is userns 1 ||
					skip "requires unprivileged user namespaces for the rootless run ($(userns_denied_by))"
			else
				requires root
			fi
			;;
		run) requires op:run ;;
		op:*)
			# Beyond the OCI lifecycle operations: only where the runtime has it.
			has_op "${f#op:}" ||
				skip "requires the runtime's \`${f#op:}\` command ($(op_reason "${f#op:}"))"
			;;
		ns_*)
			probe_is "$f" 1 || skip "requires $f (this host cannot create that namespace)"
			;;
		*) fail "requires: unknown feature '$f'" ;;
		esac
	done
}

# userns_denied_by: the host setting that keeps this user from making a user
# namespace (for a skip reason), as far as the host shows it.
userns_denied_by() {
	local v
	v=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null) && [ "$v" = 0 ] &&
		{ echo "user.max_user_namespaces=0"; return; }
	v=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null) && [ "$v" = 0 ] &&
		{ echo "kernel.unprivileged_userns_clone=0"; return; }
	v=$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null) && [ "$v" = 1 ] &&
		{ echo "kernel.apparmor_restrict_unprivileged_userns=1"; return; }
	echo "unshare(CLONE_NEWUSER) fails for uid $(id -u); no sysctl says why"
}

# requires_root WHY: the case needs root on the host (WHY says for what: making
# cgroups, mknod, a network namespace a user namespace may not configure...):
# in the rootless run it skips, saying so.
requires_root() {
	[ "$ROOTLESS" != 1 ] || skip "requires root: $1 (rootless run)"
}

# with_netns: rootless, give the bundle a network namespace of its own (the
# rootless base config has none, as `runc spec --rootless`; a user namespace may
# make one): for a case about what a new network namespace holds.
with_netns() {
	[ "$ROOTLESS" != 1 ] || update_config '.linux.namespaces += [{"type": "network"}]'
}

# has_op NAME: whether the runtime has the command NAME, decided once per run
# (cached in $BATS_RUN_TMPDIR/ops/NAME as "1|0 reason"). Not by `NAME --help`:
# runsc's `run --help` exits non-zero, and a runtime may print its usage for any
# word. The command is called against a container that does not exist (`run` and
# `create` against a bundle that does not exist, `exec` with a program), in an
# empty directory with an empty --root, and compared with the answer to a word
# that is no command: the same answer (with the word in it replaced), or a
# message saying "unknown command" / "no help topic", means there is no NAME; an
# exit 0 or any other message ("container does not exist", "no such file") means
# the runtime parsed NAME as its command. `features` must also print JSON.
has_op() {
	local cache=$BATS_RUN_TMPDIR/ops/$1 verdict
	[ -s "$cache" ] || op_probe "$1" >/dev/null
	read -r verdict _ <"$cache"
	[ "$verdict" = 1 ]
}

# op_reason NAME: why has_op NAME decided as it did.
op_reason() {
	local reason
	read -r _ reason <"$BATS_RUN_TMPDIR/ops/$1"
	echo "$reason"
}

# op_call DIR WORD: the runtime's answer to WORD (exit status, then the
# message with DIR and WORD replaced by DIR and CMD, runc-style timestamps dropped).
op_call() {
	local dir=$1 word=$2 args=(oct-probe-no-such-container) rc=0 msg
	case "$word" in
	run | create) args=(--bundle "$dir/no-such-bundle" "${args[@]}") ;;
	exec) args+=(true) ;;
	list | features | spec) args=() ;;
	esac
	msg=$(cd "$dir" && timeout --kill-after=5 "$RUNTIME_TIMEOUT" "$RUNTIME" "${runtime_args[@]}" \
		--root "$dir/root" "$word" "${args[@]}" </dev/null 2>&1 3>&-) || rc=$?
	printf '%s\n%s\n' "$rc" "$msg" | sed -e "s|$dir|DIR|g" -e "s/$word/CMD/g" -e 's/time="[^"]*" *//g' | head -n 20
}

# op_probe NAME: decide and cache has_op NAME; prints the cache line.
op_probe() {
	local name=$1 dir verdict cache=$BATS_RUN_TMPDIR/ops/$1 got ref
	mkdir -p "$BATS_RUN_TMPDIR/ops"
	dir=$(mktemp -d -p "$BATS_RUN_TMPDIR" op-probe.XXXXXX)
	got=$(op_call "$dir" "$name")
	ref=$(op_call "$dir" oct-no-such-command)
	rm -rf "$dir"
	if [ "${got%%$'\n'*}" = 0 ] && { [ "$name" != features ] || jq -e 'type == "object"' >/dev/null 2>&1 <<<"${got#*$'\n'}"; }; then
		verdict="1 $RUNTIME_NAME $name exits 0"
	elif [ "$got" = "$ref" ]; then
		verdict="0 $RUNTIME_NAME $name answers as to a word that is no command: $(sed -n 2p <<<"$got")"
	elif grep -Eqi 'unknown (sub)?command|no help topic|not a (valid|known) command|unrecognized command|invalid command' <<<"${got#*$'\n'}"; then
		verdict="0 $RUNTIME_NAME $name: $(sed -n 2p <<<"$got")"
	elif [ -n "$(exit_kind "${got%%$'\n'*}")" ]; then
		verdict="0 $RUNTIME_NAME $name: $(exit_kind "${got%%$'\n'*}")"
	else
		verdict="1 $RUNTIME_NAME $name parses as a command: $(sed -n 2p <<<"$got")"
	fi
	echo "$verdict" >"$cache.$$"
	mv "$cache.$$" "$cache"
	echo "$verdict"
}

# update_config JQ [JQ-ARGS...]: edit the bundle's config.json with jq.
update_config() {
	local cfg
	# The config on stdin: after --args, jq takes every word as a positional
	# value. Read first and written back in place: no temporary file and no
	# mv(1), a process less per edit (a case makes several).
	IFS= read -rd '' cfg <"$BUNDLE/config.json" || true
	jq "$@" <<<"$cfg" >"$BUNDLE/config.json"
}

# set_args ARG...: process.args of the bundle's config. Each word goes in as its own
# --arg (jq would read a word such as `-c` after --args as one of its own options).
set_args() {
	local i jqargs=() list=()
	for ((i = 1; i <= $#; i++)); do
		jqargs+=(--arg "a$i" "${!i}")
		list+=("\$a$i")
	done
	update_config "${jqargs[@]}" ".process.args = [$(IFS=,; echo "${list[*]}")]"
}

# new_id [PREFIX]: a container id unique to this run, remembered for teardown.
new_id() {
	local id
	id="oct-${1:-c}-$BATS_SUITE_TEST_NUMBER-$$-$RANDOM"
	echo "$id" >>"$BATS_TEST_TMPDIR/ids"
	echo "$id" >>"$BATS_TEST_TMPDIR/leak-names"
	echo "$id"
}

# run_cycles N: N create/start/state-until-stopped/delete cycles of $BUNDLE in
# `ocitest cycles` (each call spawned directly with RUNTIME_TIMEOUT; stops at the
# first failing call and names it; what the calls leave running goes to
# $T/spawned for the leak check). The ids, PREFIX-1..N, are noted for teardown and
# the leak check's cgroup names. Sets $status and $output as bats `run` would.
run_cycles() {
	local n=$1 i prefix ids=''
	prefix=$(new_id)
	for ((i = 1; i <= n; i++)); do ids+="$prefix-$i"$'\n'; done
	printf '%s' "$ids" >>"$T/ids"
	printf '%s' "$ids" >>"$T/leak-names"
	status=0
	"$OCITEST" cycles --count "$n" --bundle "$BUNDLE" --prefix "$prefix" --record "$T/spawned" \
		--timeout "$RUNTIME_TIMEOUT" -- "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" \
		</dev/null >"$T/cycles.out" 2>&1 3>&- || status=$?
	rt_read output "$T/cycles.out"
}

# new_bundle DIR: a bundle with its own copy of the rootfs and the base config.
# Rootless, the base config's user namespace maps container root to this user
# and, where /etc/subuid and /etc/subgid grant it ranges, ids 1.. to the first
# of them (runc and crun write those through newuidmap/newgidmap).
# `ocitest bundle` copies the files and hard-links the symlinks (a symlink is
# never changed in place): 11 ms a case against 34 ms for `cp -a`, and the
# run's removal of the copies at its end is faster too.
new_bundle() {
	local tpl=$BATS_RUN_TMPDIR/bundle-template
	[ -d "$tpl" ] || make_bundle_template "$tpl"
	"$OCITEST" bundle "$tpl" "$1"
}

# make_bundle_template DIR: the bundle every case starts from, made once per run
# (one `cp -a` a case then, not a mkdir, a copy of the rootfs and one of the
# config). Cases running at once may race to make it: the first rename wins.
make_bundle_template() {
	local tmp
	tmp=$(mktemp -d "$1.XXXXXX")
	chmod 0755 "$tmp"
	cp -a "$ROOTFS" "$tmp/rootfs"
	if [ "$ROOTLESS" = 1 ]; then
		jq --argjson uid "$(id -u)" --argjson gid "$(id -g)" \
			--argjson subuid "$(subid_map /etc/subuid "$(id -un)" "$(id -u)")" \
			--argjson subgid "$(subid_map /etc/subgid "$(id -un)" "$(id -u)")" \
			'.linux.uidMappings = [{containerID: 0, hostID: $uid, size: 1}] + $subuid
			| .linux.gidMappings = [{containerID: 0, hostID: $gid, size: 1}] + $subgid' \
			"$BASE_CONFIG" >"$tmp/config.json"
	else
		cp "$BASE_CONFIG" "$tmp/config.json"
	fi
	mv -T "$tmp" "$1" 2>/dev/null || rm -rf "$tmp"
}

# config_new_ns: the /proc/PID/ns names of the namespaces the bundle's config
# asks to be made (no path): pid mnt uts ipc net with the root base config, user
# instead of net with the rootless one.
config_new_ns() {
	jq -r '.linux.namespaces[] | select((.path // "") == "") | .type
		| {mount: "mnt", network: "net"}[.] // .' "$BUNDLE/config.json"
}

# subid_map FILE USER UID: a JSON list with the mapping of container ids 1.. to
# the first range FILE grants USER (by name or uid), or [] when it grants none.
subid_map() {
	awk -F: -v u="$2" -v n="$3" '($1 == u || $1 == n) && $3 > 0 {
		printf "[{\"containerID\": 1, \"hostID\": %d, \"size\": %d}]\n", $2, $3; found = 1; exit }
		END { if (!found) print "[]" }' "$1" 2>/dev/null || echo '[]'
}

# state_field ID FIELD: one field (FIELD or FIELD.SUB...) of the parsed state
# document; fails when `state` fails or the field is missing or null. The field
# is read by `ocitest field` (C, about 1.5 ms), not jq (gojq 9 ms, jq 19 ms).
state_field() {
	state_call "$1" || return
	"$OCITEST" field ".$2" <"$RT_OUT"
}

# state_call ID: `state ID`, its document left in $RT_OUT, its stderr shown;
# the runtime's exit status.
state_call() {
	local rc=0
	rt_call state "$1" || rc=$?
	rt_print "$RT_ERR" >&2
	return "$rc"
}

# assert_status ID STATUS [STATE-CHECK OPTIONS...]: the runtime's state document for
# ID is valid per the runtime-spec state schema, and has STATUS and the given fields.
# Which process state.pid is (one in the bundle's rootfs, or a sandbox's) is the
# subject of its own cases (state.bats, lifecycle.bats), not checked here.
assert_status() {
	local id=$1 want=$2
	shift 2
	runtime -0 state "$id"
	printf '%s\n' "$output" | "$OCITEST" state-check --id "$id" --status "$want" "$@" -
}

# status_is ID STATUS: what a case needs to go on, and no more: `state ID` succeeds
# and says STATUS. The rest of the document is asserted by the cases about it
# (assert_status), so a runtime with one deviation in it fails those cases only.
status_is() {
	local got
	runtime -0 state "$1"
	got=$("$OCITEST" field .status <<<"$output" 2>/dev/null) || true
	[ "$got" = "$2" ] || fail "state of \`$1\`: status '${got:-none}', expected $2: $output"
}

# rootfs_of ID: the host path of ID's rootfs, from its state's bundle and config.
rootfs_of() {
	local bundle rootfs
	bundle=$(state_field "$1" bundle) || return 1
	rootfs_in "$bundle"
}

# rootfs_in BUNDLE: the host path of BUNDLE's rootfs (its config's root.path).
rootfs_in() {
	local rootfs
	rootfs=$("$OCITEST" field --file "$1/config.json" .root.path) || return 1
	[[ "$rootfs" == /* ]] || rootfs=$1/$rootfs
	echo "$rootfs"
}

# in_rootfs PID ROOTFS: PID's root directory is ROOTFS (after pivot_root
# /proc/PID/root reads "/": compare the directories by device and inode).
in_rootfs() {
	[ "/proc/$1/root/" -ef "$2/" ]
}

# assert_pid_in_rootfs ID: state.pid of ID is a live process in the bundle's rootfs.
assert_pid_in_rootfs() {
	local pid rootfs
	pid=$(state_field "$1" pid)
	rootfs=$(rootfs_of "$1")
	# Rootless, a process that is not dumpable (crun's init until it execs) has
	# a /proc/PID/root only root may read: nothing can be said, say so.
	if [ "$ROOTLESS" = 1 ] && [ -e "/proc/$pid" ] && ! stat -L "/proc/$pid/root/" >/dev/null 2>&1; then
		skip "state.pid $pid: /proc/$pid/root unreadable without root (the process is not dumpable)"
	fi
	in_rootfs "$pid" "$rootfs" ||
		fail "state.pid $pid of \`$1\` is not a process in its rootfs $rootfs (root: $(readlink "/proc/$pid/root" 2>&1))"
}

# container_process ID: the host pid of ID's container process, for a case that
# inspects that process (its cgroups, namespaces, mounts) or signals it, about
# something else than which pid `state` reports: state.pid when that is in the
# rootfs, else the oldest process in the rootfs (a sandboxed runtime reports its
# sandbox), else state.pid all the same (nothing of the container is visible).
container_process() {
	local pid bundle fields rootfs p best='' best_start='' start
	# One `state` for both fields; a document without a bundle still names the pid.
	state_call "$1" || return
	fields=$("$OCITEST" field .pid .bundle <"$RT_OUT") || true
	pid=${fields%%$'\n'*}
	[ -n "$pid" ] || return 1
	[[ "$fields" == *$'\n'* ]] || { echo "$pid"; return 0; }
	bundle=${fields#*$'\n'}
	rootfs=$(rootfs_in "$bundle" 2>/dev/null) || { echo "$pid"; return 0; }
	if in_rootfs "$pid" "$rootfs"; then
		echo "$pid"
		return 0
	fi
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		in_rootfs "$p" "$rootfs" 2>/dev/null || continue
		start=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f20) || continue
		[ -n "$start" ] || continue
		if [ -z "$best" ] || [ "$start" -lt "$best_start" ]; then
			best=$p best_start=$start
		fi
	done
	echo "${best:-$pid}"
}

# wait_status ID STATUS [SECONDS]: poll `state` until STATUS (or `gone`), with a deadline.
wait_status() {
	"$OCITEST" wait --timeout "${3:-10}" --status "$2" -- \
		timeout "$RUNTIME_TIMEOUT" "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" state "$1" 3>&-
}

# wait_file PATH [TEXT] [SECONDS]: poll until PATH exists (and contains TEXT).
wait_file() {
	local args=(--file "$1")
	[ -z "${2:-}" ] || args+=(--contains "$2")
	"$OCITEST" wait --timeout "${3:-10}" "${args[@]}"
}

# create_container ID [BUNDLE]: create, and check that it reports created.
create_container() {
	runtime -0 create --bundle "${2:-$BUNDLE}" "$1"
	status_is "$1" created
}

# start_container ID: create and start; the process is running.
start_container() {
	create_container "$@"
	runtime -0 start "$1"
	status_is "$1" running
}

# A process that stays up until killed and reports the signals it gets: it writes
# /ready once its traps are set, then the name of every trapped signal to /signals.
# (As pid 1 of its namespace, sh ignores signals it has no handler for.)
# shellcheck disable=SC2034 # used by the cases
LONG_RUNNING=(sh -c 'for s in TERM USR1 USR2 HUP INT; do trap "echo $s >> /signals" $s; done
echo ready > /ready
while :; do sleep 1 & wait $!; done')

common_setup() {
	# bats traces every shell command with a DEBUG trap (its failure stack
	# traces), about 0.3 ms each, and with set -T every function inherits it:
	# a helper of a few hundred commands costs a case tens of ms. Off from here:
	# the case's own body, entered with it on, keeps it, so a failure is still
	# reported at the case's line; the helpers it calls run untraced.
	set +T
	requires privileges
	T=$BATS_TEST_TMPDIR
	ROOT=$T/root
	BUNDLE=$T/bundle
	new_bundle "$BUNDLE"
	# Runtime calls made straight from a case (faults.bats) run from here too.
	cd "$T" || return
	"$OCITEST" snapshot --out "$T/snapshot" --scope "$T" --root "$ROOT"
}

# watch_cgroup NAME: a cgroup name (a cgroupsPath component) the case's runtime
# makes that does not contain a container id, for leak_check to watch.
watch_cgroup() {
	echo "$1" >>"$BATS_TEST_TMPDIR/leak-names"
}

# leak_check: bats `run` of `ocitest leaks` against the case's snapshot: $status 0
# and no output when nothing new is left: no state entry, mount or process of the
# case, and no cgroup named after one of its container ids or watched names
# (cgroups are host-wide: only the case's own names are the runtime's). With
# cases in parallel (OCITEST_PARALLEL, ci/acceptance-parallel), only mounts under
# the case's directory: the run checks the rest once, around all of them.
leak_check() {
	[ -f "$T/leak-names" ] || : >"$T/leak-names"
	# Not bats `run`: its subshell is a process more in every case.
	status=0
	"$OCITEST" leaks --from "$T/snapshot" --scope "$T" --root "$ROOT" --cgroup-names "$T/leak-names" \
		--spawned "$T/spawned" ${OCITEST_PARALLEL:+--mounts-in-scope} >"$T/leaks.out" 2>&1 || status=$?
	rt_read output "$T/leaks.out"
}

# Force-delete every container the case made, then assert that nothing is left
# on the host: no state entry, mount, process or cgroup that was not there before.
common_teardown() {
	[ -n "${T:-}" ] && [ -f "$T/snapshot" ] || return 0
	local id e
	local -A ids=()
	if [ -f "$T/ids" ]; then
		while read -r id; do [ -z "$id" ] || ids[$id]=1; done <"$T/ids"
	fi
	local entries=0
	for e in "$ROOT"/* "$ROOT"/.[!.]* "$ROOT"/..?*; do
		[ -e "$e" ] || continue
		entries=$((entries + 1))
		ids[${e##*/}]=1
	done
	# A state root with nothing in it holds no container to delete (a case
	# that deleted its own leaves it so): no runtime call, three processes
	# each, for ids that are gone. What a runtime left outside its --root
	# (processes, cgroups, mounts) the leak check below still sees.
	[ "$entries" -gt 0 ] || ids=()
	for id in "${!ids[@]}"; do
		rt delete --force "$id" >/dev/null 2>&1 || true
	done
	leak_check
	[ "$status" -eq 0 ] || {
		reap_leaks
		fail "left behind on the host after the case (removed now, for the cases that follow):
$output"
	}
}

# reap_leaks: after leak_check found something ($output), put the host back for
# the cases that follow (the case fails all the same): kill the leaked processes
# and every process in a leaked cgroup (those are named after the case's ids),
# unmount leaked mounts, and remove the cgroups deepest first, polling while the
# killed processes are reaped.
reap_leaks() {
	"$TOP/ci/reap-leaks" <<<"$output"
}

# assert_no_leaks WHAT: `ocitest leaks` against the case's snapshot is empty now,
# not only at teardown (faults.bats, lifecycle.bats). On a leak, what can be undone is undone (the processes
# killed, mounts detached, cgroups removed) so one failing runtime does not
# litter the host, then the case fails naming WHAT and the leaks.
assert_no_leaks() {
	local line pid
	leak_check
	[ "$status" -ne 0 ] || return 0
	local leaks=$output
	while read -r line; do
		case "$line" in
		"leak: process "*)
			pid=${line#leak: process }
			kill -9 "${pid%% *}" 2>/dev/null || true
			;;
		"leak: mount $T/"*)
			line=${line#leak: mount }
			umount -l "${line% (*}" 2>/dev/null || true
			;;
		esac
	done <<<"$leaks"
	# Only cgroups named after one of the case's ids: the check is host-wide and
	# may also see cgroups that something else on the host made meanwhile.
	while read -r line; do
		case "$line" in
		"leak: cgroup /"*)
			line=${line#leak: cgroup }
			if grep -qxF -- "$(basename "$line")" "$T/ids" 2>/dev/null; then
				rmdir "$line" 2>/dev/null || true
			fi
			;;
		esac
	done <<<"$leaks"
	fail "$1: left behind on the host:
$leaks"
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# start_console [OCITEST-CONSOLE-OPTIONS...]: an `ocitest console` receiver in the
# background, listening on $T/console.sock (pass it as --console-socket); the pty's
# output goes to $T/console.out, its window size to $T/console.size, the
# receiver's own messages to $T/console.log. Returns once it listens.
# $CONSOLE_PID is the receiver; stop_console (tty.bats' teardown) ends it.
start_console() {
	"$OCITEST" console --socket "$T/console.sock" --out "$T/console.out" \
		--size-file "$T/console.size" --ready-file "$T/console.ready" --timeout 60 "$@" \
		</dev/null >"$T/console.log" 2>&1 3>&- &
	CONSOLE_PID=$!
	echo "$CONSOLE_PID" >"$T/console.pid"
	wait_file "$T/console.ready"
}

# wait_console [SECONDS]: wait for the receiver to end on its own (the container's
# side of the pty closed), and fail unless it exited 0.
wait_console() {
	local rc=0
	"$OCITEST" wait --timeout "${1:-20}" --pid-gone "$CONSOLE_PID" ||
		fail "console receiver still running: the pty was not closed; output so far: $(cat -v "$T/console.out")"
	wait "$CONSOLE_PID" || rc=$?
	rm -f "$T/console.pid"
	[ "$rc" -eq 0 ] || fail "console receiver exited $rc: $(cat "$T/console.log")"
}

# stop_console: end the receiver if it still runs (only the pid start_console
# started), before the leak check, which would count it: its command line names
# the case's directory.
stop_console() {
	local pid
	[ -n "${T:-}" ] && [ -f "$T/console.pid" ] || return 0
	pid=$(cat "$T/console.pid")
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$T/console.pid"
}

# --- bad input (cases/errors.bats, cases/faults.bats) ---

# bad_config NAME: the bundle's config.json becomes fixtures/bad/NAME.json.
# Rootless, a config that lists namespaces gets the rootless base config's
# (network out, user in) and its mappings: the runtime must reach the fault the
# case is about, not refuse a config without a user namespace first.
bad_config() {
	if [ "$ROOTLESS" = 1 ] && jq -e '.linux.namespaces | type == "array"' "$TOP/fixtures/bad/$1.json" >/dev/null 2>&1; then
		jq --slurpfile base "$BUNDLE/config.json" '.linux.namespaces = ((.linux.namespaces | map(select(.type != "network" and .type != "user"))) + [{type: "user"}])
			| .linux.uidMappings = $base[0].linux.uidMappings | .linux.gidMappings = $base[0].linux.gidMappings
			| if (.mounts | type) == "array" then .mounts |= map(if .type == "sysfs" then
				$base[0].mounts[] | select(.destination == "/sys") else . end) else . end' \
			"$TOP/fixtures/bad/$1.json" >"$BUNDLE/config.json.tmp"
		mv "$BUNDLE/config.json.tmp" "$BUNDLE/config.json"
	else
		cp "$TOP/fixtures/bad/$1.json" "$BUNDLE/config.json"
	fi
}

# exit_kind STATUS: how a runtime call ended, for a failure message: "timed out
# after N s" (timeout(1)'s 124, or 137 once it had to SIGKILL after
# --kill-after: the call took the whole RUNTIME_TIMEOUT, per rt.last), "killed by
# SIGNAME" (128+N, N >= 1, as the shell reports a signal death), timeout(1)'s own
# 125-127, or empty for an exit the runtime chose (128 included: runsc's ordinary
# error exit, judged by its message like any other).
exit_kind() {
	local st=$1 secs=
	[ ! -f "$BATS_TEST_TMPDIR/rt.last" ] || read -r _ secs <"$BATS_TEST_TMPDIR/rt.last"
	if [ "$st" -eq 124 ] || { [ "$st" -eq 137 ] && [ "${secs:-0}" -ge "$RUNTIME_TIMEOUT" ]; }; then
		echo "timed out after ${secs:-$RUNTIME_TIMEOUT} s (RUNTIME_TIMEOUT=$RUNTIME_TIMEOUT)"
	elif [ "$st" -eq 125 ] || [ "$st" -eq 126 ] || [ "$st" -eq 127 ]; then
		echo "not run (timeout(1) exit $st: it failed, or the runtime is not executable/found)"
	elif [ "$st" -gt 128 ] && [ "$st" -le 192 ]; then
		echo "killed by SIG$(kill -l $((st - 128)) 2>/dev/null || echo $((st - 128)))"
	fi
}

# assert_error WHAT [ERE]: after `runtime`, the call failed cleanly: a non-zero
# exit that is not a timeout or a crash (a signal, a Go panic, a sanitizer report)
# and an error message on stderr; with ERE, the message matches it
# (case-insensitive). WHAT names the input in the failure message.
assert_error() {
	local what=$1 ere=${2:-} kind
	# shellcheck disable=SC2154 # $status and $stderr are set by bats `run`
	[ "$status" -ne 0 ] || fail "$what: expected a non-zero exit, got 0"
	kind=$(exit_kind "$status")
	[ -z "$kind" ] || fail "$what: exit $status: $kind"
	case "$stderr" in
	*panic:* | *AddressSanitizer* | *"runtime error:"*) fail "$what: the runtime crashed:
$stderr" ;;
	esac
	[ -n "$stderr" ] || fail "$what: no error message on stderr"
	[ -z "$ere" ] || grep -Eqi -- "$ere" <<<"$stderr" ||
		fail "$what: the error message does not name the problem (want /$ere/): $stderr"
}

# assert_not_found WHAT: after `runtime`, the call failed because the container does
# not exist: a non-zero exit that is not timeout(1)'s (124, 137) and an error that
# says so ("does not exist", "not found", "no such"). Not assert_error: crun exits
# 253 for a missing state file, which is no crash.
assert_not_found() {
	# shellcheck disable=SC2154 # $status and $stderr are set by bats `run`
	[ "$status" -ne 0 ] || fail "$1: expected a non-zero exit, got 0"
	case "$status" in 124 | 137) fail "$1: exit $status: timed out" ;; esac
	grep -Eqi "does ?n[o']t exist|not found|no such" <<<"$stderr" ||
		fail "$1: the error does not say the container does not exist: $stderr"
}

# create_fails WHAT ID [ERE]: create ID fails cleanly (assert_error) and leaves no
# container behind: `state ID` fails too.
create_fails() {
	local what=$1 id=$2 ere=${3:-}
	runtime create --bundle "$BUNDLE" "$id"
	assert_error "$what" "$ere"
	runtime ! state "$id"
}

# create_or_start_fails WHAT ID [ERE]: for a bad `process` property, which
# runtime.md "Create" lets a runtime apply at `start` instead: either create fails
# as in create_fails, or create succeeds and `start` fails cleanly, and the
# container is then not running.
create_or_start_fails() {
	local what=$1 id=$2 ere=${3:-} st
	runtime create --bundle "$BUNDLE" "$id"
	if [ "$status" -ne 0 ]; then
		assert_error "$what (create)" "$ere"
		runtime ! state "$id"
		return
	fi
	runtime start "$id"
	assert_error "$what (accepted by create, so start)" "$ere"
	st=$(rt state "$id" 2>/dev/null | jq -r .status) || true
	[ "$st" != running ] || fail "$what: start failed but the container is running"
}

# --- cgroups (cases/cgroups.bats) ---

# requires_cgroup WHAT...: skip the case, with the reason, unless the host's cgroups
# give every WHAT: cgroup_v1 (v1 controller hierarchies: a v1 or hybrid host),
# cgroup_v2 (a unified-only host), cgroup_writable (a group can be made in every
# hierarchy), or a controller name such as pids or memory (mounted on v1, or enabled
# in the v2 root's cgroup.controllers, and writable).
requires_cgroup() {
	local w mode
	probe_load
	mode=${PROBE[cgroup]-}
	for w in "$@"; do
		case "$w" in
		cgroup_v1)
			[ "$mode" = v1 ] || [ "$mode" = hybrid ] ||
				skip "requires cgroup v1 hierarchies (this host's cgroups: $mode)"
			;;
		cgroup_v2)
			[ "$mode" = v2 ] || skip "requires a cgroup v2 (unified) host (this host's cgroups: $mode)"
			;;
		cgroup_writable)
			probe_is cgroup_writable 1 ||
				skip "requires writable cgroups (this host's cgroups: $mode, a group cannot be made)"
			;;
		*)
			[[ " ${PROBE[cgroup_controllers]-} " == *" $w "* ]] ||
				skip "requires the $w cgroup controller (this host's usable controllers: ${PROBE[cgroup_controllers]-})"
			probe_is "cgroup_writable_$w" 1 ||
				skip "requires the $w cgroup controller writable (a group cannot be made there)"
			;;
		esac
	done
}

# cgroup_v1_mount CONTROLLER: CG_ROOT and CG_MNT, the root and the mount point
# in our mountinfo of the v1 hierarchy of CONTROLLER (a controller or
# name=NAME); returns 1 when there is none. Read by bash: awk was two processes
# a lookup, and a cgroup case makes several.
cgroup_v1_mount() {
	local -a f
	local i
	CG_ROOT='' CG_MNT=''
	# ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
	while read -r -a f; do
		for ((i = 6; i < ${#f[@]}; i++)); do [ "${f[i]}" != - ] || break; done
		[ "${f[i + 1]-}" = cgroup ] || continue
		[[ ",${f[i + 3]-}," == *",$1,"* ]] || continue
		CG_ROOT=${f[3]} CG_MNT=${f[4]}
		return 0
	done </proc/self/mountinfo
	return 1
}

# cgroup_dir PID CONTROLLER: the host directory of PID's cgroup in the hierarchy of
# CONTROLLER (a controller, name=NAME, or `unified` for the cgroup2 one), found from
# /proc/PID/cgroup and our mountinfo; on a v2 host always the unified hierarchy.
# Fails when there is none.
cgroup_dir() {
	local pid=$1 ctrl=$2 path='' root=/ mnt='' line _hier ctrls rest
	if probe_is cgroup v2 || [ "$ctrl" = unified ]; then
		while IFS= read -r line; do
			[[ "$line" != 0::* ]] || { path=${line#0::}; break; }
		done <"/proc/$pid/cgroup"
		mnt=${PROBE[cgroup_v2_path]-}
	else
		# HIERARCHY-ID:CONTROLLERS:PATH (the path may hold colons: rest keeps them)
		while IFS=: read -r _hier ctrls rest; do
			[[ ",$ctrls," != *",$ctrl,"* ]] || { path=$rest; break; }
		done <"/proc/$pid/cgroup"
		cgroup_v1_mount "$ctrl" && root=$CG_ROOT mnt=$CG_MNT
	fi
	[ -n "$path" ] && [ -n "$mnt" ] || return 1
	if [ "$root" = / ]; then echo "$mnt$path"; else echo "$mnt${path#"$root"}"; fi
}

# cgroup_file V1-NAME V2-NAME: the name of a control file on this host's cgroups.
cgroup_file() {
	if probe_is cgroup v2; then echo "$2"; else echo "$1"; fi
}

# --- the in-container checker (cases/process.bats, mounts.bats, namespaces.bats, devices.bats) ---

# host_facts [PATH...]: `KEY VALUE` lines for `ocitest inside --host`: this host's
# namespaces as `readlink /proc/self/ns/*` shows them (the runtime is started from
# here, so what it does not unshare is these), the seccomp mode of this shell,
# and, for each PATH (a /proc/PID/ns/TYPE a config joins), that namespace's id.
# Written by `ocitest inside-host`, a child of this shell (so the same
# namespaces and seccomp mode): one process, where readlink and basename for
# each namespace were twenty.
host_facts() {
	"$OCITEST" inside-host "$@"
}

# inside_prepare [GROUPS] [-- PATH...]: make the bundle's process `ocitest inside`
# (only GROUPS, comma-separated, if given), then copy the config, as edited so far,
# into the rootfs as /config.json with the host facts (PATHs: namespaces joined)
# as /host-facts. Edit the config before this, never after: the copy is what the
# runtime is held to.
inside_prepare() {
	local only=${1:-} args=(/bin/ocitest inside --config /config.json --host /host-facts)
	[ $# -eq 0 ] || shift
	[ "${1:-}" != -- ] || shift
	[ -z "$only" ] || args+=(--only "$only")
	set_args "${args[@]}"
	cp "$BUNDLE/config.json" "$BUNDLE/rootfs/config.json"
	host_facts "$@" >"$BUNDLE/rootfs/host-facts"
}

# inside_run: run the prepared bundle in the foreground; `ocitest inside` must have
# run to its end (its closing count line; exit 0, or 1 when some check failed). Which checks
# must have passed is the case's to say (assert_checked): a check of another
# property failing in the same group is the failure of the case about that one,
# not of this case. Its TAP is in $output (and shown on failure).
inside_run() {
	local id
	id=$(new_id inside)
	runtime run --bundle "$BUNDLE" "$id"
	# shellcheck disable=SC2154 # $status, $output, $stderr are set by bats `run`
	local closing=$'(^|\n)[0-9]+ passed, [0-9]+ failed'
	if [ "$status" -gt 1 ] || ! [[ "$output" =~ $closing ]]; then
		fail "ocitest inside in the container did not run to its end (exit $status $(exit_kind "$status")):
$output
stderr: $stderr"
	fi
}

# run_inside [GROUPS] [-- PATH...]: inside_prepare, then inside_run.
run_inside() {
	inside_prepare "$@"
	inside_run
}

# assert_checked ERE...: each ERE matches the description of a check that ran and
# passed (not skipped): a case is about something only if it was really checked.
# The TAP is matched line by line with bash's own =~ (POSIX ERE, as grep -E):
# three greps an ERE were six processes, about 20 ms.
assert_checked() {
	local ere re line found skipped
	local -a tap
	IFS=$'\n' read -d '' -r -a tap <<<"$output" || true
	for ere in "$@"; do
		re="^ok [0-9]+ - ${ere}"
		found=0 skipped=0
		for line in "${tap[@]}"; do
			[[ "$line" =~ $re ]] || continue
			found=1
			[[ "$line" != *' # SKIP '* ]] || skipped=1
		done
		[ "$found" = 1 ] ||
			fail "no passed check matching /$ere/ in the TAP of ocitest inside:
$output"
		[ "$skipped" = 0 ] ||
			fail "the check /$ere/ was skipped, not made:
$output"
	done
}

# Traced again from here: the case's function is entered with -T (see the top).
set -T
