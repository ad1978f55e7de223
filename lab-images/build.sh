#!/usr/bin/env bash
# Builds the twlab lab images. When the Debian base image cannot be pulled (no registry reachable),
# it is bootstrapped locally with debootstrap and imported under the same name.
set -euo pipefail
cd "$(dirname "$0")"

BASE_IMAGE=debian:bookworm-slim
VERSION=$(cat VERSION)
log() { printf '[lab-images] %s\n' "$*" >&2; }

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  if ! docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
    log "cannot pull $BASE_IMAGE; bootstrapping it locally with debootstrap"
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    debootstrap --variant=minbase bookworm "$root" >/dev/null
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | docker import - "$BASE_IMAGE" >/dev/null
  fi
fi

# Quiet unless a build fails; the layer cache makes a rebuild of unchanged images take seconds.
build() {
  local tag=$1; shift
  local output
  if ! output=$(docker build -t "$tag" "$@" 2>&1); then
    printf '%s\n' "$output" >&2
    log "building $tag failed"
    exit 1
  fi
  log "built $tag"
}

build "twlab/base:$VERSION" base
for role in client server gateway redis tracer; do
  build "twlab/$role:$VERSION" --build-arg "VERSION=$VERSION" "$role"
done

# The grader image grading platforms run needs the CLI's jar: built once it exists, else skipped.
cli_jar=../client-cli/target/twlab.jar
if [ -f "$cli_jar" ]; then
  context=$(mktemp -d)
  cp grader/Dockerfile grader/twlab grader/twlab-grade "$context"/
  cp "$cli_jar" "$context"/twlab.jar
  build "twlab/grader:$VERSION" "$context"
  rm -rf "$context"
else
  log "skipped twlab/grader: build the CLI first (./mvnw -q package -DskipTests), then run lab-images/build.sh again"
fi
