#!/usr/bin/env bash
# Installs what the testbed's real nodes (PAYGRID_REAL_NODES=1) need from Debian and is not
# there yet: containerd, runc, the CNI plugins, iptables (the partition fault cuts a site's links). The kubelet itself is built by build-tools.sh.
set -euo pipefail
need=()
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v ip >/dev/null || need+=(iproute2)
command -v iptables >/dev/null || need+=(iptables)
if [ ${#need[@]} -eq 0 ]; then echo "[real-node-deps] containerd, runc, CNI plugins, iptables: present" >&2; exit 0; fi
echo "[real-node-deps] installing ${need[*]}" >&2
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
