#!/usr/bin/env bash
# Builds the optional native Poseidon2 addon (libs/crypto/native/rv_poseidon2.node).
# npm here runs no install scripts, so this is an explicit setup step (scripts/test.sh, CI).
# Without it, @rv/crypto falls back to its pure TypeScript Poseidon2 (same results, slower).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rv-cargo-target}"
# Built on the machine that runs it: use its instruction set (ADX/BMI2 Montgomery multiplication).
export RUSTFLAGS="${RUSTFLAGS:--C target-cpu=native}"
cargo build --release --locked --manifest-path "$here/Cargo.toml" ${CARGO_BUILD_JOBS:+-j "$CARGO_BUILD_JOBS"}
cp "$CARGO_TARGET_DIR/release/librv_poseidon2_native.so" "$here/rv_poseidon2.node.tmp"
mv "$here/rv_poseidon2.node.tmp" "$here/rv_poseidon2.node"
echo "built $here/rv_poseidon2.node"
