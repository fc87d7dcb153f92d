#!/usr/bin/env bash
# End-to-end checks: disable-gke-metadata run by the real tools, exactly as the
# READMEs under examples/ say, on the examples' Kubeflow Pipelines packages.
#
#   bash tests/e2e/run.sh
#
# What it does:
#   1. checks the tools (cargo, rustup, kpt, kubectl, python3 with PyYAML, git,
#      readelf) and installs podman, runc, qemu-user-static and busybox-static
#      from Debian and the two musl Rust targets when missing (needs root; a
#      missing tool is a failure, never a skip);
#   2. builds the release binary (cargo build --release --locked) and static,
#      stripped ones for the image: x86_64- and aarch64-unknown-linux-musl,
#      linked with rust-lld (cross-compiling needs no C toolchain);
#   3. builds the image for linux/amd64 and linux/arm64 with podman from the
#      Dockerfile's runtime stage, the build stage substituted with the static
#      binaries (nothing is pulled), and joins them in a manifest list;
#   4. runs every example from a scratch copy of examples/ (with target/release
#      linked in, so the relative exec paths resolve as in the repository) and
#      compares with the expected files and with the inputs: only the
#      DISABLE_GKE_METADATA lines may differ;
#   5. runs the arm64 binary under qemu-aarch64-static: the binary contract,
#      the pipe examples, and the same output as amd64 on the golden inputs and
#      the real Kubeflow builds in ../shared;
#   6. emits the patch (emitPatch) for every real Kubeflow build, applies it
#      with kubectl kustomize and judges the result with the go-yaml judge
#      (oracle/, built into the temp directory from Debian's go-yaml packages)
#      against the function's own changes; upstream changes must fail it.
#
# It writes only under the repository's target/ (cargo) and one mktemp
# directory (podman's storage, config and state included), removed at exit
# (E2E_KEEP=1 keeps it). Podman itself still touches
# /var/lib/containers/cache/blob-info-cache-v1.boltdb, /run/runc and
# /run/containers (not configurable in podman 4.3 as root).
#
# Environment: CARGO_TARGET_DIR is honoured; E2E_KEEP=1 keeps the temp dir;
# E2E_BIN + E2E_STATIC_BIN + E2E_STATIC_BIN_ARM64 (development only) check
# prebuilt binaries instead of building.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The local tag the examples use (no image is published yet: docs/deploy.md).
IMAGE=ghcr.io/kubeflow-tools/disable-gke-metadata:v0.1.0
IMAGE_ARM64=localhost/disable-gke-metadata:arm64
IMAGE_LIST=localhost/disable-gke-metadata:multiarch
AMD64_TRIPLE=x86_64-unknown-linux-musl
ARM64_TRIPLE=aarch64-unknown-linux-musl
# Per-architecture ceiling for the image (compressed, as pushed).
MAX_IMAGE_BYTES=$((5 * 1024 * 1024))
SHARED=$ROOT/../shared
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
for t in cargo rustup git kpt kubectl python3 readelf diff; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (kpt and kubectl come with the machine's google-cloud-sdk; cargo with rustup; readelf with binutils)"

python3 -c 'import yaml' 2>/dev/null || die "python3 has no PyYAML (pip install pyyaml)"

# Debian packages: podman and runc (images), qemu-user-static (the arm64
# binary), busybox-static (a shell for the Argo CD sidecar stand-in image), Go
# and go-yaml v3 and v2 (the judge, oracle/).
apt_pkgs=()
command -v go >/dev/null 2>&1 || apt_pkgs+=(golang-go)
[[ -f /usr/share/gocode/src/gopkg.in/yaml.v3/yaml.go ]] || apt_pkgs+=(golang-gopkg-yaml.v3-dev)
[[ -f /usr/share/gocode/src/gopkg.in/yaml.v2/yaml.go ]] || apt_pkgs+=(golang-gopkg-yaml.v2-dev)
command -v podman >/dev/null 2>&1 || apt_pkgs+=(podman)
command -v runc >/dev/null 2>&1 || apt_pkgs+=(runc)
command -v qemu-aarch64-static >/dev/null 2>&1 || apt_pkgs+=(qemu-user-static)
[[ -x /bin/busybox ]] || apt_pkgs+=(busybox-static)
if ((${#apt_pkgs[@]})); then
  [[ $(id -u) == 0 ]] || die "${apt_pkgs[*]} missing and not root: install them with 'apt-get install -y ${apt_pkgs[*]}'"
  say "installing ${apt_pkgs[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; die "apt-get update failed"; }
  apt-get install -y -qq "${apt_pkgs[@]}" >>"$WORK/apt.log" 2>&1 \
    || { cat "$WORK/apt.log"; die "apt-get install ${apt_pkgs[*]} failed"; }
fi
for t in podman runc qemu-aarch64-static; do command -v "$t" >/dev/null 2>&1 || die "$t still missing after install"; done
[[ -x /bin/busybox ]] || die "/bin/busybox still missing after install"
readelf -lW /bin/busybox | grep -q 'program interpreter' && die "/bin/busybox is not static: the Argo CD stand-in image needs Debian's busybox-static"
for t in "$AMD64_TRIPLE" "$ARM64_TRIPLE"; do
  if ! rustup target list --installed | grep -qx "$t"; then
    say "rustup target add $t"
    rustup target add "$t" >"$WORK/rustup.log" 2>&1 || { cat "$WORK/rustup.log"; die "rustup target add $t failed"; }
  fi
done
[[ -d $SHARED/testdata/kubeflow/builds ]] || die "no $SHARED/testdata/kubeflow/builds (../shared beside the repository)"
say "kpt $(kpt version), $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
say "$(podman --version), $(runc --version | head -1), $(cargo --version), $(qemu-aarch64-static --version | head -1)"

# ---------------------------------------------------------------- build
TD=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TD/release/disable-gke-metadata
STATIC=$TD/$AMD64_TRIPLE/release/disable-gke-metadata
STATIC_ARM64=$TD/$ARM64_TRIPLE/release/disable-gke-metadata
if [[ -n ${E2E_BIN:-} ]]; then
  # Development only: check prebuilt binaries without building.
  say "E2E_BIN set: using $E2E_BIN, image from ${E2E_STATIC_BIN:?E2E_STATIC_BIN must be set with E2E_BIN} and ${E2E_STATIC_BIN_ARM64:?E2E_STATIC_BIN_ARM64 must be set with E2E_BIN}"
  BIN=$(realpath "$E2E_BIN") STATIC=$(realpath "$E2E_STATIC_BIN") STATIC_ARM64=$(realpath "$E2E_STATIC_BIN_ARM64")
  TD=$WORK/prebuilt
  mkdir -p "$TD/release"
  ln -s "$(realpath "$BIN")" "$TD/release/disable-gke-metadata"
else
  say "cargo build --release --locked"
  (cd "$ROOT" && cargo build --release --locked --bin disable-gke-metadata) || die "cargo build --release failed"
  # rust-lld links both musl targets with Rust's own self-contained musl: no
  # cross C toolchain. musl binaries are static by default.
  say "cargo build --release --locked --target $AMD64_TRIPLE --target $ARM64_TRIPLE (rust-lld, stripped, for the images)"
  (cd "$ROOT" && RUSTFLAGS="${RUSTFLAGS:-} -C linker=rust-lld" CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --locked --bin disable-gke-metadata --target "$AMD64_TRIPLE" --target "$ARM64_TRIPLE") \
    || die "static builds failed"
fi
[[ -x $BIN ]] || die "no binary at $BIN"
for f in "$STATIC" "$STATIC_ARM64"; do
  [[ -x $f ]] || die "no static binary at $f"
  if readelf -lW "$f" | grep -q 'program interpreter' || readelf -dW "$f" | grep -q '(NEEDED)'; then
    die "$f is not static: $(readelf -dW "$f" | grep NEEDED)"
  fi
done
readelf -hW "$STATIC" | grep -q 'Machine:.*X86-64' || die "$STATIC is not an x86-64 binary"
say "go build oracle/ (the go-yaml judge)"
JUDGE=$WORK/yaml-judge
(cd "$ROOT/oracle" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$WORK/go-cache go build -o "$JUDGE" .) \
  || die "building the judge (oracle/) failed"
readelf -hW "$STATIC_ARM64" | grep -q 'Machine:.*AArch64' || die "$STATIC_ARM64 is not an AArch64 binary"

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

# The build stage is substituted with out/<GOARCH>/disable-gke-metadata, as
# the release workflow does; FROM scratch needs nothing pulled for either
# platform, and nothing runs inside the arm64 image while it is built.
say "podman build linux/amd64 and linux/arm64 (runtime stage; build stage = the static binaries)"
mkdir -p "$WORK/build-stage/out/amd64" "$WORK/build-stage/out/arm64"
cp "$STATIC" "$WORK/build-stage/out/amd64/disable-gke-metadata"
cp "$STATIC_ARM64" "$WORK/build-stage/out/arm64/disable-gke-metadata"
t_img=$SECONDS
podman build --platform linux/amd64 --build-context build="$WORK/build-stage" -t "$IMAGE" "$ROOT" \
  >"$WORK/podman-build.log" 2>&1 || { cat "$WORK/podman-build.log"; die "podman build linux/amd64 failed"; }
podman build --platform linux/arm64 --build-context build="$WORK/build-stage" -t "$IMAGE_ARM64" "$ROOT" \
  >>"$WORK/podman-build.log" 2>&1 || { cat "$WORK/podman-build.log"; die "podman build linux/arm64 failed"; }
podman manifest create "$IMAGE_LIST" >/dev/null
podman manifest add "$IMAGE_LIST" "containers-storage:$IMAGE" >/dev/null
podman manifest add "$IMAGE_LIST" "containers-storage:$IMAGE_ARM64" >/dev/null
# What a registry push would send: the index and both images, as an OCI layout.
podman manifest push --all "$IMAGE_LIST" "oci:$WORK/oci-layout:multiarch" >>"$WORK/podman-build.log" 2>&1 \
  || { cat "$WORK/podman-build.log"; die "podman manifest push to an OCI layout failed"; }
IMAGE_SIZE=$(podman image inspect "$IMAGE" --format '{{.Size}}')
IMAGE_SIZE_ARM64=$(podman image inspect "$IMAGE_ARM64" --format '{{.Size}}')
say "images in $((SECONDS - t_img))s: linux/amd64 $IMAGE_SIZE bytes, linux/arm64 $IMAGE_SIZE_ARM64 bytes (uncompressed); static binaries $(stat -c %s "$STATIC") / $(stat -c %s "$STATIC_ARM64") bytes"

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
    # Lines a check prints as "note: ..." are worth seeing on success too.
    sed -n 's/^note: /    /p' "$R.log"
  else
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    say "FAIL $name (exit $rc):"
    sed 's/^/    | /' "$R.log"
  fi
}

# known_bug NAME FUNCTION WHY: a check that fails today because of a known
# engine bug. It is run and shown; while it fails it counts as neither pass
# nor failure; once it passes, the run fails so that it becomes a plain check.
KNOWN=()
known_bug() {
  local name=$1 fn=$2 why=$3 t=$SECONDS rc
  R=$WORK/checks/$name
  mkdir -p "$R/target" "$R/out"
  cp -a "$EX" "$R/examples"
  ln -s "$TD/release" "$R/target/release"
  set +e
  (set -euo pipefail; cd "$R" && "$fn") >"$R.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    say "FAIL $name: the known bug is fixed; make it a plain check ($((SECONDS - t))s)"
  else
    KNOWN+=("$name")
    say "KNOWN BUG $name ($((SECONDS - t))s): $why"
    sed 's/^/    | /' "$R.log" | head -12
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

# examples/kpt/validator: mode check as a kpt validator (kpt forbids validators
# to change resources). A package without the variable fails the render: kpt
# shows the error result for the place a fix would change, exits non-zero and
# leaves the package as it was.
kpt_validator_fails() {
  cp -a examples/kpt/validator out/pristine
  if kpt fn render examples/kpt/validator --allow-exec --truncate-output=false >out/kpt.log 2>&1; then
    cat out/kpt.log; echo "!! the validator passed a package without DISABLE_GKE_METADATA"; return 1
  fi
  cat out/kpt.log
  grep -q '^\s*\[FAIL\]' out/kpt.log || { echo "!! kpt did not report [FAIL]"; return 1; }
  grep -q '\[error\].*env\[13\]\.value: DISABLE_GKE_METADATA is not set; a fix adds DISABLE_GKE_METADATA="true"' out/kpt.log \
    || { echo "!! no error result naming the place and the proposed value"; return 1; }
  grep -q '\[info\].*KFP 2.3.0 crashes off GKE' out/kpt.log || { echo "!! no version verdict"; return 1; }
  grep -q 'Exit code: 1' out/kpt.log || { echo "!! kpt did not show exit code 1"; return 1; }
  same_tree out/pristine examples/kpt/validator
}

# The same validator once the package is fixed (kpt fn eval with the binary,
# as a mutator): the render passes and changes nothing.
kpt_validator_passes() {
  cp -a examples/kpt/validator out/pristine
  kpt fn eval examples/kpt/validator --exec ./target/release/disable-gke-metadata
  only_target_lines_tree out/pristine examples/kpt/validator 1
  cp -a examples/kpt/validator out/fixed
  kpt fn render examples/kpt/validator --allow-exec --truncate-output=false >out/kpt.log 2>&1 \
    || { cat out/kpt.log; echo "!! the validator failed a fixed package"; return 1; }
  cat out/kpt.log
  grep -q '^\s*\[PASS\]' out/kpt.log || { echo "!! kpt did not report [PASS]"; return 1; }
  grep -q 'DISABLE_GKE_METADATA is already "true"; left as is' out/kpt.log \
    || { echo "!! no info result for the target already as asked"; return 1; }
  same_tree out/fixed examples/kpt/validator
}

# ---------------------------------------------------------------- multi-arch image and arm64

# The manifest list as a registry would receive it: both platforms, each
# image's config, size and binary (byte-identical to the cargo build).
multiarch_image() {
  python3 "$ROOT/tests/e2e/oci_image.py" "$WORK/oci-layout" \
    --platform "linux/amd64=$STATIC" --platform "linux/arm64=$STATIC_ARM64" \
    --max-bytes "$MAX_IMAGE_BYTES" --extract out/from-image | sed 's/^/note: /'
  [[ $(podman image inspect "$IMAGE_ARM64" --format '{{.Os}}/{{.Architecture}} {{.Config.User}}') == "linux/arm64 65534:65534" ]] \
    || { echo "!! $IMAGE_ARM64 is not a linux/arm64 image for user 65534"; return 1; }
  # No binfmt_misc here, so podman cannot run the arm64 image: run its binary,
  # taken out of the image's own layers, under qemu.
  qemu-aarch64-static out/from-image/linux-arm64/disable-gke-metadata \
    <examples/pipe/package/ml-pipeline-ui-deployment.yaml >out/stream.yaml
  only_target_lines examples/pipe/package/ml-pipeline-ui-deployment.yaml out/stream.yaml --changes 1
}

arm64() { qemu-aarch64-static "$STATIC_ARM64" "$@"; }

# tests/cli.rs' contract, on the arm64 binary.
arm64_qemu_contract() {
  local rc
  rc=0; echo '' | arm64 >out/stdout 2>out/stderr || rc=$?
  [[ $rc == 1 && -s out/stderr && ! -s out/stdout ]] || { echo "!! empty input: exit $rc (want 1, a message, no output)"; return 1; }
  for flag in --help --version; do
    arm64 "$flag" </dev/null >out/flag.txt || { echo "!! $flag exited non-zero"; return 1; }
    grep -q -e disable-gke-metadata -e DISABLE_GKE_METADATA out/flag.txt || { echo "!! $flag printed nothing about itself"; return 1; }
  done
  rc=0; arm64 --bogus </dev/null >out/stdout 2>out/stderr || rc=$?
  [[ $rc == 2 && ! -s out/stdout ]] && grep -q -- --bogus out/stderr || { echo "!! --bogus: exit $rc (want 2, a usage error)"; return 1; }
  rc=0; arm64 --config /nonexistent/cfg.yaml <examples/ml-pipeline-ui-2.3.0.yaml >out/stdout 2>out/stderr || rc=$?
  [[ $rc == 1 && ! -s out/stdout ]] && grep -q /nonexistent/cfg.yaml out/stderr || { echo "!! missing --config: exit $rc"; return 1; }
  arm64 --config "$ROOT/function-config.yaml" <examples/ml-pipeline-ui-2.3.0.yaml >out/fixed.yaml 2>out/stderr
  only_target_lines examples/ml-pipeline-ui-2.3.0.yaml out/fixed.yaml --changes 1
  grep -q '^disable-gke-metadata: \[info\] Deployment ml-pipeline-ui' out/stderr
}

# examples/pipe, with the arm64 binary.
arm64_qemu_pipe() {
  kubectl kustomize examples/pipe/kustomize | arm64 >out/fixed.yaml
  diff -u examples/pipe/expected/kustomize-build.yaml out/fixed.yaml
  kpt fn source examples/pipe/package | arm64 | kpt fn sink out/package
  same_tree examples/pipe/expected/package out/package
}

# Same stdout, stderr and exit code from both architectures on the golden
# cases (with their config.yaml), the Helm streams and the real Kubeflow
# builds in ../shared (600 objects, 10 MB at most).
arm64_same_as_amd64() {
  local f cfg n=0 rc_a rc_b
  local -a args
  while IFS= read -r f; do
    args=()
    cfg=${f%.yaml}.config.yaml
    [[ $f == */input.yaml ]] && cfg=$(dirname "$f")/config.yaml
    [[ -f $cfg ]] && args=(--config "$cfg")
    rc_a=0; "$STATIC" "${args[@]}" <"$f" >out/a.out 2>out/a.err || rc_a=$?
    rc_b=0; arm64 "${args[@]}" <"$f" >out/b.out 2>out/b.err || rc_b=$?
    if [[ $rc_a != "$rc_b" ]] || ! cmp -s out/a.out out/b.out || ! cmp -s out/a.err out/b.err; then
      echo "!! $f: amd64 exit $rc_a, arm64 exit $rc_b"
      diff out/a.err out/b.err | head -5
      cmp out/a.out out/b.out
      return 1
    fi
    n=$((n + 1))
  done < <({ find "$ROOT/testdata/cases" -name input.yaml; find "$SHARED/testdata/kubeflow/builds" examples/helm -maxdepth 1 -name '*.yaml' ! -name '*.config.yaml'; } | sort)
  ((n > 40)) || { echo "!! only $n inputs"; return 1; }
  echo "note: $n inputs: the same stdout, stderr and exit code from amd64 and arm64 (qemu)"
}

# ---------------------------------------------------------------- Helm

# examples/helm: Helm 3 execs the --post-renderer path (looked up on PATH when
# it has no slash) with the --post-renderer-args, the rendered stream on stdin
# (`# Source:` comments, a comment-only document, CRLF from the chart's files),
# and installs what it prints; a non-zero exit aborts with its stderr.
helm3_post_renderer() {
  local rc
  PATH=$PWD/target/release:$PATH disable-gke-metadata --config examples/helm/disable-gke-metadata.yaml \
    <examples/helm/rendered.yaml >out/post-rendered.yaml
  # Line ends are judged in helm3-crlf-line-ends; here, every other byte.
  only_target_lines examples/helm/rendered.yaml out/post-rendered.yaml --changes 1 --ignore-cr
  [[ $(grep -c '^---' out/post-rendered.yaml) == $(grep -c '^---' examples/helm/rendered.yaml) ]] \
    || { echo "!! the number of documents changed"; return 1; }
  # Without the config the release-prefixed Deployment is found by its image
  # (issue 11): the same output as with the config that names it.
  ./target/release/disable-gke-metadata <examples/helm/rendered.yaml >out/by-image.yaml 2>out/stderr
  cmp out/post-rendered.yaml out/by-image.yaml
  grep -q 'found by image (ghcr.io/kubeflow/kfp-frontend:2.3.0)' out/stderr
  # A stream with no target at all fails (requireMatch) and writes nothing, so
  # Helm aborts instead of installing an unfixed UI.
  printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: kfp-ml-pipeline-ui\n' >out/no-ui.yaml
  rc=0; ./target/release/disable-gke-metadata <out/no-ui.yaml >out/stdout 2>out/stderr || rc=$?
  [[ $rc == 1 && ! -s out/stdout ]] && grep -q 'no target found' out/stderr \
    || { echo "!! no target: exit $rc"; cat out/stderr; return 1; }
  # A target it cannot edit safely: exit 1, nothing on stdout.
  sed 's/^          env:\r$/          env: {}\r/' examples/helm/rendered.yaml >out/bad.yaml
  if cmp -s examples/helm/rendered.yaml out/bad.yaml; then echo "!! the sed made no non-list env"; return 1; fi
  rc=0; ./target/release/disable-gke-metadata --config examples/helm/disable-gke-metadata.yaml <out/bad.yaml >out/stdout 2>out/stderr || rc=$?
  [[ $rc == 1 && ! -s out/stdout && -s out/stderr ]] || { echo "!! a non-list env: exit $rc"; return 1; }
  cat out/stderr
}

# The inserted entry must use the line ends of the lines around it (CRLF
# here), not those of the stream's first line (Helm's own `---` line, LF).
helm3_crlf_line_ends() {
  ./target/release/disable-gke-metadata --config examples/helm/disable-gke-metadata.yaml \
    <examples/helm/rendered.yaml >out/post-rendered.yaml
  only_target_lines examples/helm/rendered.yaml out/post-rendered.yaml --changes 1
  cmp examples/helm/expected/rendered.yaml out/post-rendered.yaml
}

# examples/helm/plugin: the Helm 4 postrenderer/v1 plugin, checked against the
# plugin loader's rules and run as Helm 4's subprocess runtime runs it.
helm4_plugin() {
  local p=examples/helm/plugin/disable-gke-metadata h4=$ROOT/tests/e2e/helm4_plugin.py bad
  PATH=$PWD/target/release:$PATH python3 "$h4" "$p" --run examples/helm/rendered-helm4.yaml out/h4.yaml \
    --post-renderer-arg --config --post-renderer-arg examples/helm/disable-gke-metadata.yaml
  diff -u examples/helm/expected/rendered-helm4.yaml out/h4.yaml
  # A packaged plugin carries its binary in bin/: found without PATH.
  mkdir "$p/bin"
  ln -s "$(realpath target/release/disable-gke-metadata)" "$p/bin/disable-gke-metadata"
  PATH=/usr/bin:/bin python3 "$h4" "$p" --run examples/helm/rendered-helm4.yaml out/h4-bin.yaml \
    --post-renderer-arg --config --post-renderer-arg examples/helm/disable-gke-metadata.yaml
  cmp out/h4.yaml out/h4-bin.yaml
  rm -r "$p/bin"
  # No binary anywhere: the wrapper fails, so the release would.
  if PATH=/usr/bin:/bin python3 "$h4" "$p" --run examples/helm/rendered-helm4.yaml out/none.yaml; then
    echo "!! the plugin succeeded without a binary"; return 1
  fi
  # Windows: no applicable command (the wrapper is sh).
  if python3 "$h4" "$p" --os windows --run examples/helm/rendered-helm4.yaml out/none.yaml; then
    echo "!! a command was selected on windows"; return 1
  fi
  # What Helm 4's loader rejects, the check rejects.
  for bad in 's/^version: .*/version: "v0.1.0"/' 's/^runtime: subprocess$/runtime: subprocess\ndescription: legacy field/' \
    's/^runtimeConfig:$/config:\n  usage: x\nruntimeConfig:/' 's/^apiVersion: v1$/apiVersion: v2/' 's/^name: .*/name: disable gke metadata/'; do
    rm -rf out/bad && cp -a "$p" out/bad && sed -i "$bad" out/bad/plugin.yaml
    ! cmp -s "$p/plugin.yaml" out/bad/plugin.yaml || { echo "!! sed '$bad' changed nothing"; return 1; }
    if python3 "$h4" out/bad >/dev/null 2>&1; then echo "!! accepted after sed '$bad'"; return 1; fi
  done
}

# ---------------------------------------------------------------- Argo CD

# A stand-in for the standalone kustomize (none on this machine): the sidecar
# runs `kustomize build .`; kubectl's embedded kustomize builds the same.
kustomize_standin() {
  mkdir -p "$1"
  printf '#!/bin/sh\n[ "${1:-}" = build ] || { echo "kustomize stand-in: build only" >&2; exit 2; }\nshift\nexec kubectl kustomize "$@"\n' >"$1/kustomize"
  chmod +x "$1/kustomize"
  ln -s "$(command -v kubectl)" "$1/kubectl"
}

# examples/argocd/cmp: the plugin's generate command, run as the CMP server
# runs it (cwd = the app path, build env, PARAM_* parameters, stdout = manifests).
argocd_cmp_generate() {
  local cmp=$ROOT/tests/e2e/argocd_cmp.py plugin=examples/argocd/cmp/plugin.yaml
  kustomize_standin out/bin
  python3 "$cmp" "$plugin" . examples/argocd/app out/manifests.yaml --path out/bin --path target/release
  kubectl kustomize examples/argocd/app >out/plain.yaml
  only_target_lines out/plain.yaml out/manifests.yaml --changes 1
  diff -u examples/argocd/expected/manifests.yaml out/manifests.yaml
  # Parameters reach the function.
  python3 "$cmp" "$plugin" . examples/argocd/app out/params.yaml --path out/bin --path target/release \
    --param value=false --param policy=keep-existing
  grep -A1 -- '- name: DISABLE_GKE_METADATA' out/params.yaml | grep -q 'value: "false"'
  # A parameter that could write YAML of its own is refused.
  if python3 "$cmp" "$plugin" . examples/argocd/app out/inject.yaml --path out/bin --path target/release \
    --param $'value=true"\n  kind: Pod'; then
    echo "!! an injecting parameter was accepted"; return 1
  fi
  # A failing build fails generate with kustomize's message; the function never runs.
  mkdir -p out/badapp && printf 'resources:\n- missing.yaml\n' >out/badapp/kustomization.yaml
  if python3 "$cmp" "$plugin" . out/badapp out/bad.yaml --path out/bin --path target/release 2>out/stderr; then
    echo "!! generate succeeded on a broken kustomization"; return 1
  fi
  grep -q missing.yaml out/stderr && ! grep -q 'empty input' out/stderr
}

# examples/argocd/cmp/Containerfile, built on a stand-in for Argo CD's image
# (not pullable here: a static busybox, kubectl as kustomize, user 999), then
# generate run inside it as the sidecar would: uid 999, no network, read-only
# root, the repository mounted and the app path as working directory.
argocd_cmp_image() {
  local s=out/standin script
  mkdir -p "$s"
  cp /bin/busybox "$s/busybox"
  cp "$(realpath "$(command -v kubectl)")" "$s/kubectl"
  kustomize_standin out/shim-k && cp out/shim-k/kustomize "$s/kustomize"
  printf 'root:x:0:0:root:/root:/bin/sh\nargocd:x:999:999:argocd:/home/argocd:/bin/sh\n' >"$s/passwd"
  cat >"$s/Containerfile" <<'CF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p -m 1777 /tmp && mkdir -p /home/argocd /usr/local/bin"]
COPY kubectl kustomize /usr/local/bin/
COPY passwd /etc/passwd
ENV PATH=/usr/local/bin:/usr/bin:/bin
USER 999
CF
  podman build --network none -t localhost/argocd-stand-in:test "$s" >out/build.log 2>&1 || { cat out/build.log; return 1; }
  podman build --network none -f examples/argocd/cmp/Containerfile \
    --build-arg ARGOCD_IMAGE=localhost/argocd-stand-in:test --build-arg FUNCTION_IMAGE="$IMAGE" \
    -t localhost/disable-gke-metadata-argocd-cmp:test examples/argocd/cmp >>out/build.log 2>&1 || { cat out/build.log; return 1; }
  [[ $(podman image inspect localhost/disable-gke-metadata-argocd-cmp:test --format '{{.Config.User}}') == 999 ]]
  podman run --rm --network none --user 999 --entrypoint cat localhost/disable-gke-metadata-argocd-cmp:test \
    /home/argocd/cmp-server/config/plugin.yaml | cmp - examples/argocd/cmp/plugin.yaml
  script=$(python3 -c 'import sys, yaml; g = yaml.safe_load(open(sys.argv[1]))["spec"]["generate"]; assert g["command"] == ["sh", "-c"]; print(g["args"][0])' examples/argocd/cmp/plugin.yaml)
  podman run --rm -i --network none --user 999 --read-only --tmpfs /tmp:mode=1777 \
    -v "$PWD:/tmp/_cmp_server/repo:ro" -w /tmp/_cmp_server/repo/examples/argocd/app \
    -e ARGOCD_APP_NAME=kubeflow-pipelines-ui -e ARGOCD_APP_NAMESPACE=kubeflow -e ARGOCD_APP_SOURCE_PATH=examples/argocd/app \
    -e PARAM_VALUE=true --entrypoint sh localhost/disable-gke-metadata-argocd-cmp:test -c "$script" >out/manifests.yaml
  diff -u examples/argocd/expected/manifests.yaml out/manifests.yaml
}

# examples/argocd/exec: the repo-server patches (init container copying the
# binary to /custom-tools, kustomize.buildOptions) applied to a stand-in for
# Argo CD's install.yaml, and the app's exec transformer. kubectl kustomize
# cannot run exec functions (no --enable-exec; Argo CD's own kustomize can):
# the same transformer config runs through the container runtime instead.
argocd_exec_recipe() {
  local ex=examples/argocd/exec
  cp "$ROOT/tests/e2e/fixtures/argocd-install-stub.yaml" "$ex/install/"
  sed -i 's|^- https://.*/manifests/install.yaml$|- argocd-install-stub.yaml|' "$ex/install/kustomization.yaml"
  grep -q '^- argocd-install-stub.yaml$' "$ex/install/kustomization.yaml"
  kubectl kustomize "$ex/install" >out/install.yaml
  # The plugin sidecar patch, on the same stand-in.
  mkdir -p out/cmp-install
  cp "$ROOT/tests/e2e/fixtures/argocd-install-stub.yaml" examples/argocd/cmp/repo-server-patch.yaml out/cmp-install/
  printf 'resources:\n- argocd-install-stub.yaml\npatches:\n- path: repo-server-patch.yaml\n' >out/cmp-install/kustomization.yaml
  kubectl kustomize out/cmp-install >out/cmp-install.yaml
  python3 "$ROOT/tests/e2e/argocd_install.py" out/install.yaml out/cmp-install.yaml "$ex/app/disable-gke-metadata.yaml"
  sed -i -e 's|^      exec:$|      container:|' -e "s|^        path: .*|        image: $IMAGE|" "$ex/app/disable-gke-metadata.yaml"
  PATH=$WORK/shim:$PATH kubectl kustomize --enable-alpha-plugins "$ex/app" >out/build.yaml
  kubectl kustomize examples/argocd/app >out/without.yaml
  only_target_lines out/without.yaml out/build.yaml --changes 1
  diff -u examples/kustomize-container/expected/build.yaml out/build.yaml
}

# ---------------------------------------------------------------- Flux, kpt validator

# examples/flux: the patch in the Flux Kustomization (and the HelmRelease's
# postRenderers) is what emitPatch prints for the base today; applied as
# kustomize-controller applies spec.patches, it gives exactly the function's
# output; on a base whose env differs, the patch's test operations make the
# build fail instead of misapplying.
flux_patches() {
  local fp=$ROOT/tests/e2e/flux_patches.py ks=examples/flux/flux-kustomization.yaml hr=examples/flux/helmrelease.yaml
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emit-patch\ndata:\n  emitPatch: "true"\n' >out/emit.cfg
  kubectl kustomize examples/kustomize-container/base | ./target/release/disable-gke-metadata --config out/emit.cfg >out/emitted.yaml
  python3 "$fp" "$ks" "$hr" examples/kustomize-container/base out/flux out/emitted.yaml
  kubectl kustomize out/flux >out/patched.yaml
  kubectl kustomize examples/kustomize-container/base | ./target/release/disable-gke-metadata >out/function.yaml
  diff -u out/function.yaml out/patched.yaml
  python3 "$fp" "$ks" "$hr" examples/pipe/kustomize out/flux-other
  if kubectl kustomize out/flux-other >out/other.yaml 2>out/stderr; then
    echo "!! the patch applied to a different env"; return 1
  fi
  grep -i test out/stderr
}

# ---------------------------------------------------------------- emitPatch

# A config file for the function: ConfigMap data (emitPatch, value, ...).
emit_config() {
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emit-patch\ndata:\n'
  while (($#)); do printf '  %s: "%s"\n' "$1" "$2"; shift 2; done
}

# kustomize_with DIR RESOURCE [PATCH]: kubectl kustomize on a kustomization
# holding RESOURCE (copied) and, when given, the emitted PATCH file appended as
# it is (it is a `patches:` document); input order kept (fifo).
kustomize_with() {
  local dir=$1 resource=$2 patch=${3:-}
  mkdir -p "$dir"
  cp "$resource" "$dir/resource.yaml"
  { printf 'resources:\n- resource.yaml\nsortOptions:\n  order: fifo\n'; [[ -z $patch ]] || cat "$patch"; } >"$dir/kustomization.yaml"
  kubectl kustomize "$dir"
}

# Every real Kubeflow build in ../shared, with the default config (value
# "true") and with value "false" (so that every build has a change: appends on
# some, a replaced value on others): the emitted patch, applied by kubectl
# kustomize, reads as the build with the changes of the function's own run
# (judged by go-yaml v3 and v2), and gives byte for byte what kustomize makes
# of the function's own output. Upstream changes must make it fail: the env
# reordered, a container inserted before the target. kubectl kustomize takes
# about 10 s of CPU on each of the two 7-10 MB builds: on those, the patch is
# applied and judged, and the byte comparison and the upstream changes are left
# to the eight smaller builds.
emit_patch_builds() {
  local b n v rc ops runs=0 changed=0 fails=0 big
  emit_config emitPatch true >out/emit.cfg
  emit_config value false >out/false.cfg
  emit_config value false emitPatch true >out/false-emit.cfg
  for b in "$SHARED"/testdata/kubeflow/builds/*.yaml; do
    n=$(basename "$b" .yaml)
    big=0
    (($(stat -c %s "$b") > 2000000)) && big=1
    for v in true false; do
      local -a fn=() em=(--config out/emit.cfg)
      [[ $v == false ]] && fn=(--config out/false.cfg) em=(--config out/false-emit.cfg)
      local o=out/$n.$v
      ./target/release/disable-gke-metadata "${fn[@]}" --changes "$o.changes.json" <"$b" >"$o.fn.yaml" 2>/dev/null
      ./target/release/disable-gke-metadata "${em[@]}" --changes "$o.emit-changes.json" <"$b" >"$o.patch.yaml" 2>"$o.patch.err"
      grep -q '^disable-gke-metadata: \[info\]: emitPatch: ' "$o.patch.err" || { cat "$o.patch.err"; echo "!! $n value=$v: stderr does not say what was emitted"; return 1; }
      cmp "$o.changes.json" "$o.emit-changes.json" || { echo "!! $n value=$v: --changes differ with emitPatch"; return 1; }
      kustomize_with "$o.k" "$b" "$o.patch.yaml" >"$o.patched.yaml"
      "$JUDGE" "$b" "$o.patched.yaml" "$o.changes.json" >"$o.judge" || { cat "$o.judge"; echo "!! $n value=$v: the judge says no"; return 1; }
      [[ $(grep -c '^ok' "$o.judge") == 2 ]] || { cat "$o.judge"; echo "!! $n value=$v: not judged by both readers"; return 1; }
      ops=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["ops"]))' "$o.changes.json")
      runs=$((runs + 1))
      echo "note: $n value=$v: $ops change(s); $(python3 "$ROOT/tests/e2e/emit_patch.py" count "$o.patch.yaml"); judged ok by v3 and v2"
      ((ops > 0)) || { grep -qx 'patches: \[\]' "$o.patch.yaml" || { echo "!! $n value=$v: no change but not an empty patch list"; return 1; }; }
      ((ops > 0)) && changed=$((changed + 1))
      ((big == 0)) || continue
      kustomize_with "$o.kf" "$o.fn.yaml" >"$o.fn-kustomized.yaml"
      cmp "$o.fn-kustomized.yaml" "$o.patched.yaml" || { diff -u "$o.fn-kustomized.yaml" "$o.patched.yaml" | head -20; echo "!! $n value=$v: not what kustomize makes of the function's output"; return 1; }
      ((ops > 0)) || continue
      for kind in reorder-env insert-container; do
        python3 "$ROOT/tests/e2e/emit_patch.py" upstream "$kind" "$o.patch.yaml" "$b" "$o.$kind"
        kubectl kustomize "$o.$kind" >"$o.$kind.yaml"
        rc=0; kustomize_with "$o.$kind.k" "$o.$kind.yaml" "$o.patch.yaml" >/dev/null 2>"$o.$kind.err" || rc=$?
        if ((rc == 0)) || ! grep -q 'test failed' "$o.$kind.err"; then
          cat "$o.$kind.err"; echo "!! $n value=$v: the patch applied to an upstream with $kind (exit $rc)"; return 1
        fi
        fails=$((fails + 1))
      done
    done
  done
  ((runs == 20)) || { echo "!! $runs runs, expected 20 (10 builds x 2 values)"; return 1; }
  ((fails >= 20)) || { echo "!! only $fails upstream changes tried"; return 1; }
  echo "note: $runs runs on $((runs / 2)) builds, $changed with changes, all judged ok; $fails upstream changes made kustomize fail as they must"
}

# The golden cases with emitPatch: the patch applied by kubectl kustomize gives
# byte for byte what kustomize makes of the function's own output (emitPatch
# off), a kind: List case included (which the corpus judge cannot compare).
emit_patch_golden() {
  local d n=0 cfg
  for d in "$ROOT"/testdata/cases/emit-patch-*/; do
    cfg=$d/config.yaml
    [[ -f $cfg ]] || continue
    local o=out/$(basename "$d")
    ./target/release/disable-gke-metadata --config "$cfg" <"$d/input.yaml" >"$o.patch.yaml" 2>/dev/null || continue
    sed -e 's/emitPatch: "true"/emitPatch: "false"/' -e 's/emitPatch: true$/emitPatch: false/' "$cfg" >"$o.cfg"
    ! cmp -s "$cfg" "$o.cfg" || { echo "!! $cfg: emitPatch not found"; return 1; }
    ./target/release/disable-gke-metadata --config "$o.cfg" <"$d/input.yaml" >"$o.fn.yaml"
    kustomize_with "$o.k" "$d/input.yaml" "$o.patch.yaml" >"$o.patched.yaml"
    kustomize_with "$o.kf" "$o.fn.yaml" >"$o.fn-kustomized.yaml"
    diff -u "$o.fn-kustomized.yaml" "$o.patched.yaml" || { echo "!! $d: the patch does not give the function's output"; return 1; }
    n=$((n + 1))
  done
  ((n >= 6)) || { echo "!! only $n golden emitPatch cases applied"; return 1; }
  echo "note: $n golden emitPatch cases: kustomize with the patch = kustomize of the function's output"
}

# examples/in-place: a repository's manifests edited in place, as its README
# says; --diff writes nothing and `git apply` of it gives the same files;
# --check is 1 before and 0 after; a file the function refuses leaves every
# file as it was, with no temporary file behind.
in_place() {
  local bin=$PWD/target/release/disable-gke-metadata m=examples/in-place/manifests rc
  cp -a "$m" out/pristine
  rc=0; "$bin" --check "$m" || rc=$?
  [[ $rc == 1 ]] || { echo "!! --check before the fix: exit $rc, not 1"; return 1; }
  (cd "$m" && "$bin" --diff .) >out/fix.patch
  same_tree out/pristine "$m"
  "$bin" "$m"
  same_tree examples/in-place/expected/manifests "$m"
  only_target_lines_tree out/pristine "$m" 2
  "$bin" --check "$m"
  cp -a out/pristine out/patched
  (cd out/patched && git apply ../fix.patch)
  same_tree examples/in-place/expected/manifests out/patched
  # The overlay still builds, with the entry once.
  [[ $(kubectl kustomize "$m/overlays/multi-user" | grep -c 'name: DISABLE_GKE_METADATA') == 1 ]]
  # A target the function cannot edit safely (env is not a list): nothing written.
  cp -a out/pristine out/bad
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ml-pipeline-ui\nspec:\n  template:\n    spec:\n      containers:\n      - name: ml-pipeline-ui\n        env: {A: b}\n' >out/bad/base/other.yaml
  cp -a out/bad out/bad-pristine
  if "$bin" out/bad 2>out/bad.log; then echo "!! a refused file did not fail the run"; return 1; fi
  cat out/bad.log
  grep -q 'nothing was written' out/bad.log
  same_tree out/bad-pristine out/bad
}

# disable-gke-metadata DIR on every YAML file of a kubeflow/manifests checkout
# (../shared), in a Git repository: `git diff` shows only the target lines;
# the --diff output applies with `git apply` and gives the same diff; --check
# is 1 before and 0 after.
files_in_place_real_tree() {
  local bin=$PWD/target/release/disable-gke-metadata rc n=0 f
  mkdir out/tree
  tar -xJf "$SHARED/testdata/kubeflow/manifests-tree.tar.xz" -C out/tree
  cd out/tree/kubeflow-manifests
  git init -q && git add -A && git -c user.name=e2e -c user.email=e2e@example.invalid commit -qm before
  rc=0; "$bin" -q --check . || rc=$?
  [[ $rc == 1 ]] || { echo "!! --check before: exit $rc, not 1"; return 1; }
  "$bin" --diff . >../fix.patch
  [[ -z $(git status --porcelain) ]] || { echo "!! --diff wrote files"; git status --short; return 1; }
  "$bin" --value true . 2>../fix.log
  tail -1 ../fix.log
  git diff >../in-place.diff
  while IFS= read -r f; do
    git show "HEAD:$f" >../before.yaml
    only_target_lines ../before.yaml "$f"
    n=$((n + 1))
  done < <(git diff --name-only)
  ((n > 0)) || { echo "!! nothing changed"; return 1; }
  [[ -z $(git ls-files --others --exclude-standard) ]] || { echo "!! files added"; return 1; }
  echo "note: $n files changed in the real tree, $(wc -c <../in-place.diff) bytes of git diff"
  "$bin" -q --check .
  git checkout -q .
  git apply ../fix.patch
  git diff | cmp - ../in-place.diff
}

# A mutator config (mode fix) run as a validator: kpt discards its edits and,
# as the fix succeeds, passes. A gate needs mode check (examples/kpt/validator).
kpt_validator_discards() {
  sed -i 's/^  mutators:$/  validators:/' examples/kpt/exec/Kptfile
  grep -q '^  validators:$' examples/kpt/exec/Kptfile
  cp -a examples/kpt/exec out/pristine
  kpt fn render examples/kpt/exec --allow-exec
  same_tree out/pristine examples/kpt/exec
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
check multiarch-image multiarch_image
check arm64-qemu-contract arm64_qemu_contract
check arm64-qemu-pipe arm64_qemu_pipe
check arm64-same-as-amd64 arm64_same_as_amd64
check helm3-post-renderer helm3_post_renderer
check helm3-crlf-line-ends helm3_crlf_line_ends
check helm4-plugin helm4_plugin
check argocd-cmp-generate argocd_cmp_generate
check argocd-cmp-image argocd_cmp_image
check argocd-exec-recipe argocd_exec_recipe
check flux-patches flux_patches
check emit-patch-builds emit_patch_builds
check emit-patch-golden emit_patch_golden
check in-place in_place
check files-in-place-real-tree files_in_place_real_tree
check kpt-validator-discards kpt_validator_discards
check kpt-validator-fails kpt_validator_fails
check kpt-validator-passes kpt_validator_passes

say "images: linux/amd64 $IMAGE_SIZE bytes, linux/arm64 $IMAGE_SIZE_ARM64 bytes; total $((SECONDS - T0))s"
((${#KNOWN[@]} == 0)) || say "known engine bugs reproduced (not counted): ${KNOWN[*]}"
((FAILED == 0)) || say "failed: ${FAILED_NAMES[*]}"
echo "e2e: $PASSED passed, $FAILED failed"
((FAILED == 0))
