#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft combined broker+controller, no ZooKeeper, no
# Docker) for sluice's kafka:// tests and for local use. See kafka/README.md.
#
#   scripts/kafka.sh up [PORT]      start on 127.0.0.1:PORT (default 9092); returns once clients can connect
#   scripts/kafka.sh status [PORT]  exit 0 if up and answering
#   scripts/kafka.sh down [PORT]    stop it and delete its data
#
# Jars come from Maven Central via kafka/pom.xml into .cache/kafka/libs; each port has its
# own .cache/kafka/data-PORT holding config, pid file, logs and topic data.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/kafka"
libs="$cache/libs"
cmd="${1:-}"
port="${2:-9092}"
[[ "$port" =~ ^[0-9]+$ ]] && ((port < 64536)) || { echo "kafka: bad port '$port'" >&2; exit 2; }
# The controller needs a listener of its own; a fixed offset keeps several brokers apart.
controller_port=$((port + 1000))
data="$cache/data-$port"
pidfile="$data/kafka.pid"
# Any valid id will do: the data dir is formatted afresh on every `up`.
cluster_id="c2x1aWNlLWthZmthLXRlcw"

java_cmd=(java -Dlog4j2.configurationFile="$root/kafka/log4j2.xml" -Dkafka.logs.dir="$data" -cp "$libs/*")

# Keyed on the pom's hash so that editing the pom refetches rather than mixing two versions.
fetch_jars() {
  local want
  want="$(sha256sum "$root/kafka/pom.xml" | cut -d' ' -f1)"
  [ "$(cat "$libs/.pom.sha256" 2>/dev/null)" = "$want" ] && return
  echo "kafka: fetching jars into $libs" >&2
  rm -rf "$libs"
  # Maven's output is only worth reading when it fails (it also leaves stray colour codes).
  mvn -q -B -f "$root/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs" \
    >"$cache/fetch.log" 2>&1 || { cat "$cache/fetch.log" >&2; exit 1; }
  echo "$want" >"$libs/.pom.sha256"
}

# A live pid alone is not enough: after a reboot the pid file may name some other process.
running() {
  local pid
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -q 'kafka\.Kafka'
}

# The pids listening on the broker's port (none: nothing listens there).
listeners() {
  { ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; } || true
}

# An open port is not enough: the broker must answer a metadata request. The port probe comes
# first because it fails at once, whereas a metadata request waits out its timeout.
ready() {
  (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null || return 1
  if command -v kcat >/dev/null; then
    kcat -b "127.0.0.1:$port" -L -m 5 >/dev/null 2>&1
  else
    timeout 30 "${java_cmd[@]}" org.apache.kafka.tools.TopicCommand \
      --bootstrap-server "127.0.0.1:$port" --list >/dev/null 2>&1
  fi
}

write_config() {
  cat >"$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
log.dirs=$data/kraft
num.partitions=1
auto.create.topics.enable=true
# One broker: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests start consumers one after another; the default 3 s delay would slow every group join.
group.initial.rebalance.delay.ms=0
PROPS
}

stop() {
  running || return 0
  local pid i
  pid="$(cat "$pidfile")"
  kill "$pid"
  for ((i = 0; i < 300; i++)); do running || return 0; sleep 0.1; done
  echo "kafka: pid $pid ignored SIGTERM for 30 s, killing it" >&2
  kill -9 "$pid"
  for ((i = 0; i < 50; i++)); do running || return 0; sleep 0.1; done
}

up() {
  if ! running; then
    local taken
    taken="$(listeners)"
    if [ -n "$taken" ]; then
      echo "kafka: port $port is taken by another process (pid $taken: $(ps -o args= -p "$taken" | cut -c1-60)); stop it or choose another port" >&2
      exit 1
    fi
    fetch_jars
    # Whatever is left is from a broker that died or was killed: start clean.
    rm -rf "$data"
    mkdir -p "$data"
    write_config
    "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$data/server.properties" \
      --standalone >"$data/format.log" 2>&1 || { cat "$data/format.log" >&2; exit 1; }
    # fd 9 is the lock below: the broker must not inherit it, or it would hold it for its life.
    nohup "${java_cmd[@]}" -Xms256m -Xmx512m kafka.Kafka "$data/server.properties" \
      </dev/null >"$data/stdout.log" 2>&1 9>&- &
    echo $! >"$pidfile"
  fi
  local deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    running || break
    # our own broker, not something else that took the port meanwhile
    if listeners | grep -qx "$(cat "$pidfile")" && ready; then echo "kafka: up on 127.0.0.1:$port"; return; fi
    sleep 0.5
  done
  echo "kafka: broker on port $port did not come up; its logs ($data):" >&2
  # Without the stack frames, so that the "Caused by" lines that explain it fit on a screen.
  cat "$data/stdout.log" "$data/server.log" 2>/dev/null | grep -v $'^\t' | tail -n 30 >&2 || true
  stop
  exit 1
}

case "$cmd" in
  up | down)
    mkdir -p "$cache"
    # Parallel test workers may call up/down at once; one at a time keeps fetch and start sane.
    exec 9>"$cache/lock"
    flock 9
    if [ "$cmd" = up ]; then up; else stop; rm -rf "$data"; fi
    ;;
  status)
    if running && listeners | grep -qx "$(cat "$pidfile")" && ready; then echo "kafka: up on 127.0.0.1:$port (pid $(cat "$pidfile"))"
    else echo "kafka: not running on port $port"; exit 1; fi
    ;;
  *)
    echo "usage: $0 up|status|down [PORT]" >&2
    exit 2
    ;;
esac
