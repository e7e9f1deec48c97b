import { leafChangeCodec, leafChangeKey, type LeafChange } from '../index';

const MINT = '2d29RMkztd4tXsvjoPiV81XxVJhXKQ3Qo4rHseDfhgHi';
const LEAF = `0x${'0f'.repeat(32)}`;

// Known-good encoding of rv.registry.leaf-changes.v1 (changing it is a new topic version).
const value: LeafChange = {
  trackId: 3n,
  changeSeq: 12n,
  op: 'revoke',
  leaf: LEAF,
  depth: 20,
  slot: 99,
  mint: MINT,
};
const encoded = `{"changeSeq":"12","depth":20,"leaf":"${LEAF}","mint":"${MINT}","op":"revoke","slot":99,"trackId":"3","v":1}`;

describe('rv.registry.leaf-changes.v1 codec', () => {
  it('encodes to its known-good bytes, decodes back, keys by track', () => {
    expect(leafChangeCodec.encode(value).toString()).toBe(encoded);
    expect(leafChangeCodec.decode(Buffer.from(encoded))).toEqual({ ok: true, value });
    expect(leafChangeKey(value)).toBe('3');
  });

  it('rejects a wrong version, an unknown op and a depth out of range', () => {
    expect(leafChangeCodec.decode(Buffer.from(encoded.replace('"v":1', '"v":"1"')))).toMatchObject({
      ok: false,
      error: { code: 'schema_version' },
    });
    expect(leafChangeCodec.decode(Buffer.from(encoded.replace('revoke', 'update')))).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: /^op:/ },
    });
    expect(leafChangeCodec.decode(Buffer.from(encoded.replace('"depth":20', '"depth":33')))).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: /^depth:/ },
    });
  });
});
