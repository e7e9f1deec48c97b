import { poseidon2Hash as zkPassportHash } from '@zkpassport/poseidon2';
import {
  createBbJsHasher,
  fieldToBytes,
  getHasher,
  loadNativeHasher,
  tsHasher,
  type Poseidon2Hasher,
} from '@rv/crypto';

/** Runs `step` (which hashes `perStep` times) for `ms` milliseconds; hashes per second. */
function rate(ms: number, perStep: number, step: () => void): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    step();
    n += perStep;
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

/**
 * Hashes per second of H(a, b), for `ms` milliseconds each:
 *  - `hashes_per_s_<name>`: one call per hash, each on the previous output (a serial chain, as
 *    when a single path is verified), for every implementation tried;
 *  - native batches of 4096 pairs (one Merkle level): `_batched` from and to bigint (what the
 *    tree writer calls, hashPairs), `_packed` one Buffer in and one out (no per-hash JS object),
 *    `_packed_scalar` the same one permutation at a time (without the AVX-512 IFMA lanes);
 *  - `hashes_per_s`: the kept implementation (getHasher()) as the registry's batch append calls
 *    it (hashPairs per level), with `hashes_per_s_basis` saying so.
 */
export async function measureHashRates(ms: number): Promise<Record<string, number | string>> {
  const bb = await createBbJsHasher();
  const zk: Poseidon2Hasher = {
    name: 'zkpassport',
    hash: (xs) => zkPassportHash([...xs]),
    hashPairs: (flat) =>
      Array.from({ length: flat.length >> 1 }, (_, i) => zkPassportHash([flat[2 * i]!, flat[2 * i + 1]!])),
  };
  const native = loadNativeHasher();
  const impls: Poseidon2Hasher[] = [...(native ? [native] : []), tsHasher, bb, zk];
  const out: Record<string, number | string> = {};
  for (const h of impls) {
    let a = 12345n;
    out[`hashes_per_s_${h.name}`] = rate(ms, 64, () => {
      for (let i = 0; i < 64; i++) a = h.hash([a, 0x1234n]);
    });
  }
  const pairs = 4096;
  const flat = Array.from({ length: 2 * pairs }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n);
  const packed = Buffer.concat(flat.map((x) => Buffer.from(fieldToBytes(x))));
  if (native) {
    out.native_batch_backend = native.batchBackend;
    out.hashes_per_s_native_batched = rate(ms, pairs, () => native.hashPairs(flat));
    out.hashes_per_s_native_packed = rate(ms, pairs, () => native.hashPacked(packed, 2));
    out.hashes_per_s_native_packed_scalar = rate(ms, pairs, () => native.hashPackedScalar(packed, 2));
  }
  const kept = getHasher();
  out.hashes_per_s =
    kept === native
      ? (out.hashes_per_s_native_batched as number)
      : (out[`hashes_per_s_${kept.name}`] as number);
  out.hashes_per_s_basis =
    kept === native ? 'native hashPairs, 4096 pairs per call (tree writer)' : 'single calls';
  return out;
}
