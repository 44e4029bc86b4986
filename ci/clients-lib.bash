# shellcheck shell=bash
# Setting up the real clients in one temporary root, shared by ci/clients and
# ci/record-engine-configs: calling a client (call, expect, poll), podman's and a
# private containerd's configuration, importing the suite's busybox rootfs as an
# image into each, and stopping them.
# The caller sets: $meta (a private directory), $work (the clients' root, under it),
# $top (the project's top directory, the current one), $prt (the runtime podman is given), $rt
# (the runtime ctr is given). clients_begin sets the containerd namespace and makes
# the rootfs tarball.
# shellcheck disable=SC2034,SC2154 # the arrays and names set here are the caller's, and so are $meta, $work, $top

# --- calling clients -------------------------------------------------------------
# call CMD...: one client call, with a timeout, stdin from /dev/null, fd 9 (the lock)
# closed, output to files (a daemon it starts must not hold a pipe of ours open):
# $out (stdout), $rc; stdout and stderr are logged for the step.
call() {
	rc=0
	timeout --kill-after=5 "${CLIENT_TIMEOUT:-60}" "$@" </dev/null >"$meta/out" 2>"$meta/err" 9>&- || rc=$?
	out=$(cat "$meta/out")
	echo "\$ $* (exit $rc)"
	sed 's/^/  out: /' "$meta/out"
	sed 's/^/  err: /' "$meta/err"
}
# expect RC [TEXT]: the last call exited RC (and printed TEXT on stdout).
expect() {
	[ "$rc" -eq "$1" ] || { echo "expected exit $1, got $rc"; return 1; }
	[ -z "${2:-}" ] || [[ "$out" == *"$2"* ]] || { echo "expected output '$2'"; return 1; }
}
# poll SECONDS CMD...: run CMD until it succeeds or SECONDS pass.
poll() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || { echo "timed out after ${end}s waiting for: $*"; return 1; }
		sleep 0.1
	done
}

# --- podman ------------------------------------------------------------------------
podman_setup() {
	local p=$work/podman
	mkdir -p "$p"
	# Rootful podman raises RLIMIT_NOFILE and RLIMIT_NPROC to 1048576 by default; a host
	# without CAP_SYS_RESOURCE in the bounding set cannot, and every create fails.
	cat >"$p/containers.conf" <<-CONF
		[containers]
		netns = "none"
		default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$p/events.log"
		tmp_dir = "$p/tmp"
		static_dir = "$p/root/libpod"
		volume_path = "$p/root/volumes"
		lock_type = "file"
		[network]
		network_config_dir = "$p/net"
	CONF
	cat >"$p/storage.conf" <<-CONF
		[storage]
		driver = "overlay"
		runroot = "$p/runroot"
		graphroot = "$p/root"
	CONF
	export CONTAINERS_CONF=$p/containers.conf CONTAINERS_STORAGE_CONF=$p/storage.conf
	PODMAN=(podman --root "$p/root" --runroot "$p/runroot" --cgroup-manager=cgroupfs
		--events-backend=file --runtime "$prt")
	PRUN=(run --network=none --pull=never)
	IMAGE=localhost/ocitest-busybox:latest
}
p_import() {
	call "${PODMAN[@]}" import "$work/rootfs.tar" "$IMAGE" && expect 0 || return 1
	call "${PODMAN[@]}" image exists "$IMAGE" && expect 0
}
# What podman itself keeps: containers removed by force, its storage home unmounted.
podman_teardown() {
	[ -n "${PODMAN:-}" ] || return 0
	timeout 30 "${PODMAN[@]}" rm -a -f -t 0 </dev/null >/dev/null 2>&1 9>&- || true
	umount "$work/podman/root/overlay" 2>/dev/null || true
	PODMAN=
}

# --- containerd --------------------------------------------------------------------
containerd_setup() {
	local c=$work/containerd
	mkdir -p "$c/fifo"
	SOCK=$c/containerd.sock
	cat >"$c/config.toml" <<-CONF
		version = 2
		root = "$c/root"
		state = "$c/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$SOCK"
		[ttrpc]
		  address = "$SOCK.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$c/opt"
	CONF
	CTR=(ctr --address "$SOCK" --namespace "$CTR_NS")
	CIMAGE=localhost/ocitest-busybox:latest
	CRUN=(--runc-binary "$rt" --fifo-dir "$c/fifo")
}
c_start() {
	containerd --config "$work/containerd/config.toml" </dev/null >"$work/containerd/log" 2>&1 9>&- &
	CONTAINERD_PID=$!
	poll 20 "${CTR[@]}" version || { tail -n 5 "$work/containerd/log"; return 1; }
}
# oci_archive FILE: an OCI image layout (one uncompressed layer: the rootfs tarball),
# tarred, with the name containerd gives the image in io.containerd.image.name.
oci_archive() {
	local d=$work/oci arch layer cfg man
	case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
	mkdir -p "$d/blobs/sha256"
	layer=$(sha256sum "$work/rootfs.tar" | cut -d' ' -f1)
	cp "$work/rootfs.tar" "$d/blobs/sha256/$layer"
	jq -nc --arg a "$arch" --arg l "sha256:$layer" \
		'{architecture: $a, os: "linux", config: {Env: ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"]},
		  rootfs: {type: "layers", diff_ids: [$l]}}' >"$d/config"
	cfg=$(sha256sum "$d/config" | cut -d' ' -f1)
	mv "$d/config" "$d/blobs/sha256/$cfg"
	jq -nc --arg c "sha256:$cfg" --argjson cs "$(stat -c %s "$d/blobs/sha256/$cfg")" \
		--arg l "sha256:$layer" --argjson ls "$(stat -c %s "$d/blobs/sha256/$layer")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$d/manifest"
	man=$(sha256sum "$d/manifest" | cut -d' ' -f1)
	mv "$d/manifest" "$d/blobs/sha256/$man"
	jq -nc --arg m "sha256:$man" --argjson ms "$(stat -c %s "$d/blobs/sha256/$man")" \
		--arg a "$arch" --arg n "$CIMAGE" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		  digest: $m, size: $ms, platform: {architecture: $a, os: "linux"},
		  annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": "latest"}}]}' >"$d/index.json"
	echo '{"imageLayoutVersion": "1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$1" oci-layout index.json blobs
}
c_import() {
	oci_archive "$work/image.tar" || return 1
	call "${CTR[@]}" image import "$work/image.tar" && expect 0 || return 1
	call "${CTR[@]}" image ls -q && expect 0 "$CIMAGE"
}
# Stop the daemon: SIGTERM, then SIGKILL after a deadline; its shims end with their tasks.
c_stop() {
	[ -n "${CONTAINERD_PID:-}" ] || return 0
	kill -TERM "$CONTAINERD_PID" 2>/dev/null
	build/bin/ocitest wait --timeout 10 --pid-gone "$CONTAINERD_PID" ||
		{ kill -KILL "$CONTAINERD_PID"; echo "containerd ignored SIGTERM for 10 s"; }
	wait "$CONTAINERD_PID" 2>/dev/null
	CONTAINERD_PID=
	return 0
}
# --- nothing left --------------------------------------------------------------------
# clients_begin NS: before any client runs: the containerd namespace NS and its runc
# root, the cgroup names the leak check watches, what is already there (cgroups,
# /run/containerd), the host snapshot, and the rootfs tarball both images are made of.
clients_begin() {
	CTR_NS=$1
	CTR_RUNC_ROOT=/run/containerd/runc/$CTR_NS
	printf '%s\n' libpod_parent "$CTR_NS" >"$meta/names"
	cgroups_before=$(find /sys/fs/cgroup -maxdepth 2 -type d \( -name libpod_parent -o -name "$CTR_NS" \) | sort)
	[ -e /run/containerd ] && run_containerd_before=1 || run_containerd_before=0
	build/bin/ocitest snapshot --out "$meta/snapshot" --scope "$work" \
		--root "$work/podman/rtroot" --root "$CTR_RUNC_ROOT"
	tar -C build/rootfs -cf "$work/rootfs.tar" .
}
# The clients' own cgroups (podman's libpod_parent and its conmon cgroup, the parent
# named after the containerd namespace) go, where this run made them: rmdir only, so
# what a runtime left below them stays for the leak check.
client_cgroups_remove() {
	local d
	while read -r d; do
		grep -qxF "$d" <<<"$cgroups_before" && continue
		rmdir "$d/conmon" "$d" 2>/dev/null || true
	done < <(find /sys/fs/cgroup -maxdepth 2 -type d \( -name libpod_parent -o -name "$CTR_NS" \))
	rmdir "$CTR_RUNC_ROOT" 2>/dev/null || true
	if [ "$run_containerd_before" = 0 ] && [ -d /run/containerd ]; then
		find /run/containerd -depth -type d -empty -delete 2>/dev/null || true
	fi
}
leaks() {
	build/bin/ocitest leaks --from "$meta/snapshot" --scope "$work" --root "$work/podman/rtroot" \
		--root "$CTR_RUNC_ROOT" --cgroup-names "$meta/names" >"$meta/leaks" 2>&1 && return 0
	cat "$meta/leaks"
	return 1
}
# After a leak: kill the processes, unmount, remove cgroups (deepest first, while the
# killed processes are reaped), so the host is clean for whatever runs next.
reap() {
	"$top/ci/reap-leaks" <"$meta/leaks"
	client_cgroups_remove
}
