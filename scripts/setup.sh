#!/usr/bin/env bash
# Shared set-up for the README's two commands; source it (it exports connection settings).
#  - checks the toolchain (Node >= 20, Java 17, Maven), installs npm packages when the lock changed
#    (npm cache in ~/.npm: a second run installs nothing),
#  - starts PostgreSQL, Redis and Kafka (scripts/infra.sh; reuses what runs; honours DATABASE_URL,
#    KAFKA_BROKERS, REDIS_URL for existing clusters),
#  - builds the TypeScript, applies the migrations, and runs the project's other preparation steps.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || { echo "Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; }

lock_hash=$(sha1sum package-lock.json | cut -c1-16)
if [ ! -f node_modules/.rv-lock ] || [ "$(cat node_modules/.rv-lock)" != "$lock_hash" ]; then
  # `npm install` honours package-lock.json; `npm ci` cannot be used because some packages list
  # optional per-platform binaries (darwin, musl) that the registry here does not serve.
  say "npm install (from package-lock.json, cached in ~/.npm)"
  npm install --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null
  echo "$lock_hash" > node_modules/.rv-lock
fi

bash scripts/infra.sh up
eval "$(bash scripts/infra.sh env)"
export DATABASE_URL REDIS_URL KAFKA_BROKERS

# Incremental: skip the TypeScript build when no source changed since the last one.
stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -z "$(find apps libs tools circuits scripts -name '*.ts' -newer "$stamp" -print -quit)" ] \
   && [ ! tsconfig.json -nt "$stamp" ] && [ ! tsconfig.build.json -nt "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then
  say "build: up to date"
else
  say "build"
  npm run -s build
  touch "$stamp"
fi

say "migrations"
node dist/libs/db/src/cli/migrate.js up

# Further preparation steps (native addons, test CRS, ...) live in scripts/prepare.d/*.sh, in name order.
if [ -d scripts/prepare.d ]; then
  for step in scripts/prepare.d/*.sh; do
    [ -e "$step" ] || continue
    say "prepare: $(basename "$step")"
    bash "$step"
  done
fi
