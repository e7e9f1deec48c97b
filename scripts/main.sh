#!/usr/bin/env bash
# The main job: the whole system on the local chain. Set-up (npm packages, PostgreSQL, Redis,
# Kafka, build, migrations), then tools/demo: the local chain with a demo scenario, the indexer,
# registry (tree writer + root publisher), prover and gateway, a demo partner key, and a demo
# listener who proves and verifies through the gateway (and is refused the second time), with a
# live status line. Ctrl-C stops every process cleanly, then the services this run started.
#
#   bash scripts/main.sh [--tracks N] [--holders M] [--churn K] [--churn-per-slot R] [--slot-ms MS]
#                        [--seed S] [--exit-when-done] [--result FILE]
# Existing clusters: export DATABASE_URL / KAFKA_BROKERS / REDIS_URL. A real chain: export
# GEYSER_ENDPOINT (+ GEYSER_X_TOKEN) and SOLANA_RPC_URL, and CRS_PATH (an Ignition CRS folder).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

external_infra=false
[ -n "${DATABASE_URL:-}${KAFKA_BROKERS:-}${REDIS_URL:-}" ] && external_infra=true

# Which local services are down now: this run starts them and stops them again on exit.
started_here=()
status_now=$(bash scripts/infra.sh status 2>/dev/null || true)
[ -z "${DATABASE_URL:-}" ] && grep -q '^postgres: down' <<<"$status_now" && started_here+=(pg-stop)
[ -z "${REDIS_URL:-}" ] && grep -q '^redis: down' <<<"$status_now" && started_here+=(redis-stop)
[ -z "${KAFKA_BROKERS:-}" ] && grep -q '^kafka: down' <<<"$status_now" && started_here+=(kafka-stop)

source scripts/setup.sh

stop_services() {
  for s in "${started_here[@]}"; do bash scripts/infra.sh "$s"; done
}

# The demo runs in the foreground; Ctrl-C reaches it (and every app: same process group), it
# waits for each process to drain and exit, then this script stops the services it started.
trap '' INT
set +e
RV_EXTERNAL_INFRA=$external_infra node dist/tools/demo/src/main.js "$@" &
demo=$!
trap 'kill -INT $demo 2>/dev/null' INT
trap 'kill -TERM $demo 2>/dev/null' TERM
while kill -0 $demo 2>/dev/null; do wait $demo; code=$?; done
set -e
stop_services
exit "${code:-0}"
