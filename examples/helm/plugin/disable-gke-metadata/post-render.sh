#!/bin/sh
# Helm 4 post-renderer wrapper for disable-gke-metadata.
#
# Helm runs it with the rendered manifests on stdin and the
# `--post-renderer-args` as arguments (for example `--config FILE`), and uses
# its stdout as the manifests. It runs, in this order, the first of:
#   $DISABLE_GKE_METADATA_BIN, $HELM_PLUGIN_DIR/bin/disable-gke-metadata,
#   disable-gke-metadata on PATH.
# Helm 4 does not show a post-renderer's stderr: on failure, run
#   helm template ... | disable-gke-metadata
# to read the reason.
set -eu

bin=${DISABLE_GKE_METADATA_BIN:-}
if [ -z "$bin" ]; then
  if [ -x "${HELM_PLUGIN_DIR:-}/bin/disable-gke-metadata" ]; then
    bin=$HELM_PLUGIN_DIR/bin/disable-gke-metadata
  elif command -v disable-gke-metadata >/dev/null 2>&1; then
    bin=disable-gke-metadata
  else
    echo "disable-gke-metadata helm plugin: no disable-gke-metadata binary: put it on PATH," \
      "at ${HELM_PLUGIN_DIR:-<plugin dir>}/bin/disable-gke-metadata, or name it in DISABLE_GKE_METADATA_BIN" >&2
    exit 1
  fi
fi
exec "$bin" "$@"
