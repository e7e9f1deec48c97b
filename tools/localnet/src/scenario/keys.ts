import { createHash } from 'crypto';
import { Keypair, PublicKey } from '@solana/web3.js';
import { FIELD_MODULUS, bytesToBigInt, commitment, fieldToBytes } from '@rv/crypto';

/**
 * Every key and secret of a scenario derives from its seed, so a test or demo can recover them
 * (never log or persist them). Derivation: sha256("<seed>/<role>/<index...>").
 */
const digest = (seed: string, ...path: (string | number)[]) =>
  createHash('sha256')
    .update([seed, ...path].join('/'))
    .digest();

const keypair = (seed: string, ...path: (string | number)[]) => Keypair.fromSeed(digest(seed, ...path));

export const scenarioKeys = {
  authority: (seed: string) => keypair(seed, 'authority'),
  verifier: (seed: string) => keypair(seed, 'verifier'),
  mint: (seed: string, track: number) => keypair(seed, 'mint', track),
  holder: (seed: string, holder: number) => keypair(seed, 'holder', holder),
  tokenAccount: (seed: string, holder: number, track: number) =>
    keypair(seed, 'token-account', holder, track),
};

/** The identity secret s of holder `h` (a BN254 field element). Recoverable from the seed by tests and demos. */
export function identitySecret(seed: string, holder: number): bigint {
  return bytesToBigInt(digest(seed, 'identity-secret', holder)) % FIELD_MODULUS;
}

/** C = H(s) as the 32 big-endian bytes register_identity carries. */
export function identityCommitment(seed: string, holder: number): Uint8Array {
  return fieldToBytes(commitment(identitySecret(seed, holder)));
}

/** track_id of scenario track `t` (1-based on chain). */
export const trackIdOf = (t: number): bigint => BigInt(t + 1);

export const mintOf = (seed: string, track: number): PublicKey => scenarioKeys.mint(seed, track).publicKey;
