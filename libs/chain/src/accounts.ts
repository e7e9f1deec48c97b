import { PublicKey } from '@solana/web3.js';
import { decodeFixed, fieldsSize, startsWith, writeFields } from './codec';
import { IDL, IdlField } from './program';
import { DecodeResult, fail, ok } from './result';

export interface ConfigAccount {
  rootAuthority: PublicKey;
  verifier: PublicKey;
  bump: number;
}
export interface IdentityAccount {
  wallet: PublicKey;
  commitment: Uint8Array;
  bump: number;
}
export interface NullifierRecordAccount {
  trackId: bigint;
  scope: Uint8Array;
  nullifier: Uint8Array;
  root: Uint8Array;
  verifier: PublicKey;
  slot: bigint;
  bump: number;
}
/** Zero-copy (repr C) account: the ring of the last 64 roots; only roots[0..rootCount] are held. */
export interface TrackAccount {
  trackId: bigint;
  leafCount: bigint;
  /** 0 before the first root. */
  lastSeq: bigint;
  mint: PublicKey;
  roots: Uint8Array[];
  /** Index the next root is written to. */
  rootHead: number;
  rootCount: number;
  depth: number;
  bump: number;
  padding: Uint8Array;
}

/** Account data of the rainbow_veil program: 8-byte discriminator ++ fields (field names camelCase). */
export type RvAccount =
  | { name: 'Config'; data: ConfigAccount }
  | { name: 'Identity'; data: IdentityAccount }
  | { name: 'NullifierRecord'; data: NullifierRecordAccount }
  | { name: 'Track'; data: TrackAccount };
export type RvAccountName = RvAccount['name'];

interface AccountLayout {
  name: RvAccountName;
  discriminator: number[];
  fields: IdlField[];
}
const NAMES: readonly RvAccountName[] = ['Config', 'Identity', 'NullifierRecord', 'Track'];
const LAYOUTS: ReadonlyMap<RvAccountName, AccountLayout> = new Map(
  NAMES.map((name) => {
    const acc = IDL.accounts.find((a) => a.name === name);
    const ty = IDL.types.find((t) => t.name === name);
    if (!acc || !ty) throw new Error(`IDL has no account ${name}`); // static file; checked by the spec
    return [name, { name, discriminator: acc.discriminator, fields: ty.type.fields }];
  }),
);

/** Size of the account data (what the program allocates): 8 + fields. */
export function rvAccountSize(name: RvAccountName): number {
  const l = LAYOUTS.get(name);
  if (!l) throw new RangeError(`unknown account ${String(name)}`);
  return 8 + fieldsSize(l.fields);
}

/** Encodes account data exactly as the program stores it. Throws RangeError on bad values. */
export function encodeRvAccount(acc: RvAccount): Uint8Array {
  const l = LAYOUTS.get(acc.name);
  if (!l) throw new RangeError(`unknown account ${String(acc.name)}`);
  return writeFields(l.discriminator, l.fields, acc.data as unknown as Record<string, unknown>);
}

/** Decodes the data of an account owned by rainbow_veil. Never throws. */
export function decodeRvAccount(data: Uint8Array): DecodeResult<RvAccount> {
  if (data.length < 8) return fail('truncated', `account data has ${data.length} bytes`);
  for (const l of LAYOUTS.values()) {
    if (!startsWith(data, l.discriminator)) continue;
    const r = decodeFixed(l.name, data, 8, l.fields);
    if (!r.ok) return r;
    return ok({ name: l.name, data: r.value } as unknown as RvAccount);
  }
  return fail('unknown_discriminator', 'account discriminator is not one of rainbow_veil accounts');
}

/** The program's record_verification rule: is `root` one of the roots the track holds? */
export function trackHasRoot(track: TrackAccount, root: Uint8Array): boolean {
  const n = Math.min(track.rootCount, track.roots.length);
  return track.roots.slice(0, n).some((r) => r.length === root.length && r.every((b, i) => b === root[i]));
}
