#!/usr/bin/env bash
# Installs everything sluice's tests and benchmarks need on a fresh Debian machine, then Node 24 for
# npm to run on, the npm packages, and builds dist/. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Unix peers the tests compare with and the benchmarks race against; Java and Maven for the real
# Kafka broker the kafka:// tests start (scripts/kafka.sh); Chromium for the web UI's browser tests;
# the clients of the brokers the broker tests and benchmarks use (the brokers themselves are the machine's);
# the shells the completion scripts are tested in, and groff and man for the man page's test.
packages=(mawk gawk jq gojq miller hyperfine kcat time default-jre-headless maven iproute2 chromium redis-tools mosquitto-clients zsh fish groff-base man-db)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing with apt-get: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install: ${missing[*]} (apt-get install)" >&2
    exit 1
  fi
fi

# npm runs on Node 24, the `node` package's (the one package.json pins): on an older system Node the
# tools' engine checks would warn at every install
node24=.cache/node24
if ! [ -x "$node24/node_modules/node/bin/node" ]; then
  echo "setup: installing Node 24 (npm package node@24) into $node24 for npm to run on"
  mkdir -p "$node24"
  # its install script fetches the Node binary for this platform (from the npm registry)
  echo '{ "private": true, "allowScripts": { "node": true } }' >"$node24/package.json"
  npm install --prefix "$node24" --no-save --no-package-lock --no-audit --no-fund --loglevel=error node@24 >/dev/null
fi
export PATH="$PWD/$node24/node_modules/node/bin:$PATH"
echo "setup: installing sluice's npm packages (npm ci) and building dist/"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm run --silent build
