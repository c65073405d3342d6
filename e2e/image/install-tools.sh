#!/usr/bin/env bash
# What `make image-local` needs: podman (builds and runs the image without a Docker engine),
# runc (crun refuses hosts with hybrid cgroup v1/v2), and debootstrap (the local base
# images). Installs the missing ones from Debian's apt; elsewhere says what to install.
set -euo pipefail
missing=()
for pkg in podman runc debootstrap; do command -v "$pkg" >/dev/null || missing+=("$pkg"); done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "[image-tools] installing ${missing[*]} from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "image-tools: missing ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
