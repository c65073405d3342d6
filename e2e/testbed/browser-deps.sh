#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests (e2e/src/console.e2e.test.ts, driven
# by playwright-core at /usr/bin/chromium) when it is missing. Nothing is downloaded outside apt.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then echo "[browser-deps] chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)" >&2; exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "[browser-deps] /usr/bin/chromium is missing and there is no apt-get: install Chromium so that /usr/bin/chromium runs" >&2
  exit 1
fi
echo "[browser-deps] installing chromium from apt" >&2
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version >&2
