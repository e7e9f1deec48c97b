import { FIELD_MODULUS } from '@rv/crypto';
import { ApiError } from '../http/api-error';
import { parseIdempotencyKey, parseVerificationInput } from './verification-input';

const ok = {
  proof: '0xABcd',
  publicInputs: { root: '0x1', trackId: '0x0c', scope: '0x2', nullifier: '0x3' },
};

const status = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof ApiError ? e.status : -1;
  }
};

describe('parseVerificationInput', () => {
  it('parses and normalizes: equal requests hash alike whatever the hex case or padding', () => {
    const a = parseVerificationInput(ok);
    const b = parseVerificationInput({
      proof: '0xabCD',
      publicInputs: { root: '0x01', trackId: '0xc', scope: '0x002', nullifier: '0x3' },
    });
    expect(a.publicInputs).toEqual({ root: 1n, trackId: 12n, scope: 2n, nullifier: 3n });
    expect(Buffer.from(a.proof).toString('hex')).toBe('abcd');
    expect(a.hash.equals(b.hash)).toBe(true);
    expect(
      a.hash.equals(
        parseVerificationInput({ ...ok, publicInputs: { ...ok.publicInputs, scope: '0x4' } }).hash,
      ),
    ).toBe(false);
  });

  it.each([
    ['not an object', [1]],
    ['odd hex proof', { ...ok, proof: '0xabc' }],
    ['non-hex proof', { ...ok, proof: '0xzz' }],
    ['missing public inputs', { proof: ok.proof }],
    ['field = r', { ...ok, publicInputs: { ...ok.publicInputs, root: '0x' + FIELD_MODULUS.toString(16) } }],
    ['65 hex digits', { ...ok, publicInputs: { ...ok.publicInputs, scope: '0x' + '1'.repeat(65) } }],
    ['a number', { ...ok, publicInputs: { ...ok.publicInputs, nullifier: 3 } }],
  ])('400 for %s', (_name, body) => {
    expect(status(() => parseVerificationInput(body))).toBe(400);
  });

  it('accepts only plain Idempotency-Keys', () => {
    expect(parseIdempotencyKey('order-4711:a.b~c_d')).toBe('order-4711:a.b~c_d');
    for (const bad of [undefined, '', 'has space', "x';--", 'k'.repeat(256)])
      expect(status(() => parseIdempotencyKey(bad))).toBe(400);
  });
});
