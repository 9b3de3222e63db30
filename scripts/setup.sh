#!/usr/bin/env bash
# Installs everything sluice's tests and benchmarks need on a fresh Debian machine, then the npm
# packages (whose `prepare` step builds dist/). Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Unix peers the tests compare with and the benchmarks race against; Java and Maven for the real
# Kafka broker the kafka:// tests start (scripts/kafka.sh); Chromium for the web UI's browser tests;
# the clients of the brokers the broker tests and benchmarks use (the brokers themselves are the machine's).
packages=(mawk gawk jq miller hyperfine kcat time default-jre-headless maven iproute2 chromium redis-tools mosquitto-clients)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install: ${missing[*]} (apt-get install)" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
