#!/usr/bin/env bash
# Installs Debian's chromium for the report's browser test when it is missing
# (no browser download of a test tool's own: the machine reaches only the npm
# registry and Debian). Idempotent; needs root for apt-get. Prints the path.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  command -v chromium
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-browser: chromium is missing and installing it needs root (apt-get install chromium)" >&2
  exit 1
fi

# Several sessions may share the machine: one apt run at a time, and wait for
# dpkg's own lock rather than failing on it.
exec 9>/tmp/critpoint-apt.lock
flock 9
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium >/dev/null
fi
command -v chromium
