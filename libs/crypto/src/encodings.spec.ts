import bs58 from 'bs58';
import { createBbJsHasher } from './bbjs-hasher';
import { commitment, leafHash, nullifier, tokenField } from './encodings';
import { FIELD_MODULUS, FieldError } from './field';
import type { Poseidon2Hasher } from './poseidon2';

describe('ARCHITECTURE.md encodings (checked against bb.js directly)', () => {
  let bb: Poseidon2Hasher;
  beforeAll(async () => {
    bb = await createBbJsHasher();
  });

  // A fixed, recognisable mint: bytes 0x01..0x20.
  const mint = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const hi = 0x0102030405060708090a0b0c0d0e0f10n;
  const lo = 0x1112131415161718191a1b1c1d1e1f20n;

  it('token field t = H(hi, lo) of the big-endian 16-byte halves, from bytes or base58', () => {
    expect(tokenField(mint)).toBe(bb.hash([hi, lo]));
    expect(tokenField(bs58.encode(mint))).toBe(bb.hash([hi, lo]));
    expect(tokenField(mint)).not.toBe(bb.hash([lo, hi]));
  });

  it('commitment, leaf and nullifier', () => {
    const s = 123456789n;
    const c = commitment(s);
    expect(c).toBe(bb.hash([s]));
    const t = tokenField(mint);
    expect(leafHash(c, t, 7n)).toBe(bb.hash([c, t, 7n]));
    expect(nullifier(s, 7n, 202611n)).toBe(bb.hash([s, 7n, 202611n]));
  });

  it('rejects bad mints and out-of-range values', () => {
    expect(() => tokenField(new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => tokenField('0OIl')).toThrow(FieldError);
    expect(() => commitment(FIELD_MODULUS)).toThrow(/secret: value is not below/);
    expect(() => leafHash(1n, 2n, -1n)).toThrow(/track id: negative/);
  });
});
