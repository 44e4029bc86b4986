# shellcheck shell=bash
# Shared by the runtimes broken on purpose: each is `box` with one lie told.
# After `broken_parse "$@"`: $cmd is the command word, globals=(flags before it),
# rest=(everything after it); `box ARGS` runs the real box; `broken_edit_config JQ`
# makes `create` and `run` read a config edited by JQ.
BOX=${BOX:?BOX must name the real box binary}

box() {
	exec "$BOX" "$@"
}

# shellcheck disable=SC2034 # globals, cmd, rest and root are for the sourcing script
broken_parse() {
	globals=()
	root=/run/box
	while [ $# -gt 0 ]; do
		case "$1" in
		--root) globals+=("$1" "$2"); root=$2; shift 2 ;;
		--log | --log-format) globals+=("$1" "$2"); shift 2 ;;
		-*) globals+=("$1"); shift ;;
		*) break ;;
		esac
	done
	cmd=${1:-}
	[ $# -eq 0 ] || shift
	rest=("$@")
}

# broken_edit_config [JQ-OPTION...] JQ-FILTER: after broken_parse, for `create` and
# `run` only, rewrite the bundle's config.json (--bundle DIR, -b DIR, --bundle=DIR,
# default the current directory) with jq, before box reads it: the lie a wrapper
# tells through the config. Each case has its own bundle, so editing it in place is
# fine; the copy a case made in the rootfs (/config.json) is left as it was, and
# `ocitest inside` holds the container to that. If jq fails (a config that is not
# JSON), the config is left as it is, for box to report.
broken_edit_config() {
	local bundle=. i tmp
	[ "$cmd" = create ] || [ "$cmd" = run ] || return 0
	for ((i = 0; i < ${#rest[@]}; i++)); do
		case "${rest[i]}" in
		--bundle | -b) bundle=${rest[i + 1]:-.} ;;
		--bundle=*) bundle=${rest[i]#--bundle=} ;;
		esac
	done
	tmp=$(mktemp)
	# cat, not mv: the config keeps its inode, owner and mode.
	jq "$@" "$bundle/config.json" >"$tmp" && cat "$tmp" >"$bundle/config.json"
	rm -f "$tmp"
	return 0
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

# broken_exec_process JQ: after broken_parse, for `exec --process FILE` only, $rest
# names a copy of FILE edited by JQ instead (the lie told through the process
# object; the case's own file is left as it was).
broken_exec_process() {
	local i tmp
	[ "$cmd" = exec ] || return 0
	for ((i = 0; i < ${#rest[@]}; i++)); do
		case "${rest[i]}" in
		--process | -p)
			tmp=$(mktemp)
			jq "$1" "${rest[i + 1]}" >"$tmp" 2>/dev/null || cp "${rest[i + 1]}" "$tmp"
			rest[i + 1]=$tmp
			;;
		esac
	done
}

# broken_drop_option OPTION...: after broken_parse, for `exec` only, each OPTION and
# its value are taken out of $rest (the flag is ignored).
broken_drop_option() {
	local i o kept=() drop
	[ "$cmd" = exec ] || return 0
	for ((i = 0; i < ${#rest[@]}; i++)); do
		drop=0
		for o in "$@"; do
			[ "${rest[i]}" != "$o" ] || drop=1
		done
		if [ "$drop" -eq 1 ]; then
			i=$((i + 1))
		else
			kept+=("${rest[i]}")
		fi
	done
	rest=("${kept[@]}")
}
