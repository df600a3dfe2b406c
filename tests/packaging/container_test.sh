#!/usr/bin/env bash
# The Dockerfile builds an image whose entry point is the binary, running as a non-root user: `--version` and
# `demo` work in it. Exit 77 (skipped) where no container runtime works (no docker, or `docker info` fails: no
# daemon, no permission) — the base images come from a registry this test cannot reach without one.
# Usage: container_test.sh SOURCE_DIR VERSION
set -euo pipefail
src=$1 version=$2
if ! command -v docker >/dev/null; then
  echo "SKIP: docker is not installed: the container image cannot be built here"
  exit 77
fi
if ! why=$(docker info 2>&1 >/dev/null); then
  echo "SKIP: docker info failed, no container runtime works here: $(grep -m1 . <<<"$why")"
  exit 77
fi
fail() { echo "FAIL: $*" >&2; exit 1; }
tag=entra-audit-test:$$
trap 'docker rmi -f "$tag" >/dev/null 2>&1 || true' EXIT
docker build -q -t "$tag" "$src" >/dev/null || fail "docker build failed"
out=$(docker run --rm "$tag" --version)
[[ $out == *"$version"* ]] || fail "--version printed '$out'"
[[ $(docker run --rm --entrypoint id "$tag" -u) != 0 ]] || fail "the image runs as root"
docker run --rm "$tag" demo --out /data/demo --users 100 | grep -q '^scanned 100 users' || fail "demo failed in the image"
echo "container test: ok"
