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

    this.remember(cache, path, chain);
    return true;
  }

  /**
   * verify() for many paths at once, with the same answers and the same rule, but hashing each
   * level of all paths in one hashPairs call (far cheaper per hash than one call per hash), and a
   * node shared by several paths (same position and children) once. Number of hashes in lastHashes.
   */
  verifyMany(paths: readonly MerklePath[]): boolean[] {
    this.lastHashes = 0;
    const ok = new Array<boolean>(paths.length).fill(false);
    const groups = new Map<bigint, number[]>();
    paths.forEach((p, k) => {
      const depth = p.siblings.length;
      if (!Number.isInteger(p.index) || p.index < 0 || p.index >= 2 ** depth) return;
      const g = groups.get(p.root);
      if (g) g.push(k);
      else groups.set(p.root, [k]);
    });
    for (const [root, members] of groups) {
      // One depth per cache: paths of another depth under the same root go one by one.
      const depth = (paths[members[0] as number] as MerklePath).siblings.length;
      const same = members.filter((k) => (paths[k] as MerklePath).siblings.length === depth);
      for (const k of members) if (!same.includes(k)) ok[k] = this.verify(paths[k] as MerklePath);
      let hashes = 0;
      const cache = this.cacheFor(root, depth);
      const levels = cache.levels;
      const state = same.map((k) => {
        const p = paths[k] as MerklePath;
        // Lowest level from which every sibling upward is already proven.
        let top = depth;
        while (top > 0 && levels[top - 1]?.get(siblingOf(p.index, top - 1)) === p.siblings[top - 1]) top--;
        return { k, p, top, node: p.leaf, chain: [p.leaf], done: false };
      });
      let active = state;
      for (let level = 0; level < depth && active.length > 0; level++) {
        const m = levels[level] as Map<number, bigint>;
        const next: typeof active = [];
        for (const s of active) {
          if (level >= s.top && m.get(positionOf(s.p.index, level)) === s.node) s.done = true;
          else next.push(s);
        }
        // One hash per distinct (parent position, left, right).
        const flat: bigint[] = [];
        const slotOf: number[] = [];
        const seen = new Map<number, { left: bigint; right: bigint; slot: number }[]>();
        for (const s of next) {
          const pos = positionOf(s.p.index, level);
          const sib = s.p.siblings[level] as bigint;
          const left = pos % 2 === 0 ? s.node : sib;
          const right = pos % 2 === 0 ? sib : s.node;
          const parent = Math.floor(pos / 2);
          let list = seen.get(parent);
          const hit = list?.find((e) => e.left === left && e.right === right);
          if (hit) {
            slotOf.push(hit.slot);
            continue;
          }
          const slot = flat.length / 2;
          flat.push(left, right);
          if (!list) seen.set(parent, (list = []));
          list.push({ left, right, slot });
          slotOf.push(slot);
        }
        const out = flat.length > 0 ? this.hasher.hashPairs(flat) : [];
        hashes += out.length;
        next.forEach((s, i) => {
          s.node = out[slotOf[i] as number] as bigint;
          s.chain.push(s.node);
        });
        active = next;
      }
      for (const s of active) s.done = s.node === root;
      // Record only after every path of the batch is decided, exactly like verify() one by one.
      for (const s of state) {
        if (!s.done) continue;
        ok[s.k] = true;
        this.remember(cache, s.p, s.chain);
      }
      this.lastHashes += hashes;
    }
    return ok;
  }

  /** The value proven at (level, index) under `root`, if a verified path showed it. */
  provenNode(root: bigint, level: number, index: number): bigint | undefined {
    return this.caches.get(root)?.levels[level]?.get(index);
  }

  /** Remembers a verified path's nodes (its chain up to where hashing stopped) and siblings. */
  private remember(
    cache: { size: number; levels: Map<number, bigint>[] },
    path: MerklePath,
    chain: bigint[],
  ): void {
    const depth = path.siblings.length;
    const levels = cache.levels;
    if (cache.size + 2 * chain.length > this.maxEntries) {
      for (const m of levels) m.clear();
      cache.size = 0;
    }
    for (let level = 0; level < chain.length && level < depth; level++) {
      const m = levels[level] as Map<number, bigint>;
      const before = m.size;
      m.set(positionOf(path.index, level), chain[level] as bigint);
      m.set(siblingOf(path.index, level), path.siblings[level] as bigint);
      cache.size += m.size - before;
    }
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

/** Index at `level` of the node above leaf `index`. */
function positionOf(index: number, level: number): number {
  return Math.floor(index / 2 ** level);
}

/** Index at `level` of the sibling of the node above leaf `index`. */
function siblingOf(index: number, level: number): number {
  const pos = positionOf(index, level);
  return pos % 2 === 0 ? pos + 1 : pos - 1;
}
