import { FIELD_MODULUS, getHasher, tsHasher } from '@rv/crypto';
import { MemoryNodeStore } from './node-store';
import { computeRoot, SparseMerkleTree, verifyPath } from './sparse-merkle-tree';
import { zeroHashes } from './zeros';

const H = getHasher();
const h2 = (a: bigint, b: bigint): bigint => H.hash([a, b]);

/**
 * Naive reference: keeps every leaf, recomputes every level from scratch on each question
 * (levels as sparse maps so the far end of a depth-32 tree can be tested).
 */
class NaiveTree {
  readonly leaves = new Map<number, bigint>();
  constructor(readonly depth: number) {}

  private levels(): { nodes: Map<number, bigint>[]; zeros: bigint[] } {
    const zeros = [0n];
    const nodes = [new Map(this.leaves)];
    for (let l = 0; l < this.depth; l++) {
      const below = nodes[l] as Map<number, bigint>;
      const z = zeros[l] as bigint;
      const next = new Map<number, bigint>();
      for (const idx of below.keys()) {
        const p = Math.floor(idx / 2);
        if (!next.has(p)) next.set(p, h2(below.get(2 * p) ?? z, below.get(2 * p + 1) ?? z));
      }
      nodes.push(next);
      zeros.push(h2(z, z));
    }
    return { nodes, zeros };
  }

  root(): bigint {
    const { nodes, zeros } = this.levels();
    return nodes[this.depth]?.get(0) ?? (zeros[this.depth] as bigint);
  }

  siblings(index: number): bigint[] {
    const { nodes, zeros } = this.levels();
    const sibs: bigint[] = [];
    let idx = index;
    for (let l = 0; l < this.depth; l++) {
      const s = idx % 2 === 0 ? idx + 1 : idx - 1;
      sibs.push(nodes[l]?.get(s) ?? (zeros[l] as bigint));
      idx = Math.floor(idx / 2);
    }
    return sibs;
  }
}

/** Deterministic PRNG so a failure can be replayed from the printed seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function distinctAncestors(indices: number[], depth: number): number {
  let n = 0;
  for (let l = 1; l <= depth; l++) n += new Set(indices.map((i) => Math.floor(i / 2 ** l))).size;
  return n;
}

describe('SparseMerkleTree', () => {
  it('zero subtrees: Z[0] = 0, Z[i+1] = H(Z[i], Z[i]); empty tree root is Z[depth]', async () => {
    const z = zeroHashes(20);
    expect(z[0]).toBe(0n);
    for (let i = 0; i < 20; i++) expect(z[i + 1]).toBe(h2(z[i] as bigint, z[i] as bigint));
    const tree = new SparseMerkleTree(new MemoryNodeStore());
    expect(await tree.root()).toBe(z[20]);
    const p = await tree.path(12345);
    expect(p.siblings).toEqual(z.slice(0, 20));
    expect(verifyPath(p)).toBe(true);
  });

  it('one leaf at depth 20 equals the hand-computed root', async () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore(), { depth: 20 });
    const leaf = 42n;
    const r = await tree.append([leaf], 0);
    const z = zeroHashes(20);
    let expected = leaf;
    for (let l = 0; l < 20; l++) expected = h2(expected, z[l] as bigint);
    expect(r.root).toBe(expected);
    expect(await tree.root()).toBe(expected);
  });

  for (const { depth, window, seed } of [
    { depth: 6, window: 64, seed: 1 },
    { depth: 6, window: 64, seed: 2 },
    { depth: 20, window: 300, seed: 3 },
    { depth: 32, window: 40, seed: 4 },
  ]) {
    it(`random appends, batch appends, updates and revokes match the naive tree (depth ${depth}, seed ${seed})`, async () => {
      const rand = rng(seed);
      const randomLeaf = (): bigint =>
        (BigInt(Math.floor(rand() * 2 ** 52)) * 0x1f3a5b7n) % FIELD_MODULUS || 1n;
      const store = new MemoryNodeStore();
      const tree = new SparseMerkleTree(store, { depth });
      const naive = new NaiveTree(depth);
      // Far end of the tree as well: the last leaf position of depth 32 is 2^32 - 1.
      const offset = depth === 32 ? 2 ** 32 - window : 0;
      let count = 0;
      for (let step = 0; step < 40; step++) {
        const op = rand();
        let changes: { index: number; leaf: bigint }[] = [];
        if (op < 0.3 && count < window) {
          changes = [{ index: offset + count, leaf: randomLeaf() }];
          count += 1;
        } else if (op < 0.6 && count < window) {
          const k = Math.min(window - count, 1 + Math.floor(rand() * 17));
          changes = Array.from({ length: k }, (_, i) => ({ index: offset + count + i, leaf: randomLeaf() }));
          count += k;
        } else if (op < 0.8 && count > 0) {
          changes = [{ index: offset + Math.floor(rand() * count), leaf: 0n }];
        } else if (count > 0) {
          // A mixed batch: revokes and updates of existing leaves, a duplicate index (last wins).
          const i = offset + Math.floor(rand() * count);
          changes = [
            { index: i, leaf: randomLeaf() },
            { index: offset + Math.floor(rand() * count), leaf: 0n },
            { index: i, leaf: randomLeaf() },
          ];
        } else continue;
        const result = await tree.applyBatch(changes);
        for (const c of changes) naive.leaves.set(c.index, c.leaf);
        const expectedRoot = naive.root();
        expect(result.root).toBe(expectedRoot);
        expect(result.hashes).toBe(distinctAncestors([...new Set(changes.map((c) => c.index))], depth));
        const probe = [offset, offset + Math.floor(rand() * Math.max(count, 1)), offset + count];
        const paths = await tree.paths(probe.filter((i) => i < 2 ** depth));
        for (const p of paths) {
          expect(p.root).toBe(expectedRoot);
          expect(p.leaf).toBe(naive.leaves.get(p.index) ?? 0n);
          expect(p.siblings).toEqual(naive.siblings(p.index));
          expect(verifyPath(p)).toBe(true);
        }
      }
    });
  }

  it('a batch append hashes each touched node once: 1000 leaves at depth 20', async () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore(), { depth: 20 });
    const leaves = Array.from({ length: 1000 }, (_, i) => BigInt(i + 1));
    const r = await tree.append(leaves, 0);
    // 500 + 250 + 125 + 63 + 32 + 16 + 8 + 4 + 2 + 1, then one node on each of the 10 levels above.
    expect(r.hashes).toBe(500 + 250 + 125 + 63 + 32 + 16 + 8 + 4 + 2 + 1 + 10);
    const naive = new NaiveTree(20);
    leaves.forEach((l, i) => naive.leaves.set(i, l));
    expect(r.root).toBe(naive.root());
  });

  it('verifyPath rejects a wrong leaf, sibling, index or root', async () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore(), { depth: 8 });
    await tree.append([5n, 6n, 7n], 0);
    const p = await tree.path(1);
    expect(verifyPath(p)).toBe(true);
    expect(verifyPath({ ...p, leaf: 5n })).toBe(false);
    expect(verifyPath({ ...p, index: 0 })).toBe(false);
    expect(verifyPath({ ...p, index: 256 })).toBe(false);
    expect(verifyPath({ ...p, root: p.root + 1n })).toBe(false);
    const sibs = [...p.siblings];
    sibs[3] = 1n;
    expect(verifyPath({ ...p, siblings: sibs })).toBe(false);
    expect(computeRoot(p.leaf, p.index, p.siblings)).toBe(p.root);
  });

  it('rejects out-of-range indices, bad depths and non-field leaves', async () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore(), { depth: 4 });
    await expect(tree.update(16, 1n)).rejects.toThrow(/0\.\.15/);
    await expect(tree.path(-1)).rejects.toThrow(RangeError);
    await expect(tree.update(1, FIELD_MODULUS)).rejects.toThrow(/leaf 1/);
    await expect(tree.append([1n, 2n], 15)).rejects.toThrow(/full/);
    expect(() => new SparseMerkleTree(new MemoryNodeStore(), { depth: 33 })).toThrow(/1\.\.32/);
    expect(() => new SparseMerkleTree(new MemoryNodeStore(), { depth: 0 })).toThrow(/1\.\.32/);
  });

  it('gives the same roots with the TypeScript and the default hasher', async () => {
    const a = new SparseMerkleTree(new MemoryNodeStore(), { depth: 10, hasher: tsHasher });
    const b = new SparseMerkleTree(new MemoryNodeStore(), { depth: 10 });
    const leaves = [1n, 2n, 3n, FIELD_MODULUS - 1n];
    expect((await a.append(leaves, 3)).root).toBe((await b.append(leaves, 3)).root);
  });
});
