#!/usr/bin/env bash
# Instruction counts (valgrind callgrind: repeatable, unlike wall or CPU time on a shared VM)
# of disable-gke-metadata and the parse-only peer on the lists a full benchmark run kept.
# Shows how cost grows with size without timing noise. See BENCHMARKS.md.
#
#   bash bench/run.sh --keep                          # prints: inputs and outputs kept in DIR
#   bash bench/run.sh --inputs-only                   # the same inputs, without the timings
#   bash bench/instructions.sh DIR                    # about 4 minutes
#
# Environment: CARGO_TARGET_DIR (default ./target), DGM_BIN (default its release binary).
set -euo pipefail
DIR=${1:?usage: bench/instructions.sh DIR (a directory kept by bench/run.sh --keep)}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${DGM_BIN:-$TARGET_DIR/release/disable-gke-metadata}
PARSE="$TARGET_DIR/release/granit-parse-only"
command -v valgrind >/dev/null || { echo "instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
for b in "$BIN" "$PARSE"; do [[ -x $b ]] || { echo "instructions.sh: missing $b (run bench/run.sh first)" >&2; exit 1; }; done

count() { # binary input -> instructions executed
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" < "$2" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

echo "| input | bytes | disable-gke-metadata instructions | per byte | parse-only instructions | per byte | this / parse-only |"
echo "|---|---:|---:|---:|---:|---:|---:|"
first=""
for n in 1 3 10; do
  f="$DIR/list-$n.yaml"
  [[ -f $f ]] || { echo "instructions.sh: no $f" >&2; exit 1; }
  bytes=$(stat -c %s "$f")
  a=$(count "$BIN" "$f")
  b=$(count "$PARSE" "$f")
  awk -v n="list-$n" -v s="$bytes" -v a="$a" -v b="$b" 'BEGIN {
    printf "| %s | %.0f | %.0f | %.2f | %.0f | %.2f | %.3fx |\n", n, s, a, a / s, b, b / s, a / b }'
  if [[ -z $first ]]; then first="$bytes $a"; fi
  last="$bytes $a"
done
read -r s1 a1 <<<"$first"
read -r s2 a2 <<<"$last"
awk -v s1="$s1" -v a1="$a1" -v s2="$s2" -v a2="$a2" 'BEGIN {
  printf "\nFrom list-1 to list-10: size x%.3f, instructions x%.3f (ratio %.3f; 1.000 is exactly linear)\n",
    s2 / s1, a2 / a1, (a2 / a1) / (s2 / s1) }'
