import { Keypair, PublicKey } from '@solana/web3.js';
import { RAINBOW_VEIL_PROGRAM_ID, encodeEvent, encodeTokenAccount, eventLogLine } from '@rv/chain';
import { chainUpdateCodec } from '@rv/events';
import { randomBytes } from 'crypto';
import bs58 from 'bs58';
import { base58, normalizeAccount, normalizeTransaction, revertOf } from './normalize';

const SIG = '2Ana1pUpv2ZbMVkwF5FXapYeBEjdxDatLn7nvJkhgTSXbs59SyZSx866bXirPgj8QQVB57uxHJBG1YFvkRbFj4T';
const PID = RAINBOW_VEIL_PROGRAM_ID.toBase58();
const wallet = new PublicKey('US517G5965aydkZ46HS38QLi7UQiSojurfbQfKCELFx');
const mint = Keypair.generate().publicKey;
const wrap = (...lines: string[]) => [`Program ${PID} invoke [1]`, ...lines, `Program ${PID} success`];

describe('normalizeTransaction', () => {
  it('turns program events into chain updates with per-event idempotency keys', () => {
    const logs = wrap(
      eventLogLine({ name: 'TrackRegistered', data: { trackId: 9n, mint, depth: 20 } }),
      eventLogLine({ name: 'IdentityRegistered', data: { wallet, commitment: new Uint8Array(32).fill(3) } }),
    );
    const { updates, errors } = normalizeTransaction(77, SIG, logs);
    expect(errors).toEqual([]);
    expect(updates).toEqual([
      {
        type: 'track_registered',
        id: `${SIG}:0`,
        slot: 77,
        signature: SIG,
        trackId: 9n,
        mint: mint.toBase58(),
        depth: 20,
      },
      {
        type: 'identity_registered',
        id: `${SIG}:1`,
        slot: 77,
        signature: SIG,
        wallet: wallet.toBase58(),
        commitment: `0x${'03'.repeat(32)}`,
      },
    ]);
    for (const u of updates)
      expect(chainUpdateCodec.decode(chainUpdateCodec.encode(u))).toEqual({ ok: true, value: u });
  });

  it('reports bad base64, truncated Borsh and unknown discriminators (for the dead-letter topic) and keeps the good events', () => {
    const good = eventLogLine({
      name: 'IdentityRegistered',
      data: { wallet, commitment: new Uint8Array(32) },
    });
    const truncated = `Program data: ${Buffer.from(encodeEvent({ name: 'IdentityRegistered', data: { wallet, commitment: new Uint8Array(32) } }).subarray(0, 20)).toString('base64')}`;
    const unknown = `Program data: ${Buffer.alloc(48, 0xee).toString('base64')}`;
    const { updates, errors } = normalizeTransaction(
      5,
      SIG,
      wrap('Program data: @@@not-base64@@@', truncated, good, unknown),
    );
    expect(updates).toHaveLength(1);
    expect(errors.map((e) => [e.code, e.logIndex])).toEqual([
      ['bad_base64', 1],
      ['truncated', 2],
      ['unknown_discriminator', 4],
    ]);
    expect(errors[1]!.line).toBe(truncated);
  });

  it('ignores Program data lines of other programs', () => {
    const other = Keypair.generate().publicKey.toBase58();
    const logs = [
      `Program ${other} invoke [1]`,
      eventLogLine({ name: 'IdentityRegistered', data: { wallet, commitment: new Uint8Array(32) } }),
      `Program ${other} success`,
    ];
    expect(normalizeTransaction(5, SIG, logs)).toEqual({ updates: [], errors: [] });
  });

  it('builds the compensation of an event with a stable id', () => {
    const { updates } = normalizeTransaction(
      5,
      SIG,
      wrap(eventLogLine({ name: 'IdentityRegistered', data: { wallet, commitment: new Uint8Array(32) } })),
    );
    expect(revertOf(updates[0]!, 5)).toEqual({
      type: 'event_reverted',
      id: `revert:${SIG}:0`,
      slot: 5,
      original: updates[0],
    });
  });
});

describe('normalizeAccount', () => {
  const account = Keypair.generate().publicKey;
  const data = encodeTokenAccount({
    mint,
    owner: wallet,
    amount: 3n,
    state: 'initialized',
    delegate: null,
    isNative: null,
    delegatedAmount: 0n,
    closeAuthority: null,
  });
  const registered = (m: string) => m === mint.toBase58();

  it('maps a token account of a registered mint to a holding with its write version', () => {
    const h = normalizeAccount(
      { slot: 10, pubkey: account.toBytes(), data, lamports: 2039280n, writeVersion: 44n },
      registered,
      () => undefined,
    );
    expect(h).toEqual({
      type: 'holding_changed',
      id: `${account.toBase58()}:44`,
      slot: 10,
      tokenAccount: account.toBase58(),
      wallet: wallet.toBase58(),
      mint: mint.toBase58(),
      amount: 3n,
      writeVersion: 44n,
    });
  });

  it('ignores other mints; a closed known account becomes amount 0; a closed unknown one is ignored', () => {
    expect(
      normalizeAccount(
        { slot: 1, pubkey: account.toBytes(), data, lamports: 1n, writeVersion: 1n },
        () => false,
        () => undefined,
      ),
    ).toBeUndefined();
    const closed = {
      slot: 11,
      pubkey: account.toBytes(),
      data: new Uint8Array(),
      lamports: 0n,
      writeVersion: 45n,
    };
    expect(
      normalizeAccount(closed, registered, () => ({ wallet: wallet.toBase58(), mint: mint.toBase58() }))
        ?.amount,
    ).toBe(0n);
    expect(normalizeAccount(closed, registered, () => undefined)).toBeUndefined();
  });
});

describe('base58', () => {
  it('writes what bs58 writes (signatures, keys, leading zero bytes, empty)', () => {
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array(1),
      new Uint8Array(64),
      Uint8Array.of(0, 0, 1),
    ];
    for (let i = 0; i < 3000; i++) {
      const b = randomBytes([64, 32, 1, 9, 33][i % 5]!);
      if (i % 7 === 0) b[0] = 0;
      if (i % 11 === 0 && b.length > 1) b[1] = 0;
      if (i % 13 === 0) b.fill(255);
      inputs.push(b);
    }
    inputs.push(bs58.decode(SIG));
    // a view into a larger buffer, as protobuf decoders hand out
    inputs.push(Buffer.concat([Buffer.alloc(5, 9), randomBytes(64)]).subarray(5));
    for (const b of inputs) expect(base58(b)).toBe(bs58.encode(b));
    expect(base58(bs58.decode(SIG))).toBe(SIG);
  });
});
