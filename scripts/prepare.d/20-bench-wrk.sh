#!/usr/bin/env bash
# wrk (Debian package), the native HTTP load generator of the benches (bench/lib/http-load.ts):
# it costs the 2 cores far less than autocannon (JavaScript) next to the server it measures.
# Optional: without it the benches run autocannon only. Installed only where apt is usable
# (root, or sudo without a password).
set -uo pipefail
command -v wrk >/dev/null && exit 0
if ! command -v apt-get >/dev/null; then
  echo "  wrk not installed (no apt-get): the benches use autocannon only" >&2; exit 0
fi
if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
  echo "  wrk not installed (apt needs root): the benches use autocannon only" >&2; exit 0
fi
mkdir -p .local
if ! { "${as_root[@]}" apt-get install -y -qq wrk || { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq wrk; }; } \
  >.local/bench-wrk-install.log 2>&1; then
  echo "  wrk did not install (see .local/bench-wrk-install.log): the benches use autocannon only" >&2
fi
exit 0
