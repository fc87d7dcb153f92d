//! disable-gke-metadata: a KRM function (library part).
#![forbid(unsafe_code)]
