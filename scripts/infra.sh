#!/usr/bin/env bash
# Local infrastructure without Docker: PostgreSQL and Redis from Debian packages, Apache Kafka 4.x
# (KRaft, single broker) assembled from Maven Central and run on Java 17.
#
#   scripts/infra.sh up        install what is missing, start what is not running, wait until ready
#   scripts/infra.sh status    one line per service
#   scripts/infra.sh down      stop what this project started
#   scripts/infra.sh env       print the connection settings (eval "$(scripts/infra.sh env)")
#
# Everything lives under .local/ (git-ignored). If DATABASE_URL / KAFKA_BROKERS / REDIS_URL are set
# in the environment, the matching service is not started here: the existing cluster is used.
# Idempotent: a second `up` reuses what runs and what is installed, and takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="${RV_LOCAL_DIR:-$ROOT/.local}"
PG_PORT="${RV_PG_PORT:-54329}"
REDIS_PORT="${RV_REDIS_PORT:-63790}"
KAFKA_PORT="${RV_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${RV_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${RV_KAFKA_HEAP:--Xms256m -Xmx512m}"

DEFAULT_DATABASE_URL="postgres://rv:rv@127.0.0.1:${PG_PORT}/rv"
DEFAULT_REDIS_URL="redis://127.0.0.1:${REDIS_PORT}"
DEFAULT_KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not become ready within ${secs}s (see $LOCAL/*.log)"
    sleep 0.3
  done
}

APT_UPDATED=0
apt_install() {
  [ $APT_UPDATED = 1 ] || { log "apt-get update"; as_root apt-get update -qq >/dev/null; APT_UPDATED=1; }
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# ---------------------------------------------------------------- PostgreSQL
pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  return 1
}

pg_ready() { "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

# Runs a command as the owner of the data directory (initdb and postgres refuse to run as root).
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
  if [ -n "${DATABASE_URL:-}" ]; then log "postgres: using DATABASE_URL from the environment"; return; fi
  pg_bindir >/dev/null || apt_install postgresql
  local bin data="$LOCAL/pg/data"
  bin="$(pg_bindir)"
  if pg_ready; then log "postgres: already running on 127.0.0.1:$PG_PORT"; else
    mkdir -p "$LOCAL/pg"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$LOCAL/pg"
    if [ ! -f "$data/PG_VERSION" ]; then
      log "postgres: initdb $data"
      pg_as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$LOCAL/pg/initdb.log" 2>&1 \
        || die "initdb failed: $(tail -3 "$LOCAL/pg/initdb.log")"
      cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$LOCAL/pg'
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
EOF
    fi
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    pg_as_owner "$bin/pg_ctl" -D "$data" -l "$LOCAL/pg/postgres.log" -w -t 60 start >/dev/null \
      || die "postgres did not start: $(tail -5 "$LOCAL/pg/postgres.log")"
  fi
  wait_for postgres 60 pg_ready
  # Role and database (idempotent).
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtA -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rv') THEN
    CREATE ROLE rv LOGIN SUPERUSER PASSWORD 'rv';
  END IF;
END $$;
SQL
  if ! "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtA -c "SELECT 1 FROM pg_database WHERE datname='rv'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres -O rv rv
  fi
}

pg_down() {
  local data="$LOCAL/pg/data"
  [ -f "$data/postmaster.pid" ] || return 0
  log "postgres: stopping"
  pg_as_owner "$(pg_bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
}

# ---------------------------------------------------------------- Redis
redis_ready() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

redis_up() {
  if [ -n "${REDIS_URL:-}" ]; then log "redis: using REDIS_URL from the environment"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  if redis_ready; then log "redis: already running on 127.0.0.1:$REDIS_PORT"; return; fi
  mkdir -p "$LOCAL/redis"
  log "redis: starting on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$LOCAL/redis" \
    --pidfile "$LOCAL/redis/redis.pid" --logfile "$LOCAL/redis/redis.log" --save '' --appendonly no >/dev/null
  wait_for redis 20 redis_ready
}

redis_down() {
  [ -f "$LOCAL/redis/redis.pid" ] || return 0
  log "redis: stopping"
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -f "$LOCAL/redis/redis.pid"
}

# ---------------------------------------------------------------- Kafka (KRaft)
kafka_ready() {
  port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$LOCAL/kafka/kafka.log" 2>/dev/null
}

kafka_libs() {
  local libs="$LOCAL/kafka/libs" stamp
  stamp="$(sha1sum "$ROOT/infra/kafka/pom.xml" | cut -c1-12)"
  if [ -f "$libs/.stamp" ] && [ "$(cat "$libs/.stamp")" = "$stamp" ]; then return; fi
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  log "kafka: resolving broker jars from Maven Central (cached in ~/.m2)"
  rm -rf "$libs"; mkdir -p "$libs"
  mvn -q -B -f "$ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime >"$LOCAL/kafka/mvn.log" 2>&1 \
    || die "mvn could not assemble Kafka: $(tail -5 "$LOCAL/kafka/mvn.log")"
  echo "$stamp" >"$libs/.stamp"
}

kafka_up() {
  if [ -n "${KAFKA_BROKERS:-}" ]; then log "kafka: using KAFKA_BROKERS from the environment"; return; fi
  mkdir -p "$LOCAL/kafka"
  if port_open "$KAFKA_PORT"; then log "kafka: already running on 127.0.0.1:$KAFKA_PORT"; return; fi
  kafka_libs
  local conf="$LOCAL/kafka/server.properties" data="$LOCAL/kafka/data"
  cat >"$conf" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=4
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
EOF
  cat >"$LOCAL/kafka/log4j2.yaml" <<EOF
Configuration:
  Appenders:
    Console: { name: STDOUT, PatternLayout: { Pattern: "[%d] %p %m (%c)%n" } }
  Loggers:
    Root: { level: INFO, AppenderRef: [ { ref: STDOUT } ] }
    Logger:
      - { name: kafka, level: INFO }
      - { name: org.apache.kafka, level: WARN }
      - { name: state.change.logger, level: WARN }
EOF
  local cp="$LOCAL/kafka/libs/*"
  if [ ! -f "$data/meta.properties" ]; then
    log "kafka: formatting KRaft storage"
    java -cp "$cp" -Dlog4j2.configurationFile="$LOCAL/kafka/log4j2.yaml" kafka.tools.StorageTool format \
      -t rvLocalCluster0000001Q -c "$conf" >"$LOCAL/kafka/format.log" 2>&1 \
      || die "kafka storage format failed: $(tail -5 "$LOCAL/kafka/format.log")"
  fi
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT (heap $KAFKA_HEAP)"
  : >"$LOCAL/kafka/kafka.log"
  # shellcheck disable=SC2086
  nohup java $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOCAL/kafka/log4j2.yaml" -cp "$cp" kafka.Kafka "$conf" \
    >>"$LOCAL/kafka/kafka.log" 2>&1 &
  echo $! >"$LOCAL/kafka/kafka.pid"
  wait_for kafka 90 kafka_ready
}

kafka_down() {
  [ -f "$LOCAL/kafka/kafka.pid" ] || return 0
  local pid; pid="$(cat "$LOCAL/kafka/kafka.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    log "kafka: stopping"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$LOCAL/kafka/kafka.pid"
}

print_env() {
  echo "export DATABASE_URL='${DATABASE_URL:-$DEFAULT_DATABASE_URL}'"
  echo "export REDIS_URL='${REDIS_URL:-$DEFAULT_REDIS_URL}'"
  echo "export KAFKA_BROKERS='${KAFKA_BROKERS:-$DEFAULT_KAFKA_BROKERS}'"
}

status() {
  if [ -n "${DATABASE_URL:-}" ]; then echo "postgres: external ($DATABASE_URL)" | sed 's#://[^@]*@#://***@#';
  elif pg_ready 2>/dev/null; then echo "postgres: up 127.0.0.1:$PG_PORT"; else echo "postgres: down"; fi
  if [ -n "${REDIS_URL:-}" ]; then echo "redis: external"; elif redis_ready; then echo "redis: up 127.0.0.1:$REDIS_PORT"; else echo "redis: down"; fi
  if [ -n "${KAFKA_BROKERS:-}" ]; then echo "kafka: external ($KAFKA_BROKERS)"; elif kafka_ready || port_open "$KAFKA_PORT"; then echo "kafka: up 127.0.0.1:$KAFKA_PORT"; else echo "kafka: down"; fi
}

cmd="${1:-}"
case "$cmd" in
  up)
    mkdir -p "$LOCAL"
    start=$SECONDS
    # The ingest TLS specs make a throwaway CA and server certificate with the openssl CLI.
    command -v openssl >/dev/null || apt_install openssl
    kafka_up & kpid=$!   # Kafka is the slowest: start it while the others come up
    pg_up
    redis_up
    wait "$kpid" || die "kafka failed to start"
    log "ready in $((SECONDS - start))s"
    ;;
  down) kafka_down; redis_down; pg_down ;;
  status) status ;;
  env) print_env ;;
  pg-stop) pg_down ;;
  pg-start) pg_up ;;
  redis-stop) redis_down ;;
  kafka-stop) kafka_down ;;
  kafka-start) kafka_up ;;
  *) echo "usage: $0 up|down|status|env|pg-stop|pg-start|kafka-stop|kafka-start" >&2; exit 2 ;;
esac
