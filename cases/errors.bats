#!/usr/bin/env bats
# Bad input: every case feeds one bad config (fixtures/bad/NAME.json, which doubles
# as the fuzz seed corpus), id, flag or command sequence, and expects a non-zero
# exit, an error message that names the problem, and no half-made container
# (`state` fails; teardown's leak diff is empty).
#
# runtime.md "Operations": "Unless otherwise stated, generating an error MUST leave
# the state of the environment as if the operation were never attempted".
# runtime.md "Create": "If the runtime cannot apply a property as specified in the
# configuration, it MUST generate an error and a new container MUST NOT be
# created"; the `process` properties other than args MAY be applied by create, so
# a bad `process` may fail `start` instead (create_or_start_fails).
#
# Error text is matched loosely, with a keyword that runc 1.1.5, crun 1.8.1 and box
# all use; where one of them does not name the problem at all, only a non-empty
# message is required and the three texts are quoted above the case.
load helpers.bash

# --- malformed JSON (RFC 8259; glossary.md "JSON") ---
# crun: "error loading config.json" for all of them; runc: "unexpected EOF", "EOF",
# "json: cannot unmarshal ..."; box: "config.json: invalid JSON at line L column C".

# bats test_tags=spec:must,req:runtime:create
@test "errors [config: truncated JSON]" {
	bad_config truncated
	create_fails truncated "$(new_id)" 'json|EOF'
}

# runc decodes the first JSON value and ignores what follows it.
# bats test_tags=spec:must,req:runtime:create
@test "errors [config: trailing garbage after the JSON object]" {
	bad_config trailing-garbage
	create_fails trailing-garbage "$(new_id)" 'json|EOF|garbage|expected'
}

# bats test_tags=spec:must,req:runtime:create
@test "errors [config: document is an array, not an object]" {
	bad_config not-an-object
	create_fails not-an-object "$(new_id)" 'json|object'
}

# bats test_tags=spec:must,req:runtime:create
@test "errors [config: empty file]" {
	bad_config empty
	create_fails empty "$(new_id)" 'json|EOF'
}

# A `null` document must be refused, not crash the runtime (assert_error fails on a
# Go panic or a sanitizer report).
# bats test_tags=spec:must,req:runtime:create
@test "errors [config: document is null]" {
	bad_config null
	create_fails null "$(new_id)" 'json|EOF|object|null'
}

# --- wrong types (config.md field types) ---
# crun reports "error loading config.json" for a schema error, without the field:
# the matchers accept that file name besides the field name.

# bats test_tags=spec:must,req:config:specification-version
@test "errors [config: ociVersion is a number]" {
	bad_config ociversion-number
	create_fails ociversion-number "$(new_id)" 'ociVersion|config\.json'
}

# bats test_tags=spec:must,req:config:process
@test "errors [config: process.args is a string]" {
	bad_config args-string
	create_or_start_fails args-string "$(new_id)" 'args|exec'
}

# bats test_tags=spec:must,req:config:process
@test "errors [config: process.env has non-strings]" {
	bad_config env-not-strings
	create_or_start_fails env-not-strings "$(new_id)" 'env'
}

# bats test_tags=spec:must,req:config:root
@test "errors [config: root.path is a number]" {
	bad_config root-path-number
	create_fails root-path-number "$(new_id)" 'root|config\.json'
}

# crun: "invalid config file, no 'mounts' block specified"
# bats test_tags=spec:must,req:config:mounts
@test "errors [config: mounts is an object, not an array]" {
	bad_config mounts-not-array
	create_fails mounts-not-array "$(new_id)" 'mounts'
}

# config.md "Mounts" (1.0.2, the base config's ociVersion): destination "MUST be an
# absolute path". (runtime-spec 1.1 relaxed this to SHOULD, relative to "/".)
# bats test_tags=spec:must,req:config:mounts
@test "errors [config: mount destination is relative]" {
	bad_config mount-destination-relative
	create_fails mount-destination-relative "$(new_id)" 'destination|absolute'
}

# config-linux.md "Namespaces": type is one of a fixed list.
# bats test_tags=spec:must,req:config-linux:namespaces
@test "errors [config: namespace type unknown]" {
	bad_config namespace-type-unknown
	create_fails namespace-type-unknown "$(new_id)" 'namespace'
}

# bats test_tags=spec:must,req:config:process
@test "errors [config: process.terminal is a string]" {
	bad_config terminal-not-boolean
	create_or_start_fails terminal-not-boolean "$(new_id)" 'terminal'
}

# config.md "User": uid is a uint32 in the schema.
# bats test_tags=spec:must,req:config:posix-platform-user
@test "errors [config: process.user.uid is negative]" {
	bad_config uid-negative
	create_or_start_fails uid-negative "$(new_id)" 'uid|config\.json'
}

# --- missing REQUIRED fields ---

# config.md "Specification version": ociVersion (string, REQUIRED).
# bats test_tags=spec:must,req:config:specification-version
@test "errors [config: ociVersion missing]" {
	bad_config missing-ociversion
	create_fails missing-ociversion "$(new_id)" 'ociVersion|version|config\.json'
}

# config.md "Root": on Linux root is REQUIRED.
# bats test_tags=spec:must,req:config:root
@test "errors [config: root missing]" {
	bad_config missing-root
	create_fails missing-root "$(new_id)" 'root'
}

# config.md "Root": path (string, REQUIRED).
# bats test_tags=spec:must,req:config:root
@test "errors [config: root.path missing]" {
	bad_config missing-root-path
	create_fails missing-root-path "$(new_id)" 'root|config\.json'
}

# config.md "Process": process is REQUIRED when start is called.
# runc: "process property must not be empty"; box: "config.json: `process`:
# required"; crun: "internal error: max number of capabilities not initialized"
# (it fails, but does not say why): only a message is required.
# bats test_tags=spec:must,req:config:process
@test "errors [config: process missing]" {
	bad_config missing-process
	create_or_start_fails missing-process "$(new_id)"
}

# config.md "Process": args (array of strings, REQUIRED in 1.0.2).
# bats test_tags=spec:must,req:config:process
@test "errors [config: process.args missing]" {
	bad_config missing-args
	create_or_start_fails missing-args "$(new_id)" 'args|exec'
}

# config.md "Process": cwd (string, REQUIRED).
# bats test_tags=spec:must,req:config:process
@test "errors [config: process.cwd missing]" {
	bad_config missing-cwd
	create_or_start_fails missing-cwd "$(new_id)" 'cwd|config\.json'
}

# config.md "Process": args has at least one entry. crun: "open executable:
# Invalid argument".
# bats test_tags=spec:must,req:config:process
@test "errors [config: process.args empty]" {
	bad_config empty-args
	create_or_start_fails empty-args "$(new_id)" 'args|exec'
}

# --- values ---

# config.md "Specification version": compatibility holds only within a major
# version; a 1.x runtime cannot honour a 2.0.0 config.
# bats test_tags=spec:must,req:config:specification-version
@test "errors [config: ociVersion 2.0.0 unsupported]" {
	bad_config ociversion-2
	create_fails ociversion-2 "$(new_id)" 'version'
}

# config.md: ociVersion "MUST be in SemVer v2.0.0 format".
# bats test_tags=spec:must,req:config:specification-version
@test "errors [config: ociVersion not SemVer]" {
	bad_config ociversion-banana
	create_fails ociversion-banana "$(new_id)" 'version'
}

# config.md "Process": cwd "MUST be an absolute path".
# bats test_tags=spec:must,req:config:process
@test "errors [config: process.cwd relative]" {
	bad_config cwd-relative
	create_or_start_fails cwd-relative "$(new_id)" 'cwd|absolute'
}

# config.md "Root": the path... crun: "make `no-such-rootfs` private: No such file
# or directory".
# bats test_tags=spec:must,req:config:root
@test "errors [config: rootfs does not exist]" {
	bad_config rootfs-missing
	create_fails rootfs-missing "$(new_id)" 'no such file|not exist'
}

# root.path names the bundle's config.json, a regular file.
# bats test_tags=spec:must,req:config:root
@test "errors [config: rootfs is a regular file]" {
	bad_config rootfs-file
	create_fails rootfs-file "$(new_id)" 'not a directory'
}

# config.md "Process": args[0] "MUST be available at the given path inside of the
# rootfs". runc and crun find it at create, before the exec fifo, as box does;
# start would also be a fair place to fail.
# bats test_tags=spec:must,req:config:process
@test "errors [config: args[0] absolute path not found]" {
	bad_config args0-not-found
	create_or_start_fails args0-not-found "$(new_id)" 'exec'
}

# bats test_tags=spec:must,req:config:process
@test "errors [config: args[0] not found in PATH]" {
	bad_config args0-not-found-in-path
	create_or_start_fails args0-not-found-in-path "$(new_id)" 'exec'
}

# runc: "exec: \"/bin\": permission denied"; crun: "open executable: Operation not
# permitted"; box: "executable `/bin`: Is a directory".
# bats test_tags=spec:must,req:config:process
@test "errors [config: args[0] is a directory]" {
	bad_config args0-directory
	create_or_start_fails args0-directory "$(new_id)" 'exec'
}

# bats test_tags=spec:must,req:config:process
@test "errors [config: args[0] has no execute bit]" {
	bad_config args0-not-executable
	printf '#!/bin/sh\nexit 0\n' >"$BUNDLE/rootfs/not-executable"
	chmod 0644 "$BUNDLE/rootfs/not-executable"
	create_or_start_fails args0-not-executable "$(new_id)" 'exec|permission'
}

# linux.sysctl kernel.hostname in a new uts namespace: runc ("not allowed as it
# conflicts with the OCI hostname field") and crun refuse it; it would fight the
# `hostname` field (config.md "Hostname"). De-facto: config-linux.md "Sysctl"
# leaves the check to the runtime.
# bats test_tags=de-facto,req:config-linux:sysctl
@test "errors [config: linux.sysctl kernel.hostname is refused]" {
	update_config '.linux.sysctl = {"kernel.hostname": "from-sysctl"}'
	create_fails kernel.hostname "$(new_id)" 'hostname'
}

# --- mounts (config.md "Mounts"; create applies them, so create fails) ---

# bats test_tags=spec:must,req:config:mounts
@test "errors [config: mount of an unknown filesystem type]" {
	bad_config mount-type-unknown
	create_fails mount-type-unknown "$(new_id)" 'no such device|nosuchfs'
}

# bats test_tags=spec:must,req:config:mounts
@test "errors [config: bind mount of a missing source]" {
	bad_config mount-bind-missing-source
	create_fails mount-bind-missing-source "$(new_id)" '/no/such/source'
}

# bats test_tags=spec:must,req:config:mounts
@test "errors [config: mount option the filesystem rejects]" {
	bad_config mount-bad-option
	create_fails mount-bad-option "$(new_id)" 'invalid argument|size=banana'
}

# --- bundle and --root ---

# runtime.md "Create": the bundle path is required and must exist.
# bats test_tags=spec:must,req:runtime:create
@test "errors [bundle does not exist]" {
	id=$(new_id)
	runtime create --bundle "$T/no-such-bundle" "$id"
	assert_error "missing bundle" 'no such file|not exist'
	runtime ! state "$id"
}

# bundle.md: config.json is REQUIRED in the bundle.
# bats test_tags=spec:must,req:runtime:create
@test "errors [bundle without config.json]" {
	rm "$BUNDLE/config.json"
	create_fails "no config.json" "$(new_id)" 'config\.json'
}

# runc: "mkdir R: not a directory"; crun: "the path `R` is not a directory"; box:
# "state root `R` is not a directory".
# bats test_tags=de-facto,req:cli:global-options
@test "errors [--root is a regular file]" {
	touch "$T/root-file"
	ROOT=$T/root-file
	id=$(new_id)
	runtime create --bundle "$BUNDLE" "$id"
	assert_error "--root a regular file" 'not a directory'
	runtime ! state "$id"
	[ -f "$T/root-file" ] && [ ! -s "$T/root-file" ] || fail "the --root file was changed"
	# shellcheck disable=SC2034 # read by teardown
	ROOT=$T/root
}

# --- container ids (runtime.md "Create": an id that "is not valid in any other
# way" MUST be an error; the spec leaves validity to the runtime, runc's rule is
# ^[\w+.-]+$ minus "." and "..", box's [A-Za-z0-9_+.-] not starting with ".") ---

# id_refused WHAT ID [ERE]: create with ID fails cleanly and nothing is written
# outside the state root. If a runtime accepts the id, the container is removed
# here (teardown cannot name ids with a newline), except ids that are paths.
id_refused() {
	local what=$1 id=$2 ere=${3:-}
	runtime create --bundle "$BUNDLE" "$id"
	if [ "$status" -eq 0 ]; then
		case "$id" in
		*/* | . | ..) ;;
		*) rt delete --force "$id" >/dev/null 2>&1 || true ;;
		esac
		fail "$what: create accepted the id"
	fi
	assert_error "$what" "$ere"
	[ ! -e "$T/escape" ] || fail "$what: state written outside --root ($T/escape)"
}

# runc: "container id cannot be empty"; crun: "container `` already exists" (the
# state root itself); box: "invalid container id ``: must not be empty".
# bats test_tags=spec:must,req:runtime:create
@test "errors [id: empty]" {
	id_refused "empty id" ""
}

# NAME_MAX is 255: runc "lstat R/aaa...: file name too long"; crun "cannot create
# state directory for `aaa...`"; box "... longer than 255 characters".
# bats test_tags=spec:must,req:runtime:create
@test "errors [id: 2000 characters]" {
	id_refused "2000-character id" "$(printf 'a%.0s' {1..2000})"
}

# runc: "invalid container ID format"; crun: "cannot create state directory for
# `a/b`"; box: "character `/` not allowed".
# bats test_tags=spec:must,req:runtime:create
@test "errors [id: contains '/']" {
	id_refused "id a/b" "a/b"
	id_refused "id ../escape" "../escape"
}

# runc: "invalid container ID format"; crun: "container `..` already exists"; box:
# "must not start with `.`".
# bats test_tags=spec:must,req:runtime:create
@test "errors [id: '..']" {
	id_refused "id .." ".."
	id_refused "id ." "."
}

# De-facto: box and crun refuse a leading "." (crun by accident: "create keyring
# `.hidden`: Operation not permitted"); it would make hidden entries that clash
# with a runtime's own temporary files in the state root.
# bats test_tags=de-facto,req:cli:create
@test "errors [id: leading '.']" {
	id_refused "id .hidden" ".hidden"
}

# NUL cannot be tested: argv strings end at the first NUL byte, so no caller can
# pass one to a runtime.
# bats test_tags=de-facto,req:cli:create
@test "errors [id: contains a newline]" {
	id_refused "id with a newline" $'a\nb' '\bid\b|invalid'
}

# bats test_tags=de-facto,req:cli:create
@test "errors [id: contains a control character]" {
	id_refused "id with \\x01" $'a\x01b' '\bid\b|invalid'
	id_refused "id with ESC" $'a\x1b[2Jb' '\bid\b|invalid'
}

# bats test_tags=de-facto,req:cli:create
# A runtime that fails on such an id part-way can leave cgroups named after it;
# those are found, reported and removed here (rmdir only: empty cgroups), so
# a failing runtime does not litter the host on every run.
@test "errors [id: contains a space]" {
	local before after
	before=$(find /sys/fs/cgroup -maxdepth 3 -type d -name 'a b' 2>/dev/null | sort)
	id_refused "id with a space" "a b" '\bid\b|invalid|cgroup'
	after=$(find /sys/fs/cgroup -maxdepth 3 -type d -name 'a b' 2>/dev/null | sort)
	left=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')
	if [ -n "$left" ]; then
		printf '%s\n' "$left" | sort -r | while read -r d; do rmdir "$d" 2>/dev/null || true; done
		fail "the failed create left cgroups behind:
$left"
	fi
}

# runtime.md "Delete" of an id that is not a container MUST be an error, and a
# failed operation leaves the environment untouched: the id ".." must not make a
# runtime remove the directory above its state root. The state root is nested in
# a sandbox so a runtime that does this removes only the sandbox.
# bats test_tags=spec:must,req:cli:global-options
@test "errors [delete of id '..' removes nothing outside --root]" {
	mkdir -p "$T/sandbox/root"
	ROOT=$T/sandbox/root
	echo canary >"$T/sandbox/canary"
	echo canary >"$T/sandbox/root/canary"
	runtime delete ..
	assert_error "delete .."
	runtime delete --force ..
	[ -f "$T/sandbox/canary" ] || fail "delete [--force] .. removed $T/sandbox/canary, outside --root"
	[ -f "$T/sandbox/root/canary" ] || fail "delete [--force] .. removed $T/sandbox/root/canary"
	runtime delete --force .
	[ -f "$T/sandbox/root/canary" ] || fail "delete --force . removed $T/sandbox/root/canary"
	rm -rf "$T/sandbox"
	# shellcheck disable=SC2034 # read by teardown
	ROOT=$T/root
}

# --- operations on containers that do not exist, or in the wrong state ---
# runc: "container does not exist"; crun: "error opening file `R/ID/status`: No
# such file or directory"; box: "container `ID` does not exist".

# bats test_tags=spec:must,req:runtime:start
@test "errors [start of a container that does not exist]" {
	runtime start "no-such-container"
	assert_error "start" 'not exist|no such file'
}

# bats test_tags=spec:must,req:runtime:query-state
@test "errors [state of a container that does not exist]" {
	runtime state "no-such-container"
	assert_error "state" 'not exist|no such file'
}

# bats test_tags=spec:must,req:runtime:kill
@test "errors [kill of a container that does not exist]" {
	runtime kill "no-such-container" KILL
	assert_error "kill" 'not exist|no such file'
}

# bats test_tags=spec:must,req:runtime:delete
@test "errors [delete of a container that does not exist]" {
	runtime delete "no-such-container"
	assert_error "delete" 'not exist|no such file'
}

# runtime.md "Start": start of a container that is not created MUST be an error.
# runc: "cannot start an already running container"; box: "status is running,
# want created"; crun: "cannot open `R/ID/exec.fifo`: No such file or directory".
# bats test_tags=spec:must,req:runtime:start
@test "errors [start twice]" {
	set_args sleep 100
	id=$(new_id)
	start_container "$id"
	runtime start "$id"
	assert_error "second start"
	assert_status "$id" running --pid-alive
}

# runtime.md "Create": a non-unique id MUST be an error.
# bats test_tags=spec:must,req:runtime:create
@test "errors [create twice with one id]" {
	id=$(new_id)
	create_container "$id"
	pid=$(state_field "$id" pid)
	runtime create --bundle "$BUNDLE" "$id"
	assert_error "second create" 'exist'
	assert_status "$id" created --pid "$pid" --pid-alive
}

# --- kill with a signal that does not exist ---

# kill_refused SIGNAL ERE: on a running container that records the signals it
# gets, `kill ID SIGNAL` fails cleanly and delivers nothing.
kill_refused() {
	set_args "${LONG_RUNNING[@]}"
	id=$(new_id)
	start_container "$id"
	wait_file "$BUNDLE/rootfs/ready"
	runtime kill "$id" "$1"
	assert_error "kill $1" "$2"
	assert_status "$id" running --pid-alive
	[ ! -e "$BUNDLE/rootfs/signals" ] || fail "kill $1: a signal was delivered: $(cat "$BUNDLE/rootfs/signals")"
}

# runc: "unknown signal \"X\""; box: "invalid signal `X`".
# bats test_tags=de-facto,req:cli:kill
@test "errors [kill: signal name KILL2]" {
	kill_refused KILL2 'signal'
}

# bats test_tags=de-facto,req:cli:kill
@test "errors [kill: signal name SIGNOPE]" {
	kill_refused SIGNOPE 'signal'
}

# A number with trailing junk is not a signal number.
# bats test_tags=de-facto,req:cli:kill
@test "errors [kill: signal 9x]" {
	kill_refused 9x 'signal'
}

# Linux has signals 1..64. runc: "unable to signal init: invalid argument".
# bats test_tags=de-facto,req:cli:kill
@test "errors [kill: signal number 65]" {
	kill_refused 65 'signal|invalid'
}

# bats test_tags=de-facto,req:cli:kill
@test "errors [kill: signal number 99999]" {
	kill_refused 99999 'signal|invalid'
}

# box parses -1 as an option: "kill: unknown option `-1`".
# bats test_tags=de-facto,req:cli:kill
@test "errors [kill: signal number -1]" {
	kill_refused -1 'signal|option|invalid'
}
