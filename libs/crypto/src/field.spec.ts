import { FIELD_MODULUS, FieldError, fieldFromBytes, fieldFromHex, fieldToBytes, fieldToHex } from './field';

describe('field encoding', () => {
  const r1 = FIELD_MODULUS - 1n;

  it('round-trips hex and bytes, including 0 and r-1', () => {
    for (const x of [0n, 1n, 0xdeadbeefn, r1]) {
      const hex = fieldToHex(x);
      expect(hex).toMatch(/^0x[0-9a-f]{64}$/);
      expect(fieldFromHex(hex)).toBe(x);
      expect(fieldFromBytes(fieldToBytes(x))).toBe(x);
    }
    expect(fieldToHex(1n)).toBe('0x' + '0'.repeat(63) + '1');
    expect(fieldToBytes(1n)[31]).toBe(1);
    expect(fieldToBytes(1n)[0]).toBe(0);
  });

  it('accepts upper-case hex', () => {
    expect(fieldFromHex('0x' + '0'.repeat(62) + 'AB')).toBe(0xabn);
  });

  it('rejects r and above with a clear error', () => {
    expect(() => fieldFromHex(fieldToHex(r1).replace(/0$/, '1'))).toThrow(/modulus/);
    expect(() => fieldFromHex('0x' + 'f'.repeat(64))).toThrow(FieldError);
    const big = new Uint8Array(32).fill(0xff);
    expect(() => fieldFromBytes(big)).toThrow(/modulus/);
    expect(() => fieldToHex(FIELD_MODULUS)).toThrow(/modulus/);
  });

  it('rejects malformed text and wrong byte lengths, naming the value', () => {
    for (const bad of [
      '',
      '0x',
      '0x1',
      '1'.repeat(64),
      '0x' + 'g'.repeat(64),
      '0x' + '0'.repeat(65),
      ' 0x' + '0'.repeat(64),
    ]) {
      expect(() => fieldFromHex(bad, 'leaf')).toThrow(/^leaf: expected 0x followed by 64 hex digits$/);
    }
    expect(() => fieldFromBytes(new Uint8Array(31))).toThrow(/expected 32 bytes, got 31/);
    expect(() => fieldToHex(-1n)).toThrow(/negative/);
  });
});
