#!/usr/bin/env bash
# Benchmark of disable-gke-metadata against its peers: `cat` (the floor), a parse-only
# pass with the same parser (granit-parser, bench/parse-only), and `kpt fn source` on the
# same package (what kyaml spends to read and write it).  See BENCHMARKS.md.
#
#   bash bench/run.sh            full run: real 10 MB Kubeflow package, 10/30/100 MB lists,
#                                tiny list; prints tables and the pass/fail of the targets
#   bash bench/run.sh --quick    CI check: small inputs, few runs, seconds; checks that the
#                                benchmark still runs and the function still edits correctly
#                                (the shapes below included, at two small sizes each)
#   bash bench/run.sh --shapes   cost on unusual shapes (issue 9, class 7: anchors shared by
#                                many targets, one-line JSON, a huge env list) at 4-5 sizes
#                                each, every run capped at 60 s of CPU (bench/shapes.py); prints
#                                MB/s, RSS / input, growth and the pass/fail of their targets
#
# Options: --keep (keep the temp dir with the inputs and outputs), --no-build (use the
# binaries already built), --strict (full or --shapes mode: exit 2 when a target is missed),
# --inputs-only (full mode: make and verify the inputs, keep them, time nothing; what
# bench/instructions.sh needs, without the minutes of timings).
# SHAPES_ARGS: extra arguments for bench/shapes.py (e.g. "--only json --timeout 20").
# Environment: CARGO_TARGET_DIR (where to build and find the binaries, default ./target),
# DGM_BIN (the binary to measure, default $CARGO_TARGET_DIR/release/disable-gke-metadata),
# SHARED (default ../shared), KPT (default kpt; without it the lists are wrapped by
# bench/make_inputs.py and the kpt peer is skipped), BENCH_TMP (parent of the temp dir).
set -euo pipefail

MODE=full
BUILD=1
KEEP=0
STRICT=0
INPUTS_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --quick) MODE=quick ;;
    --shapes) MODE=shapes ;;
    --keep) KEEP=1 ;;
    --no-build) BUILD=0 ;;
    --strict) STRICT=1 ;;
    --inputs-only) INPUTS_ONLY=1 KEEP=1 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument: $arg" >&2; exit 64 ;;
  esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
SHARED=${SHARED:-$ROOT/../shared}
BUILDS="$SHARED/testdata/kubeflow/builds"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${DGM_BIN:-$TARGET_DIR/release/disable-gke-metadata}
PARSE="$TARGET_DIR/release/granit-parse-only"
KPT=${KPT:-kpt}
PY=${PYTHON:-python3}

SHAPES_SRC="$BUILDS/kubeflow-manifests-v1.10.2--example.yaml"  # its ml-pipeline-ui Deployment (KFP 2.5.0)
if [[ $MODE == quick ]]; then
  SRC="$BUILDS/kfp-2.17.0--env-cert-manager-platform-agnostic-standalone-tls.yaml"
  SIZES=(1 3)            # copies of SRC per list
  R_TINY=5 R_LIST=3 R_KPT=1 WARM=1
else
  SRC="$BUILDS/kubeflow-manifests-v1.10.2--example.yaml"
  SIZES=(1 3 10)         # ~10, ~31, ~105 MB ResourceLists
  R_TINY=50 R_LIST=10 R_BIG=5 R_KPT=5 R_KPT_BIG=3 WARM=1
fi
[[ -r $SRC ]] || { echo "run.sh: cannot read $SRC (set SHARED=/path/to/shared)" >&2; exit 1; }

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/dgm-bench.XXXXXX")
if [[ $KEEP == 1 ]]; then
  echo "inputs and outputs kept in $TMP"
else
  trap 'rm -rf "$TMP"' EXIT
fi

echo "== machine"
echo "nproc: $(nproc); CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "kernel: $(uname -r); $(rustc --version 2>/dev/null || echo 'rustc: ?'); kpt: $("$KPT" version 2>/dev/null || echo 'not installed')"

echo "== build (target dir: $TARGET_DIR)"
if [[ $BUILD == 1 ]]; then
  (cd "$ROOT" && cargo build --release --quiet)
  if [[ $MODE != shapes ]]; then
    cargo build --release --quiet --locked --manifest-path "$BENCH/parse-only/Cargo.toml" --target-dir "$TARGET_DIR"
  fi
fi
if [[ ! -x ${GNU_TIME:-/usr/bin/time} && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  apt-get install -y -qq time >/dev/null 2>&1 || true
fi
[[ -x ${GNU_TIME:-/usr/bin/time} ]] || { echo "run.sh: needs GNU time for peak RSS (apt-get install time)" >&2; exit 1; }
[[ -x $BIN ]] || { echo "run.sh: missing $BIN" >&2; exit 1; }

# Shapes (bench/shapes.py): make_shapes.py converts the source objects for the JSON shape
# with PyYAML; install it where we can, as GNU time above.
shapes() { # extra shapes.py arguments...
  local spy=$PY
  if ! "$spy" -c 'import yaml' 2>/dev/null && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -qq python3-yaml >/dev/null 2>&1 || true
    spy=/usr/bin/python3  # Debian's python3, where python3-yaml goes
  fi
  "$spy" -c 'import yaml' 2>/dev/null || { echo "run.sh: the shapes need PyYAML (apt-get install python3-yaml)" >&2; exit 1; }
  [[ -r $SHAPES_SRC ]] || { echo "run.sh: cannot read $SHAPES_SRC (set SHARED=/path/to/shared)" >&2; exit 1; }
  command -v prlimit >/dev/null || { echo "run.sh: the shapes need prlimit (util-linux)" >&2; exit 1; }
  # shellcheck disable=SC2086  # SHAPES_ARGS is split on purpose
  local peer=()
  [[ -x $PARSE ]] && peer=(--peer "$PARSE")
  "$spy" "$BENCH/shapes.py" --bin "$BIN" --src "$SHAPES_SRC" --tmp "$TMP" "${peer[@]}" "$@" ${SHAPES_ARGS:-}
}
if [[ $MODE == shapes ]]; then
  echo "== shapes (issue 9, class 7); inputs in $TMP"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  status=0
  shapes --targets || status=$?
  if [[ $status == 3 ]]; then  # targets missed (any other non-zero: the benchmark broke)
    [[ $STRICT == 1 ]] && exit 2
    exit 0
  fi
  exit "$status"
fi
[[ -x $PARSE ]] || { echo "run.sh: missing $PARSE" >&2; exit 1; }

HAVE_KPT=0
if command -v "$KPT" >/dev/null 2>&1; then
  HAVE_KPT=1
else
  echo "run.sh: $KPT not found: lists are wrapped by make_inputs.py and the kpt peer is skipped" >&2
fi

echo "== inputs (in $TMP)"
# Plain stream: the source file itself.
cp "$SRC" "$TMP/stream.yaml"
# kpt packages: N copies of the source, one file per document, renamed per copy.
make_list() { # name pkgdir
  if [[ $HAVE_KPT == 1 ]]; then
    "$KPT" fn source "$2" > "$TMP/$1.yaml"
  else
    "$PY" "$BENCH/make_inputs.py" wrap "$2" "$TMP/$1.yaml"
  fi
}
LISTS=()
for n in "${SIZES[@]}"; do
  "$PY" "$BENCH/make_inputs.py" package "$SRC" "$TMP/pkg-$n" --copies "$n" --expect "$TMP/pkg-$n.expect.json"
  make_list "list-$n" "$TMP/pkg-$n"
  mb=$(( ($(stat -c %s "$TMP/list-$n.yaml") + 500000) / 1000000 ))
  if [[ $MODE == full ]]; then
    case $n in 1) g=list-10MB ;; 3) g=list-30MB ;; 10) g=list-100MB ;; esac
  else
    g="list-x$n"
  fi
  LISTS+=("$n:$g")
  echo "  $g: $TMP/list-$n.yaml ($(stat -c %s "$TMP/list-$n.yaml") bytes, ~$mb MB; package: $n cop$([[ $n == 1 ]] && echo y || echo ies) of $(basename "$SRC"), $(find "$TMP/pkg-$n" -type f | wc -l) files)"
done
cp "$TMP/pkg-1.expect.json" "$TMP/stream.expect.json"
echo "  stream: $TMP/stream.yaml ($(stat -c %s "$TMP/stream.yaml") bytes, the plain multi-document stream)"
"$PY" "$BENCH/make_inputs.py" tiny "$SRC" "$TMP/pkg-tiny" "$TMP/tiny.expect.json"
make_list tiny "$TMP/pkg-tiny"
echo "  tiny: $TMP/tiny.yaml ($(stat -c %s "$TMP/tiny.yaml") bytes, one Deployment)"

echo "== correctness of the function on each input (so the benchmark measures real work)"
verify() { # name
  "$BIN" < "$TMP/$1.yaml" > "$TMP/$1.out.yaml" 2> "$TMP/$1.err" || {
    echo "run.sh: disable-gke-metadata failed on $1:" >&2; tail -20 "$TMP/$1.err" >&2; exit 1; }
  printf '  %-8s ' "$1"
  "$PY" "$BENCH/make_inputs.py" verify "$TMP/$1.yaml" "$TMP/$1.out.yaml" "$TMP/$1.expect.json"
}
for entry in "${LISTS[@]}"; do
  n=${entry%%:*}
  cp "$TMP/pkg-$n.expect.json" "$TMP/list-$n.expect.json"
  verify "list-$n"
done
verify stream
verify tiny

if [[ $INPUTS_ONLY == 1 ]]; then
  echo "inputs only: nothing timed; inputs kept in $TMP"
  exit 0
fi

echo "== timings (median of N runs, interleaved across tools, after $WARM warm-up; stdout to /dev/null)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
RES="$TMP/results.jsonl"
: > "$RES"
bench_group() { # group input-name runs kpt-pkg kpt-runs
  local g=$1 in="$TMP/$2.yaml" r=$3 kpt=()
  if [[ $HAVE_KPT == 1 && -n $4 ]]; then
    kpt=(::: "kpt fn source" "$5" "$KPT" fn source "$4")
  fi
  "$PY" "$BENCH/measure.py" run "$RES" --group "$g" --size "$(stat -c %s "$in")" --warmup "$WARM" --stdin "$in" -- \
    disable-gke-metadata "$r" "$BIN" ::: cat "$r" cat ::: parse-only "$r" "$PARSE" "${kpt[@]}"
}
bench_group tiny tiny "$R_TINY" "$TMP/pkg-tiny" "$R_TINY"
for entry in "${LISTS[@]}"; do
  n=${entry%%:*} g=${entry#*:}
  if [[ $MODE == full && $n != 1 ]]; then
    bench_group "$g" "list-$n" "$R_BIG" "$TMP/pkg-$n" "$R_KPT_BIG"
  else
    bench_group "$g" "list-$n" "$R_LIST" "$TMP/pkg-$n" "$R_KPT"
  fi
  if [[ $n == 1 ]]; then
    # The same package as a plain stream (what `kustomize build` prints); kpt peer: list-10MB's.
    bench_group "${g/list/stream}" stream "$R_LIST" "" 0
  fi
done

echo
echo "== results"
echo
if [[ $MODE == full ]]; then
  status=0
  "$PY" "$BENCH/measure.py" report "$RES" --targets || status=$?
  if [[ $status != 0 && $STRICT == 0 ]]; then status=0; fi
  exit "$status"
else
  "$PY" "$BENCH/measure.py" report "$RES"
  echo "quick mode: benchmark ran and outputs verified (no performance targets checked)."
  echo
  echo "== shapes, quick (issue 9, class 7: two small sizes each; targets printed, not enforced)"
  shapes --quick
fi
