import { Keypair } from '@solana/web3.js';
import { DecodeResult, fail, ok } from './result';

/**
 * Parses a Solana CLI keypair file (JSON array of 64 integers 0..=255: secret seed ++ public key)
 * given its bytes. Checks that the public half matches the secret. Error messages never contain any
 * byte of the file. Never throws.
 */
export function parseKeypairJson(file: Uint8Array | string): DecodeResult<Keypair> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof file === 'string' ? file : new TextDecoder().decode(file));
  } catch {
    return fail('invalid_keypair', 'keypair file is not valid JSON');
  }
  if (!Array.isArray(parsed)) return fail('invalid_keypair', 'keypair file must be a JSON array');
  if (parsed.length !== 64) {
    return fail('invalid_keypair', `keypair file must hold 64 numbers, found ${parsed.length}`);
  }
  const bytes = new Uint8Array(64);
  for (let i = 0; i < 64; i++) {
    const v: unknown = parsed[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
      bytes.fill(0);
      return fail('invalid_keypair', `keypair file entry ${i} is not an integer in 0..=255`);
    }
    bytes[i] = v;
  }
  try {
    // Validates that bytes 32..64 are the public key of the seed in bytes 0..32. The Keypair keeps
    // `bytes` as its secret key, so they are wiped only on failure.
    return ok(Keypair.fromSecretKey(bytes));
  } catch {
    bytes.fill(0);
    return fail('invalid_keypair', 'keypair public key does not match its secret key');
  }
}

/** The file form of a keypair (what `solana-keygen` writes). Contains the secret: never log it. */
export function serializeKeypairJson(kp: Keypair): string {
  return `${JSON.stringify(Array.from(kp.secretKey))}\n`;
}
