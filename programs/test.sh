#!/usr/bin/env bash
# Host-side checks of the rainbow_veil program, run by CI:
#  1. cargo test: pure rules (root ring, seq order, depth, seeds), golden event/instruction/PDA
#     bytes shared with libs/chain, IDL discriminators/errors/sizes;
#  2. the committed hand-written IDL equals the IDL Anchor generates from the program (idl-build).
# The cargo target dir lives outside the clone so CI can cache it between runs.
# Extra arguments go to the first cargo test (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rv-cargo-target/programs}"

cargo test --locked "$@"

idl_out="$(mktemp)"
trap 'rm -f "$idl_out"' EXIT
if ! ANCHOR_IDL_BUILD_RESOLUTION=TRUE ANCHOR_IDL_BUILD_SKIP_LINT=TRUE \
  cargo test --locked --quiet --features idl-build __anchor_private_print_idl -- --show-output \
  --test-threads=1 >"$idl_out" 2>&1; then
  cat "$idl_out" >&2
  exit 1
fi
node check-idl.js "$idl_out"
