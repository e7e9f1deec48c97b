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
  private readonly caches = new Map<bigint, { size: number; levels: Map<number, bigint>[] }>();

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
    const cache = this.cacheFor(path.root, depth);
    const levels = cache.levels;
    // Index of the path's node at each level, and of its sibling.
    const idx: number[] = new Array<number>(depth + 1);
    idx[0] = path.index;
    for (let l = 0; l < depth; l++) idx[l + 1] = Math.floor((idx[l] as number) / 2);
    const sibAt = (l: number): number => {
      const i = idx[l] as number;
      return i % 2 === 0 ? i + 1 : i - 1;
    };

    // Lowest level from which every sibling upward is already proven.
    let top = depth;
    while (top > 0 && levels[top - 1]?.get(sibAt(top - 1)) === path.siblings[top - 1]) top--;

    const chain: bigint[] = [path.leaf];
    let node = path.leaf;
    let verified = false;
    for (let level = 0; level < depth; level++) {
      if (level >= top && levels[level]?.get(idx[level] as number) === node) {
        verified = true;
        break;
      }
      const sib = path.siblings[level] as bigint;
      node = (idx[level] as number) % 2 === 0 ? this.hasher.hash([node, sib]) : this.hasher.hash([sib, node]);
      this.lastHashes++;
      chain.push(node);
    }
    if (!verified) verified = node === path.root;
    if (!verified) return false;

    if (cache.size + 2 * chain.length > this.maxEntries) {
      for (const m of levels) m.clear();
      cache.size = 0;
    }
    for (let level = 0; level < chain.length && level < depth; level++) {
      const m = levels[level] as Map<number, bigint>;
      const before = m.size;
      m.set(idx[level] as number, chain[level] as bigint);
      m.set(sibAt(level), path.siblings[level] as bigint);
      cache.size += m.size - before;
    }
    return true;
  }

  private cacheFor(root: bigint, depth: number): { size: number; levels: Map<number, bigint>[] } {
    let cache = this.caches.get(root);
    if (cache && cache.levels.length === depth) {
      // Most recently used root last.
      this.caches.delete(root);
      this.caches.set(root, cache);
      return cache;
    }
    cache = { size: 0, levels: Array.from({ length: depth }, () => new Map<number, bigint>()) };
    this.caches.delete(root);
    this.caches.set(root, cache);
    while (this.caches.size > this.maxRoots) this.caches.delete(this.caches.keys().next().value as bigint);
    return cache;
  }
}
