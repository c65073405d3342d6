#!/usr/bin/env bash
# podman, set up for the machine it runs on. Containers inherit limits podman raises by
# default (nofile 1048576, nproc 4194304), which a sandbox without CAP_SYS_RESOURCE refuses
# ("setrlimit: Operation not permitted"); and crun refuses hybrid cgroup v1/v2 hosts, where
# runc works. This writes a containers.conf that fits and runs podman with it; on an
# ordinary host it changes nothing that matters.
set -euo pipefail
conf_dir=${PAYGRID_CACHE:-$HOME/.cache/paygrid}/images
mkdir -p "$conf_dir"
conf=$conf_dir/containers.conf
nofile=$(ulimit -Hn)
[[ $nofile == unlimited || $nofile -gt 1048576 ]] && nofile=1048576
{
  echo '[containers]'
  echo "default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=4096:4096\"]"
  if [[ -d /sys/fs/cgroup/unified ]] && command -v runc >/dev/null; then
    echo '[engine]'
    echo 'runtime = "runc"'
  fi
} >"$conf.$$"
mv "$conf.$$" "$conf"
export CONTAINERS_CONF=$conf
exec podman "$@"
