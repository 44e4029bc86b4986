# shellcheck shell=bash
# Shared by the runtimes broken on purpose: each is `box` with one lie told.
# After `broken_parse "$@"`: $cmd is the command word, globals=(flags before it),
# rest=(everything after it); `box ARGS` runs the real box.
BOX=${BOX:?BOX must name the real box binary}

box() {
	exec "$BOX" "$@"
}

# shellcheck disable=SC2034 # globals, cmd and rest are for the sourcing script
broken_parse() {
	globals=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--root | --log | --log-format) globals+=("$1" "$2"); shift 2 ;;
		-*) globals+=("$1"); shift ;;
		*) break ;;
		esac
	done
	cmd=${1:-}
	[ $# -eq 0 ] || shift
	rest=("$@")
}

# last_arg ARGS: the container id (the last argument of a lifecycle command).
last_arg() {
	[ $# -gt 0 ] && printf '%s\n' "${!#}"
}

# remember_pid GLOBALS... state ID: note the container's pid in $BROKEN_LEFT/pids and
# its id in $BROKEN_LEFT/ids, so the selftest can kill and remove (cgroups named
# after the id) what this runtime leaves behind on purpose.
remember_pid() {
	local pid
	printf '%s\n' "${!#}" >>"${BROKEN_LEFT:?}/ids"
	pid=$("$BOX" "$@" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null) || return 0
	[ "${pid:-0}" -gt 0 ] && echo "$pid" >>"${BROKEN_LEFT:?}/pids"
	return 0
}
