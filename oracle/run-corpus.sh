#!/usr/bin/env bash
# Run the function over a corpus and judge every output with yaml-judge (both readers).
#
#   oracle/run-corpus.sh [--judge PATH] [--expect FILE|none] [--keep DIR] [--quiet]
#                        [--bare-args "ARGS"] BIN FILE...
#
# For each FILE (NAME.config.yaml files are configs, not inputs, and are skipped):
#   BIN --changes C.json [--config NAME.config.yaml, when it exists beside NAME.yaml, or
#   config.yaml beside a golden case's input.yaml; else the --bare-args, e.g.
#   "--require-match false" so that an input with no target is judged as passed through
#   rather than refused] < FILE > OUT
# A file holding "\0CONFIG-END\0" (the with_config fuzz corpus) is split: the part before is
# passed as --config, the part after is the input.
# Then, per file:
#   refused   BIN exited 1 with empty stdout: nothing to judge (FAIL when the file name
#             says *must-succeed*, which also makes an exit 1 with results a FAIL; an
#             exit 0 on a *must-refuse* file is a FAIL). These names bind only the judge's own
#             findings (oracle/findings/): a fuzz regression's "must-succeed" means a valid
#             layout whose refusal needs a reason, which tests/fuzz_regressions.rs checks;
#   FAIL      BIN exited neither 0 nor 1, or 0 with empty stdout, or wrote no changes file,
#             or a reader judged the output wrong (with the target check, judge --target,
#             on runs that exited 0 without a config file; and the judge's final-newline
#             check), or BIN exited 0 on an input that has
#             duplicate keys by go-yaml v3's own rule (same key text: v3-text), which the
#             function promises to refuse as kyaml does (other duplicates are notes);
#   unjudged  neither reader can read the input (the function may still accept it);
#   ok        every reader that can read the input says the output is the input + changes
#             (stdout is judged whatever the exit code: a refused ResourceList carries results).
# An output that is a kustomize patch (a config with emitPatch: the first line is the patch's
# header) is judged as applied: kubectl kustomize on a kustomization holding the input as its
# resource (input order kept) and the output's patches; the judge reads kustomize's output as
# the output. A patch kustomize cannot apply is a FAIL; so is a missing kubectl. A `kind: List`
# input is unjudged there (kustomize writes its items as documents of their own); the
# end-to-end check emit-patch-golden compares it through kustomize instead.
# Files listed in the expected-failures file (default oracle/expected-failures.txt) that fail
# are XFAIL; listed files that pass are XPASS, which fails the run, so the list shrinks.
# Exit 0 when nothing failed unexpectedly, 1 otherwise, 2 on usage errors.
set -uo pipefail

# The judge's own findings say in their names what the function must do.
must_succeed() { [[ "$1" == *oracle/findings/*must-succeed* ]]; }

ORACLE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$ORACLE/.." && pwd)"
judge="" expect="$ORACLE/expected-failures.txt" keep="" quiet=0 bare=()
while [ $# -gt 0 ]; do
    case "$1" in
        --judge) judge="$2"; shift 2 ;;
        --expect) expect="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        --quiet) quiet=1; shift ;;
        --bare-args) read -ra bare <<<"$2"; shift 2 ;;
        --) shift; break ;;
        -*) echo "run-corpus.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { sed -n '2,4p' "$0" >&2; exit 2; }
bin="$1"; shift
[ -x "$bin" ] || { echo "run-corpus.sh: $bin is not an executable" >&2; exit 2; }

if [ -z "$judge" ]; then
    judge="$ROOT/target/yaml-judge"
    (cd "$ORACLE" && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$judge" .) \
        || { echo "run-corpus.sh: building yaml-judge failed" >&2; exit 2; }
fi

if [ -n "$keep" ]; then
    work="$keep"; mkdir -p "$work"
else
    work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
fi

declare -A xfail=()
# The first line of what --emit-patch writes (src/patch.rs).
patch_header='# Kustomize patches written by disable-gke-metadata --emit-patch: the change the function'
declare -A patch_failed=()
if [ "$expect" != none ] && [ -f "$expect" ]; then
    while IFS= read -r line; do
        line="${line%%#*}"; line="${line%"${line##*[![:space:]]}"}"
        [ -n "$line" ] && xfail["$line"]=1
    done < "$expect"
fi

now() { date +%s.%N; }
t0=$(now)
files=() stdin=() rcs=()
: > "$work/list"
i=0
for f in "$@"; do
    case "$f" in *.config.yaml) continue ;; esac
    [ -f "$f" ] || { echo "run-corpus.sh: no file $f" >&2; exit 2; }
    in="$f" cfg=()
    if grep -qaF 'CONFIG-END' "$f" && perl -0777 -ne 'exit(index($_, "\0CONFIG-END\0") < 0)' "$f"; then
        perl -0777 -ne 'my $i = index($_, "\0CONFIG-END\0"); print substr($_, 0, $i)' "$f" > "$work/$i.config"
        perl -0777 -ne 'my $i = index($_, "\0CONFIG-END\0"); print substr($_, $i + 12)' "$f" > "$work/$i.in"
        in="$work/$i.in" cfg=(--config "$work/$i.config")
    elif [ -f "${f%.yaml}.config.yaml" ] && [ "${f%.yaml}" != "$f" ]; then
        cfg=(--config "${f%.yaml}.config.yaml")
    elif [ "$(basename "$f")" = input.yaml ] && [ -f "$(dirname "$f")/config.yaml" ]; then
        cfg=(--config "$(dirname "$f")/config.yaml")
    fi
    rm -f "$work/$i.changes.json"
    flags=("${cfg[@]}")
    [ ${#cfg[@]} -eq 0 ] && flags=("${bare[@]}")
    "$bin" --changes "$work/$i.changes.json" "${flags[@]}" < "$in" > "$work/$i.out" 2> "$work/$i.err"
    rc=$?
    if [ "$rc" -eq 0 ] && [ "$(head -n 1 "$work/$i.out")" = "$patch_header" ]; then
        mkdir -p "$work/$i.kustomize"
        cp "$in" "$work/$i.kustomize/input.yaml"
        { printf 'resources:\n- input.yaml\nsortOptions:\n  order: fifo\n'; cat "$work/$i.out"; } \
            > "$work/$i.kustomize/kustomization.yaml"
        mv "$work/$i.out" "$work/$i.patch"
        if ! kubectl kustomize "$work/$i.kustomize" > "$work/$i.out" 2>> "$work/$i.err"; then
            : > "$work/$i.out"
            patch_failed[$i]=1
        fi
    fi
    files+=("$f") stdin+=("$in") rcs+=("$rc")
    if [ -s "$work/$i.out" ] && [ -f "$work/$i.changes.json" ]; then
        opt=""
        [ "$rc" -eq 0 ] && [ ${#cfg[@]} -eq 0 ] && opt=target
        printf '%s\t%s\t%s\t%s\n' "$in" "$work/$i.out" "$work/$i.changes.json" "$opt" >> "$work/list"
    fi
    i=$((i + 1))
done
t1=$(now)
"$judge" --batch "$work/list" > "$work/verdicts" 2> "$work/judge.err"
jrc=$?
t2=$(now)
if [ "$jrc" -eq 2 ]; then
    echo "run-corpus.sh: yaml-judge failed:" >&2; cat "$work/judge.err" "$work/verdicts" >&2; exit 2
fi

declare -A verdict=()
while IFS=$'\t' read -r status reader input message; do
    verdict["$input|$reader"]="$status"$'\t'"$message"
done < "$work/verdicts"

n_ok=0 n_refused=0 n_unjudged=0 n_fail=0 n_xfail=0 n_xpass=0 n_partial=0
report() { # STATUS FILE DETAIL
    local s="$1" f="$2" d="$3"
    if [ -n "${xfail[$f]:-}" ]; then
        case "$s" in
            FAIL) s=XFAIL ;;
            *) s=XPASS d="listed in $(basename "$expect") but now $1: $d" ;;
        esac
    fi
    case "$s" in
        ok) n_ok=$((n_ok + 1)) ;;
        refused) n_refused=$((n_refused + 1)) ;;
        unjudged) n_unjudged=$((n_unjudged + 1)) ;;
        FAIL) n_fail=$((n_fail + 1)) ;;
        XFAIL) n_xfail=$((n_xfail + 1)) ;;
        XPASS) n_xpass=$((n_xpass + 1)) ;;
    esac
    if [ "$quiet" -eq 0 ] || [ "$s" = FAIL ] || [ "$s" = XPASS ]; then
        printf '%-8s %s: %s\n' "$s" "$f" "$d"
    fi
}

for ((i = 0; i < ${#files[@]}; i++)); do
    f="${files[$i]}" in="${stdin[$i]}" rc="${rcs[$i]}"
    err1="$(head -c 300 "$work/$i.err" | tr '\n' ' ')"
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        report FAIL "$f" "the function exited $rc: $err1"; continue
    fi
    if [ -n "${patch_failed[$i]:-}" ]; then
        report FAIL "$f" "the emitted patch does not apply with kubectl kustomize: $(tail -c 300 "$work/$i.err" | tr '\n' ' ')"; continue
    fi
    if [ -f "$work/$i.patch" ] && grep -qx 'kind: List' "$in"; then
        report unjudged "$f" "exit $rc: a patch for a kind: List (kustomize writes its items as documents)"; continue
    fi
    if [ ! -s "$work/$i.out" ]; then
        if [ "$rc" -eq 0 ]; then
            report FAIL "$f" "exit 0 with empty output"
        elif must_succeed "$f"; then
            report FAIL "$f" "refused an input that must succeed: $err1"
        else
            report refused "$f" "exit 1, nothing written: $err1"
        fi
        continue
    fi
    if [ ! -f "$work/$i.changes.json" ]; then
        report FAIL "$f" "exit $rc with output but no changes file"; continue
    fi
    fails="" dup="" cannot="" judged=0 notes=""
    for r in v3 v2; do
        v="${verdict["$in|$r"]:-}"
        [ -n "$v" ] || { fails+="$r: no verdict; "; continue; }
        status="${v%%$'\t'*}" message="${v#*$'\t'}"
        case "$status" in
            ok) judged=$((judged + 1)) ;;
            FAIL) fails+="$r: $message; " ;;
            CANNOT-JUDGE) cannot+="$r cannot judge: $message; " ;;
            INPUT-DUP)
                judged=$((judged + 1))
                # Only v3's own rule (same text: v3 refuses the document) is one the function
                # promises to refuse ("as kyaml does"); the others are notes.
                if [ "$r" = v3 ] && [ "$rc" -eq 0 ] && [[ "$message" == *"rules: "*v3-text* ]]; then
                    dup+="v3: accepted (exit 0) an input with duplicate keys: $message; "
                else
                    notes+="$r: $message; "
                fi ;;
        esac
    done
    what="exit $rc"
    [ "$rc" -eq 1 ] && what="exit 1 (refused; results judged)"
    if [ "$rc" -eq 1 ] && must_succeed "$f"; then
        fails+="refused an input that must succeed: $err1; "
    fi
    if [ "$rc" -eq 0 ] && [[ "$f" == *oracle/findings/*must-refuse* ]]; then
        fails+="accepted (exit 0) an input that must be refused; "
    fi
    if [ -n "$fails$dup" ]; then
        report FAIL "$f" "$what: $fails$dup"
    elif [ "$judged" -eq 0 ]; then
        report unjudged "$f" "$what: $cannot"
    else
        [ -n "$cannot" ] && n_partial=$((n_partial + 1))
        report ok "$f" "$what, judged by $judged reader(s)${cannot:+; $cannot}${notes:+; $notes}"
    fi
done
# A listed file that was not in this run is not an XPASS: the list covers several runs.

t3=$(now)
total=${#files[@]}
printf 'corpus: %d files: %d ok (%d judged by one reader only), %d refused, %d unjudged, %d xfail, %d FAIL, %d XPASS\n' \
    "$total" "$n_ok" "$n_partial" "$n_refused" "$n_unjudged" "$n_xfail" "$n_fail" "$n_xpass"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "time: function %.2fs, judge %.2fs (one process, both readers), total %.2fs\n", b - a, c - b, d - a }'
[ "$n_fail" -eq 0 ] && [ "$n_xpass" -eq 0 ]
