#!/usr/bin/env bats
# `events` (runc's command line): `--stats` prints one stats document of the
# container's resource usage ({"type":"stats","id":ID,"data":{"cpu":...,"memory":...,
# "pids":...}}, runc's types/events.go); without it, one every --interval until the
# container is deleted, when the stream ends.
load helpers.bash

setup() {
	common_setup
	requires op:events
	requires_cgroup cgroup_writable pids memory
}

teardown() {
	# TERM: timeout passes it on to the runtime it runs.
	[ -z "${STREAM_PID:-}" ] || { kill -TERM "$STREAM_PID" 2>/dev/null; wait "$STREAM_PID" 2>/dev/null; } || true
	common_teardown
}

# start_three: a running container with three processes (the init, two sleeps).
start_three() {
	set_args sh -c 'sleep 1000 & sleep 1000 & echo ready > /ready; wait'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
}

# stats ID: `events --stats ID`, checked to be one JSON document; in $output.
stats() {
	runtime -0 events --stats "$1"
	[ "$(jq -s length <<<"$output")" -eq 1 ] || fail "events --stats printed more or less than one document: $output"
}

# stat_field JQ: a field of the stats document in $output, which must be a
# non-negative integer.
stat_field() {
	jq -er "$1 | if type == \"number\" and . >= 0 then . else error(\"not a count\") end" <<<"$output" ||
		fail "stats document: $1 is not a non-negative number: $(jq -c "$1" <<<"$output")"
}

# bats test_tags=de-facto,req:cli:events
@test "events [--stats: one stats document, cpu, memory and pids valid and plausible]" {
	start_three
	stats "$id"
	[ "$(jq -r .type <<<"$output")" = stats ] || fail "type is not stats: $output"
	[ "$(jq -r .id <<<"$output")" = "$id" ] || fail "id is not $id: $output"
	[ "$(stat_field .data.pids.current)" -eq 3 ] || fail "pids.current is not the 3 processes started: $output"
	mem=$(stat_field .data.memory.usage.usage)
	[ "$mem" -gt 0 ] && [ "$mem" -lt $((1 << 40)) ] || fail "memory.usage.usage $mem is not plausible"
	cpu=$(stat_field .data.cpu.usage.total)
	[ "$cpu" -gt 0 ] || fail "cpu.usage.total is 0 for a container that ran sh"
	# Nanoseconds: three processes that started and sleep use well under 10 s.
	[ "$cpu" -lt 10000000000 ] || fail "cpu.usage.total $cpu ns is not plausible (not nanoseconds?)"
}

# bats test_tags=de-facto,req:cli:events
@test "events [--stats: pids.current follows the processes started]" {
	# Waiting on a fifo, the init forks nothing until released.
	mkfifo "$BUNDLE/rootfs/go"
	set_args sh -c 'echo ready > /ready; read x < /go; sleep 1000 & sleep 1000 & sleep 1000 & echo more > /more; wait'
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
	stats "$id"
	[ "$(stat_field .data.pids.current)" -eq 1 ] || fail "pids.current is not 1 (the init alone): $output"
	timeout 10 sh -c 'echo go > "$1"' _ "$BUNDLE/rootfs/go" || fail "the container's process does not read /go"
	wait_file "$BUNDLE/rootfs/more"
	stats "$id"
	[ "$(stat_field .data.pids.current)" -eq 4 ] || fail "pids.current is not 4 (the init and 3 sleeps): $output"
}

# bats test_tags=de-facto,req:cli:events
@test "events [--stats after update: the new pids and memory limits reported]" {
	requires op:update
	start_three
	runtime -0 update --pids-limit 50 --memory 67108864 "$id"
	stats "$id"
	[ "$(stat_field .data.pids.limit)" -eq 50 ] || fail "pids.limit is not 50 after update: $output"
	[ "$(stat_field .data.memory.usage.limit)" -eq 67108864 ] || fail "memory.usage.limit is not 64M after update: $output"
}

# rt_stream FILE ARGS: the runtime as `rt` runs it (own --root, stdin from /dev/null,
# fd 3 closed, a timeout), in the background, its stdout going straight to FILE as
# it comes (rt keeps it until the end); $STREAM_PID is the timeout process.
# shellcheck disable=SC2154 # runtime_args is set by helpers.bash
rt_stream() {
	local file=$1
	shift
	timeout --kill-after=5 "$RUNTIME_TIMEOUT" "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" "$@" \
		</dev/null >"$file" 2>"$file.err" 3>&- &
	STREAM_PID=$!
}

# wait_lines FILE N [SECONDS]: poll (every 0.1 s, with a deadline) until FILE has N lines.
# Lines are counted as wc -l does (newlines: a line still being written is not
# one), by bash rather than a wc process a poll.
wait_lines() {
	local try text newlines=''
	for ((try = 0; try < ${3:-10} * 10; try++)); do
		text=
		IFS= read -rd '' text <"$1" || true
		newlines=${text//[!$'\n']/}
		[ "${#newlines}" -lt "$2" ] || return 0
		sleep 0.1
	done
	fail "$1 has ${#newlines} lines after ${3:-10} s, want $2: $(cat "$1" "$1.err")"
}

# bats test_tags=de-facto,req:cli:events
@test "events [--interval 1s: a stats event each interval, the stream ends with exit 0 after delete]" {
	start_three
	rt_stream "$T/events" events --interval 1s "$id"
	wait_lines "$T/events" 2 10
	while read -r line; do
		[ "$(jq -r '.type + " " + .id' <<<"$line")" = "stats $id" ] || fail "not a stats event of $id: $line"
		[ "$(jq -r .data.pids.current <<<"$line")" -eq 3 ] || fail "pids.current is not 3: $line"
	done < <(head -n2 "$T/events")
	runtime -0 delete --force "$id"
	"$OCITEST" wait --timeout 10 --pid-gone "$STREAM_PID" ||
		fail "events still streams 10 s after the container was deleted"
	rc=0
	wait "$STREAM_PID" || rc=$?
	STREAM_PID=
	[ "$rc" -eq 0 ] || fail "events exited $rc after the container was deleted: $(cat "$T/events.err")"
}

# bats test_tags=de-facto,req:cli:events
@test "events [--stats of a container that does not exist: fails, naming it]" {
	runtime events --stats oct-no-such-container
	assert_not_found "events --stats of a missing container"
}
