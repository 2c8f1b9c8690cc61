#!/usr/bin/env bash
# Build and run the model image on this machine, through one engine chosen once:
#   - Docker, when an engine answers (`docker info`), as on a laptop;
#   - else buildah (build) and podman (run) as root, with their storage under IMAGE_STORE and a
#     local stand-in for python:3.11-slim-bookworm made by debootstrap from apt's own mirror
#     (CI: no Docker engine, no registry to pull from). Only the base differs; the Dockerfile is
#     built as it is.
#
#   model/image.sh build             build model/Dockerfile (context model/) as MODEL_IMAGE
#   model/image.sh run ARGS...       `<engine> run` with this machine's run flags; a first
#                                    `--port P` publishes the server on 127.0.0.1:P
#   model/image.sh size              MODEL_IMAGE's size in bytes
#   model/image.sh name | engine     MODEL_IMAGE; the engine in use (docker or podman)
#   model/image.sh clean             remove every container, image and the storage (podman)
#   model/image.sh ARGS...           any other engine command (rm -f, logs, kill, wait, ...)
#
# MODEL_IMAGE (default localhost/location-detector:dev) names the image; IMAGE_ENGINE=
# docker|podman forces the engine; IMAGE_STORE (default build/image) holds the podman/buildah
# storage, so nothing is left in the system's own; the base and the build's layers are cached
# there, so a second build takes seconds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
store=${IMAGE_STORE:-$here/../build/image}
mkdir -p "$store"
store=$(cd "$store" && pwd)
image=${MODEL_IMAGE:-localhost/location-detector:dev}
base_tag=localhost/location-detector-base:bookworm
# The CA bundle the host trusts (an intercepting proxy's CA may be in it), bind-mounted read-only
# over the image's own in RUN steps so pip can reach the index; it does not end up in the image.
ca_bundle=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
image_ca_bundle=/etc/ssl/certs/ca-certificates.crt

engine=${IMAGE_ENGINE:-}
if [[ -z $engine ]]; then
    if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
        engine=docker
    else
        engine=podman
    fi
fi

# Storage, state and events in IMAGE_STORE; runc and cgroupfs (crun fails on setrlimit and on
# hybrid cgroups here, and there is no systemd).
podman_globals=(
    --root "$store/storage" --runroot "$store/run" --tmpdir "$store/tmp"
    --storage-driver overlay --runtime runc --cgroup-manager cgroupfs --events-backend file
)
buildah_globals=(--root "$store/storage" --runroot "$store/run" --storage-driver overlay)

tmp_rootfs=
trap 'rm -rf "${tmp_rootfs:-}"' EXIT

die() {
    echo "image.sh: $*" >&2
    exit 2
}

need() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is not installed (make image-tools installs it)"
    done
}

eng() {
    if [[ $engine == docker ]]; then
        docker "$@"
    else
        podman "${podman_globals[@]}" "$@"
    fi
}

# The engine in place of this script: a signal sent to it (a supervisor's SIGTERM) reaches the
# engine, which passes it on to the container of a foreground `run`.
exec_eng() {
    if [[ $engine == docker ]]; then
        exec docker "$@"
    else
        exec podman "${podman_globals[@]}" "$@"
    fi
}

# This machine's Debian release, and apt's own mirror for it (its first `deb` source): no host
# is written here.
codename() {
    # shellcheck source=/dev/null
    (. /etc/os-release && echo "${VERSION_CODENAME:?}")
}

debian_mirror() {
    # shellcheck disable=SC2016  # apt's format placeholders, not shell expansions
    apt-get indextargets --format '$(SITE) $(RELEASE)' 'Identifier: Packages' |
        awk -v r="$(codename)" '$2 == r { print $1; exit }'
}

# python3 (bookworm: 3.11, the Dockerfile's minor line) with a venv first on PATH at /opt/venv,
# as the official image has pip on PATH (Debian's system pip refuses installs, PEP 668). pip in
# the venv reads the system CA bundle, which the build mounts from the host.
make_base() {
    need debootstrap
    local mirror rootfs
    mirror=$(debian_mirror)
    [[ -n $mirror ]] || die "no Debian mirror in apt's configuration (apt-get indextargets)"
    rootfs=$(mktemp -d "$store/rootfs.XXXXXX")
    tmp_rootfs=$rootfs # removed on exit, whatever happens
    echo "image.sh: making the base $base_tag with debootstrap from $mirror" >&2
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        "$(codename)" "$rootfs" "$mirror" >"$store/debootstrap.log" 2>&1 ||
        die "debootstrap failed, see $store/debootstrap.log"
    chroot "$rootfs" python3 -m venv /opt/venv
    printf '[global]\ncert = %s\n' "$image_ca_bundle" >"$rootfs/opt/venv/pip.conf"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -cf - . |
        eng import \
            --change 'ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'ENV LANG=C.UTF-8' \
            --change 'CMD ["python3"]' - "$base_tag" >/dev/null
}

build() {
    if [[ $engine == docker ]]; then
        docker build -f "$here/Dockerfile" -t "$image" "$here"
        return
    fi
    need buildah podman runc
    eng image exists "$base_tag" || make_base
    [[ -f $ca_bundle ]] || die "CA bundle $ca_bundle (SSL_CERT_FILE) not found"
    buildah "${buildah_globals[@]}" build --isolation chroot --layers --pull=never \
        --build-arg "BASE_IMAGE=$base_tag" \
        -v "$ca_bundle:$image_ca_bundle:ro" \
        -f "$here/Dockerfile" -t "$image" "$here"
    # Dangling layers of earlier builds would grow the store build after build.
    eng image prune -f >/dev/null
}

run() {
    local args=()
    if [[ ${1:-} == --port ]]; then
        local port=${2:?--port needs a value}
        shift 2
        if [[ $engine == docker ]]; then
            args+=(-p "127.0.0.1:$port:8080")
        else
            # The host's network: no bridge or firewall rules to create, or to clean up.
            args+=(--network host -e "SAGEMAKER_BIND_TO_PORT=$port" -e MODEL_SERVER_BIND=127.0.0.1)
        fi
    fi
    if [[ $engine == podman ]]; then
        args+=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
    fi
    exec_eng run "${args[@]}" "$@"
}

case ${1:-} in
    build) shift && build "$@" ;;
    run) shift && run "$@" ;;
    size) eng image inspect --format '{{.Size}}' "$image" ;;
    name) echo "$image" ;;
    clean)
        if [[ $engine == podman && -d $store/storage ]]; then
            eng system reset --force >/dev/null 2>&1 || true
            rm -rf "$store"
            # The engines' run directories for the host network, if nothing else uses them.
            rmdir /run/containers/networks /run/containers 2>/dev/null || true
        fi
        ;;
    engine) echo "$engine" ;;
    "") die "usage: image.sh build | run ARGS... | size | name | engine | clean | ENGINE-ARGS..." ;;
    *) eng "$@" ;;
esac
