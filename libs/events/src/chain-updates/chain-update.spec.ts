import { chainUpdateCodec, chainUpdateKey, type ChainUpdate } from '../index';

const SIG = '2Ana1pUpv2ZbMVkwF5FXapYeBEjdxDatLn7nvJkhgTSXbs59SyZSx866bXirPgj8QQVB57uxHJBG1YFvkRbFj4T';
const WALLET = 'US517G5965aydkZ46HS38QLi7UQiSojurfbQfKCELFx';
const MINT = '2d29RMkztd4tXsvjoPiV81XxVJhXKQ3Qo4rHseDfhgHi';
const H1 = `0x${'01'.repeat(32)}`;
const H2 = `0x${'ab'.repeat(32)}`;

// Known-good encodings: the wire format of rv.chain.updates.v1. Changing one of these strings is a
// breaking change (a new topic version), not an edit.
const vectors: { value: ChainUpdate; key: string; encoded: string }[] = [
  {
    value: {
      type: 'identity_registered',
      id: `${SIG}:0`,
      slot: 42,
      signature: SIG,
      wallet: WALLET,
      commitment: H1,
    },
    key: WALLET,
    encoded: `{"commitment":"${H1}","id":"${SIG}:0","signature":"${SIG}","slot":42,"type":"identity_registered","v":1,"wallet":"${WALLET}"}`,
  },
  {
    value: {
      type: 'holding_changed',
      id: `${WALLET}:18446744073709551615`,
      slot: 43,
      tokenAccount: WALLET,
      wallet: WALLET,
      mint: MINT,
      amount: 18446744073709551615n,
      writeVersion: 18446744073709551615n,
      signature: SIG,
    },
    key: WALLET,
    encoded: `{"amount":"18446744073709551615","id":"${WALLET}:18446744073709551615","mint":"${MINT}","signature":"${SIG}","slot":43,"tokenAccount":"${WALLET}","type":"holding_changed","v":1,"wallet":"${WALLET}","writeVersion":"18446744073709551615"}`,
  },
  {
    value: {
      type: 'track_registered',
      id: `${SIG}:1`,
      slot: 1,
      signature: SIG,
      trackId: 7n,
      mint: MINT,
      depth: 20,
    },
    key: 'track:7',
    encoded: `{"depth":20,"id":"${SIG}:1","mint":"${MINT}","signature":"${SIG}","slot":1,"trackId":"7","type":"track_registered","v":1}`,
  },
  {
    value: {
      type: 'root_updated',
      id: `${SIG}:2`,
      slot: 9,
      signature: SIG,
      trackId: 7n,
      root: H2,
      leafCount: 3n,
      seq: 2n,
    },
    key: 'track:7',
    encoded: `{"id":"${SIG}:2","leafCount":"3","root":"${H2}","seq":"2","signature":"${SIG}","slot":9,"trackId":"7","type":"root_updated","v":1}`,
  },
  {
    value: {
      type: 'ownership_verified',
      id: `${SIG}:3`,
      slot: 10,
      signature: SIG,
      trackId: 7n,
      scope: H1,
      nullifier: H2,
      root: H1,
    },
    key: 'track:7',
    encoded: `{"id":"${SIG}:3","nullifier":"${H2}","root":"${H1}","scope":"${H1}","signature":"${SIG}","slot":10,"trackId":"7","type":"ownership_verified","v":1}`,
  },
  {
    value: { type: 'slot_status', id: 'slot:11:dead', slot: 11, status: 'dead', parent: 10 },
    key: 'slots',
    encoded: `{"id":"slot:11:dead","parent":10,"slot":11,"status":"dead","type":"slot_status","v":1}`,
  },
  {
    value: {
      type: 'event_reverted',
      id: `revert:${SIG}:0`,
      slot: 42,
      original: {
        type: 'identity_registered',
        id: `${SIG}:0`,
        slot: 42,
        signature: SIG,
        wallet: WALLET,
        commitment: H1,
      },
    },
    key: WALLET,
    encoded: `{"id":"revert:${SIG}:0","original":{"commitment":"${H1}","id":"${SIG}:0","signature":"${SIG}","slot":42,"type":"identity_registered","wallet":"${WALLET}"},"slot":42,"type":"event_reverted","v":1}`,
  },
];

describe('rv.chain.updates.v1 codec', () => {
  it.each(vectors.map((v) => [v.value.type, v] as const))(
    '%s encodes to its known-good bytes and decodes back',
    (_t, v) => {
      expect(chainUpdateCodec.encode(v.value).toString('utf8')).toBe(v.encoded);
      expect(chainUpdateCodec.decode(Buffer.from(v.encoded))).toEqual({ ok: true, value: v.value });
      expect(chainUpdateKey(v.value)).toBe(v.key);
    },
  );

  it('rejects another schema version with a schema_version reason', () => {
    const v2 = vectors[0]!.encoded.replace('"v":1', '"v":2');
    expect(chainUpdateCodec.decode(Buffer.from(v2))).toEqual({
      ok: false,
      error: { code: 'schema_version', message: 'schema version 2 is not supported (expected 1)' },
    });
    const none = vectors[0]!.encoded.replace(',"v":1', '');
    expect(chainUpdateCodec.decode(Buffer.from(none))).toMatchObject({
      ok: false,
      error: { code: 'schema_version' },
    });
  });

  it('rejects bytes that are not JSON, and values that break the schema, naming the field', () => {
    expect(chainUpdateCodec.decode(Buffer.from('\x00\x01garbage'))).toMatchObject({
      ok: false,
      error: { code: 'bad_encoding' },
    });
    expect(chainUpdateCodec.decode(null)).toMatchObject({ ok: false, error: { code: 'bad_encoding' } });
    const badAmount = vectors[1]!.encoded.replace(
      '"amount":"18446744073709551615"',
      '"amount":"18446744073709551616"',
    );
    expect(chainUpdateCodec.decode(Buffer.from(badAmount))).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: /^amount:/ },
    });
    const badHex = vectors[0]!.encoded.replace(H1, '0x12');
    expect(chainUpdateCodec.decode(Buffer.from(badHex))).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: /^commitment:/ },
    });
    const unknownType = vectors[0]!.encoded.replace('identity_registered', 'wallet_drained');
    expect(chainUpdateCodec.decode(Buffer.from(unknownType))).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
  });
});
