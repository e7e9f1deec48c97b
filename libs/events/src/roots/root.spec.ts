import { rootRecordCodec, rootRecordKey, type RootRecord } from '../index';

const ROOT = `0x${'2a'.repeat(32)}`;

// Known-good encoding of rv.registry.roots.v1 (changing it is a new topic version).
const value: RootRecord = {
  trackId: 5n,
  seq: 4n,
  root: ROOT,
  leafCount: 1000n,
  slot: 1234,
  changeSeq: 1500n,
};
const encoded = `{"changeSeq":"1500","leafCount":"1000","root":"${ROOT}","seq":"4","slot":1234,"trackId":"5","v":1}`;

describe('rv.registry.roots.v1 codec', () => {
  it('encodes to its known-good bytes, decodes back, keys by track', () => {
    expect(rootRecordCodec.encode(value).toString()).toBe(encoded);
    expect(rootRecordCodec.decode(Buffer.from(encoded))).toEqual({ ok: true, value });
    expect(rootRecordKey(value)).toBe('5');
  });

  it('rejects a wrong version and an upper-case root', () => {
    expect(rootRecordCodec.decode(Buffer.from(encoded.replace('"v":1', '"v":0')))).toMatchObject({
      ok: false,
      error: { code: 'schema_version' },
    });
    expect(
      rootRecordCodec.decode(Buffer.from(encoded.replace(ROOT, ROOT.toUpperCase().replace('0X', '0x')))),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: /^root:/ },
    });
  });
});
