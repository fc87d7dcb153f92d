#!/usr/bin/env bash
# End-to-end checks: disable-gke-metadata run by the real tools, exactly as the
# READMEs under examples/ say, on the examples' Kubeflow Pipelines packages.
#
#   bash tests/e2e/run.sh
#
# What it does:
#   1. checks the tools (cargo, kpt, kubectl, python3, git, readelf) and installs
#      podman and runc from Debian when missing (needs root; a missing tool is a
#      failure, never a skip);
#   2. builds the release binary (cargo build --release --locked) and a static
#      one for the image (x86_64-unknown-linux-gnu, +crt-static, stripped);
#   3. builds the image with podman from the Dockerfile's runtime stage, the
#      build stage substituted with the static binary (nothing is pulled);
#   4. runs every example from a scratch copy of examples/ (with target/release
#      linked in, so the relative exec paths resolve as in the repository) and
#      compares with the expected files and with the inputs: only the
#      DISABLE_GKE_METADATA lines may differ.
#
# It writes only under the repository's target/ (cargo) and one mktemp
# directory (podman's storage, config and state included), removed at exit
# (E2E_KEEP=1 keeps it). Podman itself still touches
# /var/lib/containers/cache/blob-info-cache-v1.boltdb, /run/runc and
# /run/containers (not configurable in podman 4.3 as root).
#
# Environment: CARGO_TARGET_DIR is honoured; E2E_KEEP=1 keeps the temp dir;
# E2E_BIN + E2E_STATIC_BIN (development only) check prebuilt binaries instead
# of building.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IMAGE=ghcr.io/kubeflow-tools/disable-gke-metadata:v0.1.0
TRIPLE=x86_64-unknown-linux-gnu
EX=$ROOT/examples
T0=$SECONDS

say() { printf '[e2e %4ds] %s\n' $((SECONDS - T0)) "$*"; }
die() { printf '[e2e] FATAL: %s\n' "$*" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dgm-e2e.XXXXXX")
cleanup() {
  if [[ ${E2E_KEEP:-} == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- tools
say "checking tools"
missing=()
for t in cargo git kpt kubectl python3 readelf diff; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (kpt and kubectl come with the machine's google-cloud-sdk; cargo with rustup; readelf with binutils)"

if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
  [[ $(id -u) == 0 ]] || die "podman/runc missing and not root: install them with 'apt-get install -y podman runc'"
  say "installing podman and runc from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; die "apt-get update failed"; }
  apt-get install -y -qq podman runc >>"$WORK/apt.log" 2>&1 \
    || { cat "$WORK/apt.log"; die "apt-get install podman runc failed"; }
fi
for t in podman runc; do command -v "$t" >/dev/null 2>&1 || die "$t still missing after install"; done
say "kpt $(kpt version), $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
say "$(podman --version), $(runc --version | head -1), $(cargo --version)"

# ---------------------------------------------------------------- build
TD=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TD/release/disable-gke-metadata
STATIC=$TD/$TRIPLE/release/disable-gke-metadata
if [[ -n ${E2E_BIN:-} ]]; then
  # Development only: check a prebuilt binary (and image binary) without building.
  say "E2E_BIN set: using $E2E_BIN, image from ${E2E_STATIC_BIN:?E2E_STATIC_BIN must be set with E2E_BIN}"
  BIN=$E2E_BIN STATIC=$E2E_STATIC_BIN
  TD=$WORK/prebuilt
  mkdir -p "$TD/release"
  ln -s "$(realpath "$BIN")" "$TD/release/disable-gke-metadata"
else
  say "cargo build --release --locked"
  (cd "$ROOT" && cargo build --release --locked --bin disable-gke-metadata) || die "cargo build --release failed"
  say "cargo build --release --locked --target $TRIPLE (+crt-static, stripped, for the image)"
  (cd "$ROOT" && RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --locked --bin disable-gke-metadata --target "$TRIPLE") || die "static build failed"
fi
[[ -x $BIN ]] || die "no binary at $BIN"
[[ -x $STATIC ]] || die "no static binary at $STATIC"
if readelf -lW "$STATIC" | grep -q 'program interpreter' || readelf -dW "$STATIC" | grep -q '(NEEDED)'; then
  die "$STATIC is not static: $(readelf -dW "$STATIC" | grep NEEDED)"
fi

# ---------------------------------------------------------------- podman
# Storage (vfs: no overlay mounts needed), runtime state, events and temp files
# all under $WORK; runc with cgroupfs, as there is no systemd to manage cgroups.
# static_dir (libpod's database) and volume_path default to graphroot/...: do
# not set static_dir elsewhere, podman 4.3 then stalls 20 s in every `run`.
P=$WORK/podman
mkdir -p "$P/storage" "$P/run" "$P/tmp"
cat >"$P/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]

[network]
network_config_dir = "$P/networks"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
tmp_dir = "$P/tmp"
image_copy_tmp_dir = "$P/tmp"
EOF
cat >"$P/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$P/storage"
runroot = "$P/run"
EOF
export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf

say "podman build (runtime stage; build stage = the static binary)"
mkdir -p "$WORK/build-stage/out"
cp "$STATIC" "$WORK/build-stage/out/disable-gke-metadata"
podman build --build-context build="$WORK/build-stage" -t "$IMAGE" "$ROOT" >"$WORK/podman-build.log" 2>&1 \
  || { cat "$WORK/podman-build.log"; die "podman build failed"; }
IMAGE_SIZE=$(podman image inspect "$IMAGE" --format '{{.Size}}')
say "image $IMAGE: $IMAGE_SIZE bytes ($((IMAGE_SIZE / 1024)) KiB), static binary $(stat -c %s "$STATIC") bytes"

# `docker` for kustomize: forward to podman (there is no Docker engine).
mkdir -p "$WORK/shim"
printf '#!/bin/sh\nexec podman "$@"\n' >"$WORK/shim/docker"
chmod +x "$WORK/shim/docker"

# ---------------------------------------------------------------- harness
PASSED=0
FAILED=0
FAILED_NAMES=()
# check NAME FUNCTION: run FUNCTION in a fresh copy of the repository layout
# ($R/examples, $R/target/release -> the build) with errexit on; its output
# goes to a log that is shown when it fails.
check() {
  local name=$1 fn=$2 t=$SECONDS rc
  R=$WORK/checks/$name
  mkdir -p "$R/target" "$R/out"
  cp -a "$EX" "$R/examples"
  ln -s "$TD/release" "$R/target/release"
  set +e
  (set -euo pipefail; cd "$R" && "$fn") >"$R.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    PASSED=$((PASSED + 1))
    say "PASS $name ($((SECONDS - t))s)"
  else
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    say "FAIL $name (exit $rc):"
    sed 's/^/    | /' "$R.log"
  fi
}

only_target_lines() { python3 "$ROOT/tests/e2e/only_target_lines.py" "$@"; }

# same_tree EXPECTED ACTUAL: byte-identical directory trees.
same_tree() { diff -ru "$1" "$2" || { echo "!! $2 differs from $1"; return 1; }; }

# only_target_lines_tree BEFORE AFTER N: every file identical but for N
# DISABLE_GKE_METADATA edits in total, no file added or removed.
only_target_lines_tree() {
  local before=$1 after=$2 want=$3 f total=0 n
  diff <(cd "$before" && find . -type f | sort) <(cd "$after" && find . -type f | sort) \
    || { echo "!! file set changed"; return 1; }
  while IFS= read -r f; do
    only_target_lines "$before/$f" "$after/$f" | tee "$WORK/otl.out"
    [[ ${PIPESTATUS[0]} == 0 ]] || return 1
    n=$(sed -n 's/.*: \([0-9]*\) DISABLE_GKE_METADATA edit.*/\1/p' "$WORK/otl.out")
    total=$((total + n))
  done < <(cd "$before" && find . -type f | sort)
  [[ $total == "$want" ]] || { echo "!! expected $want edit(s) in $after, found $total"; return 1; }
}

# ---------------------------------------------------------------- checks
# Each function is the README's command plus the comparisons.

binary_contract() {
  # An empty input is an error: exit 1 and a message on stderr.
  if echo '' | ./target/release/disable-gke-metadata >out/stdout 2>out/stderr; then
    echo "!! exit 0 on empty input"; return 1
  fi
  [[ -s out/stderr ]] || { echo "!! no stderr message on empty input"; return 1; }
  cat out/stderr
}

image_contract() {
  [[ $(podman image inspect "$IMAGE" --format '{{.Config.User}}') == 65534:65534 ]]
  podman image inspect "$IMAGE" --format '{{json .Config.Labels}}' | grep -q org.opencontainers.image.source
  podman run --rm --entrypoint /usr/local/bin/disable-gke-metadata --user nobody "$IMAGE" --help >/dev/null \
    || { echo "!! the image's binary does not run as nobody"; return 1; }
  # Exactly how kpt and kustomize run it; the plain stream comes back changed.
  podman run --rm -i --network none --user nobody --security-opt=no-new-privileges "$IMAGE" \
    <examples/pipe/package/ml-pipeline-ui-deployment.yaml >out/stream.yaml
  only_target_lines examples/pipe/package/ml-pipeline-ui-deployment.yaml out/stream.yaml --changes 1
  if podman run --rm -i --network none --user nobody "$IMAGE" </dev/null >/dev/null 2>out/stderr; then
    echo "!! the image exits 0 on empty input"; return 1
  fi
  cat out/stderr
}

# examples/kpt: kpt fn render, exec
kpt_render_exec() {
  cp -a examples/kpt/exec out/pristine
  kpt fn render examples/kpt/exec --allow-exec
  only_target_lines_tree out/pristine examples/kpt/exec 1
  same_tree examples/kpt/expected/exec examples/kpt/exec
}

# examples/kpt: kpt fn render, image (podman)
kpt_render_image() {
  cp -a examples/kpt/image out/pristine
  KPT_FN_RUNTIME=podman kpt fn render examples/kpt/image
  only_target_lines_tree out/pristine examples/kpt/image 1
  same_tree examples/kpt/expected/image examples/kpt/image
}

# examples/kpt: kpt fn eval --exec with key=value config
kpt_eval_exec_kv() {
  cp -a examples/kpt/eval out/pristine
  kpt fn eval examples/kpt/eval --exec ./target/release/disable-gke-metadata -- value=true policy=keep-existing
  only_target_lines_tree out/pristine examples/kpt/eval 1
  same_tree examples/kpt/expected/eval examples/kpt/eval
  # keep-existing leaves the gcp overlay's "false" alone.
  cp -a examples/kpt/image out/image-pristine
  kpt fn eval examples/kpt/image --exec ./target/release/disable-gke-metadata -- value=true policy=keep-existing
  same_tree out/image-pristine examples/kpt/image
}

# examples/kpt: kpt fn eval --image with key=value config
kpt_eval_image_kv() {
  cp -a examples/kpt/eval out/pristine
  KPT_FN_RUNTIME=podman kpt fn eval examples/kpt/eval --image "$IMAGE" -- value=true
  same_tree examples/kpt/expected/eval examples/kpt/eval
}

# expect_kpt_failure LOG PKG_PRISTINE PKG: kpt exited non-zero, showed the
# function's error result and its stderr, and left the package as it was.
expect_kpt_failure() {
  local log=$1 pristine=$2 pkg=$3
  cat "$log"
  grep -q '^\s*\[FAIL\]' "$log" || { echo "!! kpt did not report [FAIL]"; return 1; }
  grep -q '\[error\]' "$log" || { echo "!! kpt did not show an error result"; return 1; }
  grep -q 'bogus' "$log" || { echo "!! the error does not name the bad value"; return 1; }
  grep -q 'Stderr:' "$log" || { echo "!! kpt did not show the function's stderr"; return 1; }
  grep -q 'Exit code: 1' "$log" || { echo "!! kpt did not show exit code 1"; return 1; }
  same_tree "$pristine" "$pkg"
}

kpt_eval_exec_bad_config() {
  cp -a examples/kpt/eval out/pristine
  if kpt fn eval examples/kpt/eval --exec ./target/release/disable-gke-metadata --truncate-output=false \
    -- value=true policy=bogus >out/kpt.log 2>&1; then
    cat out/kpt.log; echo "!! kpt fn eval exited 0 with policy=bogus"; return 1
  fi
  expect_kpt_failure out/kpt.log out/pristine examples/kpt/eval
}

kpt_render_image_bad_config() {
  sed -i 's/policy: override/policy: bogus/' examples/kpt/image/Kptfile
  grep -q 'policy: bogus' examples/kpt/image/Kptfile
  cp -a examples/kpt/image out/pristine
  if KPT_FN_RUNTIME=podman kpt fn render examples/kpt/image --truncate-output=false >out/kpt.log 2>&1; then
    cat out/kpt.log; echo "!! kpt fn render exited 0 with policy: bogus"; return 1
  fi
  expect_kpt_failure out/kpt.log out/pristine examples/kpt/image
}

# examples/kustomize-container: kubectl kustomize, container transformer
kustomize_container() {
  PATH=$WORK/shim:$PATH kubectl kustomize --enable-alpha-plugins examples/kustomize-container >out/build.yaml
  kubectl kustomize examples/kustomize-container/base >out/without.yaml
  only_target_lines out/without.yaml out/build.yaml --changes 1
  diff -u examples/kustomize-container/expected/build.yaml out/build.yaml
}

# examples/kustomize-exec: kubectl kustomize cannot run exec functions (no
# --enable-exec), so validate the files and run the same transformer config
# through the container runtime.
kustomize_exec_files() {
  local cfg=examples/kustomize-exec/disable-gke-metadata.yaml path
  grep -q '^    config.kubernetes.io/function: |$' "$cfg"
  grep -q '^      exec:$' "$cfg"
  path=$(sed -n 's/^        path: *//p' "$cfg")
  [[ -n $path ]] || { echo "!! no exec path in $cfg"; return 1; }
  # kustomize runs exec functions in the kustomization's directory.
  [[ -x examples/kustomize-exec/$path ]] || { echo "!! $path is not executable from examples/kustomize-exec"; return 1; }
  [[ $(realpath "examples/kustomize-exec/$path") == "$(realpath "$BIN")" ]] \
    || { echo "!! $path does not point at the cargo build"; return 1; }
  # The config parses as a function spec: swap exec for container and build.
  sed -i -e 's|^      exec:$|      container:|' -e "s|^        path: .*|        image: $IMAGE|" "$cfg"
  PATH=$WORK/shim:$PATH kubectl kustomize --enable-alpha-plugins examples/kustomize-exec >out/build.yaml
  kubectl kustomize examples/kustomize-container/base >out/without.yaml
  only_target_lines out/without.yaml out/build.yaml --changes 1
  diff -u examples/kustomize-exec/expected/build.yaml out/build.yaml
}

# examples/pipe: kubectl kustomize DIR | disable-gke-metadata
pipe_kustomize() {
  kubectl kustomize examples/pipe/kustomize | ./target/release/disable-gke-metadata >out/fixed.yaml
  kubectl kustomize examples/pipe/kustomize >out/unfixed.yaml
  only_target_lines out/unfixed.yaml out/fixed.yaml --changes 1
  diff -u examples/pipe/expected/kustomize-build.yaml out/fixed.yaml
}

# examples/pipe: kpt fn source | disable-gke-metadata | kpt fn sink
pipe_kpt_source_sink() {
  kpt fn source examples/pipe/package | ./target/release/disable-gke-metadata | kpt fn sink out/package
  only_target_lines_tree examples/pipe/package out/package 1
  same_tree examples/pipe/expected/package out/package
}

check binary-contract binary_contract
check image-contract image_contract
check kpt-render-exec kpt_render_exec
check kpt-render-image kpt_render_image
check kpt-eval-exec-kv kpt_eval_exec_kv
check kpt-eval-image-kv kpt_eval_image_kv
check kpt-eval-exec-bad-config kpt_eval_exec_bad_config
check kpt-render-image-bad-config kpt_render_image_bad_config
check kustomize-container kustomize_container
check kustomize-exec-files kustomize_exec_files
check pipe-kustomize pipe_kustomize
check pipe-kpt-source-sink pipe_kpt_source_sink

say "image $IMAGE: $IMAGE_SIZE bytes; total $((SECONDS - T0))s"
((FAILED == 0)) || say "failed: ${FAILED_NAMES[*]}"
echo "e2e: $PASSED passed, $FAILED failed"
((FAILED == 0))
