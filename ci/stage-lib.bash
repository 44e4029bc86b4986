# shellcheck shell=bash
# stage_suite: copy what a run as another user needs (the cases, fixtures, ci
# scripts, the built box and ocitest, the rootfs) into a new directory that
# every user can enter and read, and print its path. The checkout itself may
# sit under a directory only root can enter (a clone in /root, mode 0700), and
# bats stops at once when the user cannot cd there. The caller removes it
# (rm -rf) when done. Run from the top of the checkout.
stage_suite() {
	local stage
	stage=$(mktemp -d "${TMPDIR:-/tmp}/ocitest-stage.XXXXXX") || return 1
	mkdir -p "$stage/build/bin" || return 1
	if ! { cp -a cases fixtures ci "$stage/" &&
		cp -a build/bin/box build/bin/ocitest "$stage/build/bin/" &&
		cp -a build/rootfs "$stage/build/rootfs" &&
		chmod -R a+rX "$stage" && chmod 0755 "$stage"; }; then
		rm -rf "$stage"
		return 1
	fi
	echo "$stage"
}
