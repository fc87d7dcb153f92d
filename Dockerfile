# disable-gke-metadata: KRM function image.
#
# Build (needs the base image from a registry):
#   podman build -t ghcr.io/kubeflow-tools/disable-gke-metadata:v0.1.0 .
#   (docker build works the same)
#
# Build without pulling anything (what CI does): substitute the `build` stage
# with a directory holding a static binary at out/disable-gke-metadata:
#   RUSTFLAGS='-C target-feature=+crt-static' CARGO_PROFILE_RELEASE_STRIP=symbols \
#     cargo build --release --locked --target x86_64-unknown-linux-gnu
#   mkdir -p /tmp/stage/out
#   cp target/x86_64-unknown-linux-gnu/release/disable-gke-metadata /tmp/stage/out/
#   podman build --build-context build=/tmp/stage \
#     -t ghcr.io/kubeflow-tools/disable-gke-metadata:v0.1.0 .

# ---- build stage: a static (musl) binary, with a pinned Rust toolchain ----
ARG RUST_VERSION=1.95.0
FROM docker.io/library/rust:${RUST_VERSION}-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# On Alpine the host target is x86_64/aarch64-unknown-linux-musl, which links
# statically by default; the check below fails the build if it did not.
RUN CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --release --locked --bin disable-gke-metadata \
 && install -D -m 0755 target/release/disable-gke-metadata /out/disable-gke-metadata \
 && ! ldd /out/disable-gke-metadata 2>/dev/null | grep -q '=>'

# ---- runtime stage: nothing but the binary and a passwd file ----
FROM scratch AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="disable-gke-metadata" \
      org.opencontainers.image.description="KRM function that sets DISABLE_GKE_METADATA on the Kubeflow Pipelines ml-pipeline-ui Deployment, changing nothing else" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/kubeflow-tools/disable-gke-metadata"
# kpt and kustomize run function containers with `--user nobody`: the name must
# resolve, so the image carries an /etc/passwd (and /etc/group) with it.
COPY image/passwd /etc/passwd
COPY image/group /etc/group
COPY --from=build /out/disable-gke-metadata /usr/local/bin/disable-gke-metadata
# Numeric, so that Kubernetes' runAsNonRoot can verify it; it is `nobody`.
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/disable-gke-metadata"]
