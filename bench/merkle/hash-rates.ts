import { poseidon2Hash as zkPassportHash } from '@zkpassport/poseidon2';
import { createBbJsHasher, loadNativeHasher, tsHasher, type Poseidon2Hasher } from '@rv/crypto';

/** Hashes per second of H(a, b) for `ms` milliseconds: single calls, and for native also batched pairs. */
export async function measureHashRates(ms: number): Promise<Record<string, number>> {
  const bb = await createBbJsHasher();
  const zk: Poseidon2Hasher = {
    name: 'zkpassport',
    hash: (xs) => zkPassportHash([...xs]),
    hashPairs: (flat) =>
      Array.from({ length: flat.length >> 1 }, (_, i) => zkPassportHash([flat[2 * i]!, flat[2 * i + 1]!])),
  };
  const native = loadNativeHasher();
  const impls: Poseidon2Hasher[] = [...(native ? [native] : []), tsHasher, bb, zk];
  const out: Record<string, number> = {};
  for (const h of impls) {
    let n = 0;
    const start = performance.now();
    let a = 12345n;
    while (performance.now() - start < ms) {
      for (let i = 0; i < 64; i++) a = h.hash([a, 0x1234n]);
      n += 64;
    }
    out[`hashes_per_s_${h.name}`] = Math.round((n * 1000) / (performance.now() - start));
  }
  if (native) {
    // Merkle levels hash pairs in one call (what the tree writer does).
    const flat = Array.from({ length: 2 * 4096 }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n);
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      native.hashPairs(flat);
      n += 4096;
    }
    out.hashes_per_s_native_batched = Math.round((n * 1000) / (performance.now() - start));
  }
  return out;
}
