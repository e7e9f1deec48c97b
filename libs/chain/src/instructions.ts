import { PublicKey, SystemProgram, TransactionInstruction } from '@solana/web3.js';
import { decodeFixed, startsWith, toU64, writeFields } from './codec';
import { configPda, identityPda, nullifierPda, trackPda } from './pda';
import { IDL, MAX_DEPTH, MIN_DEPTH, RAINBOW_VEIL_PROGRAM_ID } from './program';
import { DecodeResult, fail, ok } from './result';

export interface InitializeArgs {
  rootAuthority: PublicKey;
  verifier: PublicKey;
}
export interface RegisterTrackArgs {
  trackId: bigint;
  mint: PublicKey;
  depth: number;
}
export interface RegisterIdentityArgs {
  commitment: Uint8Array;
}
export interface UpdateRootArgs {
  trackId: bigint;
  root: Uint8Array;
  leafCount: bigint;
  seq: bigint;
}
export interface RecordVerificationArgs {
  trackId: bigint;
  scope: Uint8Array;
  nullifier: Uint8Array;
  root: Uint8Array;
}

/** A decoded instruction: `name` is the IDL (snake_case) name, args are camelCase. */
export type RvInstruction =
  | { name: 'initialize'; args: InitializeArgs }
  | { name: 'register_track'; args: RegisterTrackArgs }
  | { name: 'register_identity'; args: RegisterIdentityArgs }
  | { name: 'update_root'; args: UpdateRootArgs }
  | { name: 'record_verification'; args: RecordVerificationArgs };
export type RvInstructionName = RvInstruction['name'];

function idlIx(name: RvInstructionName): (typeof IDL.instructions)[number] {
  const ix = IDL.instructions.find((i) => i.name === name);
  if (!ix) throw new Error(`IDL has no instruction ${name}`); // static file; checked by the spec
  return ix;
}

/** Instruction data: sha256("global:<name>")[0..8] ++ Borsh(args). Throws RangeError on bad args. */
export function encodeInstructionData(ix: RvInstruction): Uint8Array {
  const def = idlIx(ix.name);
  return writeFields(def.discriminator, def.args, ix.args as unknown as Record<string, unknown>);
}

/** Account names of an instruction, in the order the program expects them (from the IDL). */
export function instructionAccountNames(name: RvInstructionName): string[] {
  return idlIx(name).accounts.map((a) => a.name);
}

/** Decodes instruction data of the rainbow_veil program. Never throws. */
export function decodeInstruction(data: Uint8Array): DecodeResult<RvInstruction> {
  if (data.length < 8) return fail('truncated', `instruction data has ${data.length} bytes`);
  for (const def of IDL.instructions) {
    if (!startsWith(data, def.discriminator)) continue;
    const r = decodeFixed(def.name, data, 8, def.args);
    if (!r.ok) return r;
    return ok({ name: def.name, args: r.value } as unknown as RvInstruction);
  }
  return fail('unknown_discriminator', 'instruction discriminator is not one of rainbow_veil instructions');
}

const meta = (pubkey: PublicKey, isSigner: boolean, isWritable: boolean) => ({
  pubkey,
  isSigner,
  isWritable,
});

function build(
  ix: RvInstruction,
  keys: ReturnType<typeof meta>[],
  programId: PublicKey,
): TransactionInstruction {
  return new TransactionInstruction({ programId, keys, data: Buffer.from(encodeInstructionData(ix)) });
}

export function initializeIx(p: {
  payer: PublicKey;
  rootAuthority: PublicKey;
  verifier: PublicKey;
  programId?: PublicKey;
}): TransactionInstruction {
  const programId = p.programId ?? RAINBOW_VEIL_PROGRAM_ID;
  return build(
    { name: 'initialize', args: { rootAuthority: p.rootAuthority, verifier: p.verifier } },
    [
      meta(configPda(programId)[0], false, true),
      meta(p.payer, true, true),
      meta(SystemProgram.programId, false, false),
    ],
    programId,
  );
}

export function registerTrackIx(p: {
  authority: PublicKey;
  payer: PublicKey;
  trackId: bigint | number;
  mint: PublicKey;
  depth: number;
  programId?: PublicKey;
}): TransactionInstruction {
  const programId = p.programId ?? RAINBOW_VEIL_PROGRAM_ID;
  if (!Number.isInteger(p.depth) || p.depth < MIN_DEPTH || p.depth > MAX_DEPTH) {
    throw new RangeError(`depth must be in ${MIN_DEPTH}..=${MAX_DEPTH}`);
  }
  const trackId = toU64(p.trackId, 'trackId');
  return build(
    { name: 'register_track', args: { trackId, mint: p.mint, depth: p.depth } },
    [
      meta(configPda(programId)[0], false, false),
      meta(trackPda(trackId, programId)[0], false, true),
      meta(p.authority, true, false),
      meta(p.payer, true, true),
      meta(SystemProgram.programId, false, false),
    ],
    programId,
  );
}

export function registerIdentityIx(p: {
  wallet: PublicKey;
  commitment: Uint8Array;
  programId?: PublicKey;
}): TransactionInstruction {
  const programId = p.programId ?? RAINBOW_VEIL_PROGRAM_ID;
  return build(
    { name: 'register_identity', args: { commitment: p.commitment } },
    [
      meta(identityPda(p.wallet, programId)[0], false, true),
      meta(p.wallet, true, true),
      meta(SystemProgram.programId, false, false),
    ],
    programId,
  );
}

export function updateRootIx(p: {
  authority: PublicKey;
  trackId: bigint | number;
  root: Uint8Array;
  leafCount: bigint | number;
  seq: bigint | number;
  programId?: PublicKey;
}): TransactionInstruction {
  const programId = p.programId ?? RAINBOW_VEIL_PROGRAM_ID;
  const trackId = toU64(p.trackId, 'trackId');
  return build(
    {
      name: 'update_root',
      args: { trackId, root: p.root, leafCount: toU64(p.leafCount, 'leafCount'), seq: toU64(p.seq, 'seq') },
    },
    [
      meta(configPda(programId)[0], false, false),
      meta(trackPda(trackId, programId)[0], false, true),
      meta(p.authority, true, false),
    ],
    programId,
  );
}

export function recordVerificationIx(p: {
  verifier: PublicKey;
  trackId: bigint | number;
  scope: Uint8Array;
  nullifier: Uint8Array;
  root: Uint8Array;
  programId?: PublicKey;
}): TransactionInstruction {
  const programId = p.programId ?? RAINBOW_VEIL_PROGRAM_ID;
  const trackId = toU64(p.trackId, 'trackId');
  return build(
    { name: 'record_verification', args: { trackId, scope: p.scope, nullifier: p.nullifier, root: p.root } },
    [
      meta(configPda(programId)[0], false, false),
      meta(trackPda(trackId, programId)[0], false, false),
      meta(nullifierPda(trackId, p.nullifier, programId)[0], false, true),
      meta(p.verifier, true, true),
      meta(SystemProgram.programId, false, false),
    ],
    programId,
  );
}
