import { BadRequestInput, parseProofBytes, parseProofRequest, parsePublicInputs } from './proof-request';

const f = (n: number): string => '0x' + n.toString(16).padStart(64, '0');
const R = '0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001';
const valid = {
  secret: '0x1234',
  token: f(2),
  trackId: '0x7',
  scope: f(4),
  nullifier: f(5),
  root: f(6),
  leafIndex: 3,
  siblings: Array.from({ length: 20 }, (_, i) => f(i)),
};

describe('proof request parsing (HTTP 400 rules)', () => {
  it('parses hex fields of 1 to 64 digits, a numeric or decimal-string index, and a full path', () => {
    const r = parseProofRequest(valid, 20);
    expect(r).toMatchObject({ secret: 0x1234n, trackId: 7n, leafIndex: 3n });
    expect(r.siblings).toHaveLength(20);
    expect(parseProofRequest({ ...valid, leafIndex: '1048575', siblings: undefined }, 20)).toMatchObject({
      leafIndex: 1048575n,
    });
    expect(parseProofRequest({ ...valid, siblings: undefined }, 20).siblings).toBeUndefined();
  });

  it.each([
    ['body not an object', [], /body/],
    ['missing secret', { ...valid, secret: undefined }, /^secret:/],
    ['decimal instead of hex', { ...valid, token: '12' }, /^token:/],
    ['65 hex digits', { ...valid, scope: '0x' + '1'.repeat(65) }, /^scope:/],
    ['value = r', { ...valid, root: R }, /^root: not a BN254 field element/],
    ['negative index', { ...valid, leafIndex: -1 }, /^leafIndex/],
    ['index 2^20', { ...valid, leafIndex: 2 ** 20 }, /^leafIndex/],
    ['fractional index', { ...valid, leafIndex: 1.5 }, /^leafIndex/],
    [
      '19 siblings',
      { ...valid, siblings: valid.siblings.slice(1) },
      /^siblings: expected an array of exactly 20/,
    ],
    ['bad sibling', { ...valid, siblings: [...valid.siblings.slice(1), 'zz'] }, /^siblings\[19\]/],
  ])('rejects %s', (_name, body, message) => {
    expect(() => parseProofRequest(body, 20)).toThrow(BadRequestInput);
    expect(() => parseProofRequest(body, 20)).toThrow(message);
  });

  it('never puts the offending value in the message', () => {
    const secret = '0x' + 'ab'.repeat(40);
    expect(() => parseProofRequest({ ...valid, secret }, 20)).toThrow(
      /^secret: expected 0x followed by 1 to 64 hex digits$/,
    );
  });

  it('parses verify inputs: proof bytes and the four public inputs', () => {
    expect(parseProofBytes('0x00ff')).toEqual(new Uint8Array([0, 255]));
    expect(() => parseProofBytes('0x0')).toThrow(BadRequestInput);
    expect(() => parseProofBytes(123)).toThrow(BadRequestInput);
    expect(parsePublicInputs({ root: '0x1', trackId: '0x2', scope: '0x3', nullifier: '0x4' })).toEqual({
      root: 1n,
      trackId: 2n,
      scope: 3n,
      nullifier: 4n,
    });
    expect(() => parsePublicInputs({ root: '0x1', trackId: '0x2', scope: R, nullifier: '0x4' })).toThrow(
      /publicInputs.scope/,
    );
  });
});
