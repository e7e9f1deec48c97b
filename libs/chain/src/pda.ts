import { PublicKey } from '@solana/web3.js';
import { toU64, u64Le } from './codec';
import { RAINBOW_VEIL_PROGRAM_ID } from './program';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** ["config"] */
export function configPda(programId: PublicKey = RAINBOW_VEIL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc('config')], programId);
}

/** ["track", track_id as u64 little endian] */
export function trackPda(
  trackId: bigint | number,
  programId: PublicKey = RAINBOW_VEIL_PROGRAM_ID,
): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc('track'), u64Le(toU64(trackId, 'trackId'))], programId);
}

/** ["identity", wallet] */
export function identityPda(
  wallet: PublicKey,
  programId: PublicKey = RAINBOW_VEIL_PROGRAM_ID,
): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc('identity'), wallet.toBytes()], programId);
}

/** ["nullifier", track_id as u64 little endian, nullifier (32 bytes, big-endian field element)] */
export function nullifierPda(
  trackId: bigint | number,
  nullifier: Uint8Array,
  programId: PublicKey = RAINBOW_VEIL_PROGRAM_ID,
): [PublicKey, number] {
  if (nullifier.length !== 32) throw new RangeError('nullifier must be 32 bytes');
  return PublicKey.findProgramAddressSync(
    [enc('nullifier'), u64Le(toU64(trackId, 'trackId')), nullifier],
    programId,
  );
}
