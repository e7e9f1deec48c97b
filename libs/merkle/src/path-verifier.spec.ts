import { MemoryNodeStore } from './node-store';
import { PathVerifier } from './path-verifier';
import { SparseMerkleTree, verifyPath } from './sparse-merkle-tree';

describe('PathVerifier', () => {
  async function tree(n: number): Promise<SparseMerkleTree> {
    const t = new SparseMerkleTree(new MemoryNodeStore(), { depth: 12 });
    await t.append(
      Array.from({ length: n }, (_, i) => BigInt(1000 + i)),
      0,
    );
    return t;
  }

  it('accepts the same paths as verifyPath, hashing less once nodes are known', async () => {
    const t = await tree(300);
    const v = new PathVerifier();
    const first = await t.path(17);
    expect(v.verify(first)).toBe(true);
    expect(v.lastHashes).toBe(12);
    // Its neighbour shares everything above level 0.
    expect(v.verify(await t.path(16))).toBe(true);
    expect(v.lastHashes).toBe(0);
    // Same path again: nothing to hash.
    expect(v.verify(first)).toBe(true);
    expect(v.lastHashes).toBe(0);
    for (const i of [0, 5, 100, 299, 4095]) {
      const p = await t.path(i);
      expect(v.verify(p)).toBe(verifyPath(p));
    }
  });

  it('rejects a tampered leaf, sibling, index or root even when the rest is cached', async () => {
    const t = await tree(64);
    const v = new PathVerifier();
    for (let i = 0; i < 64; i++) expect(v.verify(await t.path(i))).toBe(true);
    const p = await t.path(9);
    expect(v.verify({ ...p, leaf: p.leaf + 1n })).toBe(false);
    expect(v.verify({ ...p, leaf: 1010n })).toBe(false); // leaf 10's value at index 9
    expect(v.verify({ ...p, index: 8 })).toBe(false);
    for (let level = 0; level < 12; level++) {
      const sibs = [...p.siblings];
      sibs[level] = (sibs[level] as bigint) + 1n;
      expect(v.verify({ ...p, siblings: sibs })).toBe(false);
    }
    expect(v.verify({ ...p, root: p.root + 1n })).toBe(false);
    expect(v.verify(p)).toBe(true);
  });

  it('does not carry proven nodes over to a new root', async () => {
    const t = await tree(8);
    const v = new PathVerifier();
    const before = await t.path(3);
    expect(v.verify(before)).toBe(true);
    await t.update(3, 77n);
    const after = await t.path(3);
    expect(v.verify(after)).toBe(true);
    // The old path under the new root must fail.
    expect(v.verify({ ...before, root: after.root })).toBe(false);
    // A cache cleared for size still verifies correctly.
    const tiny = new PathVerifier(undefined, 10);
    for (let i = 0; i < 8; i++) expect(tiny.verify(await t.path(i))).toBe(true);
    expect(tiny.verify({ ...after, leaf: 3n })).toBe(false);
  });
});

describe('PathVerifier.verifyMany', () => {
  async function tree(n: number, depth = 10): Promise<SparseMerkleTree> {
    const t = new SparseMerkleTree(new MemoryNodeStore(), { depth });
    await t.append(
      Array.from({ length: n }, (_, i) => BigInt(7 + 3 * i)),
      0,
    );
    return t;
  }

  it('gives the answers of verify() one by one, for valid and tampered paths mixed', async () => {
    const t = await tree(200);
    const rnd = (n: number) => Math.floor(Math.random() * n);
    for (let round = 0; round < 5; round++) {
      const paths = await Promise.all(Array.from({ length: 40 }, () => t.path(rnd(1024))));
      const mixed = paths.map((p, k) => {
        switch (k % 5) {
          case 1:
            return { ...p, leaf: p.leaf + 1n };
          case 2: {
            const sibs = [...p.siblings];
            const level = rnd(sibs.length);
            sibs[level] = (sibs[level] as bigint) ^ 1n;
            return { ...p, siblings: sibs };
          }
          case 3:
            return { ...p, index: p.index ^ 1 };
          default:
            return p;
        }
      });
      const expected = mixed.map((p) => verifyPath(p));
      const many = new PathVerifier();
      expect(many.verifyMany(mixed)).toEqual(expected);
      // With a warm cache too (from an earlier batch of the same root).
      expect(many.verifyMany(mixed)).toEqual(expected);
      // Valid paths are proven now: nothing left to hash for them.
      const valid = mixed.filter((_, k) => expected[k]);
      expect(many.verifyMany(valid)).toEqual(valid.map(() => true));
      expect(many.lastHashes).toBe(0);
    }
  });

  it('hashes a node shared by several paths once, and nothing for proven paths', async () => {
    const t = await tree(1024);
    const v = new PathVerifier();
    const paths = await Promise.all([0, 1, 2, 3].map((i) => t.path(i)));
    expect(v.verifyMany(paths)).toEqual([true, true, true, true]);
    // Level 0: 2 distinct parents; level 1: 1; above: 1 per level (8 levels): 2 + 1 + 8.
    expect(v.lastHashes).toBe(11);
    expect(v.verifyMany(paths)).toEqual([true, true, true, true]);
    expect(v.lastHashes).toBe(0);
    expect(v.provenNode(paths[0]!.root, 0, 3)).toBe(paths[3]!.leaf);
    expect(v.provenNode(paths[0]!.root + 1n, 0, 3)).toBeUndefined();
  });

  it('never proves a node from a path that failed, even alongside valid ones', async () => {
    const t = await tree(16, 6);
    const good = await t.path(5);
    const bad = { ...good, leaf: 999n };
    const v = new PathVerifier();
    expect(v.verifyMany([bad, good])).toEqual([false, true]);
    expect(v.provenNode(good.root, 0, 5)).toBe(good.leaf);
    expect(v.verify(bad)).toBe(false);
    // Other depths and roots in one call.
    const other = await (await tree(3, 4)).path(2);
    expect(v.verifyMany([other, good, { ...other, root: good.root }])).toEqual([true, true, false]);
  });
});
