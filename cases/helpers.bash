# shellcheck shell=bash
# Common set-up for every case: the runtime wrappers, `requires`, bundles, and the
# leak check that every teardown runs.
#
# Environment (set by ci/acceptance, or by hand):
#   RUNTIME          the runtime binary under test (default: build/bin/box)
#   RUNTIME_ARGS     global flags it needs on this host (word-split)
#   RUNTIME_TIMEOUT  seconds any one runtime call may take (default 30)
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
OCITEST=${OCITEST:-$TOP/build/bin/ocitest}
ROOTFS=${ROOTFS:-$TOP/build/rootfs}
BASE_CONFIG=${BASE_CONFIG:-$TOP/fixtures/config.json}
RUNTIME=${RUNTIME:-$TOP/build/bin/box}
RUNTIME_NAME=${RUNTIME_NAME:-$(basename "$RUNTIME")}
RUNTIME_TIMEOUT=${RUNTIME_TIMEOUT:-30}
read -ra runtime_args <<<"${RUNTIME_ARGS:-}"

# rt ARGS: the runtime under test, raw. Its own --root under the case's tmpdir, a
# timeout, stdin from /dev/null, and fd 3 closed (a detached container holding
# bats' fd 3 stalls the whole run). stdout/stderr go through files rather than a
# pipe: a created container inherits them and would hold a `run` pipe open.
rt() {
	local out err rc=0
	out=$(mktemp -p "$BATS_TEST_TMPDIR" rt.XXXXXX.out)
	err=${out%.out}.err
	timeout --kill-after=5 "$RUNTIME_TIMEOUT" "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" "$@" \
		</dev/null >"$out" 2>"$err" 3>&- || rc=$?
	cat "$out"
	cat "$err" >&2
	return "$rc"
}

# runtime [-N|!] ARGS: rt through bats `run --separate-stderr`: $status, $output
# (stdout) and $stderr are set; the call and its output are logged to stderr, which
# bats shows only when the case fails. With -N, the exit status must be N; with !,
# non-zero.
runtime() {
	local want=
	case "${1:-}" in
	-[0-9]*) want=${1#-}; shift ;;
	!) want='!'; shift ;;
	esac
	run --separate-stderr rt "$@"
	# shellcheck disable=SC2154 # $status, $output, $stderr are set by bats `run`
	{
		echo "\$ $RUNTIME_NAME $* (status=$status)"
		[ -z "$output" ] || printf '%s\n' "$output" | sed 's/^/  out: /'
		[ -z "$stderr" ] || printf '%s\n' "$stderr" | sed 's/^/  err: /'
	} >&2
	case "$want" in
	'') ;;
	'!') [ "$status" -ne 0 ] || fail "$RUNTIME_NAME $*: expected a non-zero exit, got 0" ;;
	*) [ "$status" -eq "$want" ] || fail "$RUNTIME_NAME $*: expected exit $want, got $status" ;;
	esac
}

# probe KEY: the value `ocitest probe` reports for KEY on this host (cached per file).
probe() {
	local cache="$BATS_FILE_TMPDIR/probe"
	[ -s "$cache" ] || "$OCITEST" probe >"$cache"
	sed -n "s/^$1=//p" "$cache"
}

# requires FEATURE...: skip the case, with the reason, unless the host (or the
# runtime) has every FEATURE. Call from setup() or the case, never setup_file.
requires() {
	local f
	for f in "$@"; do
		case "$f" in
		root)
			[ "$(probe root)" = 1 ] ||
				skip "requires root with CAP_SYS_ADMIN (euid=$(probe euid))"
			;;
		run)
			# `run` is beyond the OCI lifecycle operations: only where the runtime has it.
			"$RUNTIME" "${runtime_args[@]}" run --help >/dev/null 2>&1 </dev/null 3>&- ||
				skip "requires the runtime's \`run\` command ($RUNTIME_NAME run --help failed)"
			;;
		ns_*)
			[ "$(probe "$f")" = 1 ] || skip "requires $f (this host cannot create that namespace)"
			;;
		*) fail "requires: unknown feature '$f'" ;;
		esac
	done
}

# update_config JQ [JQ-ARGS...]: edit the bundle's config.json with jq.
update_config() {
	local tmp="$BUNDLE/config.json.tmp"
	# The config on stdin: after --args, jq takes every word as a positional value.
	jq "$@" <"$BUNDLE/config.json" >"$tmp"
	mv "$tmp" "$BUNDLE/config.json"
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
	echo "$id"
}

# new_bundle DIR: a bundle with its own copy of the rootfs and the base config.
new_bundle() {
	mkdir -p "$1"
	cp -a "$ROOTFS" "$1/rootfs"
	cp "$BASE_CONFIG" "$1/config.json"
}

# state_field ID FIELD: one field of the parsed state document (jq path).
state_field() {
	rt state "$1" | jq -er ".$2"
}

# assert_status ID STATUS [STATE-CHECK OPTIONS...]: the runtime's state document for
# ID is valid per the runtime-spec state schema, and has STATUS and the given fields.
# While created or running, its pid must be the container's process: a live
# process whose root directory is the bundle's rootfs.
assert_status() {
	local id=$1 want=$2 pid bundle rootfs
	shift 2
	runtime -0 state "$id"
	printf '%s\n' "$output" | "$OCITEST" state-check --id "$id" --status "$want" "$@" -
	case "$want" in
	created | running)
		pid=$(jq -r .pid <<<"$output")
		bundle=$(jq -r .bundle <<<"$output")
		rootfs=$(jq -r .root.path "$bundle/config.json")
		[[ "$rootfs" == /* ]] || rootfs=$bundle/$rootfs
		# After pivot_root the /proc/PID/root link reads "/": compare the directories.
		[ "$(stat -L -c %d:%i "/proc/$pid/root/" 2>&1)" = "$(stat -c %d:%i "$rootfs/")" ] ||
			fail "state.pid $pid of \`$id\` is not a process in its rootfs $rootfs"
		;;
	esac
}

# wait_status ID STATUS [SECONDS]: poll `state` until STATUS (or `gone`), with a deadline.
wait_status() {
	"$OCITEST" wait --timeout "${3:-10}" --status "$2" -- \
		timeout 10 "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" state "$1" 3>&-
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
	assert_status "$1" created
}

# start_container ID: create and start; the process is running.
start_container() {
	create_container "$@"
	runtime -0 start "$1"
	assert_status "$1" running --pid-alive
}

# A process that stays up until killed and reports the signals it gets: it writes
# /ready once its traps are set, then the name of every trapped signal to /signals.
# (As pid 1 of its namespace, sh ignores signals it has no handler for.)
# shellcheck disable=SC2034 # used by the cases
LONG_RUNNING=(sh -c 'for s in TERM USR1 USR2 HUP INT; do trap "echo $s >> /signals" $s; done
echo ready > /ready
while :; do sleep 1 & wait $!; done')

common_setup() {
	requires root
	T=$BATS_TEST_TMPDIR
	ROOT=$T/root
	BUNDLE=$T/bundle
	new_bundle "$BUNDLE"
	"$OCITEST" snapshot --out "$T/snapshot" --scope "$T" --root "$ROOT"
}

# Force-delete every container the case made, then assert that nothing is left
# on the host: no state entry, mount, process or cgroup that was not there before.
common_teardown() {
	[ -n "${T:-}" ] && [ -f "$T/snapshot" ] || return 0
	local id
	{
		cat "$T/ids" 2>/dev/null || true
		ls "$ROOT" 2>/dev/null || true
	} | sort -u | while read -r id; do
		[ -n "$id" ] || continue
		rt delete --force "$id" >/dev/null 2>&1 || true
	done
	run "$OCITEST" leaks --from "$T/snapshot" --scope "$T" --root "$ROOT"
	[ "$status" -eq 0 ] || fail "left behind on the host after the case:
$output"
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}
