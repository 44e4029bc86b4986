#!/usr/bin/env bats
# `list` (runc's command line): every container under the state root (--root), as
# a table (ID PID STATUS BUNDLE CREATED OWNER), as ids alone (--quiet), or as a JSON
# array of state-like objects with an owner; each as `state` reports it.
load helpers.bash

setup() {
	common_setup
	requires op:list
}

# three_containers: in one state root, $created (created), $running (running) and
# $stopped (killed, stopped), all of the bundle's `sleep 1000`.
three_containers() {
	set_args sleep 1000
	created=$(new_id created)
	running=$(new_id running)
	stopped=$(new_id stopped)
	create_container "$created"
	start_container "$running"
	start_container "$stopped"
	runtime -0 kill "$stopped" KILL
	wait_status "$stopped" stopped
}

# bats test_tags=de-facto,req:cli:list
@test "list [table: ID PID STATUS BUNDLE CREATED OWNER, a line per container as state has it]" {
	three_containers
	runtime -0 list
	read -ra head <<<"$(head -n1 <<<"$output")"
	[ "${head[*]}" = "ID PID STATUS BUNDLE CREATED OWNER" ] || fail "list header: ${head[*]}"
	[ "$(tail -n +2 <<<"$output" | grep -c .)" -eq 3 ] || fail "list: 3 containers expected: $output"
	for c in "$created" "$running" "$stopped"; do
		line=$(awk -v id="$c" '$1 == id' <<<"$output")
		[ -n "$line" ] || fail "list does not show $c: $output"
		read -r _ pid status bundle created_at owner <<<"$line"
		st=$(rt state "$c")
		[ "$status" = "$(jq -r .status <<<"$st")" ] || fail "$c: list says $status, state $(jq -r .status <<<"$st")"
		[ "$pid" = "$(jq -r .pid <<<"$st")" ] || fail "$c: list pid $pid, state $(jq -r .pid <<<"$st")"
		[ "$bundle" = "${BUNDLE:?}" ] || fail "$c: list bundle $bundle, want $BUNDLE"
		[ "$created_at" = "$(jq -r .created <<<"$st")" ] || fail "$c: list created $created_at, state $(jq -r .created <<<"$st")"
		[ "$owner" = "$(id -un)" ] || fail "$c: owner $owner, want $(id -un)"
	done
}

# bats test_tags=de-facto,req:cli:list
@test "list [--format json: an array of state-like objects with owner]" {
	three_containers
	runtime -0 list --format json
	[ "$(jq -r 'length' <<<"$output")" -eq 3 ] || fail "list --format json: 3 containers expected: $output"
	for c in "$created" "$running" "$stopped"; do
		item=$(jq -ec --arg id "$c" '.[] | select(.id == $id)' <<<"$output") || fail "list --format json lacks $c: $output"
		st=$(rt state "$c")
		for f in id status pid bundle created; do
			[ "$(jq -r ".$f" <<<"$item")" = "$(jq -r ".$f" <<<"$st")" ] ||
				fail "$c: list .$f = $(jq -r ".$f" <<<"$item"), state .$f = $(jq -r ".$f" <<<"$st")"
		done
		[ "$(jq -r .owner <<<"$item")" = "$(id -un)" ] || fail "$c: owner $(jq -r .owner <<<"$item"), want $(id -un)"
	done
	[ "$(jq -r --arg id "$stopped" '.[] | select(.id == $id) | .pid' <<<"$output")" -eq 0 ] ||
		fail "a stopped container lists with pid 0 (as in its state)"
}

# bats test_tags=de-facto,req:cli:list
@test "list [--quiet: the ids alone, one a line]" {
	three_containers
	runtime -0 list --quiet
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$created" "$running" "$stopped" | sort)" ] ||
		fail "list --quiet: $output"
	runtime -0 list -q
	[ "$(grep -c . <<<"$output")" -eq 3 ] || fail "list -q: $output"
}

# bats test_tags=de-facto,req:cli:list
@test "list [after delete: the container is gone from the list]" {
	three_containers
	runtime -0 delete "$stopped"
	runtime -0 list --quiet
	! grep -qx "$stopped" <<<"$output" || fail "a deleted container is still listed: $output"
	[ "$(grep -c . <<<"$output")" -eq 2 ] || fail "list --quiet after one delete: $output"
}

# bats test_tags=de-facto,req:cli:list
@test "list [empty state root: no containers]" {
	runtime -0 list --format json
	[ "$(jq -r '. // [] | length' <<<"$output")" -eq 0 ] || fail "list of an empty root: $output"
	runtime -0 list --quiet
	[ -z "$output" ] || fail "list --quiet of an empty root: $output"
}
