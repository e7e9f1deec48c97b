import { getHasher, type Poseidon2Hasher } from '@rv/crypto';

export const MAX_DEPTH = 32;
export const DEFAULT_DEPTH = 20;

const cache = new Map<string, readonly bigint[]>();

/**
 * Z[0] = 0 (the zero leaf), Z[i+1] = H(Z[i], Z[i]): the root of an empty subtree of height i.
 * Returns Z[0..depth].
 */
export function zeroHashes(depth: number, hasher: Poseidon2Hasher = getHasher()): readonly bigint[] {
  assertDepth(depth);
  const key = hasher.name;
  let zs = cache.get(key);
  if (!zs) {
    const list = [0n];
    for (let i = 0; i < MAX_DEPTH; i++) list.push(hasher.hash([list[i] as bigint, list[i] as bigint]));
    zs = list;
    cache.set(key, zs);
  }
  return zs.slice(0, depth + 1);
}

export function assertDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
    throw new RangeError(`tree depth must be an integer in 1..${MAX_DEPTH}, got ${depth}`);
  }
}
