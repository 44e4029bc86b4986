#!/usr/bin/env bats
# `create` (runtime-spec runtime.md "Create").
load helpers.bash

# bats test_tags=spec:must,req:runtime:create
@test "create [status created, every state field]" {
	update_config '.annotations = {"org.ocitest.key": "value"}'
	id=$(new_id)
	runtime -0 create --bundle "$BUNDLE" "$id"
	runtime -0 state "$id"
	printf '%s\n' "$output" | "$OCITEST" state-check --id "$id" --status created \
		--bundle "$BUNDLE" --pid-alive -
	# The fields one by one, from the parsed document.
	jq -e '.ociVersion | type == "string" and test("^[0-9]+\\.[0-9]+\\.[0-9]+")' <<<"$output"
	jq -e --arg id "$id" '.id == $id' <<<"$output"
	jq -e '.status == "created"' <<<"$output"
	jq -e '.pid | type == "number" and . > 0' <<<"$output"
	jq -e '.bundle | startswith("/")' <<<"$output"
}

# runtime.md "State": annotations from the config are in the state.
# bats test_tags=spec:must,req:state:annotations
@test "create [annotations in the state]" {
	update_config '.annotations = {"org.ocitest.key": "value", "org.ocitest.other": "2"}'
	id=$(new_id)
	create_container "$id"
	assert_status "$id" created --annotation org.ocitest.key=value --annotation org.ocitest.other=2
}

# bats test_tags=de-facto,req:cli:create
@test "create [--pid-file equals state.pid]" {
	id=$(new_id)
	runtime -0 create --bundle "$BUNDLE" --pid-file "$T/pidfile" "$id"
	[ -s "$T/pidfile" ] || fail "--pid-file $T/pidfile not written"
	pid=$(state_field "$id" pid)
	[ "$(cat "$T/pidfile")" = "$pid" ] || fail "pid file has '$(cat "$T/pidfile")', state.pid is $pid"
}

# runtime.md "Create": an id that is already used MUST generate an error, and
# the existing container is untouched.
# bats test_tags=spec:must,req:runtime:create
@test "create [duplicate id fails, first container untouched]" {
	id=$(new_id)
	create_container "$id"
	pid=$(state_field "$id" pid)
	runtime ! create --bundle "$BUNDLE" "$id"
	assert_status "$id" created --pid "$pid" --pid-alive --bundle "$BUNDLE"
}

# The bundle given relative to the caller's directory; state has it absolute.
# bats test_tags=spec:must,req:state:bundle
@test "create [relative --bundle, absolute bundle in state]" {
	id=$(new_id)
	cd "$T"
	runtime -0 create --bundle bundle "$id"
	assert_status "$id" created --bundle "$BUNDLE"
}

# bats test_tags=spec:must,req:runtime:create
@test "create [bundle that does not exist fails, nothing left]" {
	id=$(new_id)
	runtime ! create --bundle "$T/no-such-bundle" "$id"
	runtime ! state "$id"
}

# config.md "Root": path MUST exist... a missing rootfs is an error.
# bats test_tags=spec:must,req:config:root
@test "create [missing rootfs fails, nothing left]" {
	update_config '.root.path = "no-such-rootfs"'
	id=$(new_id)
	runtime ! create --bundle "$BUNDLE" "$id"
	runtime ! state "$id"
}

# bats test_tags=spec:must,req:runtime:create
@test "create [malformed config.json fails, nothing left]" {
	echo '{"ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
	id=$(new_id)
	runtime ! create --bundle "$BUNDLE" "$id"
	runtime ! state "$id"
}

# An id with a path separator must not name a path outside the state root.
# bats test_tags=de-facto,req:cli:create
@test "create [id with '/' or '..' fails]" {
	for id in "../escape" "a/b" ".."; do
		runtime ! create --bundle "$BUNDLE" "$id"
	done
	[ ! -e "$T/escape" ] || fail "state written outside --root"
}
