#!/usr/bin/env bash
# Many files in place (issue 12): `disable-gke-metadata DIR` beside `kpt fn eval DIR --exec`
# on every YAML/JSON file of a kubeflow/manifests checkout (../shared/testdata/kubeflow/
# manifests-tree.tar.xz), each tool on its own copy in its own Git repository. See
# BENCHMARKS.md, "Many files in place".
#
#   bash bench/files.sh [--runs N] [--no-kpt] [--no-build] [--keep]
#
# Prints, for disable-gke-metadata: `--check` (read, plan and verify every file, write
# nothing) with 1 thread and with one per CPU, and the fix itself (`--value true DIR`, the
# tree reset with `git checkout` between runs): median wall time, median CPU time
# (user+sys), peak RSS. For kpt (one run: about a minute): the same, after a .krmignore that
# lists the files kpt refuses to read (Helm templates, kustomizations and patches without
# apiVersion, kind or metadata.name: kpt stops at the first one). Then each tool's `git diff`:
# files changed, lines, bytes.
#
# Environment: CARGO_TARGET_DIR, DGM_BIN (the binary, default target/release/...), SHARED
# (default ../shared), KPT (default kpt), BENCH_TMP (parent of the temp dir). Needs GNU time
# and, for the kpt part, python3 with PyYAML.
set -euo pipefail

RUNS=5
KPT_RUN=1
BUILD=1
KEEP=0
while (($#)); do
  case "$1" in
    --runs) RUNS=$2; shift ;;
    --no-kpt) KPT_RUN=0 ;;
    --no-build) BUILD=0 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "files.sh: unknown argument: $1" >&2; exit 64 ;;
  esac
  shift
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
TARBALL=$SHARED/testdata/kubeflow/manifests-tree.tar.xz
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${DGM_BIN:-$TARGET_DIR/release/disable-gke-metadata}
KPT=${KPT:-kpt}
TIME=/usr/bin/time
[[ -f $TARBALL ]] || { echo "files.sh: no $TARBALL" >&2; exit 1; }
[[ -x $TIME ]] || { echo "files.sh: GNU time (/usr/bin/time) is needed" >&2; exit 1; }
if ((BUILD)); then
  (cd "$ROOT" && cargo build --release --locked --bin disable-gke-metadata >&2)
fi
[[ -x $BIN ]] || { echo "files.sh: no binary at $BIN" >&2; exit 1; }

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/dgm-files.XXXXXX")
cleanup() { if ((KEEP)); then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# tree NAME: a fresh copy of the manifests in a Git repository; prints its path.
tree() {
  mkdir -p "$WORK/$1"
  tar -xJf "$TARBALL" -C "$WORK/$1"
  local d=$WORK/$1/kubeflow-manifests
  (cd "$d" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -qm before)
  echo "$d"
}

# timed LABEL CMD...: one run under GNU time, appending "LABEL wall cpu rss_kb" to $WORK/times.
timed() {
  local label=$1; shift
  "$TIME" -f "$label %e %U %S %M" -o "$WORK/one" "$@" >/dev/null 2>"$WORK/stderr" || true
  tail -1 "$WORK/one" | awk '{printf "%s %s %.2f %s\n", $1, $2, $3 + $4, $5}' >>"$WORK/times"
}

# diffstat DIR: "files lines bytes" of DIR's git diff.
diffstat() {
  (cd "$1" && printf '%s %s %s\n' "$(git diff --name-only | wc -l)" \
    "$(git diff --numstat | awk '{s += $1 + $2} END {print s + 0}')" "$(git diff | wc -c)")
}

OURS=$(tree ours)
files=$(cd "$OURS" && find . -path ./.git -prune -o -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print | wc -l)
bytes=$(cd "$OURS" && find . -path ./.git -prune -o -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
cpus=$(nproc)
: >"$WORK/times"
echo "tree: $files YAML/JSON files, $bytes bytes; $cpus CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cd "$OURS"
"$BIN" -q --check . >/dev/null 2>&1 || true   # warm the page cache
for ((r = 0; r < RUNS; r++)); do
  timed "check-j1" "$BIN" -q --check -j 1 .
  timed "check-j$cpus" "$BIN" -q --check .
  git checkout -q .
  timed "fix-j$cpus" "$BIN" -q --value true .
done
read -r ours_files ours_lines ours_bytes < <(diffstat "$OURS")
"$BIN" --check . 2>"$WORK/after.log" >/dev/null && after=0 || after=$?

if ((KPT_RUN)); then
  KPTD=$(tree kpt)
  cd "$KPTD"
  python3 - <<'EOF'
import os, yaml
bad = []
for root, dirs, files in os.walk('.'):
    dirs[:] = [d for d in dirs if d != '.git']
    for f in files:
        if not f.endswith(('.yaml', '.yml', '.json')):
            continue
        p = os.path.join(root, f)[2:]
        try:
            docs = list(yaml.safe_load_all(open(p, encoding='utf-8')))
        except Exception:
            bad.append(p)
            continue
        for d in docs:
            if d is None:
                continue
            if (not isinstance(d, dict) or 'apiVersion' not in d or 'kind' not in d
                    or not isinstance(d.get('metadata'), dict) or not d['metadata'].get('name')):
                bad.append(p)
                break
open('.krmignore', 'w').write('\n'.join(sorted(set(bad))) + '\n')
EOF
  ignored=$(wc -l <.krmignore)
  timed "kpt-fn-eval" "$KPT" fn eval . --exec "$BIN" -- value=true
  grep -q '^kpt-fn-eval' "$WORK/times" || { cat "$WORK/stderr"; exit 1; }
  read -r kpt_files kpt_lines kpt_bytes < <(diffstat "$KPTD")
fi

python3 - "$WORK/times" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, wall, cpu, rss = line.split()
    rows.setdefault(label, []).append((float(wall), float(cpu), int(rss)))
print("| run | runs | wall (median) | CPU user+sys (median) | peak RSS |")
print("|---|---:|---:|---:|---:|")
for label, rs in rows.items():
    print("| %s | %d | %.2f s | %.2f s | %.1f MB |" % (
        label, len(rs), statistics.median(r[0] for r in rs),
        statistics.median(r[1] for r in rs), max(r[2] for r in rs) / 1024))
EOF
echo
echo "| tool | files changed | git diff lines (+/-) | git diff bytes |"
echo "|---|---:|---:|---:|"
echo "| disable-gke-metadata --value true DIR | $ours_files | $ours_lines | $ours_bytes |"
if ((KPT_RUN)); then
  echo "| kpt fn eval DIR --exec ... -- value=true ($ignored files in .krmignore) | $kpt_files | $kpt_lines | $kpt_bytes |"
fi
echo
echo "disable-gke-metadata --check after its fix: exit $after"
