#!/bin/sh
# Edit YAML files in place with disable-gke-metadata, one file at a time.
#
#   examples/in-place/fix-in-place.sh FILE...
#   DISABLE_GKE_METADATA=./target/release/disable-gke-metadata examples/in-place/fix-in-place.sh FILE...
#
# Each file is read whole and written back only if the function succeeded
# (exit 0, a complete and verified output) and changed it; the new content
# replaces the file by rename, so a file is never left half-written. A file
# the function refuses stops the run with its message; files already done
# stay done. Extra arguments for the function go in DISABLE_GKE_METADATA_ARGS
# (for example "--config my-config.yaml").
# COMING: `disable-gke-metadata FILE...` will do this itself.
set -eu
fn=${DISABLE_GKE_METADATA:-disable-gke-metadata}
for f in "$@"; do
  tmp=$(mktemp "$f.XXXXXX")
  # shellcheck disable=SC2086 # DISABLE_GKE_METADATA_ARGS is a list of arguments
  if ! "$fn" ${DISABLE_GKE_METADATA_ARGS:-} <"$f" >"$tmp"; then
    rm -f "$tmp"
    echo "fix-in-place: $f left as it was" >&2
    exit 1
  fi
  if cmp -s "$f" "$tmp"; then
    rm -f "$tmp"
  else
    chmod "$(stat -c %a "$f" 2>/dev/null || stat -f %Lp "$f")" "$tmp"
    mv "$tmp" "$f"
    echo "fix-in-place: $f updated" >&2
  fi
done
