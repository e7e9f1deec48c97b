#!/usr/bin/env bash
# The native Poseidon2 addon (Rust, cargo; target dir cached in ~/.cache outside the clone).
# Optional: if it cannot be built, @rv/crypto uses its pure TypeScript Poseidon2 (same results).
set -uo pipefail
cd "$(dirname "$0")/../.."
if ! command -v cargo >/dev/null; then
  echo "  cargo not found: @rv/crypto will use its TypeScript Poseidon2" >&2; exit 0
fi
if ! bash libs/crypto/native/build.sh >.local/crypto-native-build.log 2>&1; then
  echo "  native Poseidon2 addon did not build (see .local/crypto-native-build.log); using the TypeScript one" >&2
fi
exit 0
