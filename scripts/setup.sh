#!/usr/bin/env bash
# Installs what kiln needs on a fresh Debian 12 machine and builds it.
# Idempotent: packages and node_modules already present are kept.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages used by drivers, tests and benchmarks.
# runc, iproute2, iptables: pot jails; busybox-static, nginx-light, xz-utils, util-linux:
# image builds and demo images; curl: examples and tests.
# etcd-server: the cluster store backend and its tests; chromium: browser tests of the web UIs;
# haproxy, wrk: ingress engine and benchmarks; dnsutils: dig for DNS checks;
# gcc, libc6-dev: the jail escape test compiles its static probe.
DEB_PACKAGES=(runc iproute2 iptables busybox-static xz-utils util-linux nginx-light curl etcd-server chromium haproxy wrk dnsutils gcc libc6-dev)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    apt-get update -qq
    # Packages like nginx-light start their service on install; kiln only needs
    # the binaries, so forbid service starts while installing (policy-rc.d 101).
    created_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  else
    echo "missing Debian packages: ${missing[*]}; run this script as root or install them with apt-get" >&2
    exit 1
  fi
fi

# npm ci when node_modules does not match the lockfile.
stamp=node_modules/.kiln-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "==> installing npm dependencies (npm ci; better-sqlite3 builds from source, about a minute)"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

# Build only when a source changed since the last build from here: a second ./minipot starts in
# seconds instead of recompiling the whole tree (20-45 s on 2 cores).
build_stamp=dist/.kiln-build-stamp
sources=(src test bench bin tsconfig.json package.json package-lock.json)
if [ -f dist/src/cli/main.js ] && [ -f dist/ui/nomad/index.html ] && ./scripts/build-fresh.sh "$build_stamp" "${sources[@]}"; then
  echo "==> build is up to date (no source changed since $(date -r "$build_stamp" '+%F %T'))"
  exit 0
fi
# Stamped with the time the build started, so an edit made during the build triggers the next one.
mkdir -p dist
started=dist/.kiln-build-started
touch "$started"

echo "==> building"
npx tsc -p tsconfig.json

echo "==> building the web UIs (vite)"
node src/ui/build.mjs

mv "$started" "$build_stamp"
