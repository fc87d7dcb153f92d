#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, gitignored) from the
# project's testdata/ and from ../shared/testdata (krm-wire inputs, the raw
# Kubeflow manifests and the small builds, yaml-edge). Idempotent.
#
#   bash fuzz/seed.sh            # from anywhere
#   SHARED=/path/to/shared/testdata bash fuzz/seed.sh
set -euo pipefail
FUZZ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$FUZZ/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/testdata}"
if [ ! -d "$SHARED" ]; then
    echo "seed.sh: no shared testdata at $SHARED (set SHARED=...)" >&2
    exit 1
fi
SHARED="$(cd "$SHARED" && pwd)"
# Seeds larger than this slow every execution down; the fuzzer truncates
# inputs to -max_len anyway.
MAX_SEED_BYTES="${MAX_SEED_BYTES:-200000}"

W="$FUZZ/corpus/whole_path"
C="$FUZZ/corpus/with_config"
S="$FUZZ/corpus/structured"
mkdir -p "$W" "$C" "$S"

add() { # add DIR FILE NAME
    local size
    size=$(stat -c %s "$2")
    if [ "$size" -le "$MAX_SEED_BYTES" ]; then
        cp "$2" "$1/$3"
        chmod u+w "$1/$3"
    fi
}

n=0
# fuzz/seeds/: hand-written inputs of the shapes of issue 9 (JSON lists, directives and
# document markers, a BOM, tabs, explicit keys, merge keys, anchors shared across objects,
# quoted/escaped/tagged keys, NEL/LS/PS, multi-line plain scalars, many targets, lists
# ending in a null value, a flow item or a block scalar).
for f in "$SHARED"/krm-wire/*.yaml "$SHARED"/kubeflow/raw/*.yaml "$SHARED"/kubeflow/builds/*.yaml \
         "$SHARED"/yaml-edge/*.yaml "$FUZZ"/seeds/* \
         $(find "$ROOT/testdata" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.bin' \) 2>/dev/null); do
    [ -f "$f" ] || continue
    case "$f" in
        "$SHARED"/*) rel="shared_${f#"$SHARED"/}" ;;
        "$FUZZ"/*) rel="fuzz_${f#"$FUZZ"/}" ;;
        *) rel="${f#"$ROOT"/}" ;;
    esac
    add "$W" "$f" "$(echo "$rel" | tr '/' '_')"
    n=$((n + 1))
done

# with_config: CONFIG \0CONFIG-END\0 INPUT (see fuzz/src/lib.rs).
configs_dir="$(mktemp -d)"
trap 'rm -rf "$configs_dir"' EXIT
cat > "$configs_dir/cm-defaults.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: function-input
data:
  value: "true"
  policy: override
YAML
cat > "$configs_dir/cm-flow-keep.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: function-input}
data: {value: "false", policy: keep-existing}
YAML
cat > "$configs_dir/cm-empty.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: function-input
YAML
cat > "$configs_dir/cm-bad-policy.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: function-input
data:
  policy: sometimes
  colour: blue
YAML
cat > "$configs_dir/cm-yes.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: function-input
data:
  value: "yes"
YAML
cat > "$configs_dir/unknown-kind.yaml" <<'YAML'
apiVersion: fn.kubeflow.org/v1alpha1
kind: SetGkeMetadata
metadata:
  name: x
spec:
  disableGkeMetadata: true
YAML
for f in "$ROOT"/function-config.yaml "$ROOT"/testdata/*config*.yaml; do
    [ -f "$f" ] && cp "$f" "$configs_dir/project-$(basename "$f")"
done
inputs=()
for f in "$SHARED"/kubeflow/raw/*ml-pipeline-ui-deployment.yaml "$SHARED"/krm-wire/kpt-eval-exec-noconfig-stdin.yaml \
         "$SHARED"/krm-wire/kustomize-container-stdin.yaml "$SHARED"/yaml-edge/edit-tricky.yaml \
         "$FUZZ"/seeds/json-pretty-resourcelist.json "$FUZZ"/seeds/directive-and-markers.yaml \
         "$FUZZ"/seeds/emptydir-last-no-newline.yaml "$FUZZ"/seeds/shared-template-targets.yaml \
         "$FUZZ"/seeds/merge-key-metadata.yaml "$FUZZ"/seeds/nel-in-comment.yaml; do
    [ -f "$f" ] && inputs+=("$f")
done
m=0
for cfg in "$configs_dir"/*.yaml; do
    for inp in "${inputs[@]}"; do
        out="$C/$(basename "$cfg" .yaml)--$(basename "$inp")"
        { cat "$cfg"; printf '\0CONFIG-END\0'; cat "$inp"; } > "$out"
        m=$((m + 1))
    done
done
# Inputs without a config too.
for inp in "${inputs[@]}"; do cp "$inp" "$C/noconfig--$(basename "$inp")"; chmod u+w "$C/noconfig--$(basename "$inp")"; done

# structured: arbitrary bytes; a few fixed random seeds to start from, and the fuzz bytes
# behind each structured regression (fuzz/seeds/structured/*.bin), so that the new shapes
# (JSON, directives, sharing, NEL, ...) are in the corpus from the start.
for i in 1 2 3 4 5 6 7 8; do
    head -c $((i * 256)) /dev/urandom > "$S/random-$i" 2>/dev/null || true
done
for f in "$FUZZ"/seeds/structured/*.bin; do
    [ -f "$f" ] && cp "$f" "$S/seed-$(basename "$f")" && chmod u+w "$S/seed-$(basename "$f")"
done

echo "seeded: whole_path $(ls "$W" | wc -l) files ($n candidates), with_config $(ls "$C" | wc -l), structured $(ls "$S" | wc -l)"
