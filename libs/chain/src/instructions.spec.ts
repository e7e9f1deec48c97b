import { createHash } from 'node:crypto';
import { Keypair, PublicKey, SystemProgram } from '@solana/web3.js';
import {
  configPda,
  decodeInstruction,
  identityPda,
  IDL,
  initializeIx,
  instructionAccountNames,
  nullifierPda,
  RAINBOW_VEIL_PROGRAM_ID,
  recordVerificationIx,
  registerIdentityIx,
  registerTrackIx,
  trackPda,
  updateRootIx,
} from '.';

const disc = (s: string) => [...createHash('sha256').update(s).digest().subarray(0, 8)];
const b32 = (fill: number) => new Uint8Array(32).fill(fill);
const pk = () => Keypair.generate().publicKey;
const flags = (ix: { keys: { pubkey: PublicKey; isSigner: boolean; isWritable: boolean }[] }) =>
  ix.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]);

describe('IDL', () => {
  it('uses sha256("global:<name>") discriminators and the agreed program id', () => {
    expect(IDL.address).toBe('2d29RMkztd4tXsvjoPiV81XxVJhXKQ3Qo4rHseDfhgHi');
    expect(IDL.instructions.map((i) => i.name)).toEqual([
      'initialize',
      'register_track',
      'register_identity',
      'update_root',
      'record_verification',
    ]);
    for (const ix of IDL.instructions) expect(ix.discriminator).toEqual(disc(`global:${ix.name}`));
    for (const a of IDL.accounts) expect(a.discriminator).toEqual(disc(`account:${a.name}`));
  });

  it('numbers the agreed errors from 6000', () => {
    expect(IDL.errors.map((e) => [e.code, e.name])).toEqual([
      [6000, 'Unauthorized'],
      [6001, 'SeqNotIncreasing'],
      [6002, 'UnknownRoot'],
      [6003, 'NullifierUsed'],
      [6004, 'InvalidDepth'],
      [6005, 'IdentityAlreadyRegistered'],
      [6006, 'ArithmeticOverflow'],
    ]);
  });
});

describe('PDAs', () => {
  it('derives seeds as the contract says (track id as u64 little endian)', () => {
    const id = RAINBOW_VEIL_PROGRAM_ID;
    const le = Buffer.from([7, 0, 0, 0, 0, 0, 0, 0]);
    expect(trackPda(7n)).toEqual(PublicKey.findProgramAddressSync([Buffer.from('track'), le], id));
    expect(trackPda(7)).toEqual(trackPda(7n));
    expect(configPda()).toEqual(PublicKey.findProgramAddressSync([Buffer.from('config')], id));
    const w = pk();
    expect(identityPda(w)).toEqual(
      PublicKey.findProgramAddressSync([Buffer.from('identity'), w.toBuffer()], id),
    );
    expect(nullifierPda(7n, b32(1))).toEqual(
      PublicKey.findProgramAddressSync([Buffer.from('nullifier'), le, Buffer.from(b32(1))], id),
    );
    expect(trackPda(1n)[0].equals(trackPda(256n)[0])).toBe(false);
    expect(() => trackPda(-1)).toThrow(RangeError);
    expect(() => nullifierPda(1n, new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('instruction builders', () => {
  it('initialize: config (w), payer (s,w), system program', () => {
    const payer = pk();
    const ra = pk();
    const v = pk();
    const ix = initializeIx({ payer, rootAuthority: ra, verifier: v });
    expect(ix.programId.equals(RAINBOW_VEIL_PROGRAM_ID)).toBe(true);
    expect(flags(ix)).toEqual([
      [configPda()[0].toBase58(), false, true],
      [payer.toBase58(), true, true],
      [SystemProgram.programId.toBase58(), false, false],
    ]);
    expect(decodeInstruction(ix.data)).toEqual({
      ok: true,
      value: { name: 'initialize', args: { rootAuthority: ra, verifier: v } },
    });
  });

  it('register_track: authority signs, track PDA writable; depth outside 1..=32 is refused', () => {
    const authority = pk();
    const payer = pk();
    const mint = pk();
    const ix = registerTrackIx({ authority, payer, trackId: 9, mint, depth: 20 });
    expect(flags(ix)).toEqual([
      [configPda()[0].toBase58(), false, false],
      [trackPda(9n)[0].toBase58(), false, true],
      [authority.toBase58(), true, false],
      [payer.toBase58(), true, true],
      [SystemProgram.programId.toBase58(), false, false],
    ]);
    expect(decodeInstruction(ix.data)).toEqual({
      ok: true,
      value: { name: 'register_track', args: { trackId: 9n, mint, depth: 20 } },
    });
    expect(() => registerTrackIx({ authority, payer, trackId: 9, mint, depth: 0 })).toThrow(RangeError);
    expect(() => registerTrackIx({ authority, payer, trackId: 9, mint, depth: 33 })).toThrow(RangeError);
  });

  it('register_identity: identity PDA of the wallet, wallet signs and pays', () => {
    const wallet = pk();
    const ix = registerIdentityIx({ wallet, commitment: b32(4) });
    expect(flags(ix)).toEqual([
      [identityPda(wallet)[0].toBase58(), false, true],
      [wallet.toBase58(), true, true],
      [SystemProgram.programId.toBase58(), false, false],
    ]);
    expect(decodeInstruction(ix.data)).toEqual({
      ok: true,
      value: { name: 'register_identity', args: { commitment: b32(4) } },
    });
    expect(() => registerIdentityIx({ wallet, commitment: b32(4).subarray(1) })).toThrow(RangeError);
  });

  it('update_root and record_verification carry their args and accounts', () => {
    const authority = pk();
    const u = updateRootIx({ authority, trackId: 3n, root: b32(1), leafCount: 10, seq: 11n });
    expect(instructionAccountNames('update_root')).toEqual(['config', 'track', 'authority']);
    expect(flags(u)).toEqual([
      [configPda()[0].toBase58(), false, false],
      [trackPda(3n)[0].toBase58(), false, true],
      [authority.toBase58(), true, false],
    ]);
    expect(decodeInstruction(u.data)).toEqual({
      ok: true,
      value: { name: 'update_root', args: { trackId: 3n, root: b32(1), leafCount: 10n, seq: 11n } },
    });

    const verifier = pk();
    const r = recordVerificationIx({ verifier, trackId: 3n, scope: b32(2), nullifier: b32(3), root: b32(1) });
    expect(instructionAccountNames('record_verification')).toEqual([
      'config',
      'track',
      'nullifier_record',
      'verifier',
      'system_program',
    ]);
    expect(flags(r)).toEqual([
      [configPda()[0].toBase58(), false, false],
      [trackPda(3n)[0].toBase58(), false, false],
      [nullifierPda(3n, b32(3))[0].toBase58(), false, true],
      [verifier.toBase58(), true, true],
      [SystemProgram.programId.toBase58(), false, false],
    ]);
    expect(decodeInstruction(r.data)).toEqual({
      ok: true,
      value: {
        name: 'record_verification',
        args: { trackId: 3n, scope: b32(2), nullifier: b32(3), root: b32(1) },
      },
    });
  });

  it('decodeInstruction returns error values for unknown, short and long data', () => {
    const u = updateRootIx({ authority: pk(), trackId: 3n, root: b32(1), leafCount: 10, seq: 11n });
    const code = (d: Uint8Array) => {
      const r = decodeInstruction(d);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code(new Uint8Array(3))).toBe('truncated');
    expect(code(new Uint8Array(40))).toBe('unknown_discriminator');
    expect(code(u.data.subarray(0, u.data.length - 1))).toBe('truncated');
    expect(code(Buffer.concat([u.data, Buffer.from([1])]))).toBe('trailing_bytes');
  });
});

describe('PDA helpers follow the IDL seeds', () => {
  it('every PDA account of every instruction derives to the helper the builders use', () => {
    const wallet = pk();
    const trackId = 0x0102030405060708n;
    const nullifier = b32(9);
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(trackId);
    const argBytes: Record<string, Buffer> = { track_id: le, nullifier: Buffer.from(nullifier) };
    const accountBytes: Record<string, Buffer> = { wallet: wallet.toBuffer() };
    const helpers: Record<string, PublicKey> = {
      config: configPda()[0],
      track: trackPda(trackId)[0],
      identity: identityPda(wallet)[0],
      nullifier_record: nullifierPda(trackId, nullifier)[0],
    };
    let checked = 0;
    for (const ix of IDL.instructions) {
      for (const acc of ix.accounts) {
        if (!acc.pda) continue;
        const seeds = acc.pda.seeds.map((s) => {
          const v =
            s.kind === 'const'
              ? Buffer.from(s.value ?? [])
              : s.kind === 'arg'
                ? argBytes[s.path ?? '']
                : accountBytes[s.path ?? ''];
          if (!v) throw new Error(`${ix.name}.${acc.name}: no test value for seed ${s.kind} ${s.path}`);
          return v;
        });
        const [derived] = PublicKey.findProgramAddressSync(seeds, RAINBOW_VEIL_PROGRAM_ID);
        expect([ix.name, acc.name, derived.toBase58()]).toEqual([
          ix.name,
          acc.name,
          helpers[acc.name]?.toBase58(),
        ]);
        checked++;
      }
    }
    expect(checked).toBe(9);
  });
});
