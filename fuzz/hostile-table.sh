#!/usr/bin/env bash
# Runs the binary on every hostile input of docs/hostile-inputs.md and prints one
# markdown table row per input: exit code, stdout bytes, the first stderr line, wall time
# and peak memory. Used to fill in the doc from real runs.
#
#   cargo build --release && bash fuzz/hostile-table.sh target/release/disable-gke-metadata
set -euo pipefail
BIN="$(realpath "${1:?usage: hostile-table.sh BIN}")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/testdata}"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
H="$ROOT/testdata/hostile"

UI='apiVersion: apps/v1
kind: Deployment
metadata:
  name: ml-pipeline-ui
  namespace: kubeflow
spec:
  template:
    spec:
      containers:
      - name: ml-pipeline-ui
        image: gcr.io/ml-pipeline/frontend:2.5.0
        env:
        - name: DISABLE_GKE_METADATA
          value: "false"'
item() { sed '1s/^/- /; 2,$s/^/  /'; }
rl_head='apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:'

printf '%s\n' "apiVersion: v1" "kind: List" "items:" "- a: [1, 2" "b: c" > "$T/malformed.yaml"
printf '%s\n' "apiVersion: v1" "kind: ConfigMap" "metadata:" $'\tname: x' > "$T/tab.yaml"
{ printf '\xef\xbb\xbf%s\n' "$rl_head"; echo "$UI" | item; } > "$T/bom-list.yaml"
python3 -c "print('a: ' + '['*100000 + ']'*100000)" > "$T/deep-flow.yaml"
python3 -c "print('- '*100000 + 'x')" > "$T/deep-seq.yaml"
python3 -c "import sys; sys.stdout.write(''.join(' '*i + 'k%d:\n' % i for i in range(3000)))" > "$T/deep-map.yaml"
{ echo "$rl_head"; echo "$UI" | sed "s/^  namespace: kubeflow/  namespace: kubeflow\n  annotations:\n    note: $(printf 'x%.0s' $(seq 4000))/" | item; } > "$T/line-4000.yaml"
{ echo "$rl_head"; echo "$UI" | item; } > "$T/ok-list.yaml"
{ echo "$rl_head"; echo "  a: b"; } | sed 's/^items:$/items:/' > "$T/items-map.yaml"
printf '%s\n' "$rl_head" | sed 's/^items:$/items: 3/' > "$T/items-scalar.yaml"
{ echo "$rl_head"; printf 'apiVersion: v1\nmetadata:\n  name: no-kind\n' | item; echo "$UI" | item; } > "$T/no-kind.yaml"
{ echo "$rl_head"; echo "$UI" | item; printf 'functionConfig:\n  apiVersion: example.com/v1\n  kind: Frobnicate\n  metadata:\n    name: f\n'; } > "$T/unknown-fc.yaml"
sed 's/$/\r/' "$T/ok-list.yaml" > "$T/crlf-list.yaml"
{ cat "$T/ok-list.yaml"; printf '# caf\xe9\n'; } > "$T/non-utf8-comment.yaml"
{ echo "$UI"; echo "---"; printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata: {a: [1, 2}\n'; } > "$T/stream-bad-last.yaml"
# About 100 MB: the Kubeflow v1.10.2 install (10 MB) ten times, as a ResourceList and as a stream.
BIG="$SHARED/kubeflow/builds/kubeflow-manifests-v1.10.2--example.yaml"
if [ -f "$BIG" ]; then
    python3 - "$BIG" "$T/list-100mb.yaml" "$T/stream-100mb.yaml" <<'PY'
import sys
src = open(sys.argv[1], encoding="utf-8").read()
docs = [d for d in src.split("\n---\n") if d.strip()]
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
    for _ in range(10):
        for d in docs:
            lines = d.rstrip("\n").split("\n")
            out.write("- " + lines[0] + "\n")
            for l in lines[1:]:
                out.write(("  " + l if l else "") + "\n")
with open(sys.argv[3], "w", encoding="utf-8") as out:
    out.write("\n---\n".join(docs * 10) + "\n")
PY
fi

row() { # row LABEL FILE
    local label="$1" f="$2" code
    [ -f "$f" ] || { echo "| $label | (missing) | | | | |"; return; }
    local size; size=$(stat -c %s "$f")
    set +e
    /usr/bin/time -f '%e %M' -o "$T/time" "$BIN" < "$f" > "$T/out" 2> "$T/err"
    code=$?
    set -e
    local msg; msg=$( (grep -v '^$' "$T/err" || true) | tail -n 1 | cut -c1-160 | sed 's/|/\\|/g')
    read -r secs kb < <(tail -n 1 "$T/time")
    echo "| $label | $size | $code | $(stat -c %s "$T/out") | $msg | ${secs}s / $((kb / 1024)) MB |"
}

echo "| input | bytes | exit | stdout bytes | last stderr line | time / peak RSS |"
echo "|---|---|---|---|---|---|"
row "malformed YAML" "$T/malformed.yaml"
row "tab indentation" "$T/tab.yaml"
row "non-UTF-8 value (yaml-edge 30)" "$H/30-non-utf8.yaml"
row "non-UTF-8 comment" "$T/non-utf8-comment.yaml"
row "BOM, no target (yaml-edge 29)" "$H/29-bom.yaml"
row "BOM + ResourceList with target" "$T/bom-list.yaml"
row "duplicate keys (yaml-edge 18)" "$H/18-duplicate-keys.yaml"
row "alias bomb (yaml-edge 32)" "$H/32-alias-bomb.yaml"
row "100,000-deep flow nesting" "$T/deep-flow.yaml"
row "100,000-deep block sequences" "$T/deep-seq.yaml"
row "3,000-deep block mappings" "$T/deep-map.yaml"
row "4,000-char line" "$T/line-4000.yaml"
row "30,000-char lines (yaml-edge 14)" "$SHARED/yaml-edge/14-long-line.yaml"
row "CRLF ResourceList" "$T/crlf-list.yaml"
row "empty input" "$H/34-empty.yaml"
row "only comments" "$H/35-only-comments.yaml"
row "items is a mapping" "$T/items-map.yaml"
row "items is a scalar" "$T/items-scalar.yaml"
row "item without kind" "$T/no-kind.yaml"
row "functionConfig of unknown kind" "$T/unknown-fc.yaml"
row "stream, malformed last document" "$T/stream-bad-last.yaml"
row "100 MB ResourceList" "$T/list-100mb.yaml"
row "100 MB plain stream" "$T/stream-100mb.yaml"
