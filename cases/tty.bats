#!/usr/bin/env bats
# A terminal for the container process (runtime-spec config.md "process":
# terminal, consoleSize), handed to the caller through `create --console-socket`
# (runc's protocol: the pty master over SCM_RIGHTS; the runtime-spec leaves the
# transport to the runtime, every major one shares this one).
load helpers.bash

teardown() {
	stop_console
	common_teardown
}

# use_terminal: process.terminal true.
use_terminal() {
	update_config '.process.terminal = true'
}

# The process reports which of its fds 0-2 are a terminal, then echoes a line
# read from the terminal.
TTY_PROBE=(sh -c 'for f in 0 1 2; do [ -t $f ] && echo tty$f; done; read line; echo got:$line')

# run_in_terminal: TTY_PROBE in a terminal, the line
# "hello" typed into it; create, start, wait for it to stop and for the receiver
# to see the pty closed.
run_in_terminal() {
	use_terminal
	set_args "${TTY_PROBE[@]}"
	start_console --input 'hello\n'
	id=$(new_id)
	runtime -0 create --bundle "$BUNDLE" --console-socket "$T/console.sock" "$id"
	assert_status "$id" created
	runtime -0 start "$id"
	wait_status "$id" stopped
	wait_console
}

# assert_console_has TEXT: TEXT is a line of the pty's output.
assert_console_has() {
	tr -d '\r' <"$T/console.out" | grep -qxF "$1" ||
		fail "no line '$1' in the terminal output: $(cat -v "$T/console.out")"
}

# config.md "process": terminal "specifies whether a terminal is attached to the
# process"; on Linux a pseudoterminal pair is allocated and duplicated onto the
# process's stdio.
# bats test_tags=spec:must,req:config:process
@test "tty [the process sees a terminal on 0, 1 and 2]" {
	run_in_terminal
	for f in 0 1 2; do
		assert_console_has "tty$f"
	done
}

# What the process writes to its terminal reaches the master the console socket
# received, and nothing of it goes to create's stdout.
# bats test_tags=de-facto,req:cli:create
@test "tty [output arrives through the console socket]" {
	use_terminal
	set_args sh -c 'echo out-through-the-pty; echo err-through-the-pty >&2'
	start_console
	id=$(new_id)
	runtime -0 create --bundle "$BUNDLE" --console-socket "$T/console.sock" "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	wait_console
	assert_console_has out-through-the-pty
	assert_console_has err-through-the-pty
}

# What is written to the master is the process's terminal input.
# bats test_tags=de-facto,req:cli:create
@test "tty [input reaches the process]" {
	run_in_terminal
	assert_console_has got:hello
}

# config.md "process": consoleSize "specifies the console size in characters of
# the terminal" (height, width): the process sees it, and so does the master.
# bats test_tags=spec:must,req:config:process
@test "tty [consoleSize applied]" {
	use_terminal
	update_config '.process.consoleSize = {"height": 33, "width": 101}'
	set_args stty size
	start_console
	id=$(new_id)
	runtime -0 create --bundle "$BUNDLE" --console-socket "$T/console.sock" "$id"
	runtime -0 start "$id"
	wait_status "$id" stopped
	wait_console
	assert_console_has "33 101"
	[ "$(cat "$T/console.size")" = "33 101" ] ||
		fail "the pty master's window size is '$(cat "$T/console.size")', want '33 101'"
}

# runc's command line (which the suite speaks): with terminal true, create needs
# --console-socket to hand the pty to; without it create must fail and leave
# nothing (the teardown's leak check).
# bats test_tags=de-facto,req:cli:create
@test "tty [terminal true without --console-socket fails at create, nothing left]" {
	use_terminal
	id=$(new_id)
	runtime ! create --bundle "$BUNDLE" "$id"
	[ -n "$stderr" ] || fail "create failed without saying why"
	runtime ! state "$id"
}

# runc and crun, run in the foreground without --console-socket, give a terminal
# process a pty of their own and relay it to their stdio: how `runc run` is used by
# hand. script(1) gives the runtime a terminal of its own as its stdio, and types
# "hello" into it. The spec leaves the console to the caller (de-facto).
# bats test_tags=de-facto,req:cli:run
@test "tty [run in the foreground without --console-socket: the runtime's own terminal, relayed]" {
	requires run
	command -v script >/dev/null || skip "requires script(1) (util-linux) to give the runtime a terminal"
	use_terminal
	set_args sh -c 'for f in 0 1 2; do [ -t $f ] && echo tty$f; done; read line; echo got:$line; exit 3'
	id=$(new_id)
	{
		echo '#!/bin/sh'
		# shellcheck disable=SC2154 # runtime_args is set by helpers.bash
		printf '%q ' exec "$RUNTIME" "${runtime_args[@]}" --root "$ROOT" run --bundle "$BUNDLE" "$id"
		echo
	} >"$T/run-tty"
	chmod +x "$T/run-tty"
	run timeout --kill-after=5 "$RUNTIME_TIMEOUT" sh -c 'printf "hello\n" | script -qec "$1" /dev/null' \
		sh "$T/run-tty" 3>&-
	echo "$output" | cat -v >&2
	# shellcheck disable=SC2154 # $status and $output are set by bats `run`
	[ "$status" -eq 3 ] || fail "run in a terminal: want the process's exit 3, got $status"
	for want in tty0 tty1 tty2 got:hello; do
		tr -d '\r' <<<"$output" | grep -qxF "$want" || fail "no line '$want' in the terminal output"
	done
	runtime ! state "$id"
}
