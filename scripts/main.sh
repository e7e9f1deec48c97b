#!/usr/bin/env bash
# The main job: infrastructure, migrations and the four apps, healthy, with their URLs. Ctrl-C
# (or SIGTERM) stops every app cleanly (each drains its consumers and in-flight batch) and then the
# services this run started; nothing is left behind.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
t0=$SECONDS

# Which local services are down now: those this run starts, and stops again on exit.
started_here=()
if [ -z "${DATABASE_URL:-}" ] && bash scripts/infra.sh status | grep -q '^postgres: down'; then started_here+=(pg-stop); fi
if [ -z "${REDIS_URL:-}" ] && bash scripts/infra.sh status | grep -q '^redis: down'; then started_here+=(redis-stop); fi
if [ -z "${KAFKA_BROKERS:-}" ] && bash scripts/infra.sh status | grep -q '^kafka: down'; then started_here+=(kafka-stop); fi

source scripts/setup.sh

LOGS="$ROOT/.local/logs"
mkdir -p "$LOGS"
declare -A PIDS=()
declare -A PORTS=([registry]=${REGISTRY_PORT:-3001} [prover]=${PROVER_PORT:-3002} [indexer]=${INDEXER_PORT:-3003} [gateway]=${GATEWAY_PORT:-3000})
APPS=(registry prover indexer gateway)

stopping=0
cleanup() {
  [ $stopping = 1 ] && return
  stopping=1
  trap - INT TERM
  echo
  echo "stopping apps..."
  for app in "${APPS[@]}"; do
    pid=${PIDS[$app]:-}
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for app in "${APPS[@]}"; do
    pid=${PIDS[$app]:-}
    [ -n "$pid" ] || continue
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "  $app did not stop in 20 s; killing"; kill -9 "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null && echo "  $app stopped cleanly" || echo "  $app exited with status $?"
  done
  for s in "${started_here[@]}"; do bash scripts/infra.sh "$s"; done
  echo "all stopped"
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

for app in "${APPS[@]}"; do
  PORT=${PORTS[$app]} node "dist/apps/$app/src/main.js" >"$LOGS/$app.log" 2>&1 &
  PIDS[$app]=$!
done

deadline=$((SECONDS + 90))
for app in "${APPS[@]}"; do
  until curl -fsS "http://127.0.0.1:${PORTS[$app]}/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "${PIDS[$app]}" 2>/dev/null; then
      echo "$app exited during start-up; last lines of $LOGS/$app.log:" >&2
      tail -n 20 "$LOGS/$app.log" >&2
      cleanup; exit 1
    fi
    [ $SECONDS -lt $deadline ] || { echo "$app not ready after 90 s (see $LOGS/$app.log)" >&2; cleanup; exit 1; }
    sleep 0.3
  done
done

cat <<EOM

Rainbow Veil is up ($((SECONDS - t0)) s). All four apps report ready.
  gateway   http://127.0.0.1:${PORTS[gateway]}   docs: /docs   metrics: /metrics
  registry  http://127.0.0.1:${PORTS[registry]}   docs: /docs   metrics: /metrics
  prover    http://127.0.0.1:${PORTS[prover]}   docs: /docs   metrics: /metrics
  indexer   http://127.0.0.1:${PORTS[indexer]}   health: /health/ready   metrics: /metrics
  logs      $LOGS/<app>.log
Press Ctrl-C to stop everything.
EOM

if [ "${RV_MAIN_EXIT_WHEN_READY:-0}" = 1 ]; then cleanup; exit 0; fi
while :; do
  for app in "${APPS[@]}"; do
    if ! kill -0 "${PIDS[$app]}" 2>/dev/null; then
      echo "$app stopped unexpectedly; last lines of $LOGS/$app.log:" >&2
      tail -n 20 "$LOGS/$app.log" >&2
      cleanup; exit 1
    fi
  done
  sleep 1
done
