import {
  canonicalJson,
  chainUpdateCodec,
  chainUpdateKey,
  chainUpdateSchema,
  type ChainUpdate,
} from '../index';

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

/**
 * holding_changed and slot_status are encoded and decoded by hand-written paths (the hot path of
 * the ingest and the projector): they must write exactly the canonical JSON and accept exactly what
 * the schema accepts, with the same decoded value, and leave every error to the schema.
 */
describe('rv.chain.updates.v1 hot paths agree with the generic codec', () => {
  const schemaDecode = (text: string) => {
    const r = chainUpdateSchema.safeParse(JSON.parse(text));
    return r.success ? { ok: true, value: r.data } : { ok: false };
  };
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  const b58 = (len: number): string => Array.from({ length: len }, () => B58[rnd(58)]).join('');
  const u64s = [0n, 1n, 42n, 18446744073709551615n, 1234567890123n];
  const values = (): ChainUpdate[] => {
    const out: ChainUpdate[] = [];
    for (let i = 0; i < 200; i++) {
      const ta = b58(32 + rnd(13));
      const wv = u64s[rnd(u64s.length)]!;
      out.push({
        type: 'holding_changed',
        id: `${ta}:${wv}`,
        slot: rnd(2) ? rnd(1000) : Number.MAX_SAFE_INTEGER - rnd(10),
        tokenAccount: ta,
        wallet: b58(32 + rnd(13)),
        mint: b58(44),
        amount: u64s[rnd(u64s.length)]!,
        writeVersion: wv,
        ...(rnd(2) ? { signature: b58(64 + rnd(25)) } : {}),
      });
      const slot = rnd(100000);
      const status = (['confirmed', 'finalized', 'dead'] as const)[rnd(3)]!;
      out.push({
        type: 'slot_status',
        id: `slot:${slot}:${status}`,
        slot,
        status,
        ...(rnd(2) ? { parent: Math.max(0, slot - 1 - rnd(3)) } : {}),
      });
    }
    return out;
  };

  it('encode writes exactly the canonical JSON, decode returns exactly what the schema returns', () => {
    for (const u of values()) {
      const text = chainUpdateCodec.encode(u).toString('utf8');
      expect(text).toBe(canonicalJson({ ...u, v: 1 }));
      const decoded = chainUpdateCodec.decode(Buffer.from(text));
      expect(decoded).toStrictEqual(schemaDecode(text));
      expect(decoded).toStrictEqual({ ok: true, value: u });
    }
  });

  it('a value with an extra field is encoded by the generic path (the field is kept, as before)', () => {
    const u = { ...vectors[1]!.value, note: 'x' } as unknown as ChainUpdate;
    expect(chainUpdateCodec.encode(u).toString('utf8')).toBe(canonicalJson({ ...u, v: 1 }));
    expect(chainUpdateCodec.encode({ ...u, v: 3 } as unknown as ChainUpdate).toString('utf8')).toBe(
      canonicalJson({ ...u, v: 1 }),
    );
  });

  const holding = vectors[1]!.encoded;
  const slotStatus = vectors[5]!.encoded;
  const edits: [string, string, string][] = [
    ['empty id', holding, holding.replace(/"id":"[^"]*"/, '"id":""')],
    ['id of 201 characters', holding, holding.replace(/"id":"[^"]*"/, `"id":"${'a'.repeat(201)}"`)],
    ['negative slot', holding, holding.replace('"slot":43', '"slot":-1')],
    ['fractional slot', holding, holding.replace('"slot":43', '"slot":4.5')],
    ['slot above 2^53', holding, holding.replace('"slot":43', '"slot":9007199254740993')],
    ['slot as a string', holding, holding.replace('"slot":43', '"slot":"43"')],
    [
      'amount with a leading zero',
      holding,
      holding.replace('"amount":"18446744073709551615"', '"amount":"01"'),
    ],
    [
      'amount above u64',
      holding,
      holding.replace('"amount":"18446744073709551615"', '"amount":"18446744073709551616"'),
    ],
    ['amount as a number', holding, holding.replace('"amount":"18446744073709551615"', '"amount":5')],
    [
      'write version negative',
      holding,
      holding.replace('"writeVersion":"18446744073709551615"', '"writeVersion":"-1"'),
    ],
    ['wallet with a 0', holding, holding.replace(`"wallet":"${WALLET}"`, `"wallet":"0${WALLET.slice(1)}"`)],
    ['mint too short', holding, holding.replace(`"mint":"${MINT}"`, `"mint":"${MINT.slice(0, 31)}"`)],
    ['token account missing', holding, holding.replace(`"tokenAccount":"${WALLET}",`, '')],
    ['signature null', holding, holding.replace(`"signature":"${SIG}"`, '"signature":null')],
    [
      'signature too short',
      holding,
      holding.replace(`"signature":"${SIG}"`, `"signature":"${SIG.slice(0, 63)}"`),
    ],
    ['no signature (valid)', holding, holding.replace(`"signature":"${SIG}",`, '')],
    ['an unknown field (valid, dropped)', holding, holding.replace('"slot":43', '"slot":43,"extra":[1]')],
    ['status processed', slotStatus, slotStatus.replace('"status":"dead"', '"status":"processed"')],
    ['status missing', slotStatus, slotStatus.replace('"status":"dead",', '')],
    ['parent negative', slotStatus, slotStatus.replace('"parent":10', '"parent":-10')],
    ['parent null', slotStatus, slotStatus.replace('"parent":10', '"parent":null')],
    ['no parent (valid)', slotStatus, slotStatus.replace('"parent":10,', '')],
    ['id a number', slotStatus, slotStatus.replace('"id":"slot:11:dead"', '"id":11')],
  ];
  it.each(edits)(
    '%s: decoded as the schema decides (same value or the same named error)',
    (_what, base, edited) => {
      expect(edited).not.toBe(base);
      const got = chainUpdateCodec.decode(Buffer.from(edited));
      const want = schemaDecode(edited);
      expect(got.ok).toBe(want.ok);
      if (got.ok) expect(got).toStrictEqual(want);
      else {
        const issue = chainUpdateSchema.safeParse(JSON.parse(edited)).error!.issues[0]!;
        expect(got.error).toEqual({
          code: 'invalid',
          message: `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
        });
      }
    },
  );
});
