import { randomBytes } from 'crypto';
import { poseidon2Hash as zkPassportHash } from '@zkpassport/poseidon2';
import { createBbJsHasher } from './bbjs-hasher';
import { FIELD_MODULUS, fieldToBytes, fieldToHex, readFieldBE } from './field';
import { getHasher, loadNativeHasher, nativeHasherStatus, tsHasher, type Poseidon2Hasher } from './poseidon2';

const R_MINUS_1 = FIELD_MODULUS - 1n;

function randomField(): bigint {
  return BigInt('0x' + randomBytes(32).toString('hex')) % FIELD_MODULUS;
}

function randomInputs(n: number): bigint[] {
  return Array.from({ length: n }, randomField);
}

describe('Poseidon2 (BN254) implementations agree with bb.js 1.2.1 poseidon2Hash', () => {
  let bb: Poseidon2Hasher;
  beforeAll(async () => {
    bb = await createBbJsHasher();
  });

  const native = loadNativeHasher();
  const impls: Poseidon2Hasher[] = [tsHasher, ...(native ? [native] : [])];
  if (!native) {
    // The addon is optional; say so rather than silently testing less.
    console.warn(`native Poseidon2 addon not tested: ${nativeHasherStatus()}`);
  }

  it.each(impls.map((h) => [h.name, h] as const))('%s: random inputs of 0..7 elements', (_name, h) => {
    for (let n = 0; n <= 7; n++) {
      for (let k = 0; k < 12; k++) {
        const inputs = randomInputs(n);
        expect(h.hash(inputs)).toBe(bb.hash(inputs));
      }
    }
  });

  it.each(impls.map((h) => [h.name, h] as const))('%s: edge values 0, 1 and r-1', (_name, h) => {
    const cases = [
      [0n],
      [R_MINUS_1],
      [0n, 0n],
      [R_MINUS_1, R_MINUS_1],
      [0n, R_MINUS_1, 1n],
      [R_MINUS_1, R_MINUS_1, R_MINUS_1, R_MINUS_1],
    ];
    for (const inputs of cases) expect(h.hash(inputs)).toBe(bb.hash(inputs));
  });

  it.each(impls.map((h) => [h.name, h] as const))('%s: hashPairs equals pairwise hashes', (_name, h) => {
    const flat = randomInputs(2 * 33);
    const expected = Array.from({ length: 33 }, (_, i) =>
      bb.hash([flat[2 * i] as bigint, flat[2 * i + 1] as bigint]),
    );
    expect(h.hashPairs(flat)).toEqual(expected);
    expect(h.hashPairs([])).toEqual([]);
  });

  it.each(impls.map((h) => [h.name, h] as const))(
    '%s: hashPacked (one Buffer in, one out) equals hashes of 1, 2 and 3 inputs',
    (_name, h) => {
      for (const arity of [1, 2, 3]) {
        // 19 hashes: two full groups of eight SIMD lanes and a partial one; 0 and r-1 included.
        const flat = randomInputs(19 * arity);
        flat[0] = 0n;
        flat[1] = R_MINUS_1;
        const packed = Buffer.concat(flat.map((x) => fieldToBytes(x)));
        const out = h.hashPacked?.(packed, arity) as Buffer;
        for (let c = 0; c < 19; c++) {
          expect(readFieldBE(out, 32 * c)).toBe(bb.hash(flat.slice(c * arity, (c + 1) * arity)));
        }
      }
      expect(h.hashPacked?.(Buffer.alloc(0), 2)).toHaveLength(0);
      expect(() => h.hashPacked?.(Buffer.alloc(33), 1)).toThrow(/not a multiple of 32/);
      expect(() =>
        h.hashPacked?.(Buffer.from(fieldToHex(R_MINUS_1).slice(2).replace(/^30/, 'ff'), 'hex'), 1),
      ).toThrow(/modulus|canonical/);
    },
  );

  if (native) {
    it(`native: the ${native.batchBackend} batch path equals the scalar one on a whole Merkle level`, () => {
      const flat = randomInputs(2 * 1000);
      const packed = Buffer.concat(flat.map((x) => fieldToBytes(x)));
      expect(native.hashPacked(packed, 2).equals(native.hashPackedScalar(packed, 2))).toBe(true);
    });
  }

  it('the pure TypeScript peer @zkpassport/poseidon2 agrees too (sanity check of the reference)', () => {
    const inputs = randomInputs(2);
    expect(zkPassportHash(inputs)).toBe(bb.hash(inputs));
  });

  it('the default hasher is the native addon when it is built, else the TypeScript one', () => {
    expect(getHasher().name).toBe(native ? 'native' : 'ts');
  });

  if (native) {
    it('native: rejects inputs >= r instead of reducing them', () => {
      expect(() => native.hash([FIELD_MODULUS])).toThrow(/canonical field element/);
      expect(() => native.hashPairs([1n, FIELD_MODULUS])).toThrow(/canonical field element/);
    });
  }
});
