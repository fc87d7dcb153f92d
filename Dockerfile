# disable-gke-metadata: KRM function image, linux/amd64 and linux/arm64.
#
# No image is published yet: build it yourself. The name below is only a local
# tag (it is what the examples use); releases will be pushed as
# ghcr.io/<owner>/disable-gke-metadata:vX.Y.Z (see docs/release.md).
#
# Build for this machine's architecture (needs the Rust base image from a registry):
#   podman build -t ghcr.io/kubeflow-tools/disable-gke-metadata:v0.1.0 .
#   (docker build works the same)
#
# Build without pulling anything (what CI and the release workflow do): compile
# static binaries first and substitute the `build` stage with a directory
# holding out/<arch>/disable-gke-metadata, <arch> being Go's name (amd64, arm64):
#   rustup target add x86_64-unknown-linux-musl aarch64-unknown-linux-musl
#   for t in x86_64 aarch64; do
#     RUSTFLAGS='-C linker=rust-lld' CARGO_PROFILE_RELEASE_STRIP=symbols \
#       cargo build --release --locked --target $t-unknown-linux-musl
#   done
#   mkdir -p /tmp/stage/out/amd64 /tmp/stage/out/arm64
#   cp target/x86_64-unknown-linux-musl/release/disable-gke-metadata /tmp/stage/out/amd64/
#   cp target/aarch64-unknown-linux-musl/release/disable-gke-metadata /tmp/stage/out/arm64/
#   podman build --platform linux/arm64 --build-context build=/tmp/stage -t localhost/disable-gke-metadata:arm64 .
#   (and linux/amd64; `podman manifest create` + `podman manifest add` join them:
#   tests/e2e/run.sh does all of it)

# ---- build stage: a static (musl) binary, with a pinned Rust toolchain ----
ARG RUST_VERSION=1.95.0
FROM docker.io/library/rust:${RUST_VERSION}-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# On Alpine the host target is x86_64/aarch64-unknown-linux-musl, which links
# statically by default; the check below fails the build if it did not. This
# stage runs on the target platform (emulated when it is not the build host's).
ARG TARGETARCH
RUN CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --release --locked --bin disable-gke-metadata \
 && install -D -m 0755 target/release/disable-gke-metadata /out/${TARGETARCH}/disable-gke-metadata \
 && ! ldd /out/${TARGETARCH}/disable-gke-metadata 2>/dev/null | grep -q '=>'

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
ARG TARGETARCH
COPY --from=build /out/${TARGETARCH}/disable-gke-metadata /usr/local/bin/disable-gke-metadata
# Numeric, so that Kubernetes' runAsNonRoot can verify it; it is `nobody`.
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/disable-gke-metadata"]
