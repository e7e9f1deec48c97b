#!/usr/bin/env bash
# Host-side tests of the rainbow_veil program (pure rules, golden event/instruction bytes shared with
# libs/chain, IDL agreement). The cargo target dir lives outside the clone so CI can cache it.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rv-cargo-target/programs}"
exec cargo test --locked "$@"
