import { readFileSync } from 'fs';
import { join } from 'path';
import { createBbJsHasher, fieldFromHex, type Poseidon2Hasher } from '@rv/crypto';
import { verifyPath } from '@rv/merkle';
import { renderVectorFiles, type LeafVector, type MerkleVector, type Poseidon2Vector } from './vectors';

const read = (name: string): string => readFileSync(join(__dirname, name), 'utf8');

describe('shared test vectors (circuits/test-vectors)', () => {
  let bb: Poseidon2Hasher;
  beforeAll(async () => {
    bb = await createBbJsHasher();
  });

  it('the committed files equal what the code computes (run generate.ts after a deliberate change)', async () => {
    const files = await renderVectorFiles();
    for (const [name, content] of Object.entries(files)) expect(read(name)).toBe(content);
  });

  it('poseidon2.json outputs are what bb.js computes; 1, 2 and 3 inputs, with 0 and r-1', () => {
    const vectors = JSON.parse(read('poseidon2.json')) as Poseidon2Vector[];
    const r1 = '0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000';
    expect(new Set(vectors.map((v) => v.inputs.length))).toEqual(new Set([1, 2, 3]));
    expect(vectors.some((v) => v.inputs.includes(r1))).toBe(true);
    expect(vectors.some((v) => v.inputs.includes('0x' + '0'.repeat(64)))).toBe(true);
    for (const v of vectors) {
      expect(v.output).toMatch(/^0x[0-9a-f]{64}$/);
      expect(fieldFromHex(v.output)).toBe(bb.hash(v.inputs.map((x) => fieldFromHex(x))));
    }
  });

  it('merkle.json paths verify against their roots, with bb.js as the hash', () => {
    const cases = JSON.parse(read('merkle.json')) as MerkleVector[];
    expect(cases.map((c) => c.leaves.length)).toEqual([0, 1, 5, 1000]);
    for (const c of cases) {
      expect(c.depth).toBe(20);
      for (const p of c.paths) {
        expect(p.siblings).toHaveLength(20);
        expect(p.root).toBe(c.root);
        expect(p.leaf).toBe(c.leaves[p.index] ?? '0x' + '0'.repeat(64));
        const path = {
          index: p.index,
          leaf: fieldFromHex(p.leaf),
          siblings: p.siblings.map((s) => fieldFromHex(s)),
          root: fieldFromHex(p.root),
        };
        expect(verifyPath(path, bb)).toBe(true);
      }
    }
    expect(cases[2]?.leaves[2]).toBe('0x' + '0'.repeat(64));
  });

  it('leaf.json follows C = H(s), L = H(C, t, track_id), N = H(s, track_id, scope) under bb.js', () => {
    const vectors = JSON.parse(read('leaf.json')) as LeafVector[];
    expect(vectors.length).toBeGreaterThanOrEqual(4);
    for (const v of vectors) {
      const f = (x: string): bigint => fieldFromHex(x);
      expect(f(v.commitment)).toBe(bb.hash([f(v.secret)]));
      expect(f(v.leaf)).toBe(bb.hash([f(v.commitment), f(v.token_field), f(v.track_id)]));
      expect(f(v.nullifier)).toBe(bb.hash([f(v.secret), f(v.track_id), f(v.scope)]));
    }
  });
});
