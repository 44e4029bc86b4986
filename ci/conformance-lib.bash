# shellcheck shell=bash
# Functions for ci/conformance: where the source is, the wrapper runtime, one
# program's run with its leak check, the host facts that rule a program out, JUnit.

OCITEST=${OCITEST:-$top/build/bin/ocitest}

# find_source: $RUNTIME_TOOLS, else ../shared/runtime-tools/ next to this checkout
# (or next to the repository's main checkout, for a git worktree); a directory that
# holds a tarball runtime-tools-*.tar.gz means that tarball.
find_source() {
	local c main d
	main=$(git -C "$top" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
	for c in ${RUNTIME_TOOLS:+"$RUNTIME_TOOLS"} "$top/../shared/runtime-tools" ${main:+"$(dirname "$main")/../shared/runtime-tools"}; do
		[ -e "$c" ] || continue
		if [ -d "$c" ] && [ ! -f "$c/go.mod" ]; then
			d=$(find "$c" -maxdepth 1 -name 'runtime-tools-*.tar.gz' | sort | tail -n1)
			[ -n "$d" ] || continue
			c=$d
		fi
		realpath "$c"
		return 0
	done
	[ -z "${RUNTIME_TOOLS:-}" ] || echo "conformance: RUNTIME_TOOLS=$RUNTIME_TOOLS: not a checkout or tarball" >&2
	return 1
}

resolve_runtime() {
	local r=$1
	if [[ "$r" != */* ]]; then
		r=$(command -v "$r") || { echo "conformance: runtime '$1' not found on PATH" >&2; exit 1; }
	fi
	r=$(realpath "$r")
	[ -x "$r" ] || { echo "conformance: runtime $r is not an executable" >&2; exit 1; }
	echo "$r"
}

# make_wrapper WORK RUNTIME: WORK/runtime, what the programs call (they take a
# command, no arguments): the runtime with its own state root WORK/root and
# RUNTIME_ARGS, recording each created container id in WORK/ids for the cleanup
# and the leak check (the programs make random ids).
make_wrapper() {
	local args=() q
	read -ra args <<<"${RUNTIME_ARGS:-}"
	q=$(printf ' %q' "$2" --root "$1/root" "${args[@]}")
	cat >"$1/runtime" <<-WRAP
		#!/bin/bash
		if [ "\${1:-}" = create ]; then echo "\${!#}" >>$(printf %q "$1/ids"); fi
		exec$q "\$@"
	WRAP
	chmod 755 "$1/runtime"
}

# host_rules_out PROGRAM: print the host fact that keeps PROGRAM from running
# here (and succeed), or fail when the host can run it.
host_rules_out() {
	local bnd last
	case "$1" in
	linux_cgroups_blkio | linux_cgroups_relative_blkio)
		# blkio.weight exists only with a proportional I/O scheduler (CFQ, BFQ).
		if [ -d /sys/fs/cgroup/blkio ] && [ ! -e /sys/fs/cgroup/blkio/blkio.weight ] &&
			[ ! -e /sys/fs/cgroup/blkio/blkio.bfq.weight ]; then
			echo "no blkio.weight in the v1 blkio hierarchy (no CFQ/BFQ I/O scheduler)"
			return 0
		fi
		;;
	linux_cgroups_network | linux_cgroups_relative_network)
		if ! awk '$9 == "cgroup" && $NF ~ /net_cls/ { f = 1 } END { exit !f }' /proc/self/mountinfo; then
			echo "no net_cls cgroup hierarchy mounted (cgroup v2 has none)"
			return 0
		fi
		;;
	linux_process_apparmor_profile)
		if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
			echo "AppArmor is not enabled in this kernel"
			return 0
		fi
		;;
	process_capabilities)
		# The program asks for every capability; capset cannot raise one the
		# bounding set lacks.
		bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
		last=$(cat /proc/sys/kernel/cap_last_cap)
		if [ "$((16#$bnd))" -ne "$(((1 << (last + 1)) - 1))" ]; then
			echo "the bounding set lacks capabilities (CapBnd $bnd, cap_last_cap $last)"
			return 0
		fi
		;;
	esac
	return 1
}

# run_program PROGRAM WORK LOGDIR LIMIT: sets verdict, why, took (for the caller).
# shellcheck disable=SC2034
run_program() {
	local p=$1 work=$2 logs=$3 limit=$4 rc=0 start=$SECONDS fact
	took=0
	: >"$work/ids"
	rm -f "$logs/$p.leaks"
	if fact=$(host_rules_out "$p"); then
		verdict=skip why="host: $fact"
		return 0
	fi
	"$OCITEST" snapshot --out "$work/snapshot" --scope "$work" --root "$work/root" >/dev/null
	(cd "$work" && RUNTIME=$work/runtime TMPDIR=$work/tmp \
		timeout -k 5 "$limit" "$top/build/conformance/bin/$p" </dev/null >"$logs/$p.out" 2>"$logs/$p.err" 9>&-) || rc=$?
	took=$((SECONDS - start))
	IFS=$'\t' read -r verdict why < <("$top/ci/conformance-score" "$p" "$logs/$p.out" "$logs/$p.err" "$rc" "$limit")
	after_program "$p" "$work" "$logs"
}

# after_program PROGRAM WORK LOGDIR: force-delete what the program left created
# (a program that stops early leaves its container: not the runtime's leak), then
# the leak check; whatever it finds goes to LOGDIR/PROGRAM.leaks and is removed.
after_program() {
	local p=$1 work=$2 logs=$3 id out
	while read -r id; do
		[ -n "$id" ] || continue
		timeout 10 "$work/runtime" delete --force "$id" >/dev/null 2>&1 9>&- || true
	done <"$work/ids"
	# The runtime's cgroups are named after the container id or one of the
	# cgroupsPaths the programs set (runtime-tools cgroups.AbsCgroupPath, RelCgroupPath).
	{ cat "$work/ids"; echo cgrouptest; } >"$work/names"
	out=$("$OCITEST" leaks --from "$work/snapshot" --scope "$work" --root "$work/root" \
		--cgroup-names "$work/names" 2>&1) || {
		echo "$out" >"$logs/$p.leaks"
		reap "$out"
	}
	find "$work/tmp" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true
}

# reap LEAKS: kill leaked processes and every process in a leaked cgroup, unmount
# leaked mounts, remove leaked cgroups deepest first (as cases/helpers.bash does).
reap() {
	"$(dirname "${BASH_SOURCE[0]}")/reap-leaks" <<<"$1"
}

# write_junit TAP XML SUITE: one testcase per program, from the TAP file.
write_junit() {
	awk -v suite="$3" '
	function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s); return s }
	/^(not )?ok / { n++; ok[n] = ($1 == "ok"); name[n] = ($1 == "ok") ? $3 : $4
		skip[n] = ($0 ~ / # skip /); msg[n] = $0; sub(/^[^#]*# (skip )?/, "", msg[n]); if (msg[n] == $0) msg[n] = ""
		if (!ok[n]) nf++; if (skip[n]) ns++ }
	/^# (fail|error): / && n { msg[n] = substr($0, 3) }
	END {
		printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		printf "<testsuite name=\"runtime-tools (%s)\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n", esc(suite), n, nf, ns
		for (i = 1; i <= n; i++) {
			printf "  <testcase classname=\"runtime-tools\" name=\"%s\"", esc(name[i])
			if (ok[i] && !skip[i]) { print "/>"; continue }
			if (skip[i]) printf "><skipped message=\"%s\"/></testcase>\n", esc(msg[i])
			else printf "><failure message=\"%s\"/></testcase>\n", esc(msg[i])
		}
		print "</testsuite>\n</testsuites>"
	}' "$1" >"$2"
}
