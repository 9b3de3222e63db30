#!/usr/bin/env bash
# A real Apache Flume agent (1.11, from Maven Central) for sluice's flume:// tests and benchmark,
# and for local use.
#
#   scripts/flume.sh fetch              fetch the agent's jars into .cache/flume/libs (once)
#   scripts/flume.sh agent CONF [NAME]  run agent NAME (default a1) of properties file CONF in the
#                                       foreground, logging on stdout; its pid is this command's
#
# The jars are listed by flume/pom.xml; the cache is keyed on its hash, so editing it refetches.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/flume"
libs="$cache/libs"

fetch() {
  local want
  want="$(sha256sum "$root/flume/pom.xml" | cut -d' ' -f1)"
  [ "$(cat "$libs/.pom.sha256" 2>/dev/null)" = "$want" ] && return
  mkdir -p "$cache"
  # Parallel test workers may fetch at once: one does, the others wait for it and find it done.
  exec 9>"$cache/lock"
  flock 9
  [ "$(cat "$libs/.pom.sha256" 2>/dev/null)" = "$want" ] && return
  echo "flume: fetching jars into $libs" >&2
  rm -rf "$libs"
  # Maven's output is only worth reading when it fails.
  mvn -q -B -f "$root/flume/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs" \
    >"$cache/fetch.log" 2>&1 || { cat "$cache/fetch.log" >&2; exit 1; }
  echo "$want" >"$libs/.pom.sha256"
  exec 9>&-
}

case "${1:-}" in
  fetch)
    fetch
    ;;
  agent)
    conf="${2:?usage: $0 agent CONF [NAME]}"
    fetch
    exec java -Xmx256m -Dlog4j2.configurationFile="$root/flume/log4j2.xml" -cp "$libs/*" \
      org.apache.flume.node.Application --no-reload-conf -f "$conf" -n "${3:-a1}"
    ;;
  *)
    echo "usage: $0 fetch | agent CONF [NAME]" >&2
    exit 2
    ;;
esac
