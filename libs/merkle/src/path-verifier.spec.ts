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
