import { getHasher, type Poseidon2Hasher } from '@rv/crypto';
import type { MerklePath } from './sparse-merkle-tree';

/**
 * Verifies paths against their roots, remembering the nodes of paths already verified under a
 * root so a later path only hashes up to where it meets them. A path is accepted only if its
 * leaf and siblings hash to its root, except that hashing stops at a node whose value, and every
 * sibling above it, equal values already proven under the same root (two different openings of
 * one root would be a Poseidon2 collision). Memory is bounded: a full cache is dropped, and only
 * the last `maxRoots` roots keep a cache.
 */
export class PathVerifier {
  private readonly caches = new Map<bigint, Map<number, bigint>>();

  constructor(
    private readonly hasher: Poseidon2Hasher = getHasher(),
    private readonly maxEntries = 1 << 20,
    private readonly maxRoots = 2,
  ) {}

  /** Number of hashes the last verify() computed (for tests and metrics). */
  lastHashes = 0;

  verify(path: MerklePath): boolean {
    const depth = path.siblings.length;
    this.lastHashes = 0;
    if (!Number.isInteger(path.index) || path.index < 0 || path.index >= 2 ** depth) return false;
    const cache = this.cacheFor(path.root);
    const key = (level: number, index: number): number => level * 0x1_0000_0000 + index;
    const idxAt = (level: number): number => Math.floor(path.index / 2 ** level);
    const sibAt = (level: number): number => {
      const i = idxAt(level);
      return i % 2 === 0 ? i + 1 : i - 1;
    };

    // Lowest level from which every sibling upward is already proven.
    let top = depth;
    while (top > 0 && cache.get(key(top - 1, sibAt(top - 1))) === path.siblings[top - 1]) top--;

    const chain: bigint[] = [path.leaf];
    let node = path.leaf;
    let verified = false;
    for (let level = 0; level < depth; level++) {
      if (level >= top && cache.get(key(level, idxAt(level))) === node) {
        verified = true;
        break;
      }
      const sib = path.siblings[level] as bigint;
      node = idxAt(level) % 2 === 0 ? this.hasher.hash([node, sib]) : this.hasher.hash([sib, node]);
      this.lastHashes++;
      chain.push(node);
    }
    if (!verified) verified = node === path.root;
    if (!verified) return false;

    if (cache.size + 2 * chain.length > this.maxEntries) cache.clear();
    for (let level = 0; level < chain.length && level < depth; level++) {
      cache.set(key(level, idxAt(level)), chain[level] as bigint);
      cache.set(key(level, sibAt(level)), path.siblings[level] as bigint);
    }
    cache.set(key(depth, 0), path.root);
    return true;
  }

  private cacheFor(root: bigint): Map<number, bigint> {
    let cache = this.caches.get(root);
    if (cache) {
      // Most recently used root last.
      this.caches.delete(root);
      this.caches.set(root, cache);
      return cache;
    }
    cache = new Map();
    this.caches.set(root, cache);
    while (this.caches.size > this.maxRoots) this.caches.delete(this.caches.keys().next().value as bigint);
    return cache;
  }
}
