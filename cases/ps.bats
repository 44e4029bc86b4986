#!/usr/bin/env bats
# `ps` (runc's command line): the processes of a container, as host pids: every
# process in the container's cgroup and nothing else. json: an array of pids;
# table: the host's `ps` output (ps -ef, or the arguments after the id) cut to them.
load helpers.bash

setup() {
	common_setup
	requires op:ps
	requires_cgroup cgroup_writable
}

# start_three: a running container with three processes, the init and two
# children; their host pids, sorted, in $want.
start_three() {
	set_args sh -c 'sleep 1000 & sleep 1000 & echo ready > /ready; wait'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
	want=$(cgroup_pids "$id")
	[ "$(wc -l <<<"$want")" -eq 3 ] || fail "expected 3 processes in the container's cgroup, found: $want"
}

# cgroup_pids ID: the host pids in the container's cgroup (the init's cgroup in the
# pids hierarchy, or the unified one), sorted, one a line.
cgroup_pids() {
	local pid dir ctrl=unified
	pid=$(container_process "$1")
	probe_is cgroup v2 || [[ " $(probe cgroup_controllers) " != *" pids "* ]] || ctrl=pids
	dir=$(cgroup_dir "$pid" "$ctrl") || fail "no $ctrl cgroup for $1"
	[ "$dir" != "$(cgroup_dir $$ "$ctrl")" ] || fail "container $1 runs in the caller's own cgroup"
	find "$dir" -name cgroup.procs -exec cat {} + | sort -n
}

# bats test_tags=de-facto,req:cli:ps
@test "ps [--format json: the host pids of every process in the container]" {
	start_three
	runtime -0 ps --format json "$id"
	got=$(jq -er 'if type == "array" then .[] else error("not an array") end' <<<"$output" | sort -n) ||
		fail "ps --format json did not print a JSON array of pids: $output"
	[ "$got" = "$want" ] || fail "ps --format json: pids $(paste -sd" " <<<"$got"), the container's cgroup has $(paste -sd" " <<<"$want")"
	grep -qx "$(container_process "$id")" <<<"$got" || fail "the init is not among the pids"
}

# bats test_tags=de-facto,req:cli:ps
@test "ps [-f json short option: same pids]" {
	start_three
	runtime -0 ps -f json "$id"
	[ "$(jq -r '.[]' <<<"$output" | sort -n)" = "$want" ] || fail "ps -f json: $output, want $(paste -sd" " <<<"$want")"
}

# bats test_tags=de-facto,req:cli:ps
@test "ps [table: a PID column, one line per process of the container]" {
	start_three
	runtime -0 ps "$id"
	header=$(head -n1 <<<"$output")
	col=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "PID") { print i; exit } }' <<<"$header")
	[ -n "$col" ] || fail "no PID column in the header: $header"
	got=$(tail -n +2 <<<"$output" | awk -v c="$col" '{ print $c }' | sort -n)
	[ "$got" = "$want" ] || fail "ps table: pids $(paste -sd" " <<<"$got"), the container's cgroup has $(paste -sd" " <<<"$want")"
}

# bats test_tags=de-facto,req:cli:ps
@test "ps [table with ps arguments after the id: -o pid,comm]" {
	start_three
	# runc passes everything after the id to ps (a `--` too, which ps refuses).
	runtime -0 ps "$id" -o pid,comm
	[ "$(head -n1 <<<"$output" | awk '{ print $1, $2 }')" = "PID COMMAND" ] ||
		fail "ps -o pid,comm: header is not PID COMMAND: $output"
	[ "$(tail -n +2 <<<"$output" | awk '{ print $1 }' | sort -n)" = "$want" ] ||
		fail "ps -o pid,comm: $output, want pids $(paste -sd" " <<<"$want")"
	[ "$(tail -n +2 <<<"$output" | awk '$2 == "sleep"' | wc -l)" -eq 2 ] || fail "two sleep processes expected: $output"
}

# bats test_tags=de-facto,req:cli:ps
@test "ps [container that does not exist: fails, naming it]" {
	runtime ps --format json oct-no-such-container
	assert_not_found "ps of a missing container"
}

# bats test_tags=de-facto,req:cli:ps
@test "ps [--format of an unknown kind: fails]" {
	# Any running container: the format is refused before a pid is looked at.
	set_args sleep 1000
	id=$(new_id)
	start_container "$id"
	runtime ps --format yaml "$id"
	assert_error "ps --format yaml" "format|yaml"
}
