import { createHash } from 'node:crypto';
import { PublicKey } from '@solana/web3.js';
import {
  decodeEventData,
  decodeEventsFromLogs,
  decodeProgramDataLog,
  encodeEvent,
  eventLogLine,
  IDL,
  RAINBOW_VEIL_PROGRAM_ID,
  RV_EVENT_NAMES,
  RvEvent,
} from '.';

const disc = (s: string) => [...createHash('sha256').update(s).digest().subarray(0, 8)];
const b32 = (fill: number) => new Uint8Array(32).fill(fill);
const key = (fill: number) => new PublicKey(b32(fill));
const ID = RAINBOW_VEIL_PROGRAM_ID.toBase58();
const OTHER = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';

const rootUpdated: RvEvent = {
  name: 'MerkleRootUpdated',
  data: { trackId: 0x0102030405060708n, root: b32(0xab), leafCount: 5n, seq: 9n },
};

describe('event encoding', () => {
  it('uses sha256("event:<Name>")[0..8] as discriminator for every event in the IDL', () => {
    expect(IDL.events.map((e) => e.name).sort()).toEqual([...RV_EVENT_NAMES].sort());
    for (const e of IDL.events) expect(e.discriminator).toEqual(disc(`event:${e.name}`));
  });

  it('lays out MerkleRootUpdated as discriminator, u64 LE, [u8;32], u64 LE, u64 LE', () => {
    const expected = Buffer.concat([
      Buffer.from(disc('event:MerkleRootUpdated')),
      Buffer.from([8, 7, 6, 5, 4, 3, 2, 1]),
      Buffer.alloc(32, 0xab),
      Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]),
    ]);
    expect(Buffer.from(encodeEvent(rootUpdated))).toEqual(expected);
  });

  it('lays out TrackRegistered as discriminator, u64 LE, pubkey, u8 (49 bytes)', () => {
    const bytes = encodeEvent({ name: 'TrackRegistered', data: { trackId: 3n, mint: key(7), depth: 20 } });
    expect(bytes.length).toBe(49);
    expect([...bytes.subarray(8, 16)]).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    expect(bytes.subarray(16, 48)).toEqual(b32(7));
    expect(bytes[48]).toBe(20);
  });

  it('round-trips every event through its Program data log line', () => {
    const events: RvEvent[] = [
      rootUpdated,
      { name: 'TrackRegistered', data: { trackId: 1n, mint: key(1), depth: 32 } },
      { name: 'IdentityRegistered', data: { wallet: key(2), commitment: b32(3) } },
      {
        name: 'OwnershipVerified',
        data: { trackId: 4n, scope: b32(5), nullifier: b32(6), root: b32(7), verifier: key(8) },
      },
    ];
    for (const ev of events) {
      const r = decodeProgramDataLog(eventLogLine(ev));
      expect(r).toEqual({ ok: true, value: ev });
    }
  });

  it('rejects out-of-range values when encoding', () => {
    expect(() =>
      encodeEvent({ name: 'MerkleRootUpdated', data: { ...rootUpdated.data, seq: 1n << 64n } as never }),
    ).toThrow(RangeError);
    expect(() =>
      encodeEvent({ name: 'IdentityRegistered', data: { wallet: key(1), commitment: new Uint8Array(31) } }),
    ).toThrow(RangeError);
    expect(() =>
      encodeEvent({ name: 'TrackRegistered', data: { trackId: 1n, mint: key(1), depth: 256 } }),
    ).toThrow(RangeError);
  });
});

describe('event decoding errors are values', () => {
  const good = encodeEvent(rootUpdated);
  const log = (b: Uint8Array) => `Program data: ${Buffer.from(b).toString('base64')}`;

  it.each([
    ['truncated event', log(good.subarray(0, good.length - 1)), 'truncated'],
    ['discriminator only, cut', log(good.subarray(0, 5)), 'truncated'],
    ['empty data', 'Program data: ', 'truncated'],
    ['trailing bytes', log(Buffer.concat([good, Buffer.from([0])])), 'trailing_bytes'],
    ['unknown discriminator', log(new Uint8Array(64).fill(1)), 'unknown_discriminator'],
    ['bad base64 characters', 'Program data: !!!!', 'bad_base64'],
    ['three bytes of valid base64', 'Program data: QUJD', 'truncated'],
    ['base64 bad length', 'Program data: QUJDR', 'bad_base64'],
    ['not a data line', 'Program log: Instruction: UpdateRoot', 'not_program_data'],
  ])('%s', (_label, line, code) => {
    const r = decodeProgramDataLog(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  it('never throws on random bytes behind any discriminator', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (const e of IDL.events) {
      for (let len = 0; len < 160; len += 7) {
        const data = new Uint8Array(8 + len).map(rnd);
        data.set(e.discriminator, 0);
        expect(() => decodeEventData(data)).not.toThrow();
      }
    }
  });
});

describe('decodeEventsFromLogs', () => {
  const ours = eventLogLine(rootUpdated);
  const identity = eventLogLine({ name: 'IdentityRegistered', data: { wallet: key(9), commitment: b32(9) } });

  it('keeps only the data lines printed while this program is on top of the invoke stack', () => {
    const logs = [
      `Program ComputeBudget111111111111111111111111111111 invoke [1]`,
      `Program ComputeBudget111111111111111111111111111111 success`,
      `Program ${ID} invoke [1]`,
      `Program log: Instruction: UpdateRoot`,
      `Program ${OTHER} invoke [2]`,
      ours, // printed by the token program inside our CPI: not ours
      `Program ${OTHER} consumed 100 of 1000 compute units`,
      `Program ${OTHER} success`,
      ours, // ours again after the CPI returned
      `Program ${ID} consumed 5000 of 200000 compute units`,
      `Program ${ID} success`,
      ours, // outside any invocation
      `Program ${OTHER} invoke [1]`,
      identity, // another program at depth 1
      `Program ${ID} invoke [2]`,
      identity, // our program invoked by CPI: ours
      `Program ${ID} success`,
      `Program ${OTHER} success`,
    ];
    const r = decodeEventsFromLogs(logs);
    expect(r.errors).toEqual([]);
    expect(r.events.map((e) => [e.logIndex, e.event.name])).toEqual([
      [8, 'MerkleRootUpdated'],
      [15, 'IdentityRegistered'],
    ]);
    expect(r.events[0]?.event).toEqual(rootUpdated);
  });

  it('pops a failed frame and reports undecodable data of this program as errors', () => {
    const logs = [
      `Program ${ID} invoke [1]`,
      `Program ${OTHER} invoke [2]`,
      `Program ${OTHER} failed: custom program error: 0x1`,
      'Program data: AAAA',
      `Program ${ID} failed: custom program error: 0x1771`,
    ];
    const r = decodeEventsFromLogs(logs);
    expect(r.events).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ logIndex: 3, code: 'truncated' })]);
  });

  it('resynchronises on invoke depth when logs skip a success line', () => {
    const logs = [`Program ${OTHER} invoke [1]`, `Program ${ID} invoke [1]`, ours, `Program ${ID} success`];
    expect(decodeEventsFromLogs(logs).events.map((e) => e.logIndex)).toEqual([2]);
  });

  it('filters by another program id when asked', () => {
    const logs = [`Program ${OTHER} invoke [1]`, ours, `Program ${OTHER} success`];
    expect(decodeEventsFromLogs(logs).events).toEqual([]);
    expect(decodeEventsFromLogs(logs, new PublicKey(OTHER)).events).toHaveLength(1);
  });
});
